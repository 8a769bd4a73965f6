import HearthCore
import LibPQ

/// What booking a year's contributions did.
public struct ContributionBookingSummary: Sendable, Equatable, Codable {
    /// The financial year booked (starting 1 April of it).
    public let financialYear: Int
    /// 1, 2 or 3: which year of the table.
    public let yearIndex: Int
    /// Members booked now.
    public let booked: Int
    /// Members already booked for that year (left as they were).
    public let alreadyBooked: Int
    /// The total booked now, in pence.
    public let bookedPence: Int64
}

/// Books membership contributions into the ledger: for each member, one entry debiting the
/// member and crediting the RCC's own account, with key `contribution:CODE:YEAR`.
/// Idempotent per member and year: a member already booked for the year is left alone.
public enum ContributionBooking {
    /// The financial year (starting in April) that `date` falls in: 2026-03-31 is in 2025.
    public static func financialYear(of date: CalendarDate) -> Int {
        date.month >= 4 ? date.year : date.year - 1
    }

    /// Books year `financialYear` of `table` under the settlement lock (waiting for a running
    /// settlement when `wait` is true). Every member must exist; nothing is booked otherwise.
    public static func book(_ table: ContributionTable, financialYear: Int, wait: Bool, on connection: PostgresConnection) throws -> ContributionBookingSummary {
        let index = financialYear - table.firstYear
        guard (0..<3).contains(index) else {
            throw SettlementError.invalidInput(
                "\(financialYear) is not one of the three years from \(table.firstYear) (\(table.firstYear)–\(table.firstYear + 2))"
            )
        }
        try Ledger.lock(connection, wait: wait)
        defer { Ledger.unlock(connection) }
        return try connection.transaction(scope: .all) { transaction in
            let known = Set(try transaction.query("SELECT code FROM authorities").rows.map { try $0.string("code") })
            let unknown = table.members.map(\.code).filter { !known.contains($0) }
            guard unknown.isEmpty else {
                throw SettlementError.invalidInput("not member authorities: \(unknown.joined(separator: ", "))")
            }
            let sealedUpTo = try LedgerSeal.sealedUpTo(on: transaction)
            var booked = 0
            var already = 0
            var total: Int64 = 0
            for member in table.members {
                let amount = member.yearPence[index]
                let exists = try transaction.query(
                    "SELECT 1 FROM contribution_charges WHERE authority = $1 AND financial_year = $2", [member.code, financialYear]
                ).first != nil
                if exists {
                    already += 1
                    continue
                }
                let entry = try transaction.query(
                    """
                    INSERT INTO journal_entries (idempotency_key, kind, description)
                    VALUES ($1, 'contribution', $2) RETURNING id
                    """,
                    [Ledger.contributionKey(authority: member.code, financialYear: financialYear), "membership contribution \(table.yearLabel(index))"]
                ).first!.int64("id")
                try transaction.query(
                    "INSERT INTO journal_lines (entry_id, account, amount_pence) VALUES ($1, $2, $3), ($1, $4, $5)",
                    [entry, member.code, -amount, Ledger.rccAccount, amount]
                )
                try transaction.query(
                    """
                    INSERT INTO contribution_charges (authority, financial_year, year_index, tier, share_pct, amount_pence, entry_id)
                    VALUES ($1, $2, $3, $4, $5::numeric / 10000, $6, $7)
                    """,
                    [member.code, financialYear, index + 1, member.tier, member.shareMicros, amount, entry]
                )
                booked += 1
                total += amount
            }
            if booked > 0 {
                try LedgerSeal.seal(after: sealedUpTo, runID: nil, on: transaction)
                try Ledger.audit(
                    transaction, action: "contributions.book", entity: "contributions", entityID: String(financialYear),
                    detailJSON: #"{"members": \#(booked), "amount_pence": \#(total)}"#
                )
            }
            return ContributionBookingSummary(financialYear: financialYear, yearIndex: index + 1, booked: booked, alreadyBooked: already, bookedPence: total)
        }
    }
}
