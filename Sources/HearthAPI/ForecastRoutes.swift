import HearthCore
import HearthInsight
import HearthStore
import Hummingbird

/// `GET /v1/insight/forecast?as_of=YYYY-MM-DD&months=12&by=region|authority|need`: children
/// looked after at each month end by placement group, with 90 % intervals, for any key.
///
/// The forecast is computed by `InsightReports` over the whole region's episodes (an aggregate,
/// read under the all-authorities scope, kept until the history changes); what leaves is filtered for the caller: an operator sees everything;
/// a member sees the region's and the need series, only its own authority's detail, and in
/// series holding other members' children a forecast of 1–4 children is suppressed
/// (`ForecastReport`).
struct ForecastRoutes {
    let database: HearthDatabase

    func register(on group: RouterGroup<HearthRequestContext>) {
        let reports = InsightReports(database: database)
        group.get("insight/forecast") { request, context in
            let caller = try context.requireCaller(Set(KeyRole.allCases))
            var query = QueryReader(request)
            var asOf: CalendarDate?
            if let text = query.query["as_of"] {
                asOf = CalendarDate(iso: text)
                if asOf == nil { query.fail("as_of", "must be a date, YYYY-MM-DD") }
            }
            var months = 12
            if let text = query.query["months"] {
                if let value = Int(text), (1...Forecaster.maximumMonths).contains(value) {
                    months = value
                } else {
                    query.fail("months", "must be a whole number from 1 to \(Forecaster.maximumMonths)")
                }
            }
            let by = query.code("by", as: ForecastBreakdown.self) ?? .region
            try query.throwIfInvalid()
            let result: ForecastResult
            do {
                result = try await reports.forecast(asOf: asOf, months: months, by: by)
            } catch let error as ForecastUnavailable {
                throw Problem(
                    status: .unprocessableContent, title: "No forecast", detail: error.description,
                    errors: error.noHistory ? [] : [.init(field: "as_of", message: error.description)])
            }
            return try JSONResponse.make(ForecastReport(result, months: months, for: InsightReports.forecastViewer(for: caller)))
        }
    }
}
