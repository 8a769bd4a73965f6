import Foundation
import HearthCore
import HearthInsight
import LibPQ

/// What `hearthctl insight what-if` clears again: the window's bids, whatever their status now,
/// and the offers open at some time in it. Synchronous; run in one REPEATABLE READ transaction
/// as the schema's owner or under the all-authorities scope.
public enum WhatIfQueries {
    /// Every bid created in `[from, to]` (dates in Europe/London), oldest first, as the solver sees it.
    public static func bids(from: CalendarDate, to: CalendarDate, on connection: PostgresConnection) throws -> [ClearingBid] {
        try connection.run(
            """
            SELECT \(unescaped: BidRepository.columns) FROM bids
            WHERE (created_at AT TIME ZONE 'Europe/London')::date BETWEEN \(from.iso)::date AND \(to.iso)::date
            ORDER BY created_at, id
            """
        ).rows.map { try BidRepository.decode($0).clearingBid }
    }

    /// Every offer that was open at some time in `[from, to]`, at its full capacity: created by
    /// `to`, available in the window, and still open or changed (withdrawn, full) on or after
    /// `from`.
    public static func offers(from: CalendarDate, to: CalendarDate, on connection: PostgresConnection) throws -> [ClearingOffer] {
        try connection.run(
            """
            SELECT id, authority, setting, needs_supported, age_min, age_max, sexes_accepted, lat, lon,
                   available_from, available_until, weekly_rate_pence, capacity
            FROM offers
            WHERE (created_at AT TIME ZONE 'Europe/London')::date <= \(to.iso)::date
              AND available_from <= \(to.iso)::date
              AND (available_until IS NULL OR available_until >= \(from.iso)::date)
              AND (status = \(OfferStatus.open.rawValue) OR (updated_at AT TIME ZONE 'Europe/London')::date >= \(from.iso)::date)
            ORDER BY created_at, id
            """
        ).rows.map { row in
            ClearingOffer(
                id: try row.uuid("id"), authority: try row.string("authority"),
                setting: try Setting(rawValue: try row.string("setting")).orThrow("setting"),
                needsSupported: Set(try row.stringArray("needs_supported").map { try Need(rawValue: $0).orThrow("needs_supported") }),
                ageMin: try row.int("age_min"), ageMax: try row.int("age_max"),
                sexesAccepted: Set(try row.stringArray("sexes_accepted").map { try Sex(rawValue: $0).orThrow("sexes_accepted") }),
                location: Coordinate(lat: try row.double("lat"), lon: try row.double("lon")),
                availableFrom: try row.calendarDate("available_from"), availableUntil: try row.optionalCalendarDate("available_until"),
                weeklyRatePence: try row.int64("weekly_rate_pence"), freeBeds: try row.int("capacity"))
        }
    }

    /// The pairs declined among these bids.
    public static func declined(bids: [UUID], on connection: PostgresConnection) throws -> Set<DeclinedPair> {
        guard !bids.isEmpty else { return [] }
        return Set(try connection.run(
            "SELECT bid_id, offer_id FROM declined_pairs WHERE bid_id = ANY(\(bids.map(\.uuidString))::uuid[])"
        ).rows.map { DeclinedPair(bidID: try $0.uuid("bid_id"), offerID: try $0.uuid("offer_id")) })
    }
}

extension PostcodeDistricts {
    /// Every district with its point and upper-tier authority, for the what-if.
    public var whatIfDistricts: [WhatIfDistrict] {
        districtNames.compactMap { code in
            place(of: code).map { WhatIfDistrict(code: code, location: $0.location, authority: $0.authority) }
        }
    }
}
