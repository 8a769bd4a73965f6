import Foundation
import Testing
@testable import HearthCore

/// The effect of an alternative on the other children, from their objective vectors (as
/// `objective(of:in:)` gives them) in the round's result and in the best assignment with the
/// child on the alternative: the first level (placement, preference, distance) at which it is
/// worse for them.
func expectedEffect(round: [Int64], alternative: [Int64]) -> OptionEffect {
    let choices = ClearingSolver.maximumRankingLength
    // Placement: levels 0–2, compared as one (the solver weighs them); preference 3..<3+choices.
    let placement = Array(0..<3)
    let preference = Array(3..<3 + choices)
    func worse(_ levels: [Int]) -> Bool? {
        for level in levels where alternative[level] != round[level] { return alternative[level] > round[level] }
        return nil
    }
    if let worse = worse(placement) {
        return worse ? OptionEffect(kind: .fewerPlaced, fewerPlaced: placement.map { Int(alternative[$0] - round[$0]) }) : OptionEffect(kind: .none)
    }
    if let worse = worse(preference) {
        return worse ? OptionEffect(kind: .fewerPreferred, fewerByChoice: preference.map { Int(alternative[$0] - round[$0]) }) : OptionEffect(kind: .none)
    }
    let metres = alternative[3 + choices] - round[3 + choices]
    return metres > 0 ? OptionEffect(kind: .extraDistance, extraMetres: metres) : OptionEffect(kind: .none)
}

@Suite("Option effects")
struct OptionEffectTests {
    /// What giving bid `bid` the offer `offer` does to the other children, by a plain re-solve:
    /// the round again without the child, its group's beds taken from the offer, against the
    /// round's own result without the child; nil if the re-solve is not proven optimal.
    static func resolvedEffect(_ instance: ClearingInstance, round: ClearingResult, bid: Int, offer: Int) throws -> OptionEffect? {
        let child = instance.bids[bid]
        let others = pairs(of: round, in: instance).filter { $0.bid.id != child.id }
        var fixed = instance
        fixed.bids.remove(at: bid)
        fixed.offers[offer].freeBeds -= child.groupSize
        let resolved = try ClearingSolver(workerCount: 1, searchBudget: .seconds(60), evaluatesAlternatives: false).solve(fixed)
        guard resolved.summary.provenOptimal else { return nil }
        return expectedEffect(round: objective(of: others, in: instance), alternative: objective(of: pairs(of: resolved, in: fixed), in: instance))
    }

    /// The pairs a result proposes (their validity is checked elsewhere).
    static func pairs(of result: ClearingResult, in instance: ClearingInstance) -> [(bid: ClearingBid, offer: ClearingOffer)] {
        let bids = Dictionary(uniqueKeysWithValues: instance.bids.map { ($0.id, $0) })
        let offers = Dictionary(uniqueKeysWithValues: instance.offers.map { ($0.id, $0) })
        return result.proposals.map { (bids[$0.bidID]!, offers[$0.offerID]!) }
    }

    /// Every evaluated option and ranked choice of `instance`, compared with a plain re-solve;
    /// the mismatches, and how many effects were compared.
    static func compared(_ instance: ClearingInstance, seed: UInt64) throws -> (mismatches: [String], compared: Int) {
        let round = try ClearingSolver(workerCount: 1, searchBudget: .seconds(60), alternativesFloor: .seconds(60)).solve(instance)
        var mismatches: [String] = []
        var compared = 0
        if !round.summary.provenOptimal { mismatches.append("seed \(seed): the round is not proven optimal") }
        for alternatives in round.alternatives {
            let bid = instance.bids.firstIndex { $0.id == alternatives.bidID }!
            let effects = alternatives.options.map { ($0.offerID, $0.effect) } + alternatives.ranked.compactMap { choice in
                choice.effect.map { (choice.offerID, $0) }
            }
            for (offerID, effect) in effects {
                guard effect.exact else {
                    // Only a sibling group's branch and bound may stop short; single children never.
                    if instance.bids.allSatisfy({ $0.groupSize == 1 }) { mismatches.append("seed \(seed): bid \(bid) inexact") }
                    continue
                }
                let offer = instance.offers.firstIndex { $0.id == offerID }!
                guard let expected = try resolvedEffect(instance, round: round, bid: bid, offer: offer) else {
                    mismatches.append("seed \(seed): bid \(bid) offer \(offer): the re-solve is not proven optimal")
                    continue
                }
                if effect != expected { mismatches.append("seed \(seed): bid \(bid) offer \(offer): \(effect) ≠ \(expected)") }
                compared += 1
            }
        }
        return (mismatches, compared)
    }

    @Test("every option's effect matches a re-solve with the child fixed, on random single-children markets with ties, declined pairs and rankings")
    func unitEffectsMatchResolve() async throws {
        let (mismatches, compared) = try await runOnOwnThread("option-effect-tests") {
            var mismatches: [String] = []
            var compared = 0
            for seed in UInt64(5001)...5300 {
                // Up to 28 children on 12 offers at 4 places (every other seed): long chains of moves, many ties.
                let large = seed % 2 == 0
                let instance = withRankings(
                    randomInstance(seed: seed, maxBids: large ? 28 : 14, maxOffers: large ? 12 : 7, groups: false), seed: seed
                )
                let found = try Self.compared(instance, seed: seed)
                mismatches += found.mismatches
                compared += found.compared
            }
            return (mismatches, compared)
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
        #expect(compared > 1000)
    }

    @Test("with sibling groups, every exact option's effect matches a re-solve with the group fixed")
    func groupEffectsMatchResolve() async throws {
        let (mismatches, compared) = try await runOnOwnThread("option-effect-tests") {
            var mismatches: [String] = []
            var compared = 0
            for seed in UInt64(6001)...6150 {
                let instance = withRankings(randomInstance(seed: seed, maxBids: 12, maxOffers: 6, groupOneIn: 3), seed: seed)
                let found = try Self.compared(instance, seed: seed)
                mismatches += found.mismatches
                compared += found.compared
            }
            return (mismatches, compared)
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
        #expect(compared > 60)
    }
}
