import Foundation

/// Finds the optimal set of proposals for a clearing round: exact and deterministic when the
/// round finishes within `searchBudget`; otherwise the best whole-group assignment found, with
/// `ClearingSummary.provenOptimal` false and a bound on the loss.
///
/// **Objective**, in strict lexicographic order: (1) most emergency children placed, then most
/// urgent, then most planned (a sibling group counts as its size); (2) most children in their
/// first ranked choice, then their second, … (only bids with a `ranking`; see Docs/clearing.md);
/// (3) least total distance from home, per child, each pair's distance rounded to whole metres;
/// (4) least total weekly cost, per child (rate × group size); then ties: (5) most seniority
/// placed, per child, where a bid's seniority is the bid count minus its rank in waiting order
/// (longest waiting first, then lowest id); (6) least Σ seniority × offer rank per child (offers
/// ranked by id), so the bids waiting longest get the lowest offer ids. Any tie left after (6) is
/// broken by the fixed order of the search, which depends only on the snapshot.
///
/// **Alternatives.** With `evaluatesAlternatives`, each proposed child's options and each ranked
/// choice's outcome (`ClearingResult.alternatives`) are worked out from the same optimum: the
/// best assignment with the child fixed on the offer, compared with the round's own, level by
/// level, for the other children (`OptionEffect`), within `alternativesShare` of each
/// component's solve time (at least `alternativesFloor`).
///
/// **Exactness.** Each level is its own `Int64` field of a lexicographically ordered cost
/// vector, so no level is ever traded against another and nothing is rounded besides metres.
/// Urgency levels share one field with weights (C+1)², C+1 and 1, C being the number of
/// children in the snapshot; ranked choices share another with weights Q^(K−1), …, Q, 1, Q
/// being one more than the children with a ranking and K the longest ranking. `checkBounds` refuses any snapshot whose worst-case path sums
/// could leave `Int64` (for instance more than about 10⁶ children, or weekly rates above
/// £10⁸), so arithmetic never overflows.
///
/// **Method.** 1. Every pair is screened with the same rules as
/// `ClearingBid.compatibility(with:today:declined:)`, on flat arrays, in parallel over blocks of
/// bids. 2. The compatibility graph is split into connected components; each is solved
/// independently, in parallel on a Dispatch worker pool, with no shared mutable state: the
/// result does not depend on the number of workers. 3. A component is solved as a min-cost
/// flow: each bid supplies its children, bid → offer arcs cost the per-child vector, offers
/// drain to the sink up to their free beds, and a cost-0 bid → sink arc stands for "unplaced".
/// Shortest paths (Dijkstra on reduced costs with potentials, from a node with excess to the
/// nearest deficit) ship every child; for single children this is the exact optimum (a
/// b-matching), for groups a relaxation in which a group may be split. 4. Sibling groups must
/// not be split: a dive first gives a whole-group incumbent, and a Lagrangian bound with one
/// knapsack per offer (`KnapsackBound`, stronger than the flow where groups share offers with
/// single children) removes every edge that no cheaper assignment can use. Local search first
/// improves the dive's assignment (each group, with the groups on the offers it could use, is
/// freed and re-placed by a small branch and bound, the single children always placed
/// optimally by the flow), which sharpens those removals. Then a depth-first branch and bound,
/// until 60 % of the component's time, uses the flow and the knapsack bound (each node's
/// multipliers start from its parent's) as lower bounds and, whenever the flow
/// splits a group (or places part of one), branches on one of that group's edges: the whole
/// group goes there, or that edge is not used. Both branches keep every assignment that keeps
/// groups whole, so the search is exact. Each node starts from its parent's flow and potentials
/// (only the changed arcs are repaired), and strong branching picks the edge whose branches
/// raise the bound most (see `ComponentSolver`). If it does not finish, local search improves
/// its best assignment in the time left.
///
/// **Worst case.** Components without groups: one shortest-path search per child (more only
/// when a group ships in parts), O(C · E log V), usually far less as searches stop at the first
/// deficit. With groups, branch and bound can in theory visit 2^G nodes, G being the number of
/// compatible pairs of groups in one component (the problem is a generalised assignment
/// problem, NP-hard). The flow bound is weak when groups compete with single children for
/// multi-bed offers (a gap of 1–3 % in distance on dense South East instances; the knapsack
/// bound closes most of it at the root), so dense instances with hundreds of groups in one
/// component may not be proven within the budget; see Docs/performance.md.
public struct ClearingSolver: Sendable {
    /// How many Dispatch workers solve components at once (at least 1).
    public var workerCount: Int

    /// The wall-clock budget of a round (screening, flows and search together).
    ///
    /// The budget bounds the whole round: every phase of every component — the min-cost flow,
    /// the dive, local search, root reductions and branch and bound — stops at the round's
    /// deadline (its start plus this budget), however far it got. A component's branch and
    /// bound stops at 60 % of the time left when it started and spends the rest improving its
    /// best whole-group assignment by local search; a component whose flow did not finish
    /// keeps the children its flow had placed (groups only where wholly placed).
    /// `ClearingSummary.provenOptimal` is then false and `ClearingSummary.optimalityGap`
    /// bounds the loss. Only screening the pairs and building the components run before the
    /// first check (a fraction of a second for the South East). A round that finishes within the
    /// budget is exact and its result does not depend on the worker count or the machine; a
    /// round that hits it may differ from run to run, as the point where the search stops
    /// depends on the machine's speed and load.
    public var searchBudget: Duration

    /// Whether a round also works out every proposed child's options and what became of each
    /// ranked choice (`ClearingResult.alternatives`), within the same budget. Off, the proposals
    /// are the same and `alternatives` is empty (what-if studies and benchmarks of the solve alone).
    public var evaluatesAlternatives: Bool

    /// How long each component may spend on its alternatives after its own solve: this share of
    /// the solve's time, but at least `alternativesFloor`, and never past the round's deadline.
    /// Alternatives not reached in time are `OptionEffect.Kind.notEvaluated`; a small market's
    /// are all evaluated within the floor (see Docs/clearing.md and Docs/performance.md).
    public var alternativesShare: Double

    /// The least time each component may spend on its alternatives (see `alternativesShare`).
    public var alternativesFloor: Duration

    /// Creates a solver using `workerCount` workers (by default one per active core) and a round
    /// budget of `searchBudget` (by default 5 seconds).
    public init(
        workerCount: Int = ProcessInfo.processInfo.activeProcessorCount, searchBudget: Duration = .seconds(5), evaluatesAlternatives: Bool = true,
        alternativesShare: Double = 0.2, alternativesFloor: Duration = .milliseconds(100)
    ) {
        self.workerCount = max(1, workerCount)
        self.searchBudget = searchBudget
        self.evaluatesAlternatives = evaluatesAlternatives
        self.alternativesShare = max(0, alternativesShare)
        self.alternativesFloor = alternativesFloor
    }

    /// Solves `instance`: at most one proposal per bid, never more children on an offer than
    /// its free beds, every proposal compatible. Throws if the snapshot is invalid or too large.
    public func solve(_ instance: ClearingInstance) throws(ClearingSolverError) -> ClearingResult {
        let clock = ContinuousClock()
        let started = clock.now
        try Self.validate(instance)
        let bids = instance.bids.sorted { lhs, rhs in
            lhs.waitingSince != rhs.waitingSince ? lhs.waitingSince < rhs.waitingSince : UUID.precedes(lhs.id, rhs.id)
        }
        let offers = instance.offers.sorted { UUID.precedes($0.id, $1.id) }
        let graph = CompatibilityGraph(bids: bids, offers: offers, declined: instance.declined, today: instance.today, workers: workerCount)
        let screened = clock.now
        let weights = try Self.edgeCosts(graph: graph, bids: bids, offers: offers)
        let costs = weights.costs
        let components = graph.components()

        // Largest components first, so the pool stays busy; the order does not affect results.
        let schedule = components.indices.sorted { components[$0].edgeCount > components[$1].edgeCount }
        let deadline = started + searchBudget
        let (evaluatesAlternatives, alternativesShare, alternativesFloor) = (self.evaluatesAlternatives, self.alternativesShare, self.alternativesFloor)
        let solved = parallelMap(count: schedule.count, workers: workerCount) { position in
            let component = components[schedule[position]]
            var solver = ComponentSolver(component.problem(graph: graph, bids: bids, offers: offers, costs: costs))
            let now = clock.now
            let outcome = solver.solve(searchUntil: now + (deadline - now) * Self.searchShare, finishBy: deadline)
            let requests = evaluatesAlternatives
                ? Self.alternativeRequests(component: component, assignment: outcome.assignment, graph: graph, choice: weights.choice) : []
            let solved = clock.now
            let allowance = max(alternativesFloor, (solved - now) * alternativesShare)
            let found = solver.alternatives(requests.map(\.local), until: min(deadline, solved + allowance))
            return (outcome: outcome, requests: requests, found: found)
        }

        var offerOfBid = [Int32](repeating: -1, count: bids.count)
        var edgeOfBid = [Int](repeating: -1, count: bids.count)
        var proven = true
        var resultCost = ClearingCost.zero
        var boundCost = ClearingCost.zero
        for (position, solution) in solved.enumerated() {
            let component = components[schedule[position]]
            let outcome = solution.outcome
            proven = proven && outcome.proven
            resultCost = resultCost + outcome.cost
            boundCost = boundCost + outcome.bound
            let assignment = outcome.assignment
            for (local, bid) in component.bids.enumerated() where assignment[local] >= 0 {
                let edge = Int(graph.edgeStart[Int(bid)]) + Int(assignment[local]) - component.firstEdgeOfBid[local]
                edgeOfBid[Int(bid)] = edge
                offerOfBid[Int(bid)] = graph.edgeOffer[edge]
            }
        }

        var proposals: [ClearingProposal] = []
        var placed = [0, 0, 0]
        var byChoice = [Int](repeating: 0, count: Self.maximumRankingLength)
        var rankedChildren = 0
        var totalMetres: Int64 = 0
        var totalKm = 0.0
        var totalCost: Int64 = 0
        for (rank, bid) in bids.enumerated() {
            if !(bid.ranking ?? []).isEmpty && graph.edgeStart[rank + 1] > graph.edgeStart[rank] { rankedChildren += bid.groupSize }
            guard offerOfBid[rank] >= 0 else { continue }
            let offer = offers[Int(offerOfBid[rank])]
            let km = bid.home.distanceKm(to: offer.location)
            proposals.append(ClearingProposal(bidID: bid.id, offerID: offer.id, distanceKm: km, weeklyRatePence: offer.weeklyRatePence))
            placed[bid.urgency.priorityRank] += bid.groupSize
            if weights.choice[edgeOfBid[rank]] > 0 { byChoice[Int(weights.choice[edgeOfBid[rank]]) - 1] += bid.groupSize }
            totalMetres += Int64(graph.edgeMetres[edgeOfBid[rank]]) * Int64(bid.groupSize)
            totalKm += km * Double(bid.groupSize)
            totalCost += offer.weeklyRatePence * Int64(bid.groupSize)
        }
        let alternatives = !evaluatesAlternatives ? [] : Self.alternatives(
            solved: solved.map { ($0.outcome, $0.requests, $0.found) }, edgeOfBid: edgeOfBid, instance: instance, graph: graph,
            bids: bids, offers: offers, weights: weights
        )
        let elapsed = clock.now - started
        let summary = ClearingSummary(
            emergencyChildrenPlaced: placed[0], urgentChildrenPlaced: placed[1], plannedChildrenPlaced: placed[2],
            totalDistanceMetres: totalMetres, totalDistanceKm: totalKm, totalWeeklyCostPence: totalCost,
            rankedChildren: rankedChildren, childrenByChoice: byChoice,
            compatiblePairCount: graph.edgeOffer.count, componentCount: components.count,
            solveSeconds: elapsed.seconds, compatibilitySeconds: (screened - started).seconds,
            provenOptimal: proven, optimalityGap: proven ? nil : Self.gap(from: boundCost, to: resultCost, weights: weights)
        )
        return ClearingResult(proposals: proposals, alternatives: alternatives, summary: summary)
    }

    /// The longest ranking a bid may state (its first to fifth choice).
    public static let maximumRankingLength = 5

    /// The most options a proposal carries.
    public static let maximumOptionCount = 5

    /// The edges (global indices) whose alternatives a component's bids need, in a fixed order,
    /// each bid's together: for a placed bid its nearest other edges (then lowest offer), at most
    /// `maximumOptionCount`, which are its options; for a bid with a ranking, its ranked edges
    /// above the one it got (all of them if it got none, or an unranked one).
    private static func alternativeRequests(
        component: GraphComponent, assignment: [Int32], graph: CompatibilityGraph, choice: [Int8]
    ) -> [AlternativeRequest] {
        var requests: [AlternativeRequest] = []
        for (local, bid) in component.bids.enumerated() {
            let first = Int(graph.edgeStart[Int(bid)])
            let edges = first..<Int(graph.edgeStart[Int(bid) + 1])
            let given = assignment[local] >= 0 ? first + Int(assignment[local]) - component.firstEdgeOfBid[local] : -1
            let start = requests.count
            if given >= 0 {
                for edge in optionEdges(of: Int(bid), given: given, graph: graph) {
                    requests.append(AlternativeRequest(bid: Int(bid), global: edge, local: component.firstEdgeOfBid[local] + edge - first, isOption: true))
                }
            }
            let givenChoice = given >= 0 && choice[given] > 0 ? choice[given] : Int8.max
            for edge in edges where choice[edge] > 0 && choice[edge] < givenChoice && !requests[start...].contains(where: { $0.global == edge }) {
                requests.append(AlternativeRequest(bid: Int(bid), global: edge, local: component.firstEdgeOfBid[local] + edge - first, isOption: false))
            }
        }
        return requests
    }

    /// An edge whose alternative a component solves: its bid (global rank), the edge's global
    /// and local indices, and whether it is one of the bid's options (or only ranked).
    private struct AlternativeRequest {
        var bid: Int
        var global: Int
        var local: Int
        var isOption: Bool
    }

    /// The nearest edges of `rank`'s bid other than `given`, then lowest offer, at most
    /// `maximumOptionCount`.
    private static func optionEdges(of rank: Int, given: Int, graph: CompatibilityGraph) -> [Int] {
        // One pass keeping the nearest few in order: a bid may have thousands of edges.
        var nearest: [(metres: Int32, edge: Int)] = []
        nearest.reserveCapacity(maximumOptionCount + 1)
        graph.edgeMetres.withUnsafeBufferPointer { metres in
            for edge in Int(graph.edgeStart[rank])..<Int(graph.edgeStart[rank + 1]) where edge != given {
                let candidate = (metres: metres[edge], edge: edge)
                if nearest.count == maximumOptionCount, let last = nearest.last, last.metres <= candidate.metres { continue }
                let position = nearest.firstIndex { $0.metres > candidate.metres } ?? nearest.count
                nearest.insert(candidate, at: position)
                if nearest.count > maximumOptionCount { nearest.removeLast() }
            }
        }
        return nearest.map(\.edge)
    }

    /// Every proposed or ranked bid's options and ranked choices, from the alternatives its
    /// component solved.
    private static func alternatives(
        solved: [(outcome: ComponentOutcome, requests: [AlternativeRequest], found: [(cost: LeadingCost, proven: Bool)?])],
        edgeOfBid: [Int], instance: ClearingInstance, graph: CompatibilityGraph, bids: [ClearingBid], offers: [ClearingOffer],
        weights: ObjectiveWeights
    ) -> [BidAlternatives] {
        // Each bid's requests are consecutive: its range in the requests of all components.
        var requested: [(edge: Int, isOption: Bool, effect: OptionEffect)] = []
        requested.reserveCapacity(solved.reduce(0) { $0 + $1.requests.count })
        var requestsOfBid = [Range<Int>](repeating: 0..<0, count: bids.count)
        for solution in solved {
            for (request, found) in zip(solution.requests, solution.found) {
                let effect: OptionEffect
                if let found {
                    let size = Int64(bids[request.bid].groupSize)
                    let own = edgeOfBid[request.bid] >= 0 ? weights.costs[edgeOfBid[request.bid]] * size : .zero
                    effect = Self.effect(
                        round: LeadingCost(solution.outcome.cost - own), alternative: found.cost - LeadingCost(weights.costs[request.global] * size),
                        exact: found.proven && solution.outcome.proven, weights: weights
                    )
                } else {
                    effect = OptionEffect(kind: .notEvaluated, exact: false)
                }
                if requestsOfBid[request.bid].isEmpty { requestsOfBid[request.bid] = requested.count..<requested.count }
                requested.append((request.global, request.isOption, effect))
                requestsOfBid[request.bid] = requestsOfBid[request.bid].lowerBound..<requested.count
            }
        }
        let offerRank = bids.contains { !($0.ranking ?? []).isEmpty }
            ? Dictionary(uniqueKeysWithValues: offers.indices.map { (offers[$0].id, $0) }) : [:]
        var result: [BidAlternatives] = []
        for rank in bids.indices {
            let ranking = bids[rank].ranking ?? []
            let given = edgeOfBid[rank]
            guard given >= 0 || !ranking.isEmpty else { continue }
            let requests = requested[requestsOfBid[rank]]
            let options: [ClearingOption] = requests.filter(\.isOption).map { request in
                let offer = Int(graph.edgeOffer[request.edge])
                return ClearingOption(
                    offerID: offers[offer].id, distanceKm: bids[rank].home.distanceKm(to: offers[offer].location),
                    weeklyRatePence: offers[offer].weeklyRatePence, effect: request.effect
                )
            }
            let givenChoice = given >= 0 && weights.choice[given] > 0 ? Int(weights.choice[given]) : Int.max
            let ranked = ranking.enumerated().map { position, offerID -> RankedChoice in
                let choice = position + 1
                if given >= 0 && offers[Int(graph.edgeOffer[given])].id == offerID {
                    return RankedChoice(offerID: offerID, choice: choice, outcome: .given)
                }
                if choice > givenChoice { return RankedChoice(offerID: offerID, choice: choice, outcome: .higherChoiceGiven) }
                guard let index = offerRank[offerID] else { return RankedChoice(offerID: offerID, choice: choice, outcome: .notInRound) }
                if case .incompatible(let rule) = bids[rank].compatibility(with: offers[index], today: instance.today, declined: instance.declined) {
                    return RankedChoice(offerID: offerID, choice: choice, outcome: .incompatible, rule: rule.code)
                }
                guard let effect = requests.first(where: { Int(graph.edgeOffer[$0.edge]) == index })?.effect else {
                    return RankedChoice(offerID: offerID, choice: choice, outcome: .notEvaluated)
                }
                return RankedChoice(offerID: offerID, choice: choice, outcome: outcome(of: effect, for: bids[rank]), effect: effect)
            }
            result.append(BidAlternatives(bidID: bids[rank].id, options: options, ranked: ranked))
        }
        return result
    }

    /// Why a child did not get a ranked offer, from the effect giving it would have had.
    private static func outcome(of effect: OptionEffect, for bid: ClearingBid) -> RankedChoice.Outcome {
        switch effect.kind {
        case .fewerPlaced:
            let level = effect.fewerPlaced.firstIndex { $0 > 0 } ?? Urgency.planned.priorityRank
            return level < bid.urgency.priorityRank ? .moreUrgentChild : .anotherChildUnplaced
        case .fewerPreferred: return .anotherChildsChoice
        case .extraDistance, .none, .notEvaluated: return .notEvaluated
        }
    }

    /// The effect on the other children of an alternative whose cost to them is `alternative`,
    /// against their cost `round` in the round's result: the first level at which it is worse.
    private static func effect(round: LeadingCost, alternative: LeadingCost, exact: Bool, weights: ObjectiveWeights) -> OptionEffect {
        if alternative.placement != round.placement {
            guard alternative.placement > round.placement else { return OptionEffect(kind: .none, exact: exact) }
            let before = weights.placedCounts(round.placement)
            let after = weights.placedCounts(alternative.placement)
            return OptionEffect(kind: .fewerPlaced, fewerPlaced: zip(before, after).map { Int($0 - $1) }, exact: exact)
        }
        if alternative.preference != round.preference {
            guard alternative.preference > round.preference else { return OptionEffect(kind: .none, exact: exact) }
            let before = weights.choiceCounts(round.preference)
            let after = weights.choiceCounts(alternative.preference)
            return OptionEffect(kind: .fewerPreferred, fewerByChoice: zip(before, after).map { Int($0 - $1) }, exact: exact)
        }
        if alternative.distance > round.distance {
            return OptionEffect(kind: .extraDistance, extraMetres: alternative.distance - round.distance, exact: exact)
        }
        return OptionEffect(kind: .none, exact: exact)
    }

    /// The share of a component's time that its branch and bound may use; if the search has not
    /// finished by then, local search improves its best assignment in the rest.
    private static let searchShare = 0.6

    /// The gap between a lower bound and a result, level by level.
    private static func gap(from bound: ClearingCost, to result: ClearingCost, weights: ObjectiveWeights) -> ClearingGap {
        let best = weights.placedCounts(bound.placement)
        let found = weights.placedCounts(result.placement)
        let bestChoices = weights.choiceCounts(bound.preference)
        let foundChoices = weights.choiceCounts(result.preference)
        return ClearingGap(
            emergencyChildren: Int(best[0] - found[0]), urgentChildren: Int(best[1] - found[1]),
            plannedChildren: Int(best[2] - found[2]), childrenByChoice: zip(bestChoices, foundChoices).map { Int($0 - $1) },
            distanceMetres: result.distance - bound.distance
        )
    }

    private static func validate(_ instance: ClearingInstance) throws(ClearingSolverError) {
        var bidIDs = Set<UUID>()
        for bid in instance.bids {
            guard bidIDs.insert(bid.id).inserted else { throw .duplicateID(bid.id) }
            guard (1...1000).contains(bid.groupSize) else { throw .invalidBid(bid.id, "group size must be 1 to 1000") }
            guard bid.home.isValid else { throw .invalidBid(bid.id, "home location is not a valid coordinate") }
            guard !(bid.maxDistanceKm?.isNaN ?? false), !(bid.minDistanceKm?.isNaN ?? false) else {
                throw .invalidBid(bid.id, "distance limits must be numbers")
            }
            let ranking = bid.ranking ?? []
            guard ranking.count <= maximumRankingLength, Set(ranking).count == ranking.count else {
                throw .invalidBid(bid.id, "a ranking names at most \(maximumRankingLength) offers, each once")
            }
        }
        var offerIDs = Set<UUID>()
        for offer in instance.offers {
            guard offerIDs.insert(offer.id).inserted else { throw .duplicateID(offer.id) }
            guard (0...1_000_000).contains(offer.freeBeds) else { throw .invalidOffer(offer.id, "free beds must be 0 to 1000000") }
            guard offer.location.isValid else { throw .invalidOffer(offer.id, "location is not a valid coordinate") }
            guard (0...10_000_000_000).contains(offer.weeklyRatePence) else {
                throw .invalidOffer(offer.id, "weekly rate must be 0 to 10000000000 pence")
            }
        }
    }

    /// The per-child cost of every compatible pair, after checking that no sum can overflow, with
    /// the bases of the weighted levels and each pair's place in its bid's ranking.
    private static func edgeCosts(
        graph: CompatibilityGraph, bids: [ClearingBid], offers: [ClearingOffer]
    ) throws(ClearingSolverError) -> ObjectiveWeights {
        var children: Int64 = 0
        var rankedChildren: Int64 = 0
        var levels = 0
        for (rank, bid) in bids.enumerated() where graph.edgeStart[rank + 1] > graph.edgeStart[rank] {
            children += Int64(bid.groupSize)
            if let ranking = bid.ranking, !ranking.isEmpty {
                rankedChildren += Int64(bid.groupSize)
                levels = max(levels, ranking.count)
            }
        }
        // Any path or flow sums at most (nodes + children) arc costs, and potentials add a few more.
        let terms = 4 * Double(bids.count + offers.count + 2) + 4 * Double(children)
        let weight = Double(children + 1)
        let preferenceWeight = pow(Double(rankedChildren + 1), Double(max(0, levels - 1)))
        let largest = [weight * weight, preferenceWeight, 2.1e7, 1e10, Double(bids.count), Double(bids.count) * Double(offers.count)]
        let limit = Double(Int64.max) / 2
        if let field = largest.firstIndex(where: { $0 * terms >= limit }) {
            throw .instanceTooLarge("objective level \(field + 1) could overflow 64-bit arithmetic")
        }
        let urgencyWeight: [Int64] = [(children + 1) * (children + 1), children + 1, 1]
        // The weight of the (r+1)-th choice: Q^(K-1-r), Q = ranked children + 1, K = longest ranking.
        var choiceWeight = [Int64](repeating: 1, count: max(1, levels))
        for level in choiceWeight.indices.reversed().dropFirst() {
            choiceWeight[level] = choiceWeight[level + 1] * (rankedChildren + 1)
        }
        let offerRank = Dictionary(uniqueKeysWithValues: offers.enumerated().map { ($1.id, Int32($0)) })
        let bidCount = Int64(bids.count)
        var costs = [ClearingCost](repeating: .zero, count: graph.edgeOffer.count)
        var choice = [Int8](repeating: 0, count: graph.edgeOffer.count)
        for rank in bids.indices {
            let seniority = bidCount - Int64(rank)
            let placement = -urgencyWeight[bids[rank].urgency.priorityRank]
            let ranked = (bids[rank].ranking ?? []).map { offerRank[$0] ?? -1 }
            for edge in Int(graph.edgeStart[rank])..<Int(graph.edgeStart[rank + 1]) {
                let offer = Int(graph.edgeOffer[edge])
                var preference: Int64 = 0
                if let position = ranked.firstIndex(of: Int32(offer)) {
                    choice[edge] = Int8(position + 1)
                    preference = -choiceWeight[position]
                }
                costs[edge] = ClearingCost(
                    placement: placement, preference: preference, distance: Int64(graph.edgeMetres[edge]),
                    money: offers[offer].weeklyRatePence, seniority: -seniority, order: seniority * Int64(offer)
                )
            }
        }
        return ObjectiveWeights(costs: costs, placementBase: children + 1, choiceWeight: choiceWeight, choice: choice)
    }
}

/// A snapshot's objective: every compatible pair's per-child cost, and how to read the weighted
/// levels back as counts of children.
struct ObjectiveWeights: Sendable {
    /// The per-child cost of each edge.
    var costs: [ClearingCost]
    /// w = C + 1: the urgency weights are w², w and 1.
    var placementBase: Int64
    /// The weight of each choice, first choice first.
    var choiceWeight: [Int64]
    /// Each edge's place in its bid's ranking (1 for the first choice), 0 when not ranked.
    var choice: [Int8]

    /// Emergency, urgent and planned children of a placement field −(E·w² + U·w + P), every
    /// count being below w, so it decodes uniquely.
    func placedCounts(_ placement: Int64) -> [Int64] {
        let weighted = -placement
        return [weighted / (placementBase * placementBase), weighted / placementBase % placementBase, weighted % placementBase]
    }

    /// Children in their first, second, … choice of a preference field (padded to
    /// `ClearingSolver.maximumRankingLength`); each count is below the base, so it decodes uniquely.
    func choiceCounts(_ preference: Int64) -> [Int64] {
        let weighted = -preference
        let base = choiceWeight.count > 1 ? choiceWeight[choiceWeight.count - 2] : Int64.max
        var counts = choiceWeight.enumerated().map { level, weight in
            level == 0 ? weighted / weight : weighted / weight % base
        }
        counts += Array(repeating: 0, count: ClearingSolver.maximumRankingLength - counts.count)
        return counts
    }
}

/// The compatible pairs of a snapshot, grouped by bid (bids in waiting order, offers in id order).
struct CompatibilityGraph: Sendable {
    /// Edges of bid `b` are `edgeStart[b] ..< edgeStart[b + 1]`, in offer order.
    var edgeStart: [Int32]
    /// The offer of each edge.
    var edgeOffer: [Int32]
    /// The distance of each edge in whole metres.
    var edgeMetres: [Int32]
    let offerCount: Int

    /// Bids per screening block: large enough to amortise scheduling, small enough to balance.
    private static let blockSize = 64

    init(bids: [ClearingBid], offers: [ClearingOffer], declined: Set<DeclinedPair>, today: CalendarDate, workers: Int) {
        offerCount = offers.count
        let bidKeys = bids.map { BidKey($0, today: today) }
        let offerKeys = offers.map(OfferKey.init)
        var declinedOffers = [[Int32]](repeating: [], count: bids.count)
        if !declined.isEmpty {
            let bidRank = Dictionary(uniqueKeysWithValues: bids.enumerated().map { ($1.id, $0) })
            let offerRank = Dictionary(uniqueKeysWithValues: offers.enumerated().map { ($1.id, Int32($0)) })
            for pair in declined {
                if let bid = bidRank[pair.bidID], let offer = offerRank[pair.offerID] {
                    declinedOffers[bid].append(offer)
                }
            }
        }
        let declinedByBid = declinedOffers
        let blockCount = (bids.count + Self.blockSize - 1) / Self.blockSize
        let blocks = parallelMap(count: blockCount, workers: workers) { block in
            var counts: [Int32] = []
            var blockOffers: [Int32] = []
            var blockMetres: [Int32] = []
            offerKeys.withUnsafeBufferPointer { offerKeys in
                for bid in block * Self.blockSize..<min(bidKeys.count, (block + 1) * Self.blockSize) {
                    let key = bidKeys[bid]
                    var count: Int32 = 0
                    var distanceKm = 0.0
                    for offer in 0..<offerKeys.count where key.firstFailedRule(against: offerKeys[offer], distanceKm: &distanceKm) == nil {
                        if declinedByBid[bid].contains(Int32(offer)) { continue }
                        blockOffers.append(Int32(offer))
                        blockMetres.append(Int32((distanceKm * 1000).rounded()))
                        count += 1
                    }
                    counts.append(count)
                }
            }
            return (counts: counts, offers: blockOffers, metres: blockMetres)
        }
        var edgeStart: [Int32] = [0]
        edgeStart.reserveCapacity(bids.count + 1)
        var edgeOffer: [Int32] = []
        var edgeMetres: [Int32] = []
        edgeOffer.reserveCapacity(blocks.reduce(0) { $0 + $1.offers.count })
        edgeMetres.reserveCapacity(edgeOffer.capacity)
        for block in blocks {
            for count in block.counts {
                edgeStart.append(edgeStart[edgeStart.count - 1] + count)
            }
            edgeOffer.append(contentsOf: block.offers)
            edgeMetres.append(contentsOf: block.metres)
        }
        self.edgeStart = edgeStart
        self.edgeOffer = edgeOffer
        self.edgeMetres = edgeMetres
    }

    /// Connected components that have at least one edge, ordered by their first bid.
    func components() -> [GraphComponent] {
        let bidCount = edgeStart.count - 1
        var parent = [Int32](0..<Int32(bidCount + offerCount))
        func find(_ node: Int32) -> Int32 {
            var root = node
            while parent[Int(root)] != root { root = parent[Int(root)] }
            var current = node
            while parent[Int(current)] != root {
                let next = parent[Int(current)]
                parent[Int(current)] = root
                current = next
            }
            return root
        }
        for bid in 0..<bidCount {
            for edge in Int(edgeStart[bid])..<Int(edgeStart[bid + 1]) {
                let left = find(Int32(bid))
                let right = find(Int32(bidCount) + edgeOffer[edge])
                if left != right { parent[Int(max(left, right))] = min(left, right) }
            }
        }
        var componentOfRoot = [Int32](repeating: -1, count: bidCount + offerCount)
        var components: [GraphComponent] = []
        for bid in 0..<bidCount where edgeStart[bid + 1] > edgeStart[bid] {
            let root = Int(find(Int32(bid)))
            if componentOfRoot[root] < 0 {
                componentOfRoot[root] = Int32(components.count)
                components.append(GraphComponent())
            }
            let index = Int(componentOfRoot[root])
            components[index].bids.append(Int32(bid))
            components[index].firstEdgeOfBid.append(components[index].edgeCount)
            components[index].edgeCount += Int(edgeStart[bid + 1] - edgeStart[bid])
        }
        for offer in 0..<offerCount {
            let root = Int(find(Int32(bidCount + offer)))
            if componentOfRoot[root] >= 0 {
                components[Int(componentOfRoot[root])].offers.append(Int32(offer))
            }
        }
        return components
    }
}

/// The bids and offers of one connected component, as global ranks in ascending order.
struct GraphComponent: Sendable {
    var bids: [Int32] = []
    var offers: [Int32] = []
    /// Local index of each bid's first edge within the component.
    var firstEdgeOfBid: [Int] = []
    var edgeCount = 0

    /// The component in local indices, ready for `ComponentSolver`.
    func problem(graph: CompatibilityGraph, bids allBids: [ClearingBid], offers allOffers: [ClearingOffer], costs: [ClearingCost]) -> ComponentProblem {
        var edgeStart: [Int32] = [0]
        var edgeOffer: [Int32] = []
        var edgeCost: [ClearingCost] = []
        edgeStart.reserveCapacity(bids.count + 1)
        edgeOffer.reserveCapacity(edgeCount)
        edgeCost.reserveCapacity(edgeCount)
        for bid in bids {
            for edge in Int(graph.edgeStart[Int(bid)])..<Int(graph.edgeStart[Int(bid) + 1]) {
                // Both lists are sorted, so a binary search finds the offer's local index.
                edgeOffer.append(Int32(offers.partitionPoint { $0 < graph.edgeOffer[edge] }))
                edgeCost.append(costs[edge])
            }
            edgeStart.append(Int32(edgeOffer.count))
        }
        return ComponentProblem(
            bidSize: bids.map { Int32(allBids[Int($0)].groupSize) },
            offerCapacity: offers.map { Int32(allOffers[Int($0)].freeBeds) },
            edgeStart: edgeStart, edgeOffer: edgeOffer, edgeCost: edgeCost
        )
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

extension Array where Element == Int32 {
    /// The index of the first element not below the predicate's boundary (the array is sorted).
    func partitionPoint(_ isBelow: (Int32) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if isBelow(self[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
