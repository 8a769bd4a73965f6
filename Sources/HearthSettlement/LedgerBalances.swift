import LibPQ

/// One account's balance with the exchange.
public struct AccountBalance: Sendable, Equatable, Codable {
    /// A member's ONS code, or `RCC` for the cooperative's own account.
    public let authority: String
    /// Pence; positive when the exchange owes the authority, negative when the authority owes.
    public let balancePence: Int64
}

/// Balances of every account: each member (including those with no entries) and the RCC.
public enum LedgerBalances {
    /// The balances from every entry, or only from the entries that belong to `period`: placement
    /// nights (and their reversals) by the night's month, contributions by the month their
    /// financial year starts (April). Sorted by code, the RCC last. They always sum to zero.
    public static func balances(period: Period? = nil, on connection: PostgresConnection) throws -> [AccountBalance] {
        let rows = try connection.query(
            """
            WITH accounts AS (
                SELECT code AS account FROM authorities
                UNION SELECT 'RCC'
                UNION SELECT DISTINCT account FROM journal_lines
            ),
            moved AS (
                SELECT l.account, sum(l.amount_pence) AS total
                FROM journal_lines l
                JOIN journal_entries e ON e.id = l.entry_id
                LEFT JOIN contribution_charges c ON c.entry_id = e.id
                WHERE $1::date IS NULL
                   OR (coalesce(e.night, make_date(c.financial_year, 4, 1)) >= $1::date
                       AND coalesce(e.night, make_date(c.financial_year, 4, 1)) < $2::date)
                GROUP BY l.account
            )
            SELECT a.account, coalesce(m.total, 0) AS balance
            FROM accounts a LEFT JOIN moved m ON m.account = a.account
            ORDER BY a.account = 'RCC', a.account
            """,
            [period?.firstDay.iso, period?.nextFirstDay.iso]
        )
        return try rows.rows.map { AccountBalance(authority: try $0.string("account"), balancePence: try $0.int64("balance")) }
    }
}
