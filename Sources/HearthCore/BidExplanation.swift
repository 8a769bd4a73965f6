import Foundation

/// Every open offer weighed against one bid: the places it fits (distance, rate, whether their
/// beds are held for other children) and, for the rest, the first rule that failed, in words a
/// social worker understands. `GET /v1/bids/{id}/explain` and the web app's bid page both show
/// exactly this value.
public struct BidExplanation: Encodable, Sendable, Equatable {
    /// An offer the bid is compatible with.
    public struct Compatible: Encodable, Sendable, Equatable {
        /// The offer's id (lower-case UUID).
        public let offerId: String
        /// ONS code of the host authority.
        public let authority: String
        /// The kind of place.
        public let setting: Setting
        /// Great-circle distance from the child's home, km (3 decimal places).
        public let distanceKm: Double
        /// Weekly rate per child in pence.
        public let weeklyRatePence: Int64
        /// Beds free from today on.
        public let freeBeds: Int
        /// True when the place fits but its beds are held for other children's proposals.
        public let taken: Bool
        /// What this means for the child, in plain words.
        public let note: String
    }

    /// An offer the bid is not compatible with, and why.
    public struct Incompatible: Encodable, Sendable, Equatable {
        /// The offer's id (lower-case UUID).
        public let offerId: String
        /// ONS code of the host authority.
        public let authority: String
        /// The first rule that failed, as a stable code (`need_not_supported`).
        public let rule: String
        /// The same rule in plain English.
        public let reason: String
    }

    /// The bid's id (lower-case UUID).
    public let bidId: String
    /// Where the bid stands.
    public let status: BidStatus
    /// The day the explanation was worked out for.
    public let today: CalendarDate
    /// The places the bid fits, free ones first, then nearest, then cheapest.
    public let compatible: [Compatible]
    /// The places it does not fit, in the market's order.
    public let incompatible: [Incompatible]

    /// Sorts every open offer into compatible (possibly with its beds held) and incompatible
    /// (with the first failed rule). `capacities` are the offers' beds in all; `proposedOffer` is
    /// where this bid's own live proposal holds beds, if anywhere.
    public init(
        bid record: Bid, offers: [ClearingOffer], capacities: [UUID: Int], proposedOffer: UUID?, declined: Set<DeclinedPair>,
        today: CalendarDate
    ) {
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
        self.bidId = record.id.uuidString.lowercased()
        self.status = record.status
        self.today = today
        self.compatible = compatible
        self.incompatible = incompatible
    }
}
