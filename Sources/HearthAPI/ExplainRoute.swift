import Foundation
import HearthCore
import HearthStore
import Hummingbird

/// `GET /v1/bids/{id}/explain`: every open offer against one of the caller's bids — the ones it
/// is compatible with (distance, rate, whether their beds are held for other children) and, for
/// the rest, the first rule that failed, in words a social worker understands.
struct ExplainRoute {
    let database: HearthDatabase

    struct Compatible: Encodable, Sendable {
        let offerId: String
        let authority: String
        let setting: Setting
        let distanceKm: Double
        let weeklyRatePence: Int64
        let freeBeds: Int
        /// True when the place fits but its beds are held for other children's proposals.
        let taken: Bool
        let note: String
    }

    struct Incompatible: Encodable, Sendable {
        let offerId: String
        let authority: String
        let rule: String
        let reason: String
    }

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

    struct Explanation: Encodable, Sendable {
        let bidId: String
        let status: BidStatus
        let today: CalendarDate
        let compatible: [Compatible]
        let incompatible: [Incompatible]
        /// The child's ranked offers, in ranking order (empty when the child stated none).
        let ranked: [Ranked]
    }

    func register(on group: RouterGroup<HearthRequestContext>) {
        group.get("bids/:id/explain", use: explain)
    }

    @Sendable func explain(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("bid")
        let today = CalendarDate.today()
        let explanation = try await database.transaction(scope: caller.scope, isolation: .repeatableRead) { connection -> Explanation? in
            guard let bid = try BidRepository.find(id, authority: caller.ownedAuthority, on: connection) else { return nil }
            let preferences = try BidPreferenceRepository.find(bid: id, on: connection)
            let market = try ClearingStore.market(around: bid, today: today, on: connection)
            return Self.explain(
                bid: bid, offers: market.offers, capacities: market.capacities, proposedOffer: market.proposedOffer, declined: market.declined,
                today: today, preferences: preferences
            )
        }
        guard let explanation else { throw Problem(status: .notFound, title: "Not found", detail: "no such bid") }
        return try JSONResponse.make(explanation)
    }

    /// Sorts every open offer into compatible (possibly with its beds held) and incompatible
    /// (with the first failed rule). `capacities` are the offers' beds in all; `proposedOffer` is
    /// where this bid's own live proposal holds beds, if anywhere.
    /// `preferences`, if saved, add the child's ranked offers with the last round's verdict.
    static func explain(
        bid record: Bid, offers: [ClearingOffer], capacities: [UUID: Int], proposedOffer: UUID?, declined: Set<DeclinedPair>, today: CalendarDate,
        preferences: BidPreferencesRecord? = nil
    ) -> Explanation {
        let bid = record.clearingBid
        var compatible: [Compatible] = []
        var incompatible: [Incompatible] = []
        for offer in offers {
            let offerID = offer.id.uuidString.lowercased()
            switch bid.compatibility(with: offer, today: today, declined: declined) {
            case .compatible(let distance, let rate):
                compatible.append(Compatible(
                    offerId: offerID, authority: offer.authority, setting: offer.setting, distanceKm: (distance * 1000).rounded() / 1000,
                    weeklyRatePence: rate, freeBeds: offer.freeBeds, taken: false,
                    note: "fits every rule; the next round considers it with the other children waiting"
                ))
            case .incompatible(let reason):
                // A place big enough that fits in every way, but whose beds are held.
                var unheld = offer
                unheld.freeBeds = capacities[offer.id] ?? offer.freeBeds
                if case .notEnoughCapacity = reason, case .compatible(let distance, let rate) = bid.compatibility(with: unheld, today: today, declined: declined) {
                    let ownHold = proposedOffer == offer.id
                    compatible.append(Compatible(
                        offerId: offerID, authority: offer.authority, setting: offer.setting, distanceKm: (distance * 1000).rounded() / 1000,
                        weeklyRatePence: rate, freeBeds: offer.freeBeds, taken: !ownHold,
                        note: ownHold
                            ? "proposed to this child: its beds are held while the proposal is considered"
                            : "fits every rule, but its beds are held or taken for other children (placed or proposed in an earlier round)"
                    ))
                } else {
                    incompatible.append(Incompatible(offerId: offerID, authority: offer.authority, rule: reason.code, reason: reason.explanation))
                }
            }
        }
        compatible.sort { ($0.taken ? 1 : 0, $0.distanceKm, $0.weeklyRatePence) < ($1.taken ? 1 : 0, $1.distanceKm, $1.weeklyRatePence) }
        return Explanation(
            bidId: record.id.uuidString.lowercased(), status: record.status, today: today, compatible: compatible, incompatible: incompatible,
            ranked: ranked(preferences)
        )
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
