import Foundation
import HearthCore
import LibPQ

extension ClearingStore {
    /// The explanation of one of `authority`'s bids (any authority's for nil) against every open
    /// offer, or nil when the caller cannot see that bid. The API's `GET /v1/bids/{id}/explain`
    /// and the web app's bid page both answer with this.
    ///
    /// Run in a REPEATABLE READ transaction with the bid's owner's scope: it moves to `.all` to
    /// count other children's holds, which it never returns.
    public static func explanation(
        ofBid id: UUID, authority: String?, today: CalendarDate, on connection: PostgresConnection
    ) throws -> BidExplanation? {
        guard let bid = try BidRepository.find(id, authority: authority, on: connection) else { return nil }
        let market = try market(around: bid, today: today, on: connection)
        return BidExplanation(
            bid: bid, offers: market.offers, capacities: market.capacities, proposedOffer: market.proposedOffer, declined: market.declined,
            today: today
        )
    }
}
