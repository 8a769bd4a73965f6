import HearthAPI
import HearthCore
import HearthInsight
import HearthStore
import Hummingbird

/// `GET /insight`, for every signed-in person: the sufficiency picture as of today and the
/// region's 12-month forecast by placement group, with the charts `hearthctl insight ... --svg`
/// writes, inline, each beside a table of its figures.
///
/// The figures come from `InsightReports`, as `GET /v1/insight/sufficiency` and
/// `GET /v1/insight/forecast` answer them, with the API's visibility: operator and scrutiny see
/// the region's sufficiency as it is; anyone else the region's aggregates with other members'
/// counts of 1 to 4 shown as "fewer than 5", and their own authority's figures exact.
struct InsightPages: WebPageGroup {
    /// Month ends the page forecasts.
    static let forecastMonths = 12

    func register(on routes: WebRoutes) {
        let environment = routes.environment
        let reports = InsightReports(database: environment.database)
        routes.signedIn.get("insight") { _, context in
            let person = try context.requirePerson(Set(KeyRole.allCases))
            let caller = person.caller
            async let sufficiency = reports.sufficiency(asOf: CalendarDate.today(), by: .setting, for: caller)
            let forecast: Result<[ForecastSeries], ForecastUnavailable>
            var forecastFrom: String?
            do {
                let result = try await reports.forecast(asOf: nil, months: Self.forecastMonths, by: .region)
                forecastFrom = result.origin.lastDay.iso
                forecast = .success(ForecastSeries.all(
                    result, months: Self.forecastMonths, for: InsightReports.forecastViewer(for: caller),
                    historyMonths: InsightPageView.historyMonths
                ))
            } catch let error as ForecastUnavailable {
                forecast = .failure(error)
            }
            let view = InsightPageView(
                sufficiency: try await sufficiency, forecast: forecast, forecastFrom: forecastFrom, authorityName: person.authorityName
            )
            return try environment.render("insight", view.values, context: context)
        }
    }
}
