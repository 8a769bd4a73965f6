import Foundation
import HearthCore
import HearthSettlement
import HearthStore
import Hummingbird

/// Finance: `GET /statements` (months), `GET /statements/{period}` (the month's statement with
/// the region's netting) and `GET /statements/{period}.csv` (**Download CSV**: the very file
/// `GET /v1/statements/{period}.csv` serves, from the same HearthSettlement code). For finance
/// staff only, operators included out: a statement is one authority's books, as in the API.
struct StatementPages: WebPageGroup {
    func register(on routes: WebRoutes) {
        let environment = routes.environment
        routes.signedIn.get("statements") { _, context in
            _ = try Self.requireFinance(context)
            let periods = Self.recentPeriods().map { ["period": $0.description, "label": Self.monthName($0)] }
            return try environment.render("statements", ["periods": periods], context: context)
        }
        routes.signedIn.get("statements/:period") { _, context in
            let person = try Self.requireFinance(context)
            let text = context.parameters.get("period") ?? ""
            if text.hasSuffix(".csv") {
                guard let period = Period(String(text.dropLast(4))) else { throw WebError.notFound }
                let statement = try await environment.database.transaction(scope: .authority(person.authority), isolation: .repeatableRead) { connection in
                    try HearthSettlement.Statements.statement(for: person.authority, period: period, on: connection)
                }
                var headers = HTTPFields()
                headers[.contentType] = "text/csv; charset=utf-8"
                headers[.contentDisposition] = "attachment; filename=\"\(statement.authority)-\(period).csv\""
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: HearthSettlement.Statements.csv(statement))))
            }
            guard let period = Period(text) else { throw WebError.notFound }
            let (statement, netting, names) = try await environment.database.transaction(scope: .authority(person.authority), isolation: .repeatableRead) { connection in
                (
                    try HearthSettlement.Statements.statement(for: person.authority, period: period, on: connection),
                    try HearthSettlement.Statements.netting(period: period, on: connection),
                    try AuthorityRepository.namesByCode(on: connection)
                )
            }
            let lines: [[String: Any]] = statement.lines.map { line in
                [
                    "placement_id": line.placementID, "counterpart": names[line.counterpartAuthority] ?? line.counterpartAuthority,
                    "nights": line.nights, "weekly_rate": WebFormat.pounds(line.weeklyRatePence), "amount": WebFormat.pounds(line.amountPence),
                    "receivable": line.direction == .receivable,
                ]
            }
            let values: [String: Any] = [
                "period": period.description, "label": Self.monthName(period), "authority_name": statement.name,
                "gross_owed": WebFormat.pounds(statement.grossReceivablePence), "gross_owing": WebFormat.pounds(statement.grossPayablePence),
                "net": WebFormat.pounds(statement.netPence), "net_receives": statement.netPence >= 0,
                "netting_ratio": WebFormat.percent(netting.nettingRatio), "region_gross": WebFormat.pounds(netting.grossPence),
                "lines": lines, "has_lines": !lines.isEmpty,
            ]
            return try environment.render("statement", values, context: context)
        }
    }

    static func requireFinance(_ context: WebRequestContext) throws -> UserRecord {
        let person = try context.requirePerson([.finance])
        guard person.role == .finance else {
            throw WebError.forbidden("Statements are for finance staff: a statement is one authority's books.")
        }
        return person
    }

    /// This month and the eleven before it, newest first.
    static func recentPeriods(today: CalendarDate = .today()) -> [Period] {
        var year = today.year, month = today.month
        var periods: [Period] = []
        for _ in 0..<12 {
            if let period = Period(String(format: "%04d-%02d", year, month)) { periods.append(period) }
            month -= 1
            if month == 0 { month = 12; year -= 1 }
        }
        return periods
    }

    static func monthName(_ period: Period) -> String {
        let names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(names[period.month - 1]) \(period.year)"
    }
}
