import HearthCore
import HearthStore
import LibPQ

/// Facts about the double-entry ledger shared by the run, statements, checks and contributions.
///
/// Sign convention: a journal line's `amount_pence` is what the exchange owes the account.
/// For a placement night the host authority's line is `+charge` and the placing authority's
/// `-charge`; for a contribution the member's line is `-amount` and the RCC's `+amount`. An
/// account's balance (the sum of its lines) is therefore positive when the exchange owes the
/// authority and negative when the authority owes the exchange.
public enum Ledger {
    /// The RCC's own account (contributions are credited to it).
    public static let rccAccount = "RCC"

    /// The session advisory lock that makes settlement work (nightly runs, contribution
    /// bookings) one at a time across every machine. ASCII "HEARTHST".
    public static let advisoryLockKey: Int64 = 0x4845_4152_5448_5354

    /// The idempotency key of the first booking of a placement night: `placement:night`.
    public static func nightKey(placementID: String, night: CalendarDate) -> String {
        "\(placementID.lowercased()):\(night.iso)"
    }

    /// The idempotency key of a member's contribution for a financial year.
    public static func contributionKey(authority: String, financialYear: Int) -> String {
        "contribution:\(authority):\(financialYear)"
    }

    /// SQL: the night's charge for a placement whose weekly charge is `weekly` and whose night is
    /// `day` days after 1970-01-01. The same split as `NightlyCharge.pence`.
    static func nightlyChargeSQL(weekly: String, day: String) -> String {
        "(\(weekly) / 7 + CASE WHEN ((\(day)) % 7 + 7) % 7 < \(weekly) % 7 THEN 1 ELSE 0 END)"
    }

    /// Takes the settlement lock on `connection`'s session; throws `runInProgress` when
    /// `wait` is false and another session holds it. `onWait` is called once before blocking.
    static func lock(_ connection: PostgresConnection, wait: Bool, onWait: () -> Void = {}) throws {
        let got = try connection.query("SELECT pg_try_advisory_lock($1) AS got", [advisoryLockKey]).first?.bool("got") ?? false
        if got { return }
        guard wait else { throw SettlementError.runInProgress }
        onWait()
        try connection.query("SELECT pg_advisory_lock($1)", [advisoryLockKey])
    }

    /// Releases the settlement lock taken by `lock`.
    static func unlock(_ connection: PostgresConnection) {
        _ = try? connection.query("SELECT pg_advisory_unlock($1)", [advisoryLockKey])
    }

    /// Appends an audit record for settlement's own work (actor kind `settlement`).
    static func audit(_ connection: PostgresConnection, action: String, entity: String, entityID: String?, detailJSON: String) throws {
        try AuditLog.record(connection, actor: .settlement, action: action, entity: entity, entityID: entityID, after: "completed", detailJSON: detailJSON)
    }
}

/// A calendar month, `YYYY-MM`: the period of statements and of `ledger balances --period`.
public struct Period: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int

    /// Parses exactly `YYYY-MM` (years 2000 to 2100); nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]),
              (2000...2100).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// The first night of the month.
    public var firstDay: CalendarDate { CalendarDate(year: year, month: month, day: 1)! }

    /// The first night after the month.
    public var nextFirstDay: CalendarDate {
        month == 12 ? CalendarDate(year: year + 1, month: 1, day: 1)! : CalendarDate(year: year, month: month + 1, day: 1)!
    }

    /// `YYYY-MM`.
    public var description: String { firstDay.iso.prefix(7).description }

    public static func < (lhs: Period, rhs: Period) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }
}
