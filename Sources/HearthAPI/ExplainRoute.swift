import Foundation
import HearthCore
import HearthStore
import Hummingbird

/// `GET /v1/bids/{id}/explain`: every open offer against one of the caller's bids — the ones it
/// is compatible with (distance, rate, whether their beds are held for other children) and, for
/// the rest, the first rule that failed (`BidExplanation`, shared with the web app's bid page) —
/// and, when the child stated a ranking, the last round's verdict on each ranked offer.
struct ExplainRoute {
    let database: HearthDatabase

    /// One offer of the child's ranking, and why the child has it or not (the last round's verdict).
    struct Ranked: Encodable, Sendable {
        let offerId: String
        let choice: Int
        /// A `RankedChoice.Outcome` raw value, or `pending` before any round weighed the ranking.
        let outcome: String
        let rule: String?
        let reason: String
        let effect: OptionEffectRecord?
        let roundId: Int64?
    }

    /// The shared explanation with the child's ranked offers added (empty when none was stated).
    struct Explanation: Encodable, Sendable {
        let explanation: BidExplanation
        let ranked: [Ranked]

        private enum CodingKeys: String, CodingKey { case ranked }

        func encode(to encoder: any Encoder) throws {
            try explanation.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(ranked, forKey: .ranked)
        }
    }

    func register(on group: RouterGroup<HearthRequestContext>) {
        group.get("bids/:id/explain", use: explain)
    }

    @Sendable func explain(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("bid")
        let today = CalendarDate.today()
        let explanation = try await database.transaction(scope: caller.scope, isolation: .repeatableRead) { connection -> Explanation? in
            guard let explanation = try ClearingStore.explanation(ofBid: id, authority: caller.ownedAuthority, today: today, on: connection) else {
                return nil
            }
            let preferences = try BidPreferenceRepository.find(bid: id, on: connection)
            return Explanation(explanation: explanation, ranked: Self.ranked(preferences))
        }
        guard let explanation else { throw Problem(status: .notFound, title: "Not found", detail: "no such bid") }
        return try JSONResponse.make(explanation)
    }

    /// The ranked offers with the last round's verdict, or `pending` where no round has weighed
    /// the ranking since it was saved.
    static func ranked(_ preferences: BidPreferencesRecord?) -> [Ranked] {
        guard let preferences else { return [] }
        if let round = preferences.outcomeRoundID, preferences.outcome.count == preferences.preferences.ranking.count {
            return preferences.outcome.map { stored in
                let choice = PreferencesJSON.choice(stored)
                return Ranked(
                    offerId: choice.offerId, choice: choice.choice, outcome: choice.outcome, rule: choice.rule, reason: choice.reason,
                    effect: choice.effect, roundId: round
                )
            }
        }
        return preferences.preferences.ranking.enumerated().map { index, offer in
            Ranked(
                offerId: offer.uuidString.lowercased(), choice: index + 1, outcome: "pending", rule: nil,
                reason: "no round has weighed this ranking yet: the next one will", effect: nil, roundId: nil
            )
        }
    }
}
