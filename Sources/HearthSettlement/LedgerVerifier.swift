import LibPQ

/// The result of one ledger invariant check.
public struct LedgerCheck: Sendable, Equatable, Codable {
    /// A short name, e.g. `entries_balance`.
    public let name: String
    /// What the check guarantees, in words.
    public let summary: String
    /// True when no breach was found.
    public let passed: Bool
    /// Up to a few examples of breaches (entry ids, placement ids and nights): never child data.
    public let breaches: [String]
}

/// The ledger's verdict: every check, and the checksum of the whole ledger.
public struct LedgerVerification: Sendable, Equatable, Codable {
    /// Every check, in order.
    public let checks: [LedgerCheck]
    /// `LedgerSeal.checksum` of the whole ledger.
    public let checksum: String
    /// True when every check passed.
    public var passed: Bool { checks.allSatisfy(\.passed) }
}

/// Checks every invariant of the ledger. Read-only; run it as often as you like.
///
/// Checks: each entry's lines sum to zero (and there are at least two); all balances sum to
/// zero; no placement night is booked twice (after reversals); every booked night belongs to a
/// placement between two authorities, inside its dates, with the right amounts; every reversal
/// undoes exactly the entry it reverses; every contribution moves money from a member to the RCC;
/// nothing was edited (append-only triggers in place, the application role unable to change the
/// ledger, and every seal's checksum still matching).
public enum LedgerVerifier {
    /// Runs every check on `connection` (in one repeatable-read transaction, for a consistent view).
    public static func verify(on connection: PostgresConnection) throws -> LedgerVerification {
        try connection.transaction(scope: .all, isolation: .repeatableRead) { transaction in
            // Every check reads whole tables: hash and merge joins are always the right plan. A
            // nested loop, which a planner without fresh statistics (a ledger just booked) may
            // choose, turns a check of a few hundred thousand entries from seconds into hours.
            try transaction.execute("SET LOCAL enable_nestloop = off")
            var checks: [LedgerCheck] = []
            func check(_ name: String, _ summary: String, _ sql: String) throws {
                let rows = try transaction.query(sql + " LIMIT 5").rows
                checks.append(LedgerCheck(name: name, summary: summary, passed: rows.isEmpty, breaches: try rows.map { try $0.string("breach") }))
            }
            try check(
                "entries_balance", "every entry has at least two lines and they sum to zero",
                """
                SELECT 'entry ' || e.id || ' (' || e.idempotency_key || '): ' || count(l.id) || ' lines summing to ' || coalesce(sum(l.amount_pence), 0) AS breach
                FROM journal_entries e LEFT JOIN journal_lines l ON l.entry_id = e.id
                GROUP BY e.id HAVING count(l.id) < 2 OR coalesce(sum(l.amount_pence), 0) <> 0
                """
            )
            try check(
                "balances_sum_to_zero", "the balances of all accounts (members and the RCC) sum to zero",
                "SELECT 'all accounts sum to ' || sum(amount_pence) AS breach FROM journal_lines HAVING coalesce(sum(amount_pence), 0) <> 0"
            )
            try check(
                "accounts_known", "every line's account is a member authority or the RCC",
                """
                SELECT 'entry ' || l.entry_id || ' has a line for unknown account ' || l.account AS breach FROM journal_lines l
                WHERE l.account <> 'RCC' AND NOT EXISTS (SELECT 1 FROM authorities a WHERE a.code = l.account)
                """
            )
            try check(
                "no_night_booked_twice", "no placement night is booked twice (after reversals)",
                """
                SELECT 'placement ' || e.placement_id || ' night ' || e.night || ' booked ' || count(*) || ' times' AS breach
                FROM journal_entries e
                WHERE e.kind = 'placement_night' AND NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.reverses_entry_id = e.id)
                GROUP BY e.placement_id, e.night HAVING count(*) > 1
                """
            )
            let charge = Ledger.nightlyChargeSQL(weekly: "(p.weekly_rate_pence * p.beds)", day: "(e.night - DATE '1970-01-01')")
            try check(
                "nights_within_placements",
                "every booked night (after reversals) belongs to a confirmed placement between two authorities, within its dates, debiting the placing and crediting the host authority the night's charge",
                """
                SELECT 'entry ' || e.id || ' (' || e.idempotency_key || ')' AS breach
                FROM journal_entries e
                LEFT JOIN placements p ON p.id = e.placement_id
                LEFT JOIN journal_entries r ON r.reverses_entry_id = e.id
                LEFT JOIN (
                    SELECT entry_id, count(*) AS lines, min(amount_pence) AS debit, max(amount_pence) AS credit,
                           min(account) FILTER (WHERE amount_pence < 0) AS debited, min(account) FILTER (WHERE amount_pence > 0) AS credited
                    FROM journal_lines GROUP BY entry_id
                ) l ON l.entry_id = e.id
                WHERE e.kind = 'placement_night' AND r.id IS NULL
                  AND (p.id IS NULL OR p.placing_authority = p.host_authority
                       OR e.night < p.start_date OR (p.end_date IS NOT NULL AND e.night >= p.end_date)
                       OR l.lines IS DISTINCT FROM 2
                       OR l.debited IS DISTINCT FROM p.placing_authority OR l.debit <> -\(charge)
                       OR l.credited IS DISTINCT FROM p.host_authority OR l.credit <> \(charge))
                """
            )
            try check(
                "reversals_undo_their_entry", "every reversal reverses a booked night and has exactly the opposite lines",
                """
                SELECT 'reversal ' || r.id || ' (' || r.idempotency_key || ')' AS breach
                FROM journal_entries r JOIN journal_entries o ON o.id = r.reverses_entry_id
                WHERE o.kind <> 'placement_night' OR o.placement_id IS DISTINCT FROM r.placement_id OR o.night IS DISTINCT FROM r.night
                   OR (SELECT string_agg(account || ':' || (-amount_pence), ',' ORDER BY account, -amount_pence) FROM journal_lines WHERE entry_id = o.id)
                      IS DISTINCT FROM
                      (SELECT string_agg(account || ':' || amount_pence, ',' ORDER BY account, amount_pence) FROM journal_lines WHERE entry_id = r.id)
                """
            )
            try check(
                "contributions_to_the_rcc", "every contribution debits one member and credits the RCC the amount recorded for that member and year",
                """
                SELECT 'contribution entry ' || e.id || ' (' || e.idempotency_key || ')' AS breach
                FROM journal_entries e LEFT JOIN contribution_charges c ON c.entry_id = e.id
                WHERE e.kind = 'contribution'
                  AND (c.entry_id IS NULL
                       OR (SELECT count(*) FROM journal_lines l WHERE l.entry_id = e.id) <> 2
                       OR NOT EXISTS (SELECT 1 FROM journal_lines l WHERE l.entry_id = e.id AND l.account = c.authority AND l.amount_pence = -c.amount_pence)
                       OR NOT EXISTS (SELECT 1 FROM journal_lines l WHERE l.entry_id = e.id AND l.account = 'RCC' AND l.amount_pence = c.amount_pence))
                """
            )
            try check(
                "append_only_enforced", "the append-only triggers are in place and enabled, and the application role cannot change the ledger",
                """
                SELECT 'trigger ' || t.name || ' is missing or disabled' AS breach
                FROM unnest(ARRAY['journal_entries_append_only', 'journal_entries_no_truncate', 'journal_lines_append_only',
                                  'journal_lines_no_truncate', 'journal_lines_balance', 'journal_entries_have_lines']) AS t(name)
                WHERE NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgname = t.name AND g.tgenabled <> 'D')
                UNION ALL
                SELECT 'hearth_app may ' || g.privilege || ' ' || t.tab AS breach
                FROM (VALUES ('journal_entries'), ('journal_lines')) AS t(tab)
                CROSS JOIN (VALUES ('UPDATE'), ('DELETE'), ('TRUNCATE')) AS g(privilege)
                WHERE has_table_privilege('hearth_app', t.tab, g.privilege)
                """
            )
            var sealBreaches: [String] = []
            for seal in try transaction.query("SELECT id, after_entry_id, max_entry_id, checksum FROM ledger_seals ORDER BY id").rows {
                let actual = try LedgerSeal.checksum(after: try seal.int64("after_entry_id"), upTo: try seal.int64("max_entry_id"), on: transaction)
                if actual != (try seal.string("checksum")) {
                    sealBreaches.append("entries \(try seal.int64("after_entry_id") + 1)…\(try seal.int64("max_entry_id")) changed since seal \(try seal.int64("id"))")
                }
                if sealBreaches.count >= 5 { break }
            }
            checks.append(LedgerCheck(
                name: "nothing_edited", summary: "every sealed range of entries still has the checksum recorded when it was sealed",
                passed: sealBreaches.isEmpty, breaches: sealBreaches
            ))
            return LedgerVerification(checks: checks, checksum: try LedgerSeal.checksum(on: transaction))
        }
    }
}
