/// One series of a forecast as one reader may see it, for a fan chart and the table beside it
/// (the web app's `/insight`): the figures of `ForecastReport` and the observed month-end counts
/// under the same small-number rule.
///
/// In a series that holds other members' children, a count of 1 to 4 is not shown to a member
/// (nil); a chart would show it, so such a series has no `svg` and only its table.
public struct ForecastSeries: Sendable {
    /// The series.
    public let key: SeriesKey
    /// The chart's title, as `hearthctl insight forecast --svg` writes it.
    public let title: String
    /// Observed children looked after at each month end, oldest first; nil when suppressed.
    public let history: [(month: Month, count: Int?)]
    /// The forecast, as `ForecastReport` shows it to the reader.
    public let rows: [ForecastReport.Row]
    /// The fan chart (`FanChart.svg`); nil when a figure of the series is suppressed.
    public let svg: String?

    /// Every series of `result` as `viewer` may see it, in the report's order, with at most the
    /// last `historyMonths` observed months.
    public static func all(_ result: ForecastResult, months: Int, for viewer: InsightViewer, historyMonths: Int) -> [ForecastSeries] {
        let report = ForecastReport(result, months: months, for: viewer)
        return result.history.keys.sorted().compactMap { key in
            let segment = key.breakdown == .region ? nil : key.segment
            if case .member(let code) = viewer, key.breakdown == .authority, key.segment != code { return nil }
            let own: Bool =
                switch viewer {
                case .region: true
                case .member(let code): key.breakdown == .authority && key.segment == code
                case .published: false
                }
            let observed = Array((result.history[key] ?? []).suffix(historyMonths))
            let history = observed.map { entry -> (month: Month, count: Int?) in
                let count = Int(entry.count.rounded())
                return (entry.month, !own && count > 0 && count < SmallNumber.threshold ? nil : count)
            }
            let rows = report.rows.filter { $0.placementGroup == key.groupName && ($0.authority ?? $0.need) == segment }
            let points = result.points.filter { $0.placementGroup == key.groupName && $0.segment == segment }
            let title = "Children looked after: \(key.groupName)" + (key.segment.isEmpty ? ", region" : ", \(key.segment)")
            let hidden = history.contains { $0.count == nil } || rows.contains(where: \.suppressed)
            return ForecastSeries(
                key: key, title: title, history: history, rows: rows,
                svg: hidden ? nil : FanChart.svg(title: title, history: observed, forecast: points)
            )
        }
    }
}
