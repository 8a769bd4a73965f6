import Foundation
import HearthCore
import LibPQ

/// Filters for the market's offers.
public struct OfferFilter: Sendable {
    public var status: OfferStatus = .open
    public var setting: Setting?
    public var need: Need?
    public var near: Coordinate?
    public var withinKm: Double?
    public var authority: String?
    public var limit: Int = 50
    public var after: ListCursor?

    public init() {}
}

/// Reads and writes offers and their beds: rows to `Offer` values and back; the rules are
/// `Offer`'s. Synchronous: run inside `HearthDatabase.transaction(scope:)`.
///
/// `beds` holds one row per bed ever offered (bed numbers are never deleted, so a bed keeps its
/// history); `capacity` says how many may be taken at once. A bed counts as taken while an
/// active hold or placement on it overlaps today or later.
public enum OfferRepository {
    static let columns = """
        id, authority, setting, capacity, needs_supported, age_min, age_max, sexes_accepted, lat, lon,
        postcode_district, available_from, available_until, weekly_rate_pence, ofsted_urn, status, version,
        created_at, updated_at
        """

    /// Creates an open offer with its beds, audited.
    public static func create(_ draft: OfferDraft, authority: String, actor: Actor, on connection: PostgresConnection) throws -> Offer {
        let row = try connection.one(
            """
            INSERT INTO offers (authority, setting, capacity, needs_supported, age_min, age_max, sexes_accepted, lat, lon,
                postcode_district, available_from, available_until, weekly_rate_pence, ofsted_urn)
            VALUES (\(authority), \(values(draft)))
            RETURNING \(unescaped: columns)
            """
        )
        let offer = try decode(row)
        connection.marketChanged()
        try addBeds(to: offer.id, upTo: draft.capacity, on: connection)
        try AuditLog.record(connection, actor: actor, action: "offer.create", entity: "offer", entityID: offer.id.postgresText, after: offer.status.rawValue)
        return offer
    }

    /// An offer the scope may see, or nil.
    public static func find(_ id: UUID, on connection: PostgresConnection) throws -> Offer? {
        try connection.first("SELECT \(unescaped: columns) FROM offers WHERE id = \(id)").map { try decode($0) }
    }

    /// Offers matching `filter`, oldest first, at most `filter.limit`.
    ///
    /// A radius search is planned for its own values every time: which index is cheaper
    /// depends on how many offers lie within the radius, and the generic plan PostgreSQL keeps
    /// for a prepared statement after five runs estimates that from nothing (it read the whole
    /// box of a crowded area, where walking `offers_listing` in page order stops after a page).
    public static func list(_ filter: OfferFilter, on connection: PostgresConnection) throws -> [Offer] {
        if filter.near != nil, filter.withinKm != nil {
            try connection.deferUntilNext("SET LOCAL plan_cache_mode = force_custom_plan")
        }
        return try connection.run(listQuery(filter)).rows.map { try decode($0) }
    }

    /// The statement `list` runs. With `near` and `withinKm` it bounds the stored float8
    /// coordinates (`lat_deg`, `lon_deg`, Migrations/0012) by a box around the point, which the
    /// `offers_position` index answers beneath the row-level security policy (its comparisons
    /// are leakproof), and then keeps what the exact haversine puts within the radius.
    static func listQuery(_ filter: OfferFilter) -> PostgresQuery {
        var conditions: [PostgresQuery] = ["status = \(filter.status.rawValue)"]
        if let setting = filter.setting { conditions.append("setting = \(setting.rawValue)") }
        if let need = filter.need { conditions.append("\(need.rawValue) = ANY (needs_supported)") }
        if let authority = filter.authority { conditions.append("authority = \(authority)") }
        if let after = filter.after { conditions.append("(created_at, id) > (\(after.createdAt)::timestamptz, \(after.id)::uuid)") }
        var distance: PostgresQuery = "NULL::float8"
        if let near = filter.near {
            distance = Geography.haversine(lat: "lat", lon: "lon", to: near)
            if let within = filter.withinKm {
                let box = Geography.boundingBox(around: near, radiusKm: within)
                conditions.append("lat_deg >= \(box.minLat)::float8 AND lat_deg <= \(box.maxLat)::float8")
                if let minLon = box.minLon, let maxLon = box.maxLon {
                    conditions.append("lon_deg >= \(minLon)::float8 AND lon_deg <= \(maxLon)::float8")
                }
                conditions.append("\(distance) <= \(within)")
            }
        }
        return """
            SELECT \(unescaped: columns), \(distance) AS distance_km FROM offers
            WHERE \(PostgresQuery.joined(conditions, separator: " AND "))
            ORDER BY created_at, id LIMIT \(filter.limit)
            """
    }

    /// Locks one of the scope's own offers for change, or returns nil.
    public static func lockOwn(_ id: UUID, authority: String?, on connection: PostgresConnection) throws -> Offer? {
        try connection.first(
            "SELECT \(unescaped: columns) FROM offers WHERE id = \(id) AND (\(authority)::text IS NULL OR authority = \(authority)) FOR UPDATE"
        ).map { try decode($0) }
    }

    /// Beds of an offer held by live proposals or placed from `today` on.
    public static func takenBeds(of id: UUID, today: CalendarDate, on connection: PostgresConnection) throws -> Int {
        try connection.one(
            """
            SELECT count(DISTINCT bed_no) AS taken FROM bed_occupancy
            WHERE offer_id = \(id) AND active AND during && daterange(\(today.iso)::date, NULL)
            """
        ).int("taken")
    }

    /// Saves a changed draft over a locked offer, bumping its version, audited. Refused (409)
    /// for a withdrawn offer, or when it would lower capacity below the beds taken.
    public static func update(_ current: Offer, to draft: OfferDraft, actor: Actor, on connection: PostgresConnection) throws -> Offer {
        let taken = try takenBeds(of: current.id, today: CalendarDate.today(), on: connection)
        try current.checkChange(to: draft, takenBeds: taken)
        let row = try connection.one(
            """
            UPDATE offers SET (setting, capacity, needs_supported, age_min, age_max, sexes_accepted, lat, lon, postcode_district,
                available_from, available_until, weekly_rate_pence, ofsted_urn) = (\(values(draft))),
                version = version + 1, updated_at = now()
            WHERE id = \(current.id) RETURNING \(unescaped: columns)
            """
        )
        let offer = try decode(row)
        connection.marketChanged()
        try addBeds(to: current.id, upTo: draft.capacity, on: connection)
        try AuditLog.record(
            connection, actor: actor, action: "offer.update", entity: "offer", entityID: current.id.postgresText,
            before: current.status.rawValue, after: offer.status.rawValue
        )
        return offer
    }

    /// Moves a locked offer to `withdrawn`, audited, and releases its live proposals: each is
    /// withdrawn (audited), its beds freed and its bid returned to the market. Placements
    /// already confirmed carry on. Withdrawing is a state change, never a delete.
    public static func withdraw(_ current: Offer, actor: Actor, on connection: PostgresConnection) throws -> Offer {
        try current.checkWithdrawable()
        let row = try connection.one(
            """
            UPDATE offers SET status = \(OfferStatus.withdrawn.rawValue), version = version + 1, updated_at = now()
            WHERE id = \(current.id) RETURNING \(unescaped: columns)
            """
        )
        let offer = try decode(row)
        connection.marketChanged()
        try AuditLog.record(
            connection, actor: actor, action: "offer.withdraw", entity: "offer", entityID: current.id.postgresText,
            before: current.status.rawValue, after: offer.status.rawValue
        )
        try ProposalRepository.withdrawLive("offer_id = \(current.id)", reopenBids: true, actor: actor, on: connection)
        return offer
    }

    /// Makes sure beds 1…`capacity` exist (bed rows are never deleted, so a place that shrank
    /// and grows again keeps its old bed numbers).
    private static func addBeds(to id: UUID, upTo capacity: Int, on connection: PostgresConnection) throws {
        try connection.run(
            "INSERT INTO beds (offer_id, bed_no) SELECT \(id)::uuid, generate_series(1, \(capacity)::int) ON CONFLICT DO NOTHING"
        )
    }

    /// The draft's columns as a row of bound values, in `columns` order after `authority`.
    private static func values(_ draft: OfferDraft) -> PostgresQuery {
        """
        \(draft.setting.rawValue), \(draft.capacity), \(draft.needsSupported.map(\.rawValue))::text[], \(draft.ageMin), \(draft.ageMax), \
        \(draft.sexesAccepted.map(\.rawValue))::text[], \(draft.location.lat), \(draft.location.lon), \(draft.postcodeDistrict), \
        \(draft.availableFrom.iso)::date, \(draft.availableUntil?.iso)::date, \(draft.weeklyRatePence), \(draft.ofstedURN)
        """
    }

    static func decode(_ row: Row) throws -> Offer {
        let draft = OfferDraft(
            setting: try Setting(rawValue: try row.string("setting")).orThrow("setting"),
            capacity: try row.int("capacity"),
            needsSupported: try row.stringArray("needs_supported").map { try Need(rawValue: $0).orThrow("needs_supported") },
            ageMin: try row.int("age_min"), ageMax: try row.int("age_max"),
            sexesAccepted: try row.stringArray("sexes_accepted").map { try Sex(rawValue: $0).orThrow("sexes_accepted") },
            location: Coordinate(lat: try row.double("lat"), lon: try row.double("lon")),
            postcodeDistrict: try row.optionalString("postcode_district"),
            availableFrom: try row.calendarDate("available_from"),
            availableUntil: try row.optionalCalendarDate("available_until"),
            weeklyRatePence: try row.int64("weekly_rate_pence"), ofstedURN: try row.optionalString("ofsted_urn")
        )
        return Offer(
            id: try row.uuid("id"), authority: try row.string("authority"),
            status: try OfferStatus(rawValue: try row.string("status")).orThrow("status"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"), draft: draft,
            distanceKm: row["distance_km"].flatMap(Double.init)
        )
    }
}

/// A stored row that lists page through, oldest first, by creation time and id.
public protocol ListedRecord {
    var id: UUID { get }
    var createdAt: Date { get }
}

extension Offer: ListedRecord {}
extension Bid: ListedRecord {}
extension Proposal: ListedRecord {}
extension Placement: ListedRecord {}

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
    /// A latitude/longitude box holding every point within `radiusKm` (great-circle, on the
    /// sphere of `Coordinate.earthRadiusKm`) of `centre`, slightly widened against rounding.
    /// No longitude bounds (nil) when the circle reaches a pole or spans the antimeridian.
    static func boundingBox(around centre: Coordinate, radiusKm: Double) -> (minLat: Double, maxLat: Double, minLon: Double?, maxLon: Double?) {
        let angle = max(0, radiusKm) / Coordinate.earthRadiusKm
        let margin = 1e-6
        let dLat = angle * 180 / .pi + margin
        let (minLat, maxLat) = (max(-90, centre.lat - dLat), min(90, centre.lat + dLat))
        // Jan Matuschek's bound: the widest longitude difference at the circle's tangent points.
        let ratio = sin(angle) / cos(centre.lat * .pi / 180)
        guard angle < .pi / 2, minLat > -90, maxLat < 90, ratio < 1 else { return (minLat, maxLat, nil, nil) }
        let dLon = asin(ratio) * 180 / .pi + margin
        guard centre.lon - dLon >= -180, centre.lon + dLon <= 180 else { return (minLat, maxLat, nil, nil) }
        return (minLat, maxLat, centre.lon - dLon, centre.lon + dLon)
    }

    /// Distance in km from the columns `lat`, `lon` to `point` (bound as parameters).
    static func haversine(lat: String, lon: String, to point: Coordinate) -> PostgresQuery {
        let (toLat, toLon) = (point.lat, point.lon)
        return """
            (2 * \(unescaped: String(Coordinate.earthRadiusKm)) * asin(sqrt(power(sin(radians(\(unescaped: lat)::float8 - \(toLat)::float8) / 2), 2) \
            + cos(radians(\(toLat)::float8)) * cos(radians(\(unescaped: lat)::float8)) \
            * power(sin(radians(\(unescaped: lon)::float8 - \(toLon)::float8) / 2), 2))))
            """
    }
}

extension Optional {
    /// The value, or a decoding error naming `column`.
    func orThrow(_ column: String) throws -> Wrapped {
        guard let value = self else { throw RowDecodingError(column: column, reason: "unexpected value") }
        return value
    }
}

extension Row {
    /// A `date` column as a calendar date.
    func calendarDate(_ column: String) throws -> CalendarDate {
        try optionalCalendarDate(column).orThrow(column)
    }

    /// A nullable `date` column as a calendar date, or nil for NULL.
    func optionalCalendarDate(_ column: String) throws -> CalendarDate? {
        guard let text = try optionalString(column) else { return nil }
        guard let date = CalendarDate(iso: text) else { throw RowDecodingError(column: column, reason: "not a date") }
        return date
    }
}
