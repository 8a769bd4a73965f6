import Foundation
import HearthCore
import LibPQ

/// What a member says about a surplus place: the fields a placement team sets.
public struct OfferDraft: Sendable, Equatable {
    public var setting: Setting
    public var capacity: Int
    public var needsSupported: [Need]
    public var ageMin: Int
    public var ageMax: Int
    public var sexesAccepted: [Sex]
    /// Rounded to 2 decimal places before it is stored.
    public var location: Coordinate
    public var postcodeDistrict: String?
    public var availableFrom: CalendarDate
    public var availableUntil: CalendarDate?
    public var weeklyRatePence: Int64
    public var ofstedURN: String?

    public init(
        setting: Setting, capacity: Int, needsSupported: [Need], ageMin: Int, ageMax: Int, sexesAccepted: [Sex],
        location: Coordinate, postcodeDistrict: String?, availableFrom: CalendarDate, availableUntil: CalendarDate?,
        weeklyRatePence: Int64, ofstedURN: String?
    ) {
        self.setting = setting
        self.capacity = capacity
        self.needsSupported = needsSupported
        self.ageMin = ageMin
        self.ageMax = ageMax
        self.sexesAccepted = sexesAccepted
        self.location = location.rounded()
        self.postcodeDistrict = postcodeDistrict
        self.availableFrom = availableFrom
        self.availableUntil = availableUntil
        self.weeklyRatePence = weeklyRatePence
        self.ofstedURN = ofstedURN
    }

    /// Rules that involve more than one field.
    public var crossFieldProblems: [FieldProblem] {
        var problems: [FieldProblem] = []
        if ageMin > ageMax { problems.append(FieldProblem("age_max", "must not be below age_min")) }
        if let availableUntil, availableUntil < availableFrom {
            problems.append(FieldProblem("available_until", "must not be before available_from"))
        }
        return problems
    }
}

/// A stored offer.
public struct OfferRecord: Sendable, Equatable {
    public let id: UUID
    public let authority: String
    public let status: String
    public let version: Int
    public let createdAt: Date
    public let updatedAt: Date
    public let draft: OfferDraft
    /// Distance from the `near` point of a list query, when one was given.
    public let distanceKm: Double?
}

/// Filters for the market's offers.
public struct OfferFilter: Sendable {
    public var status: String = "open"
    public var setting: Setting?
    public var need: Need?
    public var near: Coordinate?
    public var withinKm: Double?
    public var authority: String?
    public var limit: Int = 50
    public var after: ListCursor?

    public init() {}
}

/// Reads and writes offers. Synchronous: run inside `HearthDatabase.transaction(scope:)`.
public enum OfferRepository {
    static let columns = """
        id, authority, setting, capacity, needs_supported, age_min, age_max, sexes_accepted, lat, lon,
        postcode_district, available_from, available_until, weekly_rate_pence, ofsted_urn, status, version,
        created_at, updated_at
        """

    /// Creates an open offer with its beds, audited.
    public static func create(_ draft: OfferDraft, authority: String, actor: Actor, on connection: PostgresConnection) throws -> OfferRecord {
        let row = try connection.query(
            """
            INSERT INTO offers (authority, setting, capacity, needs_supported, age_min, age_max, sexes_accepted, lat, lon,
                postcode_district, available_from, available_until, weekly_rate_pence, ofsted_urn)
            VALUES ($1, $2, $3, $4::text[], $5, $6, $7::text[], $8, $9, $10, $11::date, $12::date, $13, $14)
            RETURNING \(columns)
            """,
            [authority] + parameters(draft)
        ).first
        let record = try decode(try required(row))
        try connection.query("INSERT INTO beds (offer_id, bed_no) SELECT $1::uuid, generate_series(1, $2::int)", [record.id, draft.capacity])
        try AuditLog.record(connection, actor: actor, action: "offer.create", entity: "offer", entityID: record.id.postgresText, after: record.status)
        return record
    }

    /// An offer the scope may see, or nil.
    public static func find(_ id: UUID, on connection: PostgresConnection) throws -> OfferRecord? {
        try connection.query("SELECT \(columns) FROM offers WHERE id = $1", [id]).first.map { try decode($0) }
    }

    /// Offers matching `filter`, oldest first, at most `filter.limit`.
    public static func list(_ filter: OfferFilter, on connection: PostgresConnection) throws -> [OfferRecord] {
        var conditions = ["status = $1"]
        var parameters: [any PostgresBindable] = [filter.status]
        func add(_ condition: String, _ value: any PostgresBindable) {
            parameters.append(value)
            conditions.append(condition.replacingOccurrences(of: "$?", with: "$\(parameters.count)"))
        }
        if let setting = filter.setting { add("setting = $?", setting.rawValue) }
        if let need = filter.need { add("$? = ANY (needs_supported)", need.rawValue) }
        if let authority = filter.authority { add("authority = $?", authority) }
        if let after = filter.after {
            add("(created_at, id) > ($?::timestamptz", after.createdAt)
            conditions[conditions.count - 1] += ", $\(parameters.count + 1)::uuid)"
            parameters.append(after.id)
        }
        var distance = "NULL::float8"
        if let near = filter.near {
            parameters.append(near.lat)
            let latIndex = parameters.count
            parameters.append(near.lon)
            let lonIndex = parameters.count
            distance = Geography.haversineSQL(lat: "lat", lon: "lon", toLat: "$\(latIndex)", toLon: "$\(lonIndex)")
            if let within = filter.withinKm { add("\(distance) <= $?", within) }
        }
        parameters.append(filter.limit)
        let sql = """
            SELECT \(columns), \(distance) AS distance_km FROM offers
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY created_at, id LIMIT $\(parameters.count)
            """
        return try connection.query(sql, parameters).rows.map { try decode($0) }
    }

    /// Locks one of the scope's own offers for change, or returns nil.
    public static func lockOwn(_ id: UUID, authority: String?, on connection: PostgresConnection) throws -> OfferRecord? {
        let row = try connection.query(
            "SELECT \(columns) FROM offers WHERE id = $1 AND ($2::text IS NULL OR authority = $2) FOR UPDATE", [id, authority]
        ).first
        return try row.map { try decode($0) }
    }

    /// Saves a changed draft over a locked offer, bumping its version, audited.
    public static func update(_ current: OfferRecord, to draft: OfferDraft, actor: Actor, on connection: PostgresConnection) throws -> OfferRecord {
        let row = try connection.query(
            """
            UPDATE offers SET setting = $2, capacity = $3, needs_supported = $4::text[], age_min = $5, age_max = $6,
                sexes_accepted = $7::text[], lat = $8, lon = $9, postcode_district = $10, available_from = $11::date,
                available_until = $12::date, weekly_rate_pence = $13, ofsted_urn = $14, version = version + 1, updated_at = now()
            WHERE id = $1 RETURNING \(columns)
            """,
            [current.id] + parameters(draft)
        ).first
        let record = try decode(try required(row))
        if draft.capacity > current.draft.capacity {
            try connection.query(
                "INSERT INTO beds (offer_id, bed_no) SELECT $1::uuid, generate_series($2::int, $3::int)",
                [current.id, current.draft.capacity + 1, draft.capacity]
            )
        }
        try AuditLog.record(connection, actor: actor, action: "offer.update", entity: "offer", entityID: current.id.postgresText, before: current.status, after: record.status)
        return record
    }

    /// Moves a locked offer to `withdrawn`, audited. Withdrawing is a state change, never a delete.
    public static func withdraw(_ current: OfferRecord, actor: Actor, on connection: PostgresConnection) throws -> OfferRecord {
        let row = try connection.query(
            "UPDATE offers SET status = 'withdrawn', version = version + 1, updated_at = now() WHERE id = $1 RETURNING \(columns)", [current.id]
        ).first
        let record = try decode(try required(row))
        try AuditLog.record(connection, actor: actor, action: "offer.withdraw", entity: "offer", entityID: current.id.postgresText, before: current.status, after: record.status)
        return record
    }

    private static func parameters(_ draft: OfferDraft) -> [any PostgresBindable] {
        [
            draft.setting.rawValue, draft.capacity, draft.needsSupported.map(\.rawValue), draft.ageMin, draft.ageMax,
            draft.sexesAccepted.map(\.rawValue), draft.location.lat, draft.location.lon, draft.postcodeDistrict,
            draft.availableFrom.iso, draft.availableUntil?.iso, draft.weeklyRatePence, draft.ofstedURN,
        ]
    }

    private static func decode(_ row: Row) throws -> OfferRecord {
        func date(_ column: String) throws -> CalendarDate {
            guard let value = CalendarDate(iso: try row.string(column)) else { throw RowDecodingError(column: column, reason: "not a date") }
            return value
        }
        let draft = OfferDraft(
            setting: try Setting(rawValue: try row.string("setting")).orThrow("setting"),
            capacity: try row.int("capacity"),
            needsSupported: try row.stringArray("needs_supported").map { try Need(rawValue: $0).orThrow("needs_supported") },
            ageMin: try row.int("age_min"), ageMax: try row.int("age_max"),
            sexesAccepted: try row.stringArray("sexes_accepted").map { try Sex(rawValue: $0).orThrow("sexes_accepted") },
            location: Coordinate(lat: try row.double("lat"), lon: try row.double("lon")),
            postcodeDistrict: try row.optionalString("postcode_district"),
            availableFrom: try date("available_from"),
            availableUntil: try row.optionalString("available_until").map { _ in try date("available_until") },
            weeklyRatePence: try row.int64("weekly_rate_pence"), ofstedURN: try row.optionalString("ofsted_urn")
        )
        return OfferRecord(
            id: try row.uuid("id"), authority: try row.string("authority"), status: try row.string("status"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"), draft: draft, distanceKm: row["distance_km"].flatMap(Double.init)
        )
    }
}

/// A stored row that lists page through, oldest first, by creation time and id.
public protocol ListedRecord {
    var id: UUID { get }
    var createdAt: Date { get }
}

extension OfferRecord: ListedRecord {}
extension BidRecord: ListedRecord {}
extension ProposalRecord: ListedRecord {}
extension PlacementRecord: ListedRecord {}

/// Where a page of a list ended: the next page starts after this row.
public struct ListCursor: Sendable, Equatable {
    public let createdAt: Date
    public let id: UUID

    public init(createdAt: Date, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }

    /// An opaque token for clients.
    public var token: String {
        let text = "\(createdAt.timeIntervalSince1970)|\(id.uuidString.lowercased())"
        return Data(text.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// Reads a token made by `token`, or nil if it is not one.
    public init?(token: String) {
        var padded = token
        while padded.count % 4 != 0 { padded += "=" }
        guard token.count <= 100, let data = Data(base64Encoded: padded), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|")
        guard parts.count == 2, let seconds = Double(parts[0]), seconds.isFinite, let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.createdAt = Date(timeIntervalSince1970: seconds)
        self.id = id
    }
}

/// Great-circle distance in SQL, the same formula as `Coordinate.distanceKm`.
enum Geography {
    static func haversineSQL(lat: String, lon: String, toLat: String, toLon: String) -> String {
        "(2 * \(Coordinate.earthRadiusKm) * asin(sqrt(power(sin(radians(\(lat)::float8 - \(toLat)::float8) / 2), 2) + cos(radians(\(toLat)::float8)) * cos(radians(\(lat)::float8)) * power(sin(radians(\(lon)::float8 - \(toLon)::float8) / 2), 2))))"
    }
}

extension Optional {
    /// The value, or a decoding error naming `column`.
    func orThrow(_ column: String) throws -> Wrapped {
        guard let value = self else { throw RowDecodingError(column: column, reason: "unexpected value") }
        return value
    }
}

func required(_ row: Row?) throws -> Row {
    guard let row else { throw RowDecodingError(column: "*", reason: "no row returned") }
    return row
}
