import Foundation
import Testing
@testable import HearthCore

/// `instance` with a random ranking (1 to 5 offers, some incompatible) on about half its bids,
/// drawn from a generator of its own so the instance itself is unchanged.
func withRankings(_ instance: ClearingInstance, seed: UInt64) -> ClearingInstance {
    var rng = SeededGenerator(state: seed &* 7919)
    var ranked = instance
    for index in ranked.bids.indices where Bool.random(using: &rng) {
        let offers = ranked.offers.map(\.id).shuffled(using: &rng)
        ranked.bids[index].ranking = Array(offers.prefix(Int.random(in: 1...ClearingSolver.maximumRankingLength, using: &rng)))
    }
    return ranked
}

/// What giving bid `bid` the offer `offer` does to the other children, by exhaustive search:
/// the first objective level (placement, preference, distance) at which the best assignment
/// with that pair is worse for them than the best assignment overall.
func bruteForceEffect(_ instance: ClearingInstance, bid: Int, offer: Int, given: UUID?) -> OptionEffect {
    let choices = ClearingSolver.maximumRankingLength
    func own(_ offerIndex: Int?) -> [Int64] {
        guard let offerIndex else { return [Int64](repeating: 0, count: 7 + choices) }
        return objective(of: [(instance.bids[bid], instance.offers[offerIndex])], in: instance)
    }
    let round = zip(bruteForceObjective(instance), own(given.flatMap { id in instance.offers.firstIndex { $0.id == id } })).map { $0 - $1 }
    let alternative = zip(bruteForceObjective(instance, fixed: (bid, offer)), own(offer)).map { $0 - $1 }
    return expectedEffect(round: round, alternative: alternative)
}

@Suite("Preference solver")
struct PreferenceSolverTests {
    @Test("with rankings, matches an exhaustive search on random instances with sibling groups, whatever the worker count")
    func matchesBruteForceWithRankings() throws {
        for seed in UInt64(1)...300 {
            let instance = withRankings(randomInstance(seed: seed), seed: seed)
            let results = try [1, 3].map { try ClearingSolver(workerCount: $0).solve(instance) }
            #expect(results[0].summary.provenOptimal, "seed \(seed)")
            #expect(objective(of: validatedPairs(results[0], instance), in: instance) == bruteForceObjective(instance), "seed \(seed)")
            #expect(untimed(results[1]) == untimed(results[0]), "seed \(seed): 3 workers differ from 1")
        }
    }

    @Test("with rankings, matches an exhaustive search where groups crowd multi-bed offers")
    func matchesBruteForceCrowdedGroupsWithRankings() throws {
        for seed in UInt64(4001)...4080 {
            let instance = withRankings(randomInstance(seed: seed, maxBids: 9, maxOffers: 4, groupOneIn: 3), seed: seed)
            let result = try ClearingSolver(workerCount: 1).solve(instance)
            #expect(result.summary.provenOptimal, "seed \(seed)")
            #expect(objective(of: validatedPairs(result, instance), in: instance) == bruteForceObjective(instance), "seed \(seed)")
        }
    }

    @Test("every option's effect matches an exhaustive search with the child fixed to it")
    func optionEffectsMatchBruteForce() throws {
        var checked = 0
        for seed in UInt64(101)...260 {
            let instance = withRankings(randomInstance(seed: seed, maxBids: 6, maxOffers: 4), seed: seed)
            // Every alternative evaluated, whatever the machine's load.
            let result = try ClearingSolver(workerCount: 2, alternativesFloor: .seconds(30)).solve(instance)
            let given = Dictionary(uniqueKeysWithValues: result.proposals.map { ($0.bidID, $0.offerID) })
            for alternatives in result.alternatives {
                let bid = instance.bids.firstIndex { $0.id == alternatives.bidID }!
                let compatible = instance.offers.filter {
                    if case .compatible = instance.bids[bid].compatibility(with: $0, today: instance.today, declined: instance.declined) { return true }
                    return false
                }
                #expect(alternatives.options.count == min(ClearingSolver.maximumOptionCount, max(0, compatible.count - 1)), "seed \(seed)")
                #expect(alternatives.options.map(\.distanceKm) == alternatives.options.map(\.distanceKm).sorted(), "seed \(seed)")
                for option in alternatives.options {
                    let offer = instance.offers.firstIndex { $0.id == option.offerID }!
                    let expected = bruteForceEffect(instance, bid: bid, offer: offer, given: given[alternatives.bidID])
                    #expect(option.effect == expected, "seed \(seed): bid \(bid) offer \(offer)")
                    checked += 1
                }
                for choice in alternatives.ranked {
                    guard let effect = choice.effect else { continue }
                    let offer = instance.offers.firstIndex { $0.id == choice.offerID }!
                    #expect(effect == bruteForceEffect(instance, bid: bid, offer: offer, given: given[alternatives.bidID]), "seed \(seed)")
                    #expect([.moreUrgentChild, .anotherChildUnplaced, .anotherChildsChoice].contains(choice.outcome), "seed \(seed)")
                }
            }
        }
        #expect(checked > 20)
    }

    /// Two planned children, both preferring the near bed A; child 2 can only live at A (B is
    /// too far for it), so the only arrangement that keeps both placed gives A to child 2.
    static func sharedFirstChoice() -> (instance: ClearingInstance, one: UUID, two: UUID, a: UUID, b: UUID) {
        let today = Fixtures.today
        let home = Coordinate(lat: 51.0, lon: -0.5)
        let a = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
        let b = UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!
        let one = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!
        let two = UUID(uuidString: "00000000-0000-0000-0000-000000000002")!
        func offer(_ id: UUID, lat: Double) -> ClearingOffer {
            ClearingOffer(
                id: id, authority: "E2", setting: .foster, ageMin: 0, ageMax: 17, sexesAccepted: Set(Sex.allCases),
                location: Coordinate(lat: lat, lon: -0.5), availableFrom: today, weeklyRatePence: 50_000, freeBeds: 1
            )
        }
        func bid(_ id: UUID, maxKm: Double?, waiting: Double) -> ClearingBid {
            ClearingBid(
                id: id, authority: "E1", age: 10, sex: .female, settingsAcceptable: [.foster], home: home, maxDistanceKm: maxKm,
                urgency: .planned, neededBy: today, waitingSince: Date(timeIntervalSince1970: waiting), ranking: [a, b]
            )
        }
        let instance = ClearingInstance(
            bids: [bid(one, maxKm: nil, waiting: 0), bid(two, maxKm: 10, waiting: 1)],
            offers: [offer(a, lat: 51.02), offer(b, lat: 51.2)], today: today
        )
        return (instance, one, two, a, b)
    }

    @Test("a child's first choice never leaves another child unplaced: the only arrangement placing both wins")
    func preferenceNeverCostsAPlacement() throws {
        let market = Self.sharedFirstChoice()
        let result = try ClearingSolver(workerCount: 1, alternativesFloor: .seconds(30)).solve(market.instance)
        let given = Dictionary(uniqueKeysWithValues: result.proposals.map { ($0.bidID, $0.offerID) })
        #expect(given == [market.one: market.b, market.two: market.a])
        #expect(result.summary.rankedChildren == 2)
        #expect(result.summary.childrenByChoice == [1, 1, 0, 0, 0])
        let first = try #require(result.alternatives.first { $0.bidID == market.one })
        #expect(first.options.map(\.offerID) == [market.a])
        #expect(first.options.first?.effect == OptionEffect(kind: .fewerPlaced, fewerPlaced: [0, 0, 1]))
        #expect(first.ranked.map(\.outcome) == [.anotherChildUnplaced, .given])
        let second = try #require(result.alternatives.first { $0.bidID == market.two })
        #expect(second.options.isEmpty)
        #expect(second.ranked.map(\.outcome) == [.given, .higherChoiceGiven])
    }

    @Test("between children who could both be placed either way, more first choices win over distance")
    func firstChoicesBeforeDistance() throws {
        var market = Self.sharedFirstChoice()
        // Both may now live at either place; child 1 ranks B first, child 2 ranks A first.
        market.instance.bids[1].maxDistanceKm = nil
        market.instance.bids[1].home = Coordinate(lat: 51.2, lon: -0.5)
        market.instance.bids[0].ranking = [market.b, market.a]
        let result = try ClearingSolver(workerCount: 1).solve(market.instance)
        let given = Dictionary(uniqueKeysWithValues: result.proposals.map { ($0.bidID, $0.offerID) })
        #expect(given == [market.one: market.b, market.two: market.a])
        #expect(result.summary.childrenByChoice == [2, 0, 0, 0, 0])
        // Distance alone would have done the opposite.
        market.instance.bids[0].ranking = [market.a]
        market.instance.bids[1].ranking = nil
        let unranked = try ClearingSolver(workerCount: 1).solve(market.instance)
        #expect(Dictionary(uniqueKeysWithValues: unranked.proposals.map { ($0.bidID, $0.offerID) }) == [market.one: market.a, market.two: market.b])
        #expect(unranked.summary.rankedChildren == 1 && unranked.summary.childrenByChoice == [1, 0, 0, 0, 0])
    }

    @Test("an urgent child keeps a bed a planned child ranked first, and the planned child's explanation says so")
    func moreUrgentChildKeepsTheBed() throws {
        var market = Self.sharedFirstChoice()
        market.instance.bids[1].urgency = .urgent
        market.instance.bids[1].ranking = nil
        market.instance.bids[0].ranking = [market.a]
        let result = try ClearingSolver(workerCount: 1, alternativesFloor: .seconds(30)).solve(market.instance)
        let first = try #require(result.alternatives.first { $0.bidID == market.one })
        #expect(first.ranked.map(\.outcome) == [.moreUrgentChild])
        #expect(first.ranked.first?.effect == OptionEffect(kind: .fewerPlaced, fewerPlaced: [0, 1, 0]))
    }

    @Test("refuses a ranking that is too long or names an offer twice")
    func rankingValidation() {
        var market = Self.sharedFirstChoice()
        market.instance.bids[0].ranking = [market.a, market.a]
        #expect(throws: ClearingSolverError.self) { try ClearingSolver().solve(market.instance) }
        market.instance.bids[0].ranking = (0..<6).map { _ in UUID() }
        #expect(throws: ClearingSolverError.self) { try ClearingSolver().solve(market.instance) }
    }
}
