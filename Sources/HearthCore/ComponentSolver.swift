/// One connected component of the compatibility graph, in local indices.
///
/// Bids are in waiting order (longest first), offers in id order; edges are grouped by bid.
struct ComponentProblem: Sendable {
    /// Children in each bid.
    var bidSize: [Int32]
    /// Free beds of each offer.
    var offerCapacity: [Int32]
    /// Edges of bid `b` are `edgeStart[b] ..< edgeStart[b + 1]`.
    var edgeStart: [Int32]
    /// The offer of each edge.
    var edgeOffer: [Int32]
    /// The cost of each edge per child.
    var edgeCost: [ClearingCost]
}

/// Solves one component exactly: min-cost flow for the relaxation in which sibling groups may
/// be split, and depth-first branch and bound on the groups that the relaxation splits.
///
/// Network: each bid supplies its group size; bid → offer (capacity = group size, cost per
/// child, leading with the negative urgency weight) → sink (capacity = free beds), plus
/// bid → sink at cost 0 for children left unplaced, so every child is shipped and the cheapest
/// shipment is the best assignment. Successive shortest paths ship each bid's children in turn
/// (Dijkstra from that bid on reduced costs, with potentials, stopping at the sink); a path may
/// move other bids along or leave a less valuable one unplaced. The flow counts every child with
/// its own cost, so the flow
/// optimum is a lower bound on the cost of any assignment that keeps groups together, and equals
/// it when no group is split. When a group is split, branch on its edge with most flow: either
/// the whole group goes there (the offer's capacity drops by the group size), or that edge is
/// removed. Branches whose bound is not below the best assignment found are pruned.
struct ComponentSolver {
    private let problem: ComponentProblem
    private let bidCount: Int
    private let offerCount: Int
    private let edgeCount: Int
    private let sink: Int32
    private let edgeBid: [Int32]

    // Residual network. Arc pair k is arcs 2k (forward) and 2k+1 (reverse): pairs 0..<B are
    // source → bid (the forward residual is the bid's children still to ship), B..<B+E
    // bid → offer, B+E..<B+E+O offer → sink, B+E+O..<2B+E+O bid → sink (unplaced).
    private var arcHead: [Int32]
    private var arcCost: [ClearingCost]
    private var residual: [Int32]
    private var nodeArcStart: [Int32]
    private var nodeArcs: [Int32]

    // Shortest-path state, reused across searches.
    private var potential: [ClearingCost]
    private var distance: [ClearingCost]
    private var parentArc: [Int32]
    private var reachedStamp: [UInt32]
    private var settledStamp: [UInt32]
    private var settled: [Int32] = []
    private var stamp: UInt32 = 0
    private var heap = CostHeap()

    // Branch-and-bound decisions.
    private var fixedEdge: [Int32]
    private var removed: [Bool]
    private var offerFree: [Int32]
    private var fixedCost = ClearingCost.zero

    init(_ problem: ComponentProblem) {
        self.problem = problem
        bidCount = problem.bidSize.count
        offerCount = problem.offerCapacity.count
        edgeCount = problem.edgeOffer.count
        let nodeCount = bidCount + offerCount + 2
        sink = Int32(nodeCount - 1)
        var edgeBid = [Int32](repeating: 0, count: edgeCount)
        for bid in 0..<bidCount {
            for edge in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1]) {
                edgeBid[edge] = Int32(bid)
            }
        }
        self.edgeBid = edgeBid

        let pairCount = 2 * bidCount + edgeCount + offerCount
        var arcHead = [Int32](repeating: 0, count: 2 * pairCount)
        var arcCost = [ClearingCost](repeating: .zero, count: 2 * pairCount)
        func setPair(_ pair: Int, from tail: Int, to head: Int, cost: ClearingCost) {
            arcHead[2 * pair] = Int32(head)
            arcHead[2 * pair + 1] = Int32(tail)
            arcCost[2 * pair] = cost
            arcCost[2 * pair + 1] = -cost
        }
        for bid in 0..<bidCount {
            setPair(bid, from: 0, to: 1 + bid, cost: .zero)
        }
        for edge in 0..<edgeCount {
            setPair(bidCount + edge, from: 1 + Int(edgeBid[edge]), to: 1 + bidCount + Int(problem.edgeOffer[edge]), cost: problem.edgeCost[edge])
        }
        for offer in 0..<offerCount {
            setPair(bidCount + edgeCount + offer, from: 1 + bidCount + offer, to: nodeCount - 1, cost: .zero)
        }
        for bid in 0..<bidCount {
            setPair(bidCount + edgeCount + offerCount + bid, from: 1 + bid, to: nodeCount - 1, cost: .zero)
        }
        // Arcs leaving each node: the tail of arc a is the head of arc a ^ 1.
        var nodeArcStart = [Int32](repeating: 0, count: nodeCount + 1)
        for arc in 0..<arcHead.count {
            nodeArcStart[Int(arcHead[arc ^ 1]) + 1] += 1
        }
        for node in 0..<nodeCount {
            nodeArcStart[node + 1] += nodeArcStart[node]
        }
        var fill = nodeArcStart
        var nodeArcs = [Int32](repeating: 0, count: arcHead.count)
        for arc in 0..<arcHead.count {
            let tail = Int(arcHead[arc ^ 1])
            nodeArcs[Int(fill[tail])] = Int32(arc)
            fill[tail] += 1
        }
        self.arcHead = arcHead
        self.arcCost = arcCost
        self.nodeArcStart = nodeArcStart
        self.nodeArcs = nodeArcs
        residual = [Int32](repeating: 0, count: arcHead.count)
        potential = [ClearingCost](repeating: .zero, count: nodeCount)
        distance = [ClearingCost](repeating: .zero, count: nodeCount)
        parentArc = [Int32](repeating: -1, count: nodeCount)
        reachedStamp = [UInt32](repeating: 0, count: nodeCount)
        settledStamp = [UInt32](repeating: 0, count: nodeCount)
        fixedEdge = [Int32](repeating: -1, count: bidCount)
        removed = [Bool](repeating: false, count: edgeCount)
        offerFree = problem.offerCapacity
    }

    /// The best assignment: for each local bid, its edge, or -1 if it is not placed.
    mutating func solve() -> [Int32] {
        var best: (cost: ClearingCost, assignment: [Int32])?
        var stack: [Frame] = []
        let rootCost = relax()
        if let edge = splitGroupEdge() {
            stack.append(Frame(edge: edge))
        } else {
            best = (rootCost, currentAssignment())
        }
        while !stack.isEmpty {
            let top = stack.count - 1
            if let decision = stack[top].applied {
                undo(decision)
                stack[top].applied = nil
            }
            let edge = stack[top].edge
            let decision: Decision
            switch stack[top].nextBranch {
            case 0:
                stack[top].nextBranch = 1
                let bid = Int(edgeBid[edge])
                guard offerFree[Int(problem.edgeOffer[edge])] >= problem.bidSize[bid] else { continue }
                decision = .fix(edge)
            case 1:
                stack[top].nextBranch = 2
                decision = .remove(edge)
            default:
                stack.removeLast()
                continue
            }
            apply(decision)
            stack[top].applied = decision
            let bound = relax()
            if let best, bound >= best.cost { continue }
            if let split = splitGroupEdge() {
                stack.append(Frame(edge: split))
            } else {
                best = (bound, currentAssignment())
            }
        }
        return best?.assignment ?? [Int32](repeating: -1, count: bidCount)
    }

    private enum Decision {
        /// The whole group of this edge's bid goes to this edge's offer.
        case fix(Int)
        /// This edge may not be used.
        case remove(Int)
    }

    private struct Frame {
        var edge: Int
        var nextBranch = 0
        var applied: Decision?
    }

    private mutating func apply(_ decision: Decision) {
        switch decision {
        case .fix(let edge):
            let bid = Int(edgeBid[edge])
            fixedEdge[bid] = Int32(edge)
            offerFree[Int(problem.edgeOffer[edge])] -= problem.bidSize[bid]
            fixedCost = fixedCost + problem.edgeCost[edge] * Int64(problem.bidSize[bid])
        case .remove(let edge):
            removed[edge] = true
        }
    }

    private mutating func undo(_ decision: Decision) {
        switch decision {
        case .fix(let edge):
            let bid = Int(edgeBid[edge])
            fixedEdge[bid] = -1
            offerFree[Int(problem.edgeOffer[edge])] += problem.bidSize[bid]
            fixedCost = fixedCost - problem.edgeCost[edge] * Int64(problem.bidSize[bid])
        case .remove(let edge):
            removed[edge] = false
        }
    }

    private func flow(onEdge edge: Int) -> Int32 {
        residual[2 * (bidCount + edge) + 1]
    }

    /// The edge to branch on: among groups the relaxation split or placed only in part, the
    /// first in waiting order, and its edge with most flow (lowest offer on ties); nil if none.
    private func splitGroupEdge() -> Int? {
        for bid in 0..<bidCount where problem.bidSize[bid] > 1 && fixedEdge[bid] < 0 {
            var total: Int32 = 0
            var used = 0
            var heaviest = -1
            for edge in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1]) {
                let amount = flow(onEdge: edge)
                if amount > 0 {
                    total += amount
                    used += 1
                    if heaviest < 0 || amount > flow(onEdge: heaviest) { heaviest = edge }
                }
            }
            if total > 0 && (used > 1 || total < problem.bidSize[bid]) { return heaviest }
        }
        return nil
    }

    private func currentAssignment() -> [Int32] {
        (0..<bidCount).map { bid in
            if fixedEdge[bid] >= 0 { return fixedEdge[bid] }
            for edge in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1]) where flow(onEdge: edge) > 0 {
                return Int32(edge)
            }
            return -1
        }
    }

    /// Solves the relaxation under the current decisions; returns its cost (a lower bound).
    private mutating func relax() -> ClearingCost {
        for bid in 0..<bidCount {
            let children = fixedEdge[bid] >= 0 ? 0 : problem.bidSize[bid]
            residual[2 * bid] = children
            residual[2 * bid + 1] = 0
            let unplaced = 2 * (bidCount + edgeCount + offerCount + bid)
            residual[unplaced] = children
            residual[unplaced + 1] = 0
            potential[1 + bid] = .zero
        }
        for offer in 0..<offerCount {
            let arc = 2 * (bidCount + edgeCount + offer)
            residual[arc] = offerFree[offer]
            residual[arc + 1] = 0
            potential[1 + bidCount + offer] = .zero
        }
        // Initial potentials: all arcs point forward (bids → offers → sink), so these shortest
        // distances are the cheapest arc into each offer and, for the sink, the cheapest offer
        // or 0 (an unplaced child).
        var reachedOffer = [Bool](repeating: false, count: offerCount)
        for edge in 0..<edgeCount {
            let arc = 2 * (bidCount + edge)
            let bid = Int(edgeBid[edge])
            let usable = !removed[edge] && fixedEdge[bid] < 0
            residual[arc] = usable ? problem.bidSize[bid] : 0
            residual[arc + 1] = 0
            guard usable else { continue }
            let offer = Int(problem.edgeOffer[edge])
            if !reachedOffer[offer] || problem.edgeCost[edge] < potential[1 + bidCount + offer] {
                potential[1 + bidCount + offer] = problem.edgeCost[edge]
                reachedOffer[offer] = true
            }
        }
        var sinkPotential = ClearingCost.zero
        for offer in 0..<offerCount where offerFree[offer] > 0 {
            sinkPotential = min(sinkPotential, potential[1 + bidCount + offer])
        }
        potential[Int(sink)] = sinkPotential

        for bid in 0..<bidCount {
            while residual[2 * bid] > 0 {
                ship(from: bid)
            }
        }

        var cost = fixedCost
        for edge in 0..<edgeCount {
            let amount = flow(onEdge: edge)
            if amount > 0 { cost = cost + problem.edgeCost[edge] * Int64(amount) }
        }
        return cost
    }

    /// Ships as many of `bid`'s remaining children as the shortest path to the sink carries.
    private mutating func ship(from bid: Int) {
        let start = Int32(1 + bid)
        shortestPathToSink(from: start)
        // Potentials: settled nodes gain their distance minus the sink's; the rest keep theirs
        // (the textbook update shifted by a constant, which leaves reduced costs unchanged).
        let sinkDistance = distance[Int(sink)]
        for node in settled {
            potential[Int(node)] = potential[Int(node)] + distance[Int(node)] - sinkDistance
        }
        var amount = residual[2 * bid]
        var node = sink
        while node != start {
            let arc = Int(parentArc[Int(node)])
            amount = min(amount, residual[arc])
            node = arcHead[arc ^ 1]
        }
        node = sink
        while node != start {
            let arc = Int(parentArc[Int(node)])
            residual[arc] -= amount
            residual[arc ^ 1] += amount
            node = arcHead[arc ^ 1]
        }
        residual[2 * bid] -= amount
        residual[2 * bid + 1] += amount
    }

    /// Dijkstra on reduced costs from `start`, stopping when the sink is settled. The sink is
    /// always reachable: the start bid's own unplaced arc has room while it has children to ship.
    private mutating func shortestPathToSink(from start: Int32) {
        stamp &+= 1
        if stamp == 0 {
            reachedStamp = reachedStamp.map { _ in 0 }
            settledStamp = settledStamp.map { _ in 0 }
            stamp = 1
        }
        heap.removeAll()
        settled.removeAll(keepingCapacity: true)
        distance[Int(start)] = .zero
        reachedStamp[Int(start)] = stamp
        heap.push(.zero, node: start)
        while let (cost, node) = heap.pop() {
            let tail = Int(node)
            if settledStamp[tail] == stamp { continue }
            settledStamp[tail] = stamp
            settled.append(node)
            if node == sink { return }
            let tailPotential = potential[tail]
            for index in Int(nodeArcStart[tail])..<Int(nodeArcStart[tail + 1]) {
                let arc = Int(nodeArcs[index])
                guard residual[arc] > 0 else { continue }
                let head = Int(arcHead[arc])
                if head == 0 || settledStamp[head] == stamp { continue }
                let reduced = arcCost[arc] + tailPotential - potential[head]
                assert(reduced >= .zero, "potentials must keep reduced costs non-negative")
                let candidate = cost + reduced
                if reachedStamp[head] != stamp || candidate < distance[head] {
                    reachedStamp[head] = stamp
                    distance[head] = candidate
                    parentArc[head] = Int32(arc)
                    heap.push(candidate, node: Int32(head))
                }
            }
        }
        preconditionFailure("the sink is always reachable through the unplaced arc")
    }
}

/// A binary min-heap of (cost, node) with lazy deletion; ties pop in a fixed, data-determined order.
struct CostHeap {
    private var costs: [ClearingCost] = []
    private var nodes: [Int32] = []

    mutating func removeAll() {
        costs.removeAll(keepingCapacity: true)
        nodes.removeAll(keepingCapacity: true)
    }

    mutating func push(_ cost: ClearingCost, node: Int32) {
        costs.append(cost)
        nodes.append(node)
        var child = costs.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard costs[child] < costs[parent] else { break }
            costs.swapAt(child, parent)
            nodes.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (ClearingCost, Int32)? {
        guard let top = costs.first else { return nil }
        let node = nodes[0]
        let lastCost = costs.removeLast()
        let lastNode = nodes.removeLast()
        if !costs.isEmpty {
            costs[0] = lastCost
            nodes[0] = lastNode
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < costs.count else { break }
                let right = left + 1
                let child = right < costs.count && costs[right] < costs[left] ? right : left
                guard costs[child] < costs[parent] else { break }
                costs.swapAt(child, parent)
                nodes.swapAt(child, parent)
                parent = child
            }
        }
        return (top, node)
    }
}
