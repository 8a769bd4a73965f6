/// A Lagrangian lower bound for a component with sibling groups, stronger than the flow's.
///
/// The constraint "each bid goes to at most one offer" is moved into the objective with a
/// multiplier u_b ≥ 0 per bid (a cost vector, like every objective here, compared
/// lexicographically). What is left splits into one 0/1 knapsack per offer: choose bids whose
/// children fit in its free beds, minimising Σ (cost per child × group size + u_b). For any
/// whole-group assignment x, cost(x) ≥ cost(x) + Σ_b u_b (Σ_o x_bo − 1) ≥ Σ_o knapsack_o − Σ_b u_b,
/// so the bound holds for every u ≥ 0; it is exact integer arithmetic on `ClearingCost`.
///
/// Starting from the flow's dual prices (u_b = group size × max(0, π_b − π_sink)), it is at
/// least the flow bound: the flow is the linear relaxation and its duals make the relaxed
/// knapsacks' values add up to it, while whole knapsacks can only cost more. It is larger where
/// the flow packs part of a group beside single children. Subgradient steps then move the
/// distance part of each u_b (the placement part stays at its dual price, so the placement
/// level stays at least the flow's): bids that several knapsacks chose get dearer, bids that
/// none chose cheaper.
struct KnapsackBound {
    /// Edges into offer `o` are `offerEdges[offerEdgeStart[o] ..< offerEdgeStart[o + 1]]`.
    private let offerEdgeStart: [Int32]
    private let offerEdges: [Int32]

    // Scratch, reused across evaluations.
    private var best: [ClearingCost] = []
    private var take: [Bool] = []
    private var items: [Int32] = []
    private var chosen: [Int32]

    init(problem: ComponentProblem) {
        let offerCount = problem.offerCapacity.count
        var start = [Int32](repeating: 0, count: offerCount + 1)
        for offer in problem.edgeOffer {
            start[Int(offer) + 1] += 1
        }
        for offer in 0..<offerCount {
            start[offer + 1] += start[offer]
        }
        var fill = start
        var edges = [Int32](repeating: 0, count: problem.edgeOffer.count)
        for (edge, offer) in problem.edgeOffer.enumerated() {
            edges[Int(fill[Int(offer)])] = Int32(edge)
            fill[Int(offer)] += 1
        }
        offerEdgeStart = start
        offerEdges = edges
        chosen = [Int32](repeating: 0, count: problem.bidSize.count)
    }

    /// The state of a search node that the bound needs.
    struct Node {
        let problem: ComponentProblem
        let edgeBid: [Int32]
        let removed: [Bool]
        let fixedEdge: [Int32]
        let offerFree: [Int32]
        let fixedCost: ClearingCost
    }

    /// The best bound over `iterations` subgradient steps from `multipliers` (updated in place),
    /// stopping early once it reaches `incumbent`.
    mutating func bound(_ node: Node, multipliers: inout [ClearingCost], incumbent: ClearingCost, iterations: Int) -> ClearingCost {
        var result = evaluate(node, multipliers)
        var scale = 1.0
        var sinceImproved = 0
        for _ in 0..<iterations {
            // Steps only pay off when the placement level already matches the incumbent's.
            guard result < incumbent, result.placement == incumbent.placement else { break }
            var squares: Int64 = 0
            for bid in chosen.indices where node.fixedEdge[bid] < 0 {
                let excess = Int64(chosen[bid]) - 1
                squares += excess * excess
            }
            guard squares > 0 else { break }
            let step = scale * Double(incumbent.distance - result.distance) / Double(squares)
            var moved = false
            for bid in chosen.indices where node.fixedEdge[bid] < 0 && chosen[bid] != 1 {
                let change = Int64((step * Double(chosen[bid] - 1)).rounded())
                guard change != 0 else { continue }
                moved = true
                multipliers[bid].distance += change
                if multipliers[bid].placement == 0 && multipliers[bid].distance < 0 {
                    multipliers[bid] = .zero
                }
            }
            guard moved else { break }
            let value = evaluate(node, multipliers)
            if value > result {
                result = value
                sinceImproved = 0
            } else {
                sinceImproved += 1
                if sinceImproved >= 3 {
                    scale /= 2
                    sinceImproved = 0
                }
            }
        }
        return result
    }

    /// The Lagrangian value for `multipliers`, recording in `chosen` how many knapsacks took
    /// each bid.
    private mutating func evaluate(_ node: Node, _ multipliers: [ClearingCost]) -> ClearingCost {
        let problem = node.problem
        for bid in chosen.indices { chosen[bid] = 0 }
        var total = node.fixedCost
        for bid in chosen.indices where node.fixedEdge[bid] < 0 {
            total = total - multipliers[bid]
        }
        for offer in 0..<offerEdgeStart.count - 1 {
            items.removeAll(keepingCapacity: true)
            var room = 0
            for index in Int(offerEdgeStart[offer])..<Int(offerEdgeStart[offer + 1]) {
                let edge = Int(offerEdges[index])
                let bid = Int(node.edgeBid[edge])
                guard !node.removed[edge], node.fixedEdge[bid] < 0, problem.bidSize[bid] <= node.offerFree[offer] else { continue }
                if problem.edgeCost[edge] * Int64(problem.bidSize[bid]) + multipliers[bid] < .zero {
                    items.append(Int32(edge))
                    room += Int(problem.bidSize[bid])
                }
            }
            guard !items.isEmpty else { continue }
            let capacity = min(room, Int(node.offerFree[offer]))
            // 0/1 knapsack over beds: best[c] is the cheapest choice using at most c beds.
            best.removeAll(keepingCapacity: true)
            best.append(contentsOf: repeatElement(.zero, count: capacity + 1))
            take.removeAll(keepingCapacity: true)
            take.append(contentsOf: repeatElement(false, count: items.count * (capacity + 1)))
            for (position, edge) in items.enumerated() {
                let bid = Int(node.edgeBid[Int(edge)])
                let size = Int(problem.bidSize[bid])
                let cost = problem.edgeCost[Int(edge)] * Int64(size) + multipliers[bid]
                var beds = capacity
                while beds >= size {
                    let candidate = best[beds - size] + cost
                    if candidate < best[beds] {
                        best[beds] = candidate
                        take[position * (capacity + 1) + beds] = true
                    }
                    beds -= 1
                }
            }
            total = total + best[capacity]
            var beds = capacity
            for position in items.indices.reversed() where take[position * (capacity + 1) + beds] {
                let bid = Int(node.edgeBid[Int(items[position])])
                chosen[bid] += 1
                beds -= Int(problem.bidSize[bid])
            }
        }
        return total
    }
}
