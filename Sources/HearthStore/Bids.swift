import Foundation
import HearthCore
import LibPQ

/// What a placing authority says about a child (or sibling group) needing a place. Holds no
/// name, no date of birth and no address: `childRef` is the authority's own pseudonym.
public struct BidDraft: Sendable, Equatable {
    public var childRef: String
    public var groupSize: Int
    public var age: Int
    public var sex: Sex
    public var needs: [Need]
    public var settingsAcceptable: [Setting]
    /// Rounded to 2 decimal places before it is stored.
    public var home: Coordinate
    public var homePostcodeDistrict: String?
    public var maxDistanceKm: Double?
    public var minDistanceKm: Double?
    public var urgency: Urgency
    public var neededBy: CalendarDate
    public var maxWeeklyRatePence: Int64?

    public init(
        childRef: String, groupSize: Int, age: Int, sex: Sex, needs: [Need], settingsAcceptable: [Setting], home: Coordinate,
        homePostcodeDistrict: String?, maxDistanceKm: Double?, minDistanceKm: Double?, urgency: Urgency, neededBy: CalendarDate,
        maxWeeklyRatePence: Int64?
    ) {
        self.childRef = childRef
        self.groupSize = groupSize
        self.age = age
        self.sex = sex
        self.needs = needs
        self.settingsAcceptable = settingsAcceptable
        self.home = home.rounded()
        self.homePostcodeDistrict = homePostcodeDistrict
        self.maxDistanceKm = maxDistanceKm
        self.minDistanceKm = minDistanceKm
        self.urgency = urgency
        self.neededBy = neededBy
        self.maxWeeklyRatePence = maxWeeklyRatePence
    }

    /// Rules that involve more than one field.
    public var crossFieldProblems: [FieldProblem] {
        if let minDistanceKm, let maxDistanceKm, minDistanceKm > maxDistanceKm {
            return [FieldProblem("min_distance_km", "must not be more than max_distance_km")]
        }
        return []
    }
}

/// A stored bid.
public struct BidRecord: Sendable, Equatable {
    public let id: UUID
    public let authority: String
    public let status: String
    public let version: Int
    public let createdAt: Date
    public let updatedAt: Date
    public let draft: BidDraft
}

/// Filters for an authority's own bids.
public struct BidFilter: Sendable {
    public var status: String?
    public var urgency: Urgency?
    public var limit: Int = 50
    public var after: ListCursor?

    public init() {}
}

/// Reads and writes bids. Synchronous: run inside `HearthDatabase.transaction(scope:)`, whose
/// row-level security hides other authorities' bids; the queries filter by authority as well.
public enum BidRepository {
    static let columns = """
        id, authority, child_ref, group_size, age, sex, needs, settings_acceptable, home_lat, home_lon,
        home_postcode_district, max_distance_km, min_distance_km, urgency, needed_by, max_weekly_rate_pence,
        status, version, created_at, updated_at
        """

    /// Creates an open bid, audited (the audit record holds no child data).
    public static func create(_ draft: BidDraft, authority: String, actor: Actor, on connection: PostgresConnection) throws -> BidRecord {
        let row = try connection.query(
            """
            INSERT INTO bids (authority, child_ref, group_size, age, sex, needs, settings_acceptable, home_lat, home_lon,
                home_postcode_district, max_distance_km, min_distance_km, urgency, needed_by, max_weekly_rate_pence)
            VALUES ($1, $2, $3, $4, $5, $6::text[], $7::text[], $8, $9, $10, $11, $12, $13, $14::date, $15)
            RETURNING \(columns)
            """,
            [authority] + parameters(draft)
        ).first
        let record = try decode(try required(row))
        try AuditLog.record(connection, actor: actor, action: "bid.create", entity: "bid", entityID: record.id.postgresText, after: record.status)
        return record
    }

    /// One of `authority`'s bids (any authority's for nil), or nil.
    public static func find(_ id: UUID, authority: String?, lock: Bool = false, on connection: PostgresConnection) throws -> BidRecord? {
        try connection.query(
            "SELECT \(columns) FROM bids WHERE id = $1 AND ($2::text IS NULL OR authority = $2)\(lock ? " FOR UPDATE" : "")", [id, authority]
        ).first.map { try decode($0) }
    }

    /// `authority`'s bids matching `filter` (every authority's for nil), oldest first.
    public static func list(_ filter: BidFilter, authority: String?, on connection: PostgresConnection) throws -> [BidRecord] {
        var conditions = ["($1::text IS NULL OR authority = $1)"]
        var parameters: [any PostgresBindable] = [authority]
        if let status = filter.status {
            parameters.append(status)
            conditions.append("status = $\(parameters.count)")
        }
        if let urgency = filter.urgency {
            parameters.append(urgency.rawValue)
            conditions.append("urgency = $\(parameters.count)")
        }
        if let after = filter.after {
            parameters.append(after.createdAt)
            parameters.append(after.id)
            conditions.append("(created_at, id) > ($\(parameters.count - 1)::timestamptz, $\(parameters.count)::uuid)")
        }
        parameters.append(filter.limit)
        return try connection.query(
            "SELECT \(columns) FROM bids WHERE \(conditions.joined(separator: " AND ")) ORDER BY created_at, id LIMIT $\(parameters.count)",
            parameters
        ).rows.map { try decode($0) }
    }

    /// Every open bid, for a clearing round's snapshot (`.all` scope).
    public static func allOpen(on connection: PostgresConnection) throws -> [BidRecord] {
        try connection.query("SELECT \(columns) FROM bids WHERE status = 'open' ORDER BY created_at, id").rows.map { try decode($0) }
    }

    /// Saves a changed draft over a locked bid, bumping its version, audited.
    public static func update(_ current: BidRecord, to draft: BidDraft, actor: Actor, on connection: PostgresConnection) throws -> BidRecord {
        let row = try connection.query(
            """
            UPDATE bids SET child_ref = $2, group_size = $3, age = $4, sex = $5, needs = $6::text[], settings_acceptable = $7::text[],
                home_lat = $8, home_lon = $9, home_postcode_district = $10, max_distance_km = $11, min_distance_km = $12,
                urgency = $13, needed_by = $14::date, max_weekly_rate_pence = $15, version = version + 1, updated_at = now()
            WHERE id = $1 RETURNING \(columns)
            """,
            [current.id] + parameters(draft)
        ).first
        let record = try decode(try required(row))
        try AuditLog.record(connection, actor: actor, action: "bid.update", entity: "bid", entityID: current.id.postgresText, before: current.status, after: record.status)
        return record
    }

    /// Moves a locked bid to `withdrawn`, audited. A live proposal for it is withdrawn too and
    /// its beds are released.
    public static func withdraw(_ current: BidRecord, actor: Actor, on connection: PostgresConnection) throws -> BidRecord {
        let withdrawn = try connection.query(
            """
            WITH live AS (
                SELECT id, status FROM proposals WHERE bid_id = $1 AND status IN ('proposed', 'accepted', 'signed_off') FOR UPDATE
            )
            UPDATE proposals p SET status = 'withdrawn', version = p.version + 1, updated_at = now()
            FROM live WHERE p.id = live.id RETURNING p.id, live.status AS previous
            """,
            [current.id]
        )
        for row in withdrawn.rows {
            let proposal = try row.string("id")
            try connection.query("UPDATE bed_occupancy SET active = false, released_at = now() WHERE proposal_id = $1::uuid AND active", [proposal])
            try AuditLog.record(connection, actor: actor, action: "proposal.withdraw", entity: "proposal", entityID: proposal, before: try row.string("previous"), after: "withdrawn")
        }
        let row = try connection.query(
            "UPDATE bids SET status = 'withdrawn', version = version + 1, updated_at = now() WHERE id = $1 RETURNING \(columns)", [current.id]
        ).first
        let record = try decode(try required(row))
        try AuditLog.record(connection, actor: actor, action: "bid.withdraw", entity: "bid", entityID: current.id.postgresText, before: current.status, after: record.status)
        return record
    }

    private static func parameters(_ draft: BidDraft) -> [any PostgresBindable] {
        [
            draft.childRef, draft.groupSize, draft.age, draft.sex.rawValue, draft.needs.map(\.rawValue), draft.settingsAcceptable.map(\.rawValue),
            draft.home.lat, draft.home.lon, draft.homePostcodeDistrict, draft.maxDistanceKm, draft.minDistanceKm, draft.urgency.rawValue,
            draft.neededBy.iso, draft.maxWeeklyRatePence,
        ]
    }

    private static func decode(_ row: Row) throws -> BidRecord {
        guard let neededBy = CalendarDate(iso: try row.string("needed_by")) else {
            throw RowDecodingError(column: "needed_by", reason: "not a date")
        }
        let draft = BidDraft(
            childRef: try row.string("child_ref"), groupSize: try row.int("group_size"), age: try row.int("age"),
            sex: try Sex(rawValue: try row.string("sex")).orThrow("sex"),
            needs: try row.stringArray("needs").map { try Need(rawValue: $0).orThrow("needs") },
            settingsAcceptable: try row.stringArray("settings_acceptable").map { try Setting(rawValue: $0).orThrow("settings_acceptable") },
            home: Coordinate(lat: try row.double("home_lat"), lon: try row.double("home_lon")),
            homePostcodeDistrict: try row.optionalString("home_postcode_district"),
            maxDistanceKm: try row.optionalDouble("max_distance_km"), minDistanceKm: try row.optionalDouble("min_distance_km"),
            urgency: try Urgency(rawValue: try row.string("urgency")).orThrow("urgency"), neededBy: neededBy,
            maxWeeklyRatePence: try row.optionalInt64("max_weekly_rate_pence")
        )
        return BidRecord(
            id: try row.uuid("id"), authority: try row.string("authority"), status: try row.string("status"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"), draft: draft
        )
    }
}

extension BidRecord {
    /// The bid as the clearing rules see it.
    public var clearingBid: ClearingBid {
        ClearingBid(
            id: id, authority: authority, groupSize: draft.groupSize, age: draft.age, sex: draft.sex, needs: Set(draft.needs),
            settingsAcceptable: Set(draft.settingsAcceptable), home: draft.home, maxDistanceKm: draft.maxDistanceKm,
            minDistanceKm: draft.minDistanceKm, urgency: draft.urgency, neededBy: draft.neededBy,
            maxWeeklyRatePence: draft.maxWeeklyRatePence, waitingSince: createdAt
        )
    }
}
