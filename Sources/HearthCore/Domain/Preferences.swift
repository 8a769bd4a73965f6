import Foundation

/// A child's stated preferences for their bid: whether they were consulted, what they said, and
/// their ranked choice of offers (most preferred first), which a round weighs at level (2) of
/// its objective (see `ClearingSolver`).
public struct ChildPreferences: Sendable, Equatable {
    /// Offers, most preferred first; at most `ClearingSolver.maximumRankingLength`, no repeats.
    public let ranking: [UUID]
    /// Whether the child was consulted and what they said.
    public let childViews: ChildViews

    /// Creates preferences.
    public init(ranking: [UUID], childViews: ChildViews) {
        self.ranking = ranking
        self.childViews = childViews
    }

    /// Problems with the ranking's shape alone: too long, or an offer named twice.
    public static func shapeProblems(_ ranking: [UUID]) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if ranking.count > ClearingSolver.maximumRankingLength {
            problems.append(FieldProblem("ranking", "names \(ranking.count) offers; at most \(ClearingSolver.maximumRankingLength) may be ranked"))
        }
        var seen = Set<UUID>()
        for (index, offer) in ranking.enumerated() where !seen.insert(offer).inserted {
            problems.append(FieldProblem("ranking[\(index)]", "names offer \(offer.uuidString.lowercased()) a second time"))
        }
        return problems
    }

    /// Problems with the ranked offers for this bid, each naming the hard rule that fails.
    ///
    /// `offers` are the open offers (with free beds from `today`), `capacities` their beds in
    /// all: a place whose beds are held for other children's proposals may still be ranked (its
    /// holds may lapse or be declined), so capacity is checked against its beds in all. An
    /// offer that is not open, or not visible, is unknown. A declined pair stays excluded.
    public static func rankingProblems(
        _ ranking: [UUID], for bid: ClearingBid, offers: [ClearingOffer], capacities: [UUID: Int], declined: Set<DeclinedPair>,
        today: CalendarDate
    ) -> [FieldProblem] {
        let byID = Dictionary(uniqueKeysWithValues: offers.map { ($0.id, $0) })
        var problems: [FieldProblem] = []
        for (index, id) in ranking.enumerated() {
            let field = "ranking[\(index)]"
            guard var offer = byID[id] else {
                problems.append(FieldProblem(field, "no open offer \(id.uuidString.lowercased())"))
                continue
            }
            offer.freeBeds = max(offer.freeBeds, capacities[id] ?? offer.freeBeds)
            if case .incompatible(let rule) = bid.compatibility(with: offer, today: today, declined: declined) {
                problems.append(FieldProblem(field, "offer \(id.uuidString.lowercased()) fails the rule \(rule.code): \(rule.explanation)"))
            }
        }
        return problems
    }
}
