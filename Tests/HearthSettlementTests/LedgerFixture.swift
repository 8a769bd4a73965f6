import Foundation
import HearthCore
import HearthSettlement
import HearthStore
import HearthTestSupport
import LibPQ
import Logging

let kent = "E10000016"
let bracknell = "E06000036"
let surrey = "E10000030"

/// A fresh, migrated database with three members, and helpers to make placements directly in
/// SQL (as the API would leave them: a confirmed proposal and its placement).
struct LedgerFixture {
    let url: String
    let database: HearthDatabase
    let admin: PostgresConnection

    /// Runs `body` with a fixture on a fresh database, closed and dropped afterwards.
    static func with<T>(_ body: (LedgerFixture) async throws -> T) async throws -> T {
        try await TestDatabase.withFreshDatabase { url in
            var logger = Logger(label: "settlement-tests")
            logger.logLevel = .warning
            let database = try await HearthDatabase.open(url: url, poolSize: 2, applicationName: "settlement-tests", logger: logger)
            do {
                _ = try await database.migrate()
                let admin = try PostgresConnection(url: url)
                try admin.execute(
                    """
                    INSERT INTO authorities (code, name, lat, lon) VALUES
                        ('E10000016', 'Kent', 51.28, 0.52), ('E06000036', 'Bracknell Forest', 51.41, -0.75), ('E10000030', 'Surrey', 51.22, -0.20)
                    """
                )
                let value = try await body(LedgerFixture(url: url, database: database, admin: admin))
                await database.close()
                return value
            } catch {
                await database.close()
                throw error
            }
        }
    }

    /// Makes a confirmed placement and returns its id.
    @discardableResult
    func placement(placing: String, host: String, weekly: Int64, beds: Int = 1, start: String, end: String? = nil) throws -> String {
        try admin.query(
            """
            WITH o AS (
                INSERT INTO offers (authority, setting, capacity, age_min, age_max, sexes_accepted, lat, lon, available_from, weekly_rate_pence)
                VALUES ($2, 'foster', 8, 0, 17, '{female,male,other}', 51.30, 0.50, '2020-01-01', $3) RETURNING id
            ), b AS (
                INSERT INTO bids (authority, child_ref, group_size, age, sex, settings_acceptable, home_lat, home_lon, urgency, needed_by)
                VALUES ($1, 'T-' || gen_random_uuid(), $4, 10, 'female', '{foster}', 51.30, 0.50, 'planned', '2020-01-01') RETURNING id
            ), q AS (
                INSERT INTO proposals (bid_id, offer_id, placing_authority, host_authority, beds, distance_km, weekly_rate_pence, status, expires_at)
                SELECT b.id, o.id, $1, $2, $4, 1, $3, 'confirmed', now() FROM o, b RETURNING id, bid_id, offer_id
            )
            INSERT INTO placements (proposal_id, bid_id, offer_id, placing_authority, host_authority, beds, weekly_rate_pence, start_date, end_date)
            SELECT id, bid_id, offer_id, $1, $2, $4, $3, $5::date, $6::date FROM q RETURNING id::text AS id
            """,
            [placing, host, weekly, beds, start, end]
        ).first!.string("id")
    }

    /// Runs settlement through `through`.
    @discardableResult
    func settle(through: String, batchPlacements: Int = 10_000, batchNights: Int = 14) async throws -> SettlementSummary {
        try await SettlementRunner(database: database, logger: database.logger, batchPlacements: batchPlacements, batchNights: batchNights)
            .run(through: CalendarDate(iso: through)!)
    }

    /// Every account's balance, by code.
    func balances(period: String? = nil) async throws -> [String: Int64] {
        let month = period.flatMap(Period.init)
        let rows = try await database.pool.withConnection { try LedgerBalances.balances(period: month, on: $0) }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.authority, $0.balancePence) })
    }

    /// The ledger check.
    func verify() async throws -> LedgerVerification {
        try await database.pool.withConnection { try LedgerVerifier.verify(on: $0) }
    }

    /// The placement's booked nights (net of reversals) and their charges, by night.
    func bookedNights(_ placement: String) throws -> [String: Int64] {
        let rows = try admin.query(
            """
            SELECT to_char(e.night, 'YYYY-MM-DD') AS night, l.amount_pence FROM journal_entries e
            JOIN journal_lines l ON l.entry_id = e.id
            JOIN placements p ON p.id = e.placement_id AND l.account = p.host_authority
            WHERE e.placement_id = $1::uuid AND e.kind = 'placement_night'
              AND NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.reverses_entry_id = e.id)
            """,
            [placement]
        ).rows
        return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.string("night"), try $0.int64("amount_pence")) })
    }
}

/// The nights from `start` for `count` days, as ISO dates.
func nights(from start: String, count: Int) -> [CalendarDate] {
    let first = CalendarDate(iso: start)!
    return (0..<count).map { first.adding(days: $0) }
}
