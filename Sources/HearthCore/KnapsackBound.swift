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
/// distance part of each u_b (the placement and preference parts stay at their dual prices, so
/// those levels stay at least the flow's): bids that several knapsacks chose get dearer, bids that
/// none chose cheaper.
struct KnapsackBound {
    /// Edges into offer `o` are `offerEdges[offerEdgeStart[o] ..< offerEdgeStart[o + 1]]`.
    private let offerEdgeStart: [Int32]
    private let offerEdges: [Int32]
    private let largestGroup: Int

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
        largestGroup = Int(problem.bidSize.max() ?? 1)
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

    /// The best bound over `iterations` subgradient steps from `multipliers`, which are left at
    /// the best step; stops early once the bound reaches `incumbent` or `deadline` passes.
    mutating func bound(
        _ node: Node, multipliers: inout [ClearingCost], incumbent: ClearingCost, iterations: Int, until deadline: ContinuousClock.Instant
    ) -> ClearingCost {
        var result = evaluate(node, multipliers)
        var bestMultipliers = multipliers
        defer { multipliers = bestMultipliers }
        var scale = 1.0
        var sinceImproved = 0
        for _ in 0..<iterations {
            // Steps only pay off when the placement and preference levels already match the incumbent's.
            guard result < incumbent, result.placement == incumbent.placement, result.preference == incumbent.preference,
                ContinuousClock.now < deadline else { break }
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
                if multipliers[bid].placement == 0 && multipliers[bid].preference == 0 && multipliers[bid].distance < 0 {
                    multipliers[bid] = .zero
                }
            }
            guard moved else { break }
            let value = evaluate(node, multipliers)
            if value > result {
                result = value
                bestMultipliers = multipliers
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

    /// Edges that no assignment cheaper than `incumbent` can use: forcing an edge into its
    /// offer's knapsack raises the bound at `multipliers` by the knapsack's loss, and any
    /// assignment using the edge costs at least that raised bound.
    mutating func removableEdges(_ node: Node, multipliers: [ClearingCost], incumbent: ClearingCost) -> [Int] {
        let problem = node.problem
        let value = evaluate(node, multipliers)
        var removable: [Int] = []
        var prefix: [ClearingCost] = []
        var suffix: [ClearingCost] = []
        for offer in 0..<offerEdgeStart.count - 1 {
            let free = Int(node.offerFree[offer])
            items.removeAll(keepingCapacity: true)
            var candidates: [Int32] = []
            var room = 0
            for index in Int(offerEdgeStart[offer])..<Int(offerEdgeStart[offer + 1]) {
                let edge = Int(offerEdges[index])
                let bid = Int(node.edgeBid[edge])
                guard !node.removed[edge], node.fixedEdge[bid] < 0, Int(problem.bidSize[bid]) <= free else { continue }
                candidates.append(Int32(edge))
                if problem.edgeCost[edge] * Int64(problem.bidSize[bid]) + multipliers[bid] < .zero {
                    items.append(Int32(edge))
                    room += Int(problem.bidSize[bid])
                }
            }
            guard !candidates.isEmpty else { continue }
            let capacity = min(free, room + largestGroup)
            let width = capacity + 1
            // prefix[k * width + c]: the best choice among the first k items within c beds;
            // suffix[k * width + c]: among items k and after.
            prefix.removeAll(keepingCapacity: true)
            prefix.append(contentsOf: repeatElement(.zero, count: (items.count + 1) * width))
            suffix.removeAll(keepingCapacity: true)
            suffix.append(contentsOf: repeatElement(.zero, count: (items.count + 1) * width))
            func itemCost(_ edge: Int32) -> (size: Int, cost: ClearingCost) {
                let bid = Int(node.edgeBid[Int(edge)])
                return (Int(problem.bidSize[bid]), problem.edgeCost[Int(edge)] * Int64(problem.bidSize[bid]) + multipliers[bid])
            }
            for (position, edge) in items.enumerated() {
                let (size, cost) = itemCost(edge)
                for beds in 0..<width {
                    var value = prefix[position * width + beds]
                    if beds >= size { value = min(value, prefix[position * width + beds - size] + cost) }
                    prefix[(position + 1) * width + beds] = value
                }
            }
            for position in items.indices.reversed() {
                let (size, cost) = itemCost(items[position])
                for beds in 0..<width {
                    var value = suffix[(position + 1) * width + beds]
                    if beds >= size { value = min(value, suffix[(position + 1) * width + beds - size] + cost) }
                    suffix[position * width + beds] = value
                }
            }
            let base = prefix[items.count * width + capacity]
            var position = 0
            for edge in candidates {
                let (size, cost) = itemCost(edge)
                var without: ClearingCost
                if position < items.count && items[position] == edge {
                    // The best choice of the other items within the beds left.
                    without = .infeasible
                    for beds in 0...(capacity - size) {
                        without = min(without, prefix[position * width + beds] + suffix[(position + 1) * width + capacity - size - beds])
                    }
                    position += 1
                } else {
                    without = prefix[items.count * width + capacity - size]
                }
                if value - base + cost + without >= incumbent {
                    removable.append(Int(edge))
                }
            }
        }
        return removable
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
