import Foundation
import HearthCore
import LibPQ

/// Filters for an authority's own bids.
public struct BidFilter: Sendable {
    public var status: BidStatus?
    public var urgency: Urgency?
    public var limit: Int = 50
    public var after: ListCursor?

    public init() {}
}

/// Reads and writes bids: rows to `Bid` values and back; the rules are `Bid`'s. Synchronous:
/// run inside `HearthDatabase.transaction(scope:)`, whose row-level security hides other
/// authorities' bids; the queries filter by authority as well.
public enum BidRepository {
    static let columns = """
        id, authority, child_ref, group_size, age, sex, needs, settings_acceptable, home_lat, home_lon,
        home_postcode_district, max_distance_km, min_distance_km, urgency, needed_by, max_weekly_rate_pence,
        status, version, created_at, updated_at
        """

    /// Creates an open bid, audited (the audit record holds no child data).
    public static func create(_ draft: BidDraft, authority: String, actor: Actor, on connection: PostgresConnection) throws -> Bid {
        let row = try connection.one(
            """
            INSERT INTO bids (authority, child_ref, group_size, age, sex, needs, settings_acceptable, home_lat, home_lon,
                home_postcode_district, max_distance_km, min_distance_km, urgency, needed_by, max_weekly_rate_pence)
            VALUES (\(authority), \(values(draft)))
            RETURNING \(unescaped: columns)
            """
        )
        let bid = try decode(row)
        connection.marketChanged()
        try AuditLog.record(connection, actor: actor, action: "bid.create", entity: "bid", entityID: bid.id.postgresText, after: bid.status.rawValue)
        return bid
    }

    /// One of `authority`'s bids (any authority's for nil), or nil.
    public static func find(_ id: UUID, authority: String?, lock: Bool = false, on connection: PostgresConnection) throws -> Bid? {
        try connection.first(
            "SELECT \(unescaped: columns) FROM bids WHERE id = \(id) AND (\(authority)::text IS NULL OR authority = \(authority))\(unescaped: lock ? " FOR UPDATE" : "")"
        ).map(decode)
    }

    /// `authority`'s bids matching `filter` (every authority's for nil), oldest first.
    public static func list(_ filter: BidFilter, authority: String?, on connection: PostgresConnection) throws -> [Bid] {
        var conditions: [PostgresQuery] = ["(\(authority)::text IS NULL OR authority = \(authority))"]
        if let status = filter.status { conditions.append("status = \(status.rawValue)") }
        if let urgency = filter.urgency { conditions.append("urgency = \(urgency.rawValue)") }
        if let after = filter.after { conditions.append("(created_at, id) > (\(after.createdAt)::timestamptz, \(after.id)::uuid)") }
        return try connection.run(
            "SELECT \(unescaped: columns) FROM bids WHERE \(PostgresQuery.joined(conditions, separator: " AND ")) ORDER BY created_at, id LIMIT \(filter.limit)"
        ).rows.map(decode)
    }

    /// Every open bid, for a clearing round's snapshot (`.all` scope).
    public static func allOpen(on connection: PostgresConnection) throws -> [Bid] {
        try connection.run(
            "SELECT \(unescaped: columns) FROM bids WHERE status = \(BidStatus.open.rawValue) ORDER BY created_at, id"
        ).rows.map(decode)
    }

    /// Saves a changed draft over a locked bid, bumping its version, audited.
    public static func update(_ current: Bid, to draft: BidDraft, actor: Actor, on connection: PostgresConnection) throws -> Bid {
        try current.checkChangeable()
        let row = try connection.one(
            """
            UPDATE bids SET (child_ref, group_size, age, sex, needs, settings_acceptable, home_lat, home_lon, home_postcode_district,
                max_distance_km, min_distance_km, urgency, needed_by, max_weekly_rate_pence) = (\(values(draft))),
                version = version + 1, updated_at = now()
            WHERE id = \(current.id) RETURNING \(unescaped: columns)
            """
        )
        let bid = try decode(row)
        connection.marketChanged()
        try AuditLog.record(
            connection, actor: actor, action: "bid.update", entity: "bid", entityID: current.id.postgresText, before: current.status.rawValue,
            after: bid.status.rawValue
        )
        return bid
    }

    /// Moves a locked bid to `withdrawn`, audited. A live proposal for it is withdrawn too and
    /// its beds are released.
    public static func withdraw(_ current: Bid, actor: Actor, on connection: PostgresConnection) throws -> Bid {
        try current.checkWithdrawable()
        try ProposalRepository.withdrawLive("bid_id = \(current.id)", reopenBids: false, actor: actor, on: connection)
        let row = try connection.one(
            """
            UPDATE bids SET status = \(BidStatus.withdrawn.rawValue), version = version + 1, updated_at = now()
            WHERE id = \(current.id) RETURNING \(unescaped: columns)
            """
        )
        let bid = try decode(row)
        connection.marketChanged()
        try AuditLog.record(
            connection, actor: actor, action: "bid.withdraw", entity: "bid", entityID: current.id.postgresText, before: current.status.rawValue,
            after: bid.status.rawValue
        )
        return bid
    }

    /// The draft's columns as a row of bound values, in `columns` order after `authority`.
    private static func values(_ draft: BidDraft) -> PostgresQuery {
        """
        \(draft.childRef), \(draft.groupSize), \(draft.age), \(draft.sex.rawValue), \(draft.needs.map(\.rawValue))::text[], \
        \(draft.settingsAcceptable.map(\.rawValue))::text[], \(draft.home.lat), \(draft.home.lon), \(draft.homePostcodeDistrict), \
        \(draft.maxDistanceKm), \(draft.minDistanceKm), \(draft.urgency.rawValue), \(draft.neededBy.iso)::date, \(draft.maxWeeklyRatePence)
        """
    }

    static func decode(_ row: Row) throws -> Bid {
        let draft = BidDraft(
            childRef: try row.string("child_ref"), groupSize: try row.int("group_size"), age: try row.int("age"),
            sex: try Sex(rawValue: try row.string("sex")).orThrow("sex"),
            needs: try row.stringArray("needs").map { try Need(rawValue: $0).orThrow("needs") },
            settingsAcceptable: try row.stringArray("settings_acceptable").map { try Setting(rawValue: $0).orThrow("settings_acceptable") },
            home: Coordinate(lat: try row.double("home_lat"), lon: try row.double("home_lon")),
            homePostcodeDistrict: try row.optionalString("home_postcode_district"),
            maxDistanceKm: try row.optionalDouble("max_distance_km"), minDistanceKm: try row.optionalDouble("min_distance_km"),
            urgency: try Urgency(rawValue: try row.string("urgency")).orThrow("urgency"), neededBy: try row.calendarDate("needed_by"),
            maxWeeklyRatePence: try row.optionalInt64("max_weekly_rate_pence")
        )
        return Bid(
            id: try row.uuid("id"), authority: try row.string("authority"), status: try BidStatus(rawValue: try row.string("status")).orThrow("status"),
            version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"), draft: draft
        )
    }
}
