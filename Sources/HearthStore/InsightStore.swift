import Foundation
import HearthCore
import HearthInsight
import LibPQ

/// Reads what the insight reports are computed from. Synchronous; expects a transaction that
/// sees the whole region (hearthctl as the owner, or the `.all` scope): the reports aggregate
/// every member's data and `SufficiencyReport` decides what each reader may see of it.
public enum InsightStore {
    /// The sufficiency input as of `asOf`: members, open offers with beds free from that day,
    /// open bids created by then, bids made in the twelve months up to it, exchange placements
    /// live on it, and every stored SSDA903 episode.
    ///
    /// Offers and bids are the exchange's current ones: for a date in the past, those created
    /// after it are left out, but an offer or bid closed since is not brought back.
    public static func sufficiencyInput(asOf: CalendarDate, on connection: PostgresConnection) throws -> SufficiencyInput {
        let members = Set(try connection.run("SELECT code FROM authorities WHERE active").rows.map { try $0.string("code") })
        let end = asOf.adding(days: 1).iso
        let createdBy = Set(
            try connection.run("SELECT id FROM offers WHERE status = 'open' AND created_at < \(end)::date").rows.map { try $0.uuid("id") }
        )
        let offers = try ClearingStore.openOffers(today: asOf, on: connection).filter { createdBy.contains($0.id) }
        let openBids = try BidRepository.allOpen(on: connection).filter { $0.createdAt < Self.midnight(after: asOf) }.map(\.clearingBid)
        let recent = try connection.run(
            """
            SELECT authority, settings_acceptable, needs FROM bids
            WHERE created_at >= (\(end)::date - interval '12 months') AND created_at < \(end)::date
            """
        ).rows.map { row in
            RecentBid(
                authority: try row.string("authority"),
                settings: Set(try row.stringArray("settings_acceptable").compactMap(Setting.init(rawValue:))),
                needs: Set(try row.stringArray("needs").compactMap(Need.init(rawValue:)))
            )
        }
        let placements = try connection.run(
            """
            SELECT p.placing_authority, p.host_authority, o.setting, b.needs, p.beds, r.distance_km, p.weekly_rate_pence
            FROM placements p JOIN proposals r ON r.id = p.proposal_id JOIN offers o ON o.id = p.offer_id JOIN bids b ON b.id = p.bid_id
            WHERE p.start_date <= \(asOf.iso)::date AND (p.end_date IS NULL OR p.end_date > \(asOf.iso)::date)
            """
        ).rows.map { row in
            ExchangePlacement(
                placingAuthority: try row.string("placing_authority"), hostAuthority: try row.string("host_authority"),
                setting: try Setting(rawValue: try row.string("setting")).orThrow("setting"),
                needs: Set(try row.stringArray("needs").compactMap(Need.init(rawValue:))), children: try row.int("beds"),
                distanceKm: try row.double("distance_km"), weeklyRatePence: try row.int64("weekly_rate_pence")
            )
        }
        let episodes = try EpisodeStore.episodes(authority: nil, on: connection)
        return SufficiencyInput(
            asOf: asOf, members: members, offers: offers, openBids: openBids, recentBids: recent, placements: placements, episodes: episodes
        )
    }

    private static func midnight(after day: CalendarDate) -> Date {
        Date(timeIntervalSince1970: Double(day.adding(days: 1).dayNumber) * 86_400)
    }
}
