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

extension ChildPreferences {
    /// A choice's number as people write it: "1st", "2nd", "3rd", "4th", … "11th", "21st".
    public static func ordinal(_ choice: Int) -> String {
        let suffix =
            switch (choice % 10, choice % 100) {
            case (_, 11...13): "th"
            case (1, _): "st"
            case (2, _): "nd"
            case (3, _): "rd"
            default: "th"
            }
        return "\(choice)\(suffix)"
    }
}

extension OptionEffect {
    /// The effect on the other children in plain English, for a social worker weighing the
    /// child's options: "No effect on other children", "1 fewer urgent child would be placed",
    /// "1 fewer child would get their 1st choice", "Other children would travel 12.3 km further
    /// in total", "Not worked out in this round". An effect whose search was cut short (`exact`
    /// false) says it is at most that.
    public var plainWords: String {
        let words: String
        switch kind {
        case .none: return "No effect on other children"
        case .notEvaluated: return "Not worked out in this round"
        case .fewerPlaced:
            let levels = zip(["emergency", "urgent", "planned"], fewerPlaced)
            let fewer = levels.filter { $0.1 > 0 }.map { "\($0.1) fewer \($0.0) \(Self.children($0.1))" }
            let more = levels.filter { $0.1 < 0 }.map { "\(-$0.1) more \($0.0) \(Self.children(-$0.1))" }
            words = "\(Self.list(fewer)) would be placed" + (more.isEmpty ? "" : " (and \(Self.list(more)) would be)")
        case .fewerPreferred:
            let choices = fewerByChoice.enumerated().map { (ChildPreferences.ordinal($0.offset + 1), $0.element) }
            let fewer = choices.filter { $0.1 > 0 }.map { "\($0.1) fewer \(Self.children($0.1)) would get their \($0.0) choice" }
            let more = choices.filter { $0.1 < 0 }.map { "\(-$0.1) more their \($0.0)" }
            words = Self.list(fewer) + (more.isEmpty ? "" : " (and \(Self.list(more)))")
        case .extraDistance:
            let km = Double(extraMetres) / 1000
            words =
                km < 0.05
                ? "Other children would travel a little further in total (less than 0.1 km)"
                : "Other children would travel \(formatKm(km)) km further in total"
        }
        return exact ? words : "\(words) at most (the round's search was cut short)"
    }

    private static func children(_ count: Int) -> String { count == 1 ? "child" : "children" }

    private static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
    }
}
