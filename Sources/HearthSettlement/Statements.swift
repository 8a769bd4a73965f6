import Foundation
import LibPQ

/// Which way money flows on a statement line, from the authority's side.
public enum Direction: String, Sendable, Codable, Equatable {
    /// The authority hosts the child: the exchange owes it.
    case receivable
    /// The authority placed the child: it owes the exchange.
    case payable
}

/// One placement's charges in a month, as one authority sees them.
public struct StatementLine: Sendable, Equatable, Codable {
    /// The placement's id (a UUID: no child data).
    public let placementID: String
    /// The other authority of the placement.
    public let counterpartAuthority: String
    /// Nights charged in the month (booked minus reversed).
    public let nights: Int64
    /// The placement's weekly charge in pence: the weekly rate per child × the children placed.
    public let weeklyRatePence: Int64
    /// The amount in pence for those nights (never negative unless reversals exceed bookings).
    public let amountPence: Int64
    /// Receivable when the authority hosts, payable when it places.
    public let direction: Direction

    /// Creates a line.
    public init(placementID: String, counterpartAuthority: String, nights: Int64, weeklyRatePence: Int64, amountPence: Int64, direction: Direction) {
        self.placementID = placementID
        self.counterpartAuthority = counterpartAuthority
        self.nights = nights
        self.weeklyRatePence = weeklyRatePence
        self.amountPence = amountPence
        self.direction = direction
    }
}

/// An authority's statement for a calendar month.
public struct Statement: Sendable, Equatable, Codable {
    /// The authority's ONS code.
    public let authority: String
    /// Its name.
    public let name: String
    /// `YYYY-MM`.
    public let period: String
    /// One line per placement with charges in the month, by placement id.
    public let lines: [StatementLine]
    /// What the exchange owes the authority for the month.
    public let grossReceivablePence: Int64
    /// What the authority owes the exchange for the month.
    public let grossPayablePence: Int64
    /// Receivable minus payable: the net position with the exchange (positive: the exchange pays).
    public let netPence: Int64
}

/// One authority's position in the month's multilateral netting.
public struct NettingPosition: Sendable, Equatable, Codable {
    /// ONS code.
    public let authority: String
    /// Name.
    public let name: String
    /// What the exchange owes it, gross.
    public let grossReceivablePence: Int64
    /// What it owes the exchange, gross.
    public let grossPayablePence: Int64
    /// Receivable minus payable.
    public let netPence: Int64
}

/// The region's netting for a month.
public struct NettingReport: Sendable, Equatable, Codable {
    /// `YYYY-MM`.
    public let period: String
    /// Every member, by code.
    public let positions: [NettingPosition]
    /// The month's total charges (= Σ receivable = Σ payable).
    public let grossPence: Int64
    /// Σ |net|: what actually moves after netting.
    public let absoluteNetPence: Int64
    /// 1 − Σ|net| / (2 · gross); nil for a month with no charges.
    public let nettingRatio: Double?
}

/// Monthly statements and netting, from the ledger. Statements cover placement nights (and
/// their reversals) by the month of the night; contributions are not part of them.
public enum Statements {
    /// The statement of every member for `period`, by code (members with no charges included).
    public static func all(period: Period, on connection: PostgresConnection) throws -> [Statement] {
        let members = try connection.query("SELECT code, name FROM authorities ORDER BY code").rows
        let lines = try placementLines(period: period, authority: nil, on: connection)
        return try members.map { row in
            let code = try row.string("code")
            return statement(authority: code, name: try row.string("name"), period: period, placements: lines)
        }
    }

    /// One member's statement for `period`. Works within row-level security scoped to that
    /// authority: it reads only placements the authority is party to.
    public static func statement(for authority: String, period: Period, on connection: PostgresConnection) throws -> Statement {
        guard let member = try connection.query("SELECT name FROM authorities WHERE code = $1", [authority]).first else {
            throw SettlementError.notFound("no member authority \(authority)")
        }
        let lines = try placementLines(period: period, authority: authority, on: connection)
        return statement(authority: authority, name: try member.string("name"), period: period, placements: lines)
    }

    /// The month's netting across the region, from journal lines alone (no placement data).
    public static func netting(period: Period, on connection: PostgresConnection) throws -> NettingReport {
        let rows = try connection.query(
            """
            WITH moved AS (
                SELECT l.account,
                       sum(l.amount_pence) FILTER (WHERE (e.kind = 'placement_night' AND l.amount_pence > 0) OR (e.kind = 'reversal' AND l.amount_pence < 0)) AS receivable,
                       -sum(l.amount_pence) FILTER (WHERE (e.kind = 'placement_night' AND l.amount_pence < 0) OR (e.kind = 'reversal' AND l.amount_pence > 0)) AS payable
                FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
                WHERE e.night >= $1::date AND e.night < $2::date AND e.kind IN ('placement_night', 'reversal')
                GROUP BY l.account
            )
            SELECT a.code, a.name, coalesce(m.receivable, 0) AS receivable, coalesce(m.payable, 0) AS payable
            FROM authorities a LEFT JOIN moved m ON m.account = a.code
            ORDER BY a.code
            """,
            [period.firstDay.iso, period.nextFirstDay.iso]
        ).rows
        let positions = try rows.map { row in
            let receivable = try row.int64("receivable")
            let payable = try row.int64("payable")
            return NettingPosition(
                authority: try row.string("code"), name: try row.string("name"),
                grossReceivablePence: receivable, grossPayablePence: payable, netPence: receivable - payable
            )
        }
        return report(period: period, positions: positions)
    }

    /// Builds the netting figures from positions.
    public static func report(period: Period, positions: [NettingPosition]) -> NettingReport {
        let gross = positions.reduce(Int64(0)) { $0 + $1.grossReceivablePence }
        let absoluteNet = positions.reduce(Int64(0)) { $0 + abs($1.netPence) }
        let ratio = gross == 0 ? nil : 1 - Double(absoluteNet) / Double(2 * gross)
        return NettingReport(period: period.description, positions: positions, grossPence: gross, absoluteNetPence: absoluteNet, nettingRatio: ratio)
    }

    /// A placement's month: its parties, weekly charge, net nights and net amount.
    struct PlacementMonth {
        let placementID: String
        let placing: String
        let host: String
        let weekly: Int64
        let nights: Int64
        let amount: Int64
    }

    static func placementLines(period: Period, authority: String?, on connection: PostgresConnection) throws -> [PlacementMonth] {
        try connection.query(
            """
            SELECT p.id::text AS placement_id, p.placing_authority, p.host_authority, p.weekly_rate_pence * p.beds AS weekly,
                   sum(CASE WHEN e.kind = 'placement_night' THEN 1 ELSE -1 END) AS nights,
                   sum(l.amount_pence) AS amount
            FROM placements p
            JOIN journal_entries e ON e.placement_id = p.id AND e.night >= $1::date AND e.night < $2::date
            JOIN journal_lines l ON l.entry_id = e.id AND l.account = p.host_authority
            WHERE e.kind IN ('placement_night', 'reversal')
              AND ($3::text IS NULL OR $3::text IN (p.placing_authority, p.host_authority))
            GROUP BY p.id, p.placing_authority, p.host_authority, p.weekly_rate_pence, p.beds
            ORDER BY p.id
            """,
            [period.firstDay.iso, period.nextFirstDay.iso, authority]
        ).rows.map { row in
            PlacementMonth(
                placementID: try row.string("placement_id"), placing: try row.string("placing_authority"), host: try row.string("host_authority"),
                weekly: try row.int64("weekly"), nights: try row.int64("nights"), amount: try row.int64("amount")
            )
        }
        .filter { $0.nights != 0 || $0.amount != 0 }
    }

    static func statement(authority: String, name: String, period: Period, placements: [PlacementMonth]) -> Statement {
        var lines: [StatementLine] = []
        for month in placements where month.placing == authority || month.host == authority {
            let hosting = month.host == authority
            lines.append(StatementLine(
                placementID: month.placementID, counterpartAuthority: hosting ? month.placing : month.host, nights: month.nights,
                weeklyRatePence: month.weekly, amountPence: month.amount, direction: hosting ? .receivable : .payable
            ))
        }
        let receivable = lines.filter { $0.direction == .receivable }.reduce(Int64(0)) { $0 + $1.amountPence }
        let payable = lines.filter { $0.direction == .payable }.reduce(Int64(0)) { $0 + $1.amountPence }
        return Statement(
            authority: authority, name: name, period: period.description, lines: lines,
            grossReceivablePence: receivable, grossPayablePence: payable, netPence: receivable - payable
        )
    }

    /// The statement as CSV for a finance system: a header, one line per placement, then
    /// `TOTAL_RECEIVABLE`, `TOTAL_PAYABLE` and `NET` lines (amounts in pence, never negative
    /// on the total lines; the direction column says which way).
    public static func csv(_ statement: Statement) -> String {
        var text = "placement_id,counterpart_authority,nights,weekly_rate_pence,amount_pence,direction\n"
        for line in statement.lines {
            text += "\(line.placementID),\(line.counterpartAuthority),\(line.nights),\(line.weeklyRatePence),\(line.amountPence),\(line.direction.rawValue)\n"
        }
        let receivableNights = statement.lines.filter { $0.direction == .receivable }.reduce(Int64(0)) { $0 + $1.nights }
        let payableNights = statement.lines.filter { $0.direction == .payable }.reduce(Int64(0)) { $0 + $1.nights }
        text += "TOTAL_RECEIVABLE,,\(receivableNights),,\(statement.grossReceivablePence),receivable\n"
        text += "TOTAL_PAYABLE,,\(payableNights),,\(statement.grossPayablePence),payable\n"
        text += "NET,,,,\(abs(statement.netPence)),\(statement.netPence >= 0 ? Direction.receivable.rawValue : Direction.payable.rawValue)\n"
        return text
    }

    /// `netting.csv`: one line per member, a `TOTAL` line, then the region's netting ratio.
    public static func csv(_ report: NettingReport) -> String {
        var text = "authority,name,gross_receivable_pence,gross_payable_pence,net_pence\n"
        for position in report.positions {
            text += "\(position.authority),\(csvField(position.name)),\(position.grossReceivablePence),\(position.grossPayablePence),\(position.netPence)\n"
        }
        text += "TOTAL,,\(report.grossPence),\(report.grossPence),0\n"
        text += "netting_ratio,\(report.nettingRatio.map { String(format: "%.6f", $0) } ?? "")\n"
        return text
    }

    /// Quotes a CSV field when it holds a comma, quote or newline.
    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
