import HearthCore
import HearthInsight
import HearthStore
import Hummingbird

/// `GET /v1/insight/sufficiency?as_of=YYYY-MM-DD&by=setting|need|authority`: the region's
/// sufficiency picture, for any key. Operator and scrutiny keys see the region as it is; any
/// other key sees the region's aggregates with other members' counts of 1 to 4 shown as
/// "fewer than 5", and its own authority's figures exact under `own`.
///
/// Computed by `InsightReports` (as the web app's `/insight` is): the aggregates under the
/// all-authorities scope; only `SufficiencyReport` decides what of them the caller sees, and no
/// child-level row is ever returned.
struct InsightRoutes {
    let database: HearthDatabase

    /// Dates a report may be asked for.
    static let dates = CalendarDate(year: 2000, month: 1, day: 1)!...CalendarDate(year: 2100, month: 12, day: 31)!

    func register(on group: RouterGroup<HearthRequestContext>) {
        let reports = InsightReports(database: database)
        group.get("insight/sufficiency") { request, context in
            let caller = try context.requireCaller(Set(KeyRole.allCases))
            var query = QueryReader(request)
            let dimension = query.code("by", as: SufficiencyDimension.self) ?? .setting
            var day = CalendarDate.today()
            if let text = query.query["as_of"] {
                if let parsed = CalendarDate(iso: text), Self.dates.contains(parsed) {
                    day = parsed
                } else {
                    query.fail("as_of", "must be a date YYYY-MM-DD from 2000-01-01 to 2100-12-31")
                }
            }
            try query.throwIfInvalid()
            return try JSONResponse.make(try await reports.sufficiency(asOf: day, by: dimension, for: caller))
        }
    }
}
