import Foundation
import HearthSettlement
import HearthStore
import Hummingbird

/// `GET /v1/statements?period=YYYY-MM` and `GET /v1/statements/{period}.csv`: the caller's own
/// monthly statement, for `finance` keys only (every other role is a 403, operators included:
/// a statement is one authority's books). The data is read with row-level security scoped to
/// the caller's authority, so another authority's placements can never appear.
struct StatementRoutes {
    let database: HearthDatabase

    /// The JSON body: the statement and the region's netting figures for the month.
    private struct Body: Encodable {
        let authority: String
        let name: String
        let period: String
        let lines: [StatementLine]
        let grossReceivablePence: Int64
        let grossPayablePence: Int64
        let netPence: Int64
        let region: Region
    }

    private struct Region: Encodable {
        let grossPence: Int64
        let nettingRatio: Double?
    }

    func register(on group: RouterGroup<HearthRequestContext>) {
        group.get("statements") { request, context in
            let caller = try requireFinance(context)
            let period = try Self.period(request.uri.queryParameters.get("period"), field: "period")
            let (statement, netting) = try await load(caller.authority, period)
            return try JSONResponse.make(Body(
                authority: statement.authority, name: statement.name, period: statement.period, lines: statement.lines,
                grossReceivablePence: statement.grossReceivablePence, grossPayablePence: statement.grossPayablePence, netPence: statement.netPence,
                region: Region(grossPence: netting.grossPence, nettingRatio: netting.nettingRatio)
            ))
        }
        group.get("statements/:file") { _, context in
            let caller = try requireFinance(context)
            let file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".csv") else {
                throw Problem(status: .notFound, title: "Not found", detail: "statements are at /v1/statements/YYYY-MM.csv")
            }
            let period = try Self.period(String(file.dropLast(4)), field: "period")
            let (statement, _) = try await load(caller.authority, period)
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"\(statement.authority)-\(period).csv\""
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(string: HearthSettlement.Statements.csv(statement)))
            )
        }
    }

    private func requireFinance(_ context: HearthRequestContext) throws -> Caller {
        let caller = try context.requireCaller([.finance])
        guard caller.role == .finance else {
            throw Problem(status: .forbidden, title: "Forbidden", detail: "statements need a finance key; yours is a \(caller.role.rawValue) key")
        }
        return caller
    }

    private func load(_ authority: String, _ period: Period) async throws -> (Statement, NettingReport) {
        try await database.transaction(scope: .authority(authority), isolation: .repeatableRead) { connection in
            (
                try HearthSettlement.Statements.statement(for: authority, period: period, on: connection),
                try HearthSettlement.Statements.netting(period: period, on: connection)
            )
        }
    }

    private static func period(_ text: String?, field: String) throws -> Period {
        guard let text else {
            throw Problem(
                status: .unprocessableContent, title: "Invalid request", detail: "period is required",
                errors: [.init(field: field, message: "required: a month YYYY-MM")]
            )
        }
        guard let period = Period(text) else {
            throw Problem(
                status: .unprocessableContent, title: "Invalid request", detail: "period must be a month YYYY-MM",
                errors: [.init(field: field, message: "must be a month YYYY-MM from 2000-01 to 2100-12")]
            )
        }
        return period
    }
}
