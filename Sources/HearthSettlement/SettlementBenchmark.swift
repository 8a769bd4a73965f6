import Foundation
import HearthCore
import HearthStore
import LibPQ
import Logging

/// Times a settlement run against the raw `INSERT … SELECT` of the same journal rows.
///
/// Each scenario uses two fresh databases on the server (created and dropped here), migrated
/// and seeded with the same placements: in one, `SettlementRunner` books the nights (batches,
/// locks, row-level security, watermark, seal and all); in the other, one `INSERT … SELECT`
/// statement writes the same entries and lines into the same tables (same indexes, triggers
/// and constraints) and commits. The ratio is settlement time over raw time.
public struct SettlementBenchmark: Sendable {
    /// One scenario's figures.
    public struct Result: Sendable, Codable {
        /// What was booked, e.g. "1 night × 100000 placements".
        public let scenario: String
        /// Nights (journal entries) booked.
        public let nights: Int64
        /// Seconds for `hearth-settle run`.
        public let settleSeconds: Double
        /// Seconds for the raw `INSERT … SELECT`.
        public let rawSeconds: Double
        /// settle / raw.
        public var ratio: Double { settleSeconds / rawSeconds }
    }

    let serverURL: String
    let logger: Logger

    /// - Parameter serverURL: a PostgreSQL URL whose user may create databases.
    public init(serverURL: String, logger: Logger) {
        self.serverURL = serverURL
        self.logger = logger
    }

    /// Books `nights` nights (ending on `through`) for each of `placements` placements, both ways.
    public func measure(placements: Int, nights: Int, through: CalendarDate = CalendarDate(iso: "2026-06-30")!) async throws -> Result {
        let start = through.adding(days: -(nights - 1))
        let settle = try await withScratchDatabase { url in
            let database = try await HearthDatabase.open(url: url, poolSize: 1, applicationName: "hearth-settle-bench", logger: logger)
            do {
                _ = try await database.migrate()
                try await database.pool.withConnection { try Self.seed(placements: placements, start: start, on: $0) }
                let clock = ContinuousClock.now
                let summary = try await SettlementRunner(database: database, logger: logger).run(through: through)
                let elapsed = ContinuousClock.now - clock
                await database.close()
                return (summary.nightsBooked, Self.seconds(elapsed))
            } catch {
                await database.close()
                throw error
            }
        }
        let raw = try await withScratchDatabase { url in
            let database = try await HearthDatabase.open(url: url, poolSize: 1, applicationName: "hearth-settle-bench", logger: logger)
            do {
                _ = try await database.migrate()
                let result = try await database.pool.withConnection { connection in
                    try Self.seed(placements: placements, start: start, on: connection)
                    let clock = ContinuousClock.now
                    let rows = try connection.transaction { try Self.rawInsert(through: through, on: $0) }
                    return (rows, Self.seconds(ContinuousClock.now - clock))
                }
                await database.close()
                return result
            } catch {
                await database.close()
                throw error
            }
        }
        guard settle.0 == raw.0 else {
            throw SettlementError.invalidInput("the benchmark booked \(settle.0) nights but the raw insert wrote \(raw.0)")
        }
        let label = nights == 1 ? "1 night × \(placements) placements" : "\(nights) nights × \(placements) placements"
        return Result(scenario: label, nights: settle.0, settleSeconds: settle.1, rawSeconds: raw.1)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func withScratchDatabase<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let name = "hearth_bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let admin = try PostgresConnection(url: serverURL, applicationName: "hearth-settle-bench")
        try admin.execute("CREATE DATABASE \(name)")
        guard var components = URLComponents(string: serverURL) else {
            throw SettlementError.invalidInput("--server-url must be a postgresql:// URL")
        }
        components.path = "/" + name
        do {
            let value = try await body(components.string ?? serverURL)
            try? admin.execute("DROP DATABASE \(name) WITH (FORCE)")
            return value
        } catch {
            try? admin.execute("DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Three members and `placements` placements between them, all starting on `start`.
    static func seed(placements: Int, start: CalendarDate, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO authorities (code, name, lat, lon) VALUES
                ('E10000016', 'Kent', 51.28, 0.52), ('E06000036', 'Bracknell Forest', 51.41, -0.75), ('E10000030', 'Surrey', 51.22, -0.20);
            """
        )
        try connection.query(
            """
            WITH numbers AS (
                SELECT i, (ARRAY['E10000016', 'E06000036', 'E10000030'])[1 + i % 3] AS placer,
                       (ARRAY['E10000016', 'E06000036', 'E10000030'])[1 + (i + 1) % 3] AS host, 60000 + (i * 37) % 50000 AS weekly
                FROM generate_series(1, $1::int) AS i
            ), offers_made AS (
                INSERT INTO offers (id, authority, setting, capacity, age_min, age_max, sexes_accepted, lat, lon, available_from, weekly_rate_pence)
                SELECT md5('o' || i)::uuid, host, 'foster', 1, 0, 17, '{female,male,other}', 51.3, 0.5, '2020-01-01', weekly FROM numbers
            ), bids_made AS (
                INSERT INTO bids (id, authority, child_ref, age, sex, settings_acceptable, home_lat, home_lon, urgency, needed_by, status)
                SELECT md5('b' || i)::uuid, placer, 'BENCH-' || i, 10, 'female', '{foster}', 51.3, 0.5, 'planned', '2020-01-01', 'placed' FROM numbers
            )
            INSERT INTO proposals (id, bid_id, offer_id, placing_authority, host_authority, beds, distance_km, weekly_rate_pence, status, expires_at)
            SELECT md5('q' || i)::uuid, md5('b' || i)::uuid, md5('o' || i)::uuid, placer, host, 1, 1, weekly, 'confirmed', now() FROM numbers
            """,
            [placements]
        )
        try connection.query(
            """
            INSERT INTO placements (id, proposal_id, bid_id, offer_id, placing_authority, host_authority, beds, weekly_rate_pence, start_date)
            SELECT md5('p' || i)::uuid, q.id, q.bid_id, q.offer_id, q.placing_authority, q.host_authority, 1, q.weekly_rate_pence, $2::date
            FROM generate_series(1, $1::int) AS i JOIN proposals q ON q.id = md5('q' || i)::uuid
            """,
            [placements, start.iso]
        )
        try connection.execute("ANALYZE")
    }

    /// The raw `INSERT … SELECT`: every night of every placement up to `through`, entries and
    /// lines, in one statement. Returns the nights written.
    static func rawInsert(through: CalendarDate, on connection: PostgresConnection) throws -> Int64 {
        let charge = Ledger.nightlyChargeSQL(weekly: "(p.weekly_rate_pence * p.beds)", day: "d.day")
        return try connection.query(
            """
            WITH nights AS MATERIALIZED (
                SELECT nextval('journal_entries_id_seq') AS entry_id, n.* FROM (
                    SELECT p.id AS placement_id, p.placing_authority, p.host_authority, DATE '1970-01-01' + d.day AS night, \(charge) AS amount
                    FROM placements p CROSS JOIN LATERAL generate_series(p.start_date - DATE '1970-01-01', $1::date - DATE '1970-01-01') AS d(day)
                ) n
                WHERE n.amount <> 0
            ),
            entries AS (
                INSERT INTO journal_entries (id, idempotency_key, kind, placement_id, night, description)
                SELECT entry_id, placement_id::text || ':' || to_char(night, 'YYYY-MM-DD'), 'placement_night', placement_id, night, 'placement night'
                FROM nights
            ),
            lines AS (
                INSERT INTO journal_lines (entry_id, account, amount_pence)
                SELECT n.entry_id, l.account, l.amount FROM nights n
                CROSS JOIN LATERAL (VALUES (n.placing_authority, -n.amount), (n.host_authority, n.amount)) AS l(account, amount)
            )
            SELECT count(*) AS nights FROM nights
            """,
            [through.iso]
        ).first!.int64("nights")
    }
}
