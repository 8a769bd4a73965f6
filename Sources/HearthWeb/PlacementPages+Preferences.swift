import Foundation
import HearthCore
import HearthStore

extension PlacementPages {
    /// The child's saved views and ranking for one of the authority's own bids, and what the
    /// last round that weighed the ranking made of each choice: what
    /// `GET /v1/bids/{id}/preferences` returns, in words (`RankedChoice.explanation`,
    /// `OptionEffect.plainWords`).
    func rankingSummary(ofBid bid: UUID, caller: Caller, names: AuthorityNames) async throws -> BidRankingView {
        let found = try await database.transaction(scope: caller.scope) { connection -> (BidPreferencesRecord, [UUID: Offer])? in
            guard let record = try BidPreferenceRepository.find(bid: bid, on: connection) else { return nil }
            var offers: [UUID: Offer] = [:]
            for id in record.preferences.ranking { offers[id] = try OfferRepository.find(id, on: connection) }
            return (record, offers)
        }
        guard let (record, offers) = found else { return .none }
        let views = record.preferences.childViews
        let outcomes = Dictionary(record.outcome.map { ($0.offerId, $0) }, uniquingKeysWith: { first, _ in first })
        let choices = record.preferences.ranking.enumerated().map { index, id -> RankedChoiceRow in
            let place = offers[id].map { "\($0.draft.setting.choiceLabel) with \(names.name($0.authority))" } ?? "A place no longer on the market"
            var outcome = "Not yet weighed by a round"
            if let stored = outcomes[id.pathText] {
                let kind = RankedChoice.Outcome(rawValue: stored.outcome) ?? .notEvaluated
                outcome = Self.sentence(RankedChoice.explanation(of: kind, rule: stored.rule)) + "."
                if let effect = stored.effect?.solverEffect, effect.kind != .none, kind != .given {
                    outcome += " \(effect.plainWords)."
                }
            }
            return RankedChoiceRow(choice: "\(ChildPreferences.ordinal(index + 1)) choice", place: place, outcome: outcome)
        }
        let rows = [
            SummaryRow(key: "Was the child consulted?", value: views.consulted ? "Yes" : "No"),
            SummaryRow(key: "What the child said", value: views.summary ?? "Not recorded"),
            SummaryRow(key: "Saved", value: PlainWords.dateTime(record.updatedAt)),
        ]
        let lastRound =
            record.outcomeRoundID.map { "Round \($0) weighed this ranking." }
            ?? "No round has weighed this ranking since it was saved: the next round will."
        return BidRankingView(saved: true, views: rows, choices: choices, hasChoices: !choices.isEmpty, lastRound: lastRound)
    }
}
