import Foundation
import HearthCore
import HearthStore
import LibPQ
import Logging

/// What one settlement run did.
public struct SettlementSummary: Sendable, Equatable, Codable {
    /// The run's id in `settlement_runs`.
    public let runID: Int64
    /// The last night the run booked up to (inclusive).
    public let through: CalendarDate
    /// Placement nights booked (entries of kind `placement_night`).
    public let nightsBooked: Int64
    /// Nights reversed because their placement ended before them.
    public let nightsReversed: Int64
    /// Journal entries written: nights booked plus reversals.
    public let entriesBooked: Int64
    /// Transactions committed.
    public let batches: Int
    /// Wall-clock seconds.
    public let seconds: Double
}

/// The nightly settlement run: books every placement night up to a date into the ledger.
///
/// For each confirmed placement between two different authorities, every night from its start
/// to the night before its end (or `through`) not yet booked becomes one journal entry: the
/// placing authority's line `-charge`, the host authority's `+charge`, where the charge is
/// `NightlyCharge` of `weekly_rate_pence × beds`. Nights booked past a (back-dated) end are
/// reversed by an entry with the opposite lines.
///
/// The work is set-based SQL (`INSERT … SELECT` over `generate_series`), committed in batches
/// of at most `batchPlacements × batchNights` nights; every batch books, for a slice of
/// placements, the nights after the last night already booked, so a run killed at any moment
/// leaves a consistent prefix and the next run carries on from it. Idempotency keys
/// (`placement:night`) are unique in the database, so nothing is ever booked twice.
///
/// One run at a time across every machine: the run holds the session advisory lock
/// `Ledger.advisoryLockKey` on its connection; a second run waits for it (or, with `wait: false`,
/// throws `SettlementError.runInProgress`). A killed run's session ends and frees the lock.
public struct SettlementRunner: Sendable {
    let database: HearthDatabase
    let logger: Logger
    /// Placements per batch.
    public let batchPlacements: Int
    /// Nights per placement per batch.
    public let batchNights: Int

    /// - Parameters:
    ///   - batchPlacements: placements a batch covers (1…1,000,000).
    ///   - batchNights: nights per placement a batch books at most (7…3,660: a week always
    ///     holds a night with a charge, so every batch makes progress).
    public init(database: HearthDatabase, logger: Logger, batchPlacements: Int = 10_000, batchNights: Int = 14) {
        self.database = database
        self.logger = logger
        self.batchPlacements = min(max(batchPlacements, 1), 1_000_000)
        self.batchNights = min(max(batchNights, 7), 3660)
    }

    /// Books every night up to and including `through`. Waits for another run to finish when
    /// `wait` is true; otherwise throws `SettlementError.runInProgress` at once.
    public func run(through: CalendarDate, wait: Bool = true) async throws -> SettlementSummary {
        let runner = self
        return try await database.pool.withConnection { connection in
            try runner.run(through: through, wait: wait, on: connection)
        }
    }

    /// The synchronous body of `run`, on a connection the caller holds (outside a transaction).
    public func run(through: CalendarDate, wait: Bool, on connection: PostgresConnection) throws -> SettlementSummary {
        // A backend whose client was killed in the middle of a long statement notices within a
        // second and rolls back, which frees the lock for the next run sooner.
        _ = try? connection.query("SELECT set_config('client_connection_check_interval', '1000', false)")
        try Ledger.lock(connection, wait: wait) {
            logger.notice("another settlement run is in progress: waiting for it to finish")
        }
        defer { Ledger.unlock(connection) }

        let started = Date()
        let runID = try connection.transaction(scope: .all) { transaction in
            try transaction.query(
                "UPDATE settlement_runs SET status = 'failed', finished_at = now(), error = 'interrupted' WHERE status = 'running'"
            )
            return try transaction.query(
                "INSERT INTO settlement_runs (through_date) VALUES ($1::date) RETURNING id", [through.iso]
            ).first!.int64("id")
        }
        logger.info("settlement run started", metadata: ["run": "\(runID)", "through": "\(through.iso)"])
        var nights: Int64 = 0
        var reversed: Int64 = 0
        var batches = 0
        do {
            let sealedUpTo = try connection.query("SELECT coalesce(max(max_entry_id), 0) AS id FROM ledger_seals").first!.int64("id")

            // 1. Reverse nights booked past a placement's end.
            while true {
                let count = try batch(runID: runID, on: connection) { try Self.reverse(limit: batchPlacements, runID: runID, on: $0) }
                batches += 1
                reversed += count.reversed
                if count.reversed < Int64(batchPlacements) { break }
            }
            // 2. Re-book nights reversed earlier that are inside their placement's dates again.
            let rebooked = try batch(runID: runID, on: connection) { try Self.rebook(through: through, runID: runID, on: $0) }
            batches += 1
            nights += rebooked.nights

            // 3. Book new nights, slice by slice of placements.
            var lower: String?
            while true {
                let upper = try connection.transaction(scope: .all) { try Self.sliceUpperBound(after: lower, through: through, size: batchPlacements, on: $0) }
                while true {
                    let booked = try batch(runID: runID, on: connection) {
                        try Self.bookNights(after: lower, upTo: upper, through: through, window: batchNights, runID: runID, on: $0)
                    }
                    batches += 1
                    nights += booked.nights
                    logger.debug("settlement batch committed", metadata: ["run": "\(runID)", "nights": "\(booked.nights)"])
                    if booked.nights == 0 { break }
                }
                guard let upper else { break }
                lower = upper
            }

            let summary = SettlementSummary(
                runID: runID, through: through, nightsBooked: nights, nightsReversed: reversed, entriesBooked: nights + reversed,
                batches: batches, seconds: Date().timeIntervalSince(started)
            )
            try connection.transaction(scope: .all) { transaction in
                try LedgerSeal.seal(after: sealedUpTo, runID: runID, on: transaction)
                try transaction.query(
                    "UPDATE settlement_runs SET status = 'completed', finished_at = now() WHERE id = $1", [runID]
                )
                try Ledger.audit(
                    transaction, action: "settlement.run", entity: "settlement_run", entityID: String(runID),
                    detailJSON: #"{"through": "\#(through.iso)", "nights_booked": \#(nights), "nights_reversed": \#(reversed)}"#
                )
            }
            logger.info(
                "settlement run completed",
                metadata: ["run": "\(runID)", "nights": "\(nights)", "reversed": "\(reversed)", "seconds": "\(String(format: "%.1f", summary.seconds))"]
            )
            return summary
        } catch {
            logger.error("settlement run failed", metadata: ["run": "\(runID)", "error": "\(error)"])
            if connection.isIdle {
                _ = try? connection.transaction(scope: .all) { transaction in
                    try transaction.query(
                        "UPDATE settlement_runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1",
                        [runID, String(describing: error)]
                    )
                }
            }
            throw error
        }
    }

    /// What a batch booked.
    struct BatchCount {
        var nights: Int64 = 0
        var reversed: Int64 = 0
    }

    /// Runs one batch in its own transaction and adds its counts to the run's row, so the row
    /// always describes exactly what has been committed.
    private func batch(runID: Int64, on connection: PostgresConnection, _ work: (PostgresConnection) throws -> BatchCount) throws -> BatchCount {
        try connection.transaction(scope: .all) { transaction in
            let count = try work(transaction)
            if count.nights + count.reversed > 0 {
                try transaction.query(
                    "UPDATE settlement_runs SET nights_booked = nights_booked + $2, entries_booked = entries_booked + $3 WHERE id = $1",
                    [runID, count.nights, count.nights + count.reversed]
                )
            }
            return count
        }
    }

    /// The placements settlement considers: between two authorities, started by `through`,
    /// with a charge. `$through` is the date parameter's place in the statement.
    static func chargeablePlacements(through: String) -> String {
        "p.placing_authority <> p.host_authority AND p.start_date <= \(through)::date AND p.weekly_rate_pence > 0"
    }

    /// The id that ends the slice of `size` chargeable placements after `lower` (by id), or nil
    /// when the slice runs to the last placement.
    static func sliceUpperBound(after lower: String?, through: CalendarDate, size: Int, on connection: PostgresConnection) throws -> String? {
        try connection.query(
            """
            SELECT p.id::text AS id FROM placements p
            WHERE ($1::uuid IS NULL OR p.id > $1::uuid) AND \(chargeablePlacements(through: "$2"))
            ORDER BY p.id OFFSET $3 LIMIT 1
            """,
            [lower, through.iso, size - 1]
        ).first?.string("id")
    }

    /// Books, for the chargeable placements with ids in `(lower, upper]`, up to `window` nights
    /// each after the last night already booked and up to `through` (and before the end).
    static func bookNights(
        after lower: String?, upTo upper: String?, through: CalendarDate, window: Int, runID: Int64, on connection: PostgresConnection
    ) throws -> BatchCount {
        let charge = Ledger.nightlyChargeSQL(weekly: "s.weekly", day: "d.day")
        let result = try connection.query(
            """
            WITH slice AS (
                SELECT p.id, p.placing_authority, p.host_authority, p.weekly_rate_pence * p.beds AS weekly,
                       greatest(p.start_date, booked.last_night + 1) - DATE '1970-01-01' AS first_day,
                       least(coalesce(p.end_date - 1, $3::date), $3::date) - DATE '1970-01-01' AS last_day
                FROM placements p
                LEFT JOIN LATERAL (
                    SELECT max(e.night) AS last_night FROM journal_entries e
                    WHERE e.placement_id = p.id AND e.kind = 'placement_night'
                ) booked ON true
                WHERE ($1::uuid IS NULL OR p.id > $1::uuid) AND ($2::uuid IS NULL OR p.id <= $2::uuid)
                  AND \(chargeablePlacements(through: "$3"))
            ),
            nights AS MATERIALIZED (
                SELECT nextval('journal_entries_id_seq') AS entry_id, n.* FROM (
                    SELECT s.id AS placement_id, s.placing_authority, s.host_authority,
                           DATE '1970-01-01' + d.day AS night, \(charge) AS amount
                    FROM slice s CROSS JOIN LATERAL generate_series(s.first_day, least(s.last_day, s.first_day + $4 - 1)) AS d(day)
                ) n
                WHERE n.amount <> 0
            ),
            entries AS (
                INSERT INTO journal_entries (id, idempotency_key, kind, placement_id, night, settlement_run_id, description)
                SELECT entry_id, placement_id::text || ':' || to_char(night, 'YYYY-MM-DD'), 'placement_night', placement_id, night, $5,
                       'placement night'
                FROM nights
            ),
            lines AS (
                INSERT INTO journal_lines (entry_id, account, amount_pence)
                SELECT n.entry_id, l.account, l.amount FROM nights n
                CROSS JOIN LATERAL (VALUES (n.placing_authority, -n.amount), (n.host_authority, n.amount)) AS l(account, amount)
            )
            SELECT count(*) AS nights FROM nights
            """,
            [lower, upper, through.iso, window, runID]
        )
        return BatchCount(nights: try result.first?.int64("nights") ?? 0)
    }

    /// Reverses up to `limit` nights booked on or after their placement's end date.
    static func reverse(limit: Int, runID: Int64, on connection: PostgresConnection) throws -> BatchCount {
        let result = try connection.query(
            """
            WITH stale AS MATERIALIZED (
                SELECT nextval('journal_entries_id_seq') AS entry_id, s.* FROM (
                    SELECT e.id AS original_id, e.idempotency_key, e.placement_id, e.night
                    FROM placements p
                    JOIN journal_entries e ON e.placement_id = p.id AND e.night >= p.end_date AND e.kind = 'placement_night'
                    WHERE p.end_date IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.reverses_entry_id = e.id)
                    ORDER BY e.id
                    LIMIT $1
                ) s
            ),
            entries AS (
                INSERT INTO journal_entries (id, idempotency_key, kind, placement_id, night, reverses_entry_id, settlement_run_id, description)
                SELECT entry_id, idempotency_key || ':reversal', 'reversal', placement_id, night, original_id, $2,
                       'reversal: the placement ended before this night'
                FROM stale
            ),
            lines AS (
                INSERT INTO journal_lines (entry_id, account, amount_pence)
                SELECT s.entry_id, l.account, -l.amount_pence FROM stale s JOIN journal_lines l ON l.entry_id = s.original_id
            )
            SELECT count(*) AS reversed FROM stale
            """,
            [limit, runID]
        )
        return BatchCount(reversed: try result.first?.int64("reversed") ?? 0)
    }

    /// Books again the nights that were reversed and are inside their placement's dates once
    /// more (an end date moved later by a correction). The n-th booking of a night has the key
    /// `placement:night:n`. Rare, so one statement.
    static func rebook(through: CalendarDate, runID: Int64, on connection: PostgresConnection) throws -> BatchCount {
        let charge = Ledger.nightlyChargeSQL(weekly: "(p.weekly_rate_pence * p.beds)", day: "(c.night - DATE '1970-01-01')")
        let result = try connection.query(
            """
            WITH candidates AS (
                SELECT DISTINCT r.placement_id, r.night FROM journal_entries r
                JOIN placements p ON p.id = r.placement_id
                WHERE r.kind = 'reversal' AND r.night >= p.start_date AND r.night <= $1::date
                  AND (p.end_date IS NULL OR r.night < p.end_date) AND \(chargeablePlacements(through: "$1"))
                  AND NOT EXISTS (
                      SELECT 1 FROM journal_entries e
                      WHERE e.placement_id = r.placement_id AND e.night = r.night AND e.kind = 'placement_night'
                        AND NOT EXISTS (SELECT 1 FROM journal_entries x WHERE x.reverses_entry_id = e.id)
                  )
            ),
            nights AS MATERIALIZED (
                SELECT nextval('journal_entries_id_seq') AS entry_id, n.* FROM (
                    SELECT c.placement_id, c.night, p.placing_authority, p.host_authority, \(charge) AS amount,
                           (SELECT count(*) FROM journal_entries e
                            WHERE e.placement_id = c.placement_id AND e.night = c.night AND e.kind = 'placement_night') + 1 AS generation
                    FROM candidates c JOIN placements p ON p.id = c.placement_id
                ) n
                WHERE n.amount <> 0
            ),
            entries AS (
                INSERT INTO journal_entries (id, idempotency_key, kind, placement_id, night, settlement_run_id, description)
                SELECT entry_id, placement_id::text || ':' || to_char(night, 'YYYY-MM-DD') || ':' || generation, 'placement_night',
                       placement_id, night, $2, 'placement night (booked again)'
                FROM nights
            ),
            lines AS (
                INSERT INTO journal_lines (entry_id, account, amount_pence)
                SELECT n.entry_id, l.account, l.amount FROM nights n
                CROSS JOIN LATERAL (VALUES (n.placing_authority, -n.amount), (n.host_authority, n.amount)) AS l(account, amount)
            )
            SELECT count(*) AS nights FROM nights
            """,
            [through.iso, runID]
        )
        return BatchCount(nights: try result.first?.int64("nights") ?? 0)
    }
}
