import Foundation
import HearthCore
import LibPQ

/// A member of the Regional Care Cooperative.
public struct Authority: Sendable, Equatable, Codable {
    /// ONS code, e.g. `E10000016`.
    public let code: String
    /// Name, e.g. `Kent`.
    public let name: String
    /// Latitude of its centre, rounded to 2 decimal places.
    public let lat: Double
    /// Longitude of its centre, rounded to 2 decimal places.
    public let lon: Double
    /// Whether it takes part in the exchange.
    public let active: Bool
    /// Share of the region's looked-after children (%), where known.
    public let lacSharePct: Double?

    /// Creates an authority value; coordinates are rounded to 2 decimal places (about 1 km).
    public init(code: String, name: String, lat: Double, lon: Double, active: Bool = true, lacSharePct: Double? = nil) {
        self.code = code
        self.name = name
        self.lat = (lat * 100).rounded() / 100
        self.lon = (lon * 100).rounded() / 100
        self.active = active
        self.lacSharePct = lacSharePct
    }

    /// Every problem with the values; empty when valid.
    public var problems: [FieldProblem] {
        var found: [FieldProblem] = []
        if code.range(of: "^[EWSN][0-9]{8}$", options: .regularExpression) == nil {
            found.append(FieldProblem("code", "must be an ONS code such as E10000016"))
        }
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.unicodeScalars.count > 120 || trimmed != name {
            found.append(FieldProblem("name", "must be 1 to 120 characters without leading or trailing spaces"))
        }
        if !(49...61).contains(lat) { found.append(FieldProblem("lat", "must be within the UK (49 to 61)")) }
        if !(-9...2).contains(lon) { found.append(FieldProblem("lon", "must be within the UK (-9 to 2)")) }
        if let share = lacSharePct, !(0...100).contains(share) { found.append(FieldProblem("lac_share_pct", "must be 0 to 100")) }
        return found
    }
}

/// Reads and writes members. Synchronous: call inside `ConnectionPool.withTransaction`.
public enum AuthorityRepository {
    /// Adds a member and audits it. Throws `StoreError.conflict` if the code exists.
    public static func add(_ authority: Authority, actor: Actor, on connection: PostgresConnection) throws {
        do {
            try connection.run(
                """
                INSERT INTO authorities (code, name, lat, lon, active, lac_share_pct)
                VALUES (\(authority.code), \(authority.name), \(authority.lat), \(authority.lon), \(authority.active), \(authority.lacSharePct))
                """
            )
        } catch let error as PostgresError where error.code == .uniqueViolation {
            throw StoreError.conflict("authority \(authority.code) already exists")
        }
        try AuditLog.record(connection, actor: actor, action: "authority.add", entity: "authority", entityID: authority.code, after: "active")
    }

    /// Every member, by name.
    public static func all(on connection: PostgresConnection) throws -> [Authority] {
        try connection.run("SELECT code, name, lat, lon, active, lac_share_pct FROM authorities ORDER BY name").rows.map(authority)
    }

    /// One member, or nil.
    public static func find(code: String, on connection: PostgresConnection) throws -> Authority? {
        try connection.first("SELECT code, name, lat, lon, active, lac_share_pct FROM authorities WHERE code = \(code)").map(authority)
    }

    private static func authority(_ row: Row) throws -> Authority {
        Authority(
            code: try row.string("code"), name: try row.string("name"), lat: try row.double("lat"), lon: try row.double("lon"),
            active: try row.bool("active"), lacSharePct: try row.optionalDouble("lac_share_pct")
        )
    }
}

/// A store operation was refused for a reason the caller can act on.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Something with that identity exists already.
    case conflict(String)
    /// Nothing matched.
    case notFound(String)

    public var description: String {
        switch self {
        case .conflict(let message), .notFound(let message): message
        }
    }
}
