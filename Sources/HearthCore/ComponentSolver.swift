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

/// What `ComponentSolver.solve(searchUntil:finishBy:)` found.
struct ComponentOutcome: Sendable {
    /// For each local bid, its edge, or -1 if it is not placed.
    var assignment: [Int32]
    /// The assignment's cost.
    var cost: ClearingCost
    /// A lower bound on the cost of every whole-group assignment; equal to `cost` when proven.
    var bound: ClearingCost
    /// True when the assignment is proven optimal: the search finished, or the assignment is as
    /// cheap as the bound of every subtree it left open.
    var proven: Bool
}

/// Solves one component exactly: min-cost flow for the relaxation in which sibling groups may
/// be split, and depth-first branch and bound on the groups that the relaxation splits.
///
/// Network: each bid supplies its group size; bid → offer (capacity = group size, cost per
/// child, leading with the negative urgency weight) → sink (capacity = free beds), plus
/// bid → sink at cost 0 for children left unplaced, so every child is shipped and the cheapest
/// shipment is the best assignment. The flow counts every child with its own cost, so its
/// optimum is a lower bound on the cost of any assignment that keeps groups together, and
/// equals it when no group is split.
///
/// The flow is kept optimal incrementally (a primal-dual pseudo-flow): every residual arc keeps
/// a non-negative reduced cost under the node potentials, and imbalances are removed by
/// shipping from a node with excess along a shortest path (Dijkstra on reduced costs, stopping
/// at the first node with a deficit). Changing a capacity pulls back any flow above it, and
/// saturates a newly usable arc whose reduced cost is negative; both only create imbalances,
/// which the next repair ships. So each branch-and-bound node starts from its parent's flow and
/// potentials and costs a few shortest paths, not a new solve.
///
/// Branching: when the flow splits a group (or places part of one), either the whole group goes
/// to its edge with most flow (the offer's capacity drops by the group size), or that edge is
/// removed. Both branches keep every assignment that keeps groups whole, so the search is
/// exact; a branch whose bound is not below the best assignment found is pruned.
struct ComponentSolver {
    private let problem: ComponentProblem
    private let bidCount: Int
    private let offerCount: Int
    private let edgeCount: Int
    private let sink: Int
    private let edgeBid: [Int32]
    /// `problem.edgeCost`, held directly: the hot loops then never copy `problem` (unoptimised
    /// builds copy a struct to read one of its arrays).
    private let edgeCost: [ClearingCost]
    /// Bids with more than one child, in waiting order.
    private let groupBids: [Int32]

    // Residual network. Nodes: bids 0..<B, offers B..<B+O, the sink B+O. Arc pair k is arcs 2k
    // (forward) and 2k+1 (reverse, whose residual is the flow): pairs 0..<E bid → offer,
    // E..<E+O offer → sink, E+O..<E+O+B bid → sink (unplaced).
    private var arcHead: [Int32]
    private var residual: [Int32]
    private var nodeArcStart: [Int32]
    private var nodeArcs: [Int32]
    /// Supply minus outflow plus inflow; the sink's supply is minus every bid's.
    private var excess: [Int]
    /// Nodes whose excess may be positive, to be shipped by `repair()`.
    private var active: [Int32] = []
    /// Edges of each bid that carry flow.
    private var usedEdges: [Int32]
    /// Cost of the flow on bid → offer arcs (the other arcs cost nothing).
    private var flowCost = ClearingCost.zero

    // Shortest-path state, reused across searches.
    private var potential: [ClearingCost]
    private var distance: [ClearingCost]
    private var parentArc: [Int32]
    private var reachedStamp: [UInt32]
    private var settledStamp: [UInt32]
    private var settled: [Int32] = []
    private var stamp: UInt32 = 0
    private var heap = MinHeap<ClearingCost>()

    // Branch-and-bound decisions.
    private var fixedEdge: [Int32]
    private var removed: [Bool]
    private var offerFree: [Int32]
    private var fixedCost = ClearingCost.zero

    // The Lagrangian bound (see `KnapsackBound`) and its multipliers, one per bid.
    private var knapsack: KnapsackBound
    private var multipliers: [ClearingCost]
    /// Subgradient steps of the Lagrangian bound in each round of root reductions.
    private static let rootSteps = 60
    /// Subgradient steps of the Lagrangian bound at a search node, started from its parent's
    /// multipliers (restarted from the flow's duals, the node bound did not pay for its time).
    private static let nodeSteps = 10
    /// Rounds of root reductions (bound, then removal of the edges it rules out).
    private static let reductionRounds = 4

    /// The round's deadline. Every phase stops at it, however far it got: the flow's repairs
    /// read the clock before each shortest path (a few nanoseconds against microseconds).
    private var finishBy: ContinuousClock.Instant
    /// True once `finishBy` passed in the middle of a repair: the flow may then be unbalanced,
    /// so no assignment or bound is read from it again.
    private var outOfTime = false

    /// The root relaxation's flow, kept (for components with groups, whose search changes the
    /// state for good) so that `alternatives(_:until:)` can start from it.
    private var rootFlow: RootFlow?

    /// The flow's part of the state at the root, with no decision taken.
    private struct RootFlow {
        var residual: [Int32]
        var excess: [Int]
        var usedEdges: [Int32]
        var flowCost: ClearingCost
        var potential: [ClearingCost]
    }

    init(_ problem: ComponentProblem) {
        self.problem = problem
        bidCount = problem.bidSize.count
        offerCount = problem.offerCapacity.count
        edgeCount = problem.edgeOffer.count
        let nodeCount = bidCount + offerCount + 1
        sink = nodeCount - 1
        var edgeBid = [Int32](repeating: 0, count: edgeCount)
        for bid in 0..<bidCount {
            for edge in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1]) {
                edgeBid[edge] = Int32(bid)
            }
        }
        self.edgeBid = edgeBid
        edgeCost = problem.edgeCost
        groupBids = (0..<bidCount).filter { problem.bidSize[$0] > 1 }.map { Int32($0) }

        let pairCount = edgeCount + offerCount + bidCount
        var arcHead = [Int32](repeating: 0, count: 2 * pairCount)
        for edge in 0..<edgeCount {
            arcHead[2 * edge] = Int32(bidCount) + problem.edgeOffer[edge]
            arcHead[2 * edge + 1] = edgeBid[edge]
        }
        for offer in 0..<offerCount {
            arcHead[2 * (edgeCount + offer)] = Int32(sink)
            arcHead[2 * (edgeCount + offer) + 1] = Int32(bidCount + offer)
        }
        for bid in 0..<bidCount {
            arcHead[2 * (edgeCount + offerCount + bid)] = Int32(sink)
            arcHead[2 * (edgeCount + offerCount + bid) + 1] = Int32(bid)
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
        self.nodeArcStart = nodeArcStart
        self.nodeArcs = nodeArcs
        residual = [Int32](repeating: 0, count: arcHead.count)
        excess = [Int](repeating: 0, count: nodeCount)
        usedEdges = [Int32](repeating: 0, count: bidCount)
        potential = [ClearingCost](repeating: .zero, count: nodeCount)
        distance = [ClearingCost](repeating: .zero, count: nodeCount)
        parentArc = [Int32](repeating: -1, count: nodeCount)
        reachedStamp = [UInt32](repeating: 0, count: nodeCount)
        settledStamp = [UInt32](repeating: 0, count: nodeCount)
        fixedEdge = [Int32](repeating: -1, count: bidCount)
        removed = [Bool](repeating: false, count: edgeCount)
        offerFree = problem.offerCapacity
        knapsack = KnapsackBound(problem: problem)
        multipliers = [ClearingCost](repeating: .zero, count: bidCount)
        finishBy = ContinuousClock.now
    }

    /// The best assignment found, searching until it is proven optimal or `deadline` passes.
    ///
    /// Before the search, a dive gives an incumbent quickly: from the root relaxation, the first
    /// split group in waiting order either goes whole to its edge with most flow or loses that
    /// edge, whichever branch has the lower bound, and so on until no group is split; local
    /// search (`improved(_:until:widening:)`) then improves it. Then root reductions: the Lagrangian
    /// bound (`KnapsackBound`) rules out edges that no assignment cheaper than the incumbent
    /// uses, for the whole search. The branch and bound stops at `searchDeadline`; if it has not
    /// finished, local search improves the best assignment found until `deadline`. Everything
    /// but the deadline checks is deterministic.
    ///
    /// Nothing runs past `deadline`, not even the root flow: if it passes first, the answer is
    /// the best whole-group assignment known by then (if the root flow itself did not finish,
    /// the children it had already placed, groups only where wholly placed), not proven.
    mutating func solve(searchUntil searchDeadline: ContinuousClock.Instant, finishBy deadline: ContinuousClock.Instant) -> ComponentOutcome {
        finishBy = deadline
        solveRoot()
        if !outOfTime && !groupBids.isEmpty {
            rootFlow = RootFlow(residual: residual, excess: excess, usedEdges: usedEdges, flowCost: flowCost, potential: potential)
        }
        if outOfTime {
            let partial = greedilyCompleted(wholeGroupsOfFlow())
            return ComponentOutcome(assignment: partial.assignment, cost: partial.cost, bound: min(cheapestOptionsBound, partial.cost), proven: false)
        }
        let relaxation = bound
        guard splitGroupEdges(limit: 1).first != nil else {
            return ComponentOutcome(assignment: currentAssignment(), cost: bound, bound: bound, proven: true)
        }
        let rounded = greedilyCompleted(wholeGroupsOfFlow())
        // Local search on the dive's result gets half of the search's time at most.
        let started = ContinuousClock.now
        let dived = dive()
        if outOfTime {
            return ComponentOutcome(assignment: rounded.assignment, cost: rounded.cost, bound: min(relaxation, rounded.cost), proven: false)
        }
        var best = improved(dived, until: started + (searchDeadline - started) * 0.5, widening: false)
        // Root reductions: edges that the Lagrangian bound shows no cheaper assignment uses are
        // removed for the whole search, which also tightens every node's flow bound.
        var rootBound = bound
        for _ in 0..<Self.reductionRounds where !outOfTime {
            rootBound = max(rootBound, bound, knapsackBound(incumbent: best.cost, steps: Self.rootSteps, until: searchDeadline))
            guard rootBound < best.cost, ContinuousClock.now < searchDeadline else { break }
            let removable = knapsack.removableEdges(knapsackNode, multipliers: multipliers, incumbent: best.cost)
            guard !removable.isEmpty else { break }
            for edge in removable {
                removed[edge] = true
                setCapacity(of: edge, to: 0)
            }
            repair()
        }
        if outOfTime {
            return ComponentOutcome(assignment: best.assignment, cost: best.cost, bound: min(rootBound, best.cost), proven: best.cost <= rootBound)
        }
        rootBound = max(rootBound, bound)
        guard rootBound < best.cost, let rootBranches = branching(candidates: Self.strongBranchingCandidates) else {
            if outOfTime {
                return ComponentOutcome(assignment: best.assignment, cost: best.cost, bound: min(rootBound, best.cost), proven: best.cost <= rootBound)
            }
            if rootBound < best.cost { best = (bound, currentAssignment()) }
            return ComponentOutcome(assignment: best.assignment, cost: best.cost, bound: best.cost, proven: true)
        }
        let root = Frame(branches: rootBranches, bound: rootBound, prices: multipliers)
        guard let lowest = search(root, best: &best, until: searchDeadline, candidates: Self.strongBranchingCandidates) else {
            return ComponentOutcome(assignment: best.assignment, cost: best.cost, bound: best.cost, proven: true)
        }
        best = improved(best, until: deadline, widening: true)
        // An assignment as cheap as the bound is optimal.
        return ComponentOutcome(assignment: best.assignment, cost: best.cost, bound: min(lowest, best.cost), proven: best.cost <= lowest)
    }

    /// A whole-group assignment and its cost.
    private typealias Incumbent = (cost: ClearingCost, assignment: [Int32])

    /// After `solve(searchUntil:finishBy:)`: for each edge, the cost of the best whole-group
    /// assignment of the component in which that edge's bid is placed on it (its first three
    /// levels, all an option's effect reads), and whether it is proven (nil once `deadline`
    /// passed before it was found).
    ///
    /// Each starts from the root relaxation with the edge fixed (its warm-started flow is the
    /// exact answer when it splits no group, as for every component of single children); a split
    /// group is settled by branch and bound, at most `alternativeNodes` branches, so the answer is
    /// then exact unless that limit or `deadline` stops the search first.
    mutating func alternatives(_ edges: [Int], until deadline: ContinuousClock.Instant) -> [(cost: LeadingCost, proven: Bool)?] {
        guard !edges.isEmpty, !outOfTime else { return edges.map { _ in nil } }
        finishBy = min(finishBy, deadline)
        if groupBids.isEmpty { return unitAlternatives(edges) }
        var results: [(cost: LeadingCost, proven: Bool)?] = []
        if let rootFlow {
            residual = rootFlow.residual
            excess = rootFlow.excess
            usedEdges = rootFlow.usedEdges
            flowCost = rootFlow.flowCost
            potential = rootFlow.potential
            active.removeAll()
            fixedEdge = fixedEdge.map { _ in -1 }
            removed = removed.map { _ in false }
            offerFree = problem.offerCapacity
            fixedCost = .zero
        }
        for edge in edges {
            let decision = Decision.fix(edge)
            guard !pastDeadline(), isFeasible(decision) else {
                results.append(nil)
                continue
            }
            apply(decision)
            if outOfTime {
                results.append(nil)
                continue
            }
            if splitGroupEdges(limit: 1).isEmpty {
                results.append((LeadingCost(bound), true))
            } else {
                var assignment = wholeGroupsOfFlow()
                for bid in 0..<bidCount where fixedEdge[bid] >= 0 { assignment[bid] = fixedEdge[bid] }
                var best = greedilyCompleted(assignment)
                var lowest: ClearingCost?
                if let branches = branching(candidates: 1), bound < best.cost {
                    lowest = search(Frame(branches: branches, bound: bound), best: &best, until: deadline, nodeLimit: Self.alternativeNodes, candidates: 1)
                }
                results.append(outOfTime ? nil : (LeadingCost(best.cost), lowest.map { best.cost <= $0 } ?? true))
            }
            if outOfTime { continue }
            undo(decision)
        }
        return results
    }

    /// `alternatives(_:until:)` for a component of single children, from its optimal flow,
    /// which is left unchanged.
    ///
    /// Forcing bid b onto offer o' (an arc of capacity 1 without flow) gives the old optimum plus
    /// the cheapest cycle through that arc in the residual network: the difference between the
    /// old flow and the constrained optimum splits into cycles, exactly one of them through the
    /// arc, and every other has a non-negative cost. The cheapest cycle is the arc's reduced cost
    /// plus the shortest reduced-cost walk from o' back to b. One residual arc enters b: from its
    /// offer o when it is placed (the walk is then the shortest walk from o' to o, then o → b),
    /// from the sink when it is not (the walk from o' to the sink, then sink → b). So the pairs
    /// are grouped by the offer their bid holds, and one search backwards from it
    /// (`ResidualWalks`) serves every pair of every bid on it, in order of each offer's first
    /// pair (bids in waiting order), until the deadline.
    private mutating func unitAlternatives(_ edges: [Int]) -> [(cost: LeadingCost, proven: Bool)?] {
        var results = [(cost: LeadingCost, proven: Bool)?](repeating: nil, count: edges.count)
        guard !pastDeadline() else { return results }
        let (potential, edgeCost, arcHead) = (potential, edgeCost, arcHead)
        func reducedCost(_ arc: Int) -> LeadingCost {
            LeadingCost(Self.arcCost(arc, edgeCost)) + LeadingCost(potential[Int(arcHead[arc ^ 1])]) - LeadingCost(potential[Int(arcHead[arc])])
        }
        var walks = ResidualWalks(nodeCount: potential.count, sink: sink, arcHead: arcHead, residual: residual, potential: potential, edgeCost: edgeCost)
        let base = LeadingCost(flowCost)
        let (heldEdge, groups, unplaced) = pairsByHeldOffer(edges)
        for index in unplaced {
            let edge = edges[index]
            guard let walk = walks.walkToSink(from: bidCount + Int(problem.edgeOffer[edge])) else { continue }
            results[index] = (base + reducedCost(2 * edge) + walk + reducedCost(2 * unplacedPair(Int(edgeBid[edge])) + 1), true)
        }
        for group in groups {
            guard !pastDeadline() else { break }
            let sources = group.pairs.map { Int32(bidCount) + problem.edgeOffer[edges[$0]] }
            let found = walks.walks(from: sources, to: group.offer)
            for (index, walk) in zip(group.pairs, found) {
                guard let walk else { continue }
                let edge = edges[index]
                let held = Int(heldEdge[Int(edgeBid[edge])])
                results[index] = (base + reducedCost(2 * edge) + walk + reducedCost(2 * held + 1), true)
            }
        }
        return results
    }

    /// Each bid's held edge (-1 when it is not placed), the indices into `edges` grouped by the
    /// offer their bid holds (its node, groups in order of their first pair), and the indices
    /// whose bid is not placed.
    private func pairsByHeldOffer(_ edges: [Int]) -> (heldEdge: [Int32], groups: [(offer: Int, pairs: [Int])], unplaced: [Int]) {
        var heldEdge = [Int32](repeating: -1, count: bidCount)
        for bid in 0..<bidCount {
            for edge in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1]) where flow(onEdge: edge) > 0 {
                heldEdge[bid] = Int32(edge)
                break
            }
        }
        var groupOfOffer = [Int32](repeating: -1, count: offerCount)
        var groups: [(offer: Int, pairs: [Int])] = []
        var unplaced: [Int] = []
        for (index, edge) in edges.enumerated() {
            let bid = Int(edgeBid[edge])
            if heldEdge[bid] >= 0 {
                let offer = Int(problem.edgeOffer[Int(heldEdge[bid])])
                if groupOfOffer[offer] >= 0 {
                    groups[Int(groupOfOffer[offer])].pairs.append(index)
                } else {
                    groupOfOffer[offer] = Int32(groups.count)
                    groups.append((bidCount + offer, [index]))
                }
            } else {
                unplaced.append(index)
            }
        }
        return (heldEdge, groups, unplaced)
    }

    /// The most branches `alternatives(_:until:)` takes to settle one alternative's groups.
    private static let alternativeNodes = 400

    /// Depth-first branch and bound below the current node, whose branches and bound are `root`,
    /// improving `best`; the state is restored afterwards (up to an equally optimal flow).
    /// Returns nil when the search finished (`best` is then optimal below this node), or the
    /// lowest bound of any assignment cheaper than `best` that it did not explore, if `deadline`
    /// passed or `nodeLimit` branches were taken first. Nodes branch as `branching(candidates:)`
    /// does with `candidates`. Below a frame with `prices`, each node also takes the Lagrangian
    /// bound (`KnapsackBound`) from those multipliers, before branching, and passes its own on.
    private mutating func search(
        _ root: Frame, best: inout Incumbent, until deadline: ContinuousClock.Instant, nodeLimit: Int = .max, candidates: Int
    ) -> ClearingCost? {
        var stack = [root]
        var nodes = 0
        let clock = ContinuousClock()
        while !stack.isEmpty {
            if outOfTime {
                // Before anything is popped: the branch just skipped lies below the top frame.
                let lowest = min(stack.map(\.bound).min() ?? best.cost, best.cost)
                for frame in stack.reversed() {
                    if let applied = frame.applied { undo(applied) }
                }
                return lowest
            }
            let top = stack.count - 1
            if let decision = stack[top].applied {
                undo(decision)
                stack[top].applied = nil
            }
            guard stack[top].next < stack[top].branches.count else {
                stack.removeLast()
                continue
            }
            if nodes >= nodeLimit || clock.now >= deadline {
                // Every subtree left open lies below a frame with branches left; its bound holds,
                // and no pruned subtree holds anything cheaper than the incumbent.
                let lowest = min(stack.map(\.bound).min() ?? best.cost, best.cost)
                for frame in stack.reversed() {
                    if let applied = frame.applied { undo(applied) }
                }
                return lowest
            }
            // The incumbent may have improved since this node's bound was computed.
            guard stack[top].bound < best.cost else {
                stack.removeLast()
                continue
            }
            let decision = stack[top].branches[stack[top].next]
            stack[top].next += 1
            nodes += 1
            guard isFeasible(decision) else { continue }
            apply(decision)
            stack[top].applied = decision
            // Out of time part-way through the repair: this node's flow says nothing.
            if outOfTime || bound >= best.cost { continue }
            // The parent's bound holds here too, and may be the stronger one.
            var nodeBound = max(bound, stack[top].bound)
            var prices: [ClearingCost] = []
            if !stack[top].prices.isEmpty {
                multipliers = stack[top].prices
                nodeBound = max(
                    nodeBound,
                    knapsack.bound(knapsackNode, multipliers: &multipliers, incumbent: best.cost, iterations: Self.nodeSteps, until: finishBy)
                )
                if nodeBound >= best.cost { continue }
                prices = multipliers
            }
            if let branches = branching(candidates: candidates) {
                stack.append(Frame(branches: branches, bound: nodeBound, prices: prices))
            } else if !outOfTime {
                best = (bound, currentAssignment())
            }
        }
        return nil
    }

    /// The Lagrangian bound of the current node, from the flow's dual prices and up to `steps`
    /// subgradient steps (see `KnapsackBound`), leaving `multipliers` at the best step.
    private mutating func knapsackBound(incumbent: ClearingCost, steps: Int, until deadline: ContinuousClock.Instant) -> ClearingCost {
        for bid in 0..<bidCount {
            multipliers[bid] = max(.zero, potential[bid] - potential[sink]) * Int64(problem.bidSize[bid])
        }
        return knapsack.bound(knapsackNode, multipliers: &multipliers, incumbent: incumbent, iterations: steps, until: min(deadline, finishBy))
    }

    /// The current node as `KnapsackBound` sees it.
    private var knapsackNode: KnapsackBound.Node {
        KnapsackBound.Node(problem: problem, edgeBid: edgeBid, removed: removed, fixedEdge: fixedEdge, offerFree: offerFree, fixedCost: fixedCost)
    }

    /// A whole-group assignment reached by deciding split groups one at a time, each by its
    /// better branch, and its cost; the state is restored afterwards (up to an equally optimal
    /// flow).
    private mutating func dive() -> (cost: ClearingCost, assignment: [Int32]) {
        var applied: [Decision] = []
        while !outOfTime, let edge = splitGroupEdges(limit: 1).first {
            let decision = probe(.fix(edge)) <= probe(.remove(edge)) ? Decision.fix(edge) : .remove(edge)
            apply(decision)
            applied.append(decision)
        }
        let result = (bound, currentAssignment())
        for decision in applied.reversed() {
            undo(decision)
        }
        return result
    }

    /// `incumbent` improved by local search over group placements, from the state after root
    /// reductions with no decision applied, to which it returns (up to an equally optimal flow).
    ///
    /// With every group's placement fixed (whole on one edge, or unplaced), the flow places the
    /// single children optimally, so the cost is exact. For each group in waiting order, the
    /// group and up to `neighbourhoodSize` - 1 groups placed on the offers it could use, cheapest
    /// edge first (more once a pass improves nothing, if `widening`), are freed and placed optimally by branch and bound (at most
    /// `neighbourhoodNodes` branches), the other groups staying where they are; this subsumes moving one
    /// group to any other offer or leaving it unplaced. Passes repeat until one (with the largest
    /// neighbourhoods, if `widening`) improves nothing or `deadline` passes. Edges removed by root reductions are never used, as no assignment
    /// cheaper than the incumbent uses them (so the first fixed flow may cost more than
    /// `incumbent`, which is kept unless beaten). Deterministic unless `deadline` stops it.
    private mutating func improved(_ incumbent: Incumbent, until deadline: ContinuousClock.Instant, widening: Bool) -> Incumbent {
        let clock = ContinuousClock()
        var placement = groupBids.map { incumbent.assignment[Int($0)] }
        var applied = groupBids.indices.map { place(group: Int(groupBids[$0]), on: placement[$0]) }
        repair()
        var current: Incumbent = outOfTime ? incumbent : (bound, currentAssignment())
        var improving = true
        var size = Self.neighbourhoodSize
        passes: while improving {
            improving = false
            for index in groupBids.indices {
                guard !outOfTime, clock.now < deadline else { break passes }
                let members = neighbourhood(of: index, size: size, placement: placement)
                for member in members {
                    release(applied[member])
                }
                repair()
                let before = current.cost
                if let branches = branching(candidates: 1) {
                    let root = Frame(branches: branches, bound: bound)
                    _ = search(root, best: &current, until: deadline, nodeLimit: Self.neighbourhoodNodes, candidates: 1)
                } else if !outOfTime && bound < current.cost {
                    current = (bound, currentAssignment())
                }
                for member in members {
                    placement[member] = current.assignment[Int(groupBids[member])]
                    applied[member] = place(group: Int(groupBids[member]), on: placement[member])
                }
                repair()
                if current.cost < before { improving = true }
            }
            // A local optimum: widen the neighbourhoods while they can grow.
            if widening && !improving && size < min(groupBids.count, Self.largestNeighbourhood) {
                size += Self.neighbourhoodSize / 2
                improving = true
            }
        }
        for decisions in applied.reversed() {
            release(decisions)
        }
        repair()
        return current.cost < incumbent.cost ? current : incumbent
    }

    /// How many groups local search frees at once at first (it frees more, up to
    /// `largestNeighbourhood`, once no neighbourhood improves), and how many branches it takes
    /// to place them.
    private static let neighbourhoodSize = 8
    private static let largestNeighbourhood = 32
    private static let neighbourhoodNodes = 200

    /// Indices in `groupBids` of the group at `index` and of up to `size` - 1 groups placed on
    /// the offers of its edges not removed, cheapest edge first.
    private func neighbourhood(of index: Int, size: Int, placement: [Int32]) -> [Int] {
        let group = Int(groupBids[index])
        var groupsOnOffer = [[Int]](repeating: [], count: offerCount)
        for (other, edge) in placement.enumerated() where edge >= 0 && other != index {
            groupsOnOffer[Int(problem.edgeOffer[Int(edge)])].append(other)
        }
        let edges = (Int(problem.edgeStart[group])..<Int(problem.edgeStart[group + 1])).filter { !removed[$0] }.sorted {
            problem.edgeCost[$0] != problem.edgeCost[$1] ? problem.edgeCost[$0] < problem.edgeCost[$1] : $0 < $1
        }
        var members = [index]
        for edge in edges {
            for other in groupsOnOffer[Int(problem.edgeOffer[edge])] {
                guard members.count < size else { return members }
                members.append(other)
            }
        }
        return members
    }

    /// Applies the decisions that put the whole of `group` on `edge`, or leave it unplaced when
    /// `edge` is -1, and returns them;
    /// leaves the imbalances for `repair()`, so that several changes cost one repair.
    private mutating func place(group: Int, on edge: Int32) -> [Decision] {
        let decision: Decision = edge >= 0 ? .fix(Int(edge)) : .exclude(group)
        apply(decision, repairing: false)
        return [decision]
    }

    /// Undoes `decisions`, applied in order, in reverse order; leaves the imbalances for
    /// `repair()`.
    private mutating func release(_ decisions: [Decision]) {
        for decision in decisions.reversed() {
            undo(decision, repairing: false)
        }
    }

    private enum Decision {
        /// The whole group of this edge's bid goes to this edge's offer.
        case fix(Int)
        /// This edge may not be used.
        case remove(Int)
        /// This bid is not placed: its supply is withdrawn, as if it were fixed to no offer.
        case exclude(Int)
    }

    /// A node of the search: its two branches in the order they are explored, and its bound
    /// (which holds for both).
    private struct Frame {
        var branches: [Decision]
        var bound: ClearingCost
        var next = 0
        var applied: Decision?
        /// The Lagrangian multipliers of this node's knapsack bound, to start its children's
        /// from; empty where the node has none.
        var prices: [ClearingCost] = []
    }

    /// The cost of the current relaxation under the current decisions: a lower bound.
    private var bound: ClearingCost { fixedCost + flowCost }

    private func unplacedPair(_ bid: Int) -> Int { edgeCount + offerCount + bid }

    private func sinkPair(_ offer: Int) -> Int { edgeCount + offer }

    /// Ships every child of the undecided problem: the relaxation at the root.
    private mutating func solveRoot() {
        // Initial potentials: all arcs point forward (bids → offers → sink), so these shortest
        // distances are the cheapest arc into each offer and, for the sink, the cheapest offer
        // or 0 (an unplaced child); every arc then has a non-negative reduced cost.
        var reachedOffer = [Bool](repeating: false, count: offerCount)
        for edge in 0..<edgeCount {
            residual[2 * edge] = problem.bidSize[Int(edgeBid[edge])]
            let offer = bidCount + Int(problem.edgeOffer[edge])
            if !reachedOffer[offer - bidCount] || problem.edgeCost[edge] < potential[offer] {
                potential[offer] = problem.edgeCost[edge]
                reachedOffer[offer - bidCount] = true
            }
        }
        var sinkPotential = ClearingCost.zero
        for offer in 0..<offerCount where offerFree[offer] > 0 {
            residual[2 * sinkPair(offer)] = offerFree[offer]
            sinkPotential = min(sinkPotential, potential[bidCount + offer])
        }
        potential[sink] = sinkPotential
        for bid in (0..<bidCount).reversed() {
            let size = problem.bidSize[bid]
            residual[2 * unplacedPair(bid)] = size
            excess[bid] = Int(size)
            excess[sink] -= Int(size)
            active.append(Int32(bid))
        }
        repair()
    }

    /// Takes `decision`, then restores an optimal flow unless `repairing` is false (the caller
    /// then repairs once after several changes).
    private mutating func apply(_ decision: Decision, repairing: Bool = true) {
        switch decision {
        case .fix(let edge):
            let bid = Int(edgeBid[edge])
            let offer = Int(problem.edgeOffer[edge])
            let size = problem.bidSize[bid]
            fixedEdge[bid] = Int32(edge)
            offerFree[offer] -= size
            fixedCost = fixedCost + edgeCost[edge] * Int64(size)
            changeSupply(of: bid, by: -size)
            for other in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1]) {
                setCapacity(of: other, to: 0)
            }
            setCapacity(of: unplacedPair(bid), to: 0)
            setCapacity(of: sinkPair(offer), to: offerFree[offer])
        case .remove(let edge):
            removed[edge] = true
            setCapacity(of: edge, to: 0)
        case .exclude(let bid):
            changeSupply(of: bid, by: -problem.bidSize[bid])
            for other in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1]) {
                setCapacity(of: other, to: 0)
            }
            setCapacity(of: unplacedPair(bid), to: 0)
        }
        if repairing { repair() }
    }

    /// Reverts `decision`, then restores an optimal flow unless `repairing` is false.
    private mutating func undo(_ decision: Decision, repairing: Bool = true) {
        switch decision {
        case .fix(let edge):
            let bid = Int(edgeBid[edge])
            let offer = Int(problem.edgeOffer[edge])
            let size = problem.bidSize[bid]
            fixedEdge[bid] = -1
            offerFree[offer] += size
            fixedCost = fixedCost - edgeCost[edge] * Int64(size)
            changeSupply(of: bid, by: size)
            restoreArcs(of: bid)
            setCapacity(of: sinkPair(offer), to: offerFree[offer])
        case .remove(let edge):
            removed[edge] = false
            setCapacity(of: edge, to: problem.bidSize[Int(edgeBid[edge])])
        case .exclude(let bid):
            changeSupply(of: bid, by: problem.bidSize[bid])
            restoreArcs(of: bid)
        }
        if repairing { repair() }
    }

    /// Gives back the arcs of a bid that was fixed or excluded (no residual arc enters it, so
    /// its potential is free): raises its potential until every arc leaving it has a
    /// non-negative reduced cost, so none needs saturating, then restores their capacities.
    private mutating func restoreArcs(of bid: Int) {
        let size = problem.bidSize[bid]
        var lowest = potential[sink]
        for other in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1]) where !removed[other] {
            lowest = max(lowest, potential[Int(arcHead[2 * other])] - edgeCost[other])
        }
        potential[bid] = lowest
        for other in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1]) where !removed[other] {
            setCapacity(of: other, to: size)
        }
        setCapacity(of: unplacedPair(bid), to: size)
    }

    /// Changes a bid's supply by `change` children; the sink's demand follows.
    private mutating func changeSupply(of bid: Int, by change: Int32) {
        excess[bid] += Int(change)
        excess[sink] -= Int(change)
        if excess[bid] > 0 { active.append(Int32(bid)) }
        if excess[sink] > 0 { active.append(Int32(sink)) }
    }

    /// Sets an arc pair's capacity, keeping every reduced cost of a residual arc non-negative:
    /// flow above the new capacity is pulled back, and a forward arc that becomes usable at a
    /// negative reduced cost is saturated. Either leaves imbalances for `repair()`.
    private mutating func setCapacity(of pair: Int, to capacity: Int32) {
        let forward = 2 * pair
        let flow = residual[forward + 1]
        if flow > capacity {
            shift(forward + 1, flow - capacity)
        }
        residual[forward] = capacity - residual[forward + 1]
        if residual[forward] > 0
            && Self.arcCost(forward, edgeCost) + potential[Int(arcHead[forward ^ 1])] - potential[Int(arcHead[forward])] < .zero {
            shift(forward, residual[forward])
        }
    }

    /// The cost of `arc` given the edges' costs (arcs other than bid → offer cost nothing).
    /// Static, so that callers in mutating methods do not copy `self` in unoptimised builds.
    @inline(__always)
    private static func arcCost(_ arc: Int, _ edgeCost: [ClearingCost]) -> ClearingCost {
        let pair = arc >> 1
        guard pair < edgeCost.count else { return .zero }
        return arc & 1 == 0 ? edgeCost[pair] : -edgeCost[pair]
    }

    /// Moves `amount` along `arc` without balancing its ends.
    private mutating func shift(_ arc: Int, _ amount: Int32) {
        move(arc, amount)
        excess[Int(arcHead[arc ^ 1])] -= Int(amount)
        let head = Int(arcHead[arc])
        excess[head] += Int(amount)
        if excess[head] > 0 { active.append(Int32(head)) }
    }

    /// Moves `amount` along `arc`, keeping the flow's cost and each bid's used edges.
    @inline(__always)
    private mutating func move(_ arc: Int, _ amount: Int32) {
        let pair = arc >> 1
        let before = residual[2 * pair + 1]
        residual[arc] -= amount
        residual[arc ^ 1] += amount
        guard pair < edgeCount else { return }
        let after = residual[2 * pair + 1]
        let bid = Int(edgeBid[pair])
        if before == 0 && after > 0 {
            usedEdges[bid] += 1
        } else if before > 0 && after == 0 {
            usedEdges[bid] -= 1
        }
        flowCost = flowCost + edgeCost[pair] * Int64(after - before)
    }

    /// Ships every positive excess to deficits along shortest paths, restoring a balanced,
    /// optimal flow.
    /// Stops early, leaving `outOfTime` set and the flow unbalanced, if `finishBy` passes.
    private mutating func repair() {
        while let node = active.popLast() {
            while excess[Int(node)] > 0 {
                if pastDeadline() {
                    active.append(node)
                    return
                }
                route(from: Int(node))
            }
        }
    }

    /// True once `finishBy` has passed.
    private mutating func pastDeadline() -> Bool {
        if !outOfTime && ContinuousClock.now >= finishBy { outOfTime = true }
        return outOfTime
    }

    /// Ships as much of `start`'s excess as the shortest path to the nearest deficit carries.
    private mutating func route(from start: Int) {
        let target = shortestPathToDeficit(from: start)
        // Potentials: settled nodes gain their distance minus the target's; the rest keep theirs
        // (the textbook update shifted by a constant, which leaves reduced costs unchanged).
        let targetDistance = distance[target]
        for node in settled {
            potential[Int(node)] = potential[Int(node)] + distance[Int(node)] - targetDistance
        }
        var amount = Int32(min(excess[start], -excess[target]))
        var node = target
        while node != start {
            let arc = Int(parentArc[node])
            amount = min(amount, residual[arc])
            node = Int(arcHead[arc ^ 1])
        }
        node = target
        while node != start {
            let arc = Int(parentArc[node])
            move(arc, amount)
            node = Int(arcHead[arc ^ 1])
        }
        excess[start] -= Int(amount)
        excess[target] += Int(amount)
    }

    /// Dijkstra on reduced costs from `start`, stopping when a node with a deficit is settled.
    /// One is always reachable: the flow problem is feasible (every child may stay unplaced).
    private mutating func shortestPathToDeficit(from start: Int) -> Int {
        stamp &+= 1
        if stamp == 0 {
            reachedStamp = reachedStamp.map { _ in 0 }
            settledStamp = settledStamp.map { _ in 0 }
            stamp = 1
        }
        heap.removeAll()
        settled.removeAll(keepingCapacity: true)
        distance[start] = .zero
        reachedStamp[start] = stamp
        heap.push(.zero, Int32(start))
        while let (cost, node) = heap.pop() {
            let tail = Int(node)
            if settledStamp[tail] == stamp { continue }
            settledStamp[tail] = stamp
            settled.append(node)
            if excess[tail] < 0 { return tail }
            let tailPotential = potential[tail]
            for index in Int(nodeArcStart[tail])..<Int(nodeArcStart[tail + 1]) {
                let arc = Int(nodeArcs[index])
                guard residual[arc] > 0 else { continue }
                let head = Int(arcHead[arc])
                if settledStamp[head] == stamp { continue }
                let reduced = Self.arcCost(arc, edgeCost) + tailPotential - potential[head]
                assert(reduced >= .zero, "potentials must keep reduced costs non-negative")
                let candidate = cost + reduced
                if reachedStamp[head] != stamp || candidate < distance[head] {
                    reachedStamp[head] = stamp
                    distance[head] = candidate
                    parentArc[head] = Int32(arc)
                    heap.push(candidate, Int32(head))
                }
            }
        }
        preconditionFailure("a deficit is always reachable in a feasible flow problem")
    }

    /// How many split groups strong branching evaluates at a node.
    private static let strongBranchingCandidates = 8

    /// The two branches of the current node, the one with the lower bound first; nil when no
    /// group is split (the flow is then an assignment).
    ///
    /// Strong branching: for the first `candidates` split groups in waiting order, take the edge
    /// with most flow and solve both of its branches (warm-started, then undone); branch on the
    /// edge whose better branch has the highest bound (then the worse one), so the search closes
    /// the gap fastest. With one candidate, its whole group goes to that edge first, unprobed.
    private mutating func branching(candidates limit: Int) -> [Decision]? {
        let candidates = splitGroupEdges(limit: limit)
        guard let first = candidates.first else { return nil }
        guard candidates.count > 1 else { return [.fix(first), .remove(first)] }
        var chosen: [Decision] = []
        var chosenScore: (better: ClearingCost, worse: ClearingCost)?
        for edge in candidates {
            let fixBound = probe(.fix(edge))
            let removeBound = probe(.remove(edge))
            let score = (better: min(fixBound, removeBound), worse: max(fixBound, removeBound))
            if let best = chosenScore, !(score.better > best.better || (score.better == best.better && score.worse > best.worse)) {
                continue
            }
            chosen = fixBound <= removeBound ? [.fix(edge), .remove(edge)] : [.remove(edge), .fix(edge)]
            chosenScore = score
        }
        return chosen
    }

    /// The bound of the branch `decision`, leaving the state as it was (up to an equally optimal
    /// flow); `.infeasible` if the decision cannot be taken.
    private mutating func probe(_ decision: Decision) -> ClearingCost {
        guard isFeasible(decision) else { return .infeasible }
        apply(decision)
        let result = bound
        undo(decision)
        return result
    }

    private func isFeasible(_ decision: Decision) -> Bool {
        guard case .fix(let edge) = decision else { return true }
        return offerFree[Int(problem.edgeOffer[edge])] >= problem.bidSize[Int(edgeBid[edge])]
    }

    /// For up to `limit` groups the relaxation split or placed only in part, in waiting order,
    /// the edge with most flow (lowest offer on ties).
    private func splitGroupEdges(limit: Int) -> [Int] {
        var edges: [Int] = []
        for bid in groupBids.lazy.map(Int.init) where fixedEdge[bid] < 0 && isSplit(bid) {
            var heaviest = -1
            for edge in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1]) where flow(onEdge: edge) > 0 {
                if heaviest < 0 || flow(onEdge: edge) > flow(onEdge: heaviest) { heaviest = edge }
            }
            edges.append(heaviest)
            if edges.count == limit { break }
        }
        return edges
    }

    /// True when the flow sends the bid's children to more than one offer, or places only some.
    private func isSplit(_ bid: Int) -> Bool {
        usedEdges[bid] > 1 || (usedEdges[bid] == 1 && residual[2 * unplacedPair(bid) + 1] > 0)
    }

    private func flow(onEdge edge: Int) -> Int32 {
        residual[2 * edge + 1]
    }

    /// The bids whose children the flow sends wholly to one offer, on that edge, the others
    /// unplaced. Feasible whenever only bids and the sink are out of balance (an optimal flow,
    /// or the root flow stopped part-way): every offer then holds no more children than its
    /// free beds.
    private func wholeGroupsOfFlow() -> [Int32] {
        (0..<bidCount).map { bid -> Int32 in
            for edge in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1]) where flow(onEdge: edge) > 0 {
                return flow(onEdge: edge) == problem.bidSize[bid] ? Int32(edge) : -1
            }
            return -1
        }
    }

    /// `assignment` with the bids it leaves unplaced added where beds remain: most urgent first,
    /// then in waiting order, each on its cheapest edge with room for the whole group. One pass
    /// over the edges, so it is cheap enough for a round already out of time.
    private func greedilyCompleted(_ assignment: [Int32]) -> Incumbent {
        var chosen = assignment
        var free = problem.offerCapacity
        var cost = ClearingCost.zero
        for bid in 0..<bidCount where chosen[bid] >= 0 {
            let edge = Int(chosen[bid])
            free[Int(problem.edgeOffer[edge])] -= problem.bidSize[bid]
            cost = cost + edgeCost[edge] * Int64(problem.bidSize[bid])
        }
        // Every edge of a bid has the same placement level (its urgency weight).
        let waiting = (0..<bidCount).filter { chosen[$0] < 0 && problem.edgeStart[$0 + 1] > problem.edgeStart[$0] }
        let order = waiting.sorted { lhs, rhs in
            let left = edgeCost[Int(problem.edgeStart[lhs])].placement
            let right = edgeCost[Int(problem.edgeStart[rhs])].placement
            return left != right ? left < right : lhs < rhs
        }
        for bid in order {
            var cheapest = -1
            for edge in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1])
            where !removed[edge] && free[Int(problem.edgeOffer[edge])] >= problem.bidSize[bid] {
                if cheapest < 0 || edgeCost[edge] < edgeCost[cheapest] { cheapest = edge }
            }
            guard cheapest >= 0 else { continue }
            chosen[bid] = Int32(cheapest)
            free[Int(problem.edgeOffer[cheapest])] -= problem.bidSize[bid]
            cost = cost + edgeCost[cheapest] * Int64(problem.bidSize[bid])
        }
        return (cost, chosen)
    }

    /// A lower bound that needs no flow: every bid on its cheapest edge, whatever the beds.
    private var cheapestOptionsBound: ClearingCost {
        var total = ClearingCost.zero
        for bid in 0..<bidCount {
            var cheapest = ClearingCost.zero
            for edge in Int(problem.edgeStart[bid])..<Int(problem.edgeStart[bid + 1]) {
                cheapest = min(cheapest, edgeCost[edge] * Int64(problem.bidSize[bid]))
            }
            total = total + cheapest
        }
        return total
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
}
