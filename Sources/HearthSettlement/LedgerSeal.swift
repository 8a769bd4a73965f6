import LibPQ

/// Checksums of the ledger's content, and the seals that record them.
///
/// A checksum covers, for every entry, its idempotency key, kind, placement, night, the key of
/// the entry it reverses, its description and its lines (account and amount) — never ids,
/// timestamps or run numbers, so two ledgers that book the same things the same way have the
/// same checksum however many runs (or killed runs) it took. It is order-independent: the sum
/// of the first 64 bits of each entry's MD5, with the entry count.
public enum LedgerSeal {
    /// The checksum of the entries with ids in `(after, upTo]` (all of them by default).
    public static func checksum(after: Int64 = 0, upTo: Int64 = .max, on connection: PostgresConnection) throws -> String {
        let row = try connection.query(
            """
            SELECT count(*) AS entries,
                   coalesce(sum(('x' || left(md5(
                       e.idempotency_key || '|' || e.kind || '|' || coalesce(e.placement_id::text, '') || '|'
                       || coalesce(to_char(e.night, 'YYYY-MM-DD'), '') || '|' || coalesce(o.idempotency_key, '') || '|'
                       || e.description || '|' || coalesce(l.lines, '')
                   ), 16))::bit(64)::bigint::numeric), 0) AS total
            FROM journal_entries e
            LEFT JOIN journal_entries o ON o.id = e.reverses_entry_id
            LEFT JOIN (
                SELECT entry_id, string_agg(account || ':' || amount_pence, ',' ORDER BY account, amount_pence) AS lines
                FROM journal_lines WHERE entry_id > $1 AND entry_id <= $2 GROUP BY entry_id
            ) l ON l.entry_id = e.id
            WHERE e.id > $1 AND e.id <= $2
            """,
            [after, upTo]
        ).first!
        return "\(try row.int64("entries")):\(try row.string("total"))"
    }

    /// Seals the entries written since the last seal (ids above `after`), if there are any.
    static func seal(after: Int64, runID: Int64?, on connection: PostgresConnection) throws {
        let newest = try connection.query("SELECT coalesce(max(id), 0) AS id FROM journal_entries").first!.int64("id")
        guard newest > after else { return }
        let sum = try checksum(after: after, upTo: newest, on: connection)
        let count = Int64(sum.split(separator: ":").first ?? "0") ?? 0
        try connection.query(
            "INSERT INTO ledger_seals (settlement_run_id, after_entry_id, max_entry_id, entry_count, checksum) VALUES ($1, $2, $3, $4, $5)",
            [runID, after, newest, count, sum]
        )
    }

    /// The highest entry id sealed so far (0 when none).
    static func sealedUpTo(on connection: PostgresConnection) throws -> Int64 {
        try connection.query("SELECT coalesce(max(max_entry_id), 0) AS id FROM ledger_seals").first!.int64("id")
    }
}
