import Foundation

/// The forecast's own error on the history: forecasts from earlier cut-offs scored against what
/// happened next, beside the last-value and seasonal-naive forecasts (region, per group).
///
/// Cut-offs: every 3 months back from `horizon` months before the history's end, at most
/// `cutoffCount` of them, none with fewer than 36 months of history before it (24 when the
/// history is shorter). MASE is the mean absolute error over every cut-off and horizon, each
/// divided by the series' mean absolute month-to-month change up to that cut-off. Coverage is
/// the share of actual counts inside the 90 % interval.
public struct Backtest: Sendable {
    /// One group's scores.
    public struct GroupScore: Sendable, Codable {
        /// The placement group or `ALL`.
        public let placementGroup: String
        /// MASE of the forecast.
        public let mase: Double
        /// MASE of the last value.
        public let maseLastValue: Double
        /// MASE of the seasonal-naive forecast (the same month a year earlier).
        public let maseSeasonalNaive: Double
        /// Share of actual counts inside the 90 % interval.
        public let coverage: Double
    }

    /// The backtest's figures.
    public struct Result: Sendable, Codable {
        /// The cut-offs, as `YYYY-MM`.
        public let cutoffs: [Month]
        /// Months forecast from each cut-off.
        public let horizon: Int
        /// Per group.
        public let groups: [GroupScore]
        /// Mean over the groups of the forecast's MASE.
        public let meanMASE: Double
        /// Mean over the groups of the last value's MASE.
        public let meanMASELastValue: Double
        /// Mean over the groups of the seasonal-naive MASE.
        public let meanMASESeasonalNaive: Double
        /// Share of every actual count (every cut-off, horizon and group) inside its interval.
        public let coverage: Double
    }

    /// The forecaster whose history is backtested.
    public let forecaster: Forecaster
    /// Months forecast from each cut-off.
    public let horizon: Int
    /// The most cut-offs tried.
    public let cutoffCount: Int

    /// A backtest of 12-month forecasts from up to 6 cut-offs.
    public init(forecaster: Forecaster, horizon: Int = 12, cutoffCount: Int = 6) {
        self.forecaster = forecaster
        self.horizon = horizon
        self.cutoffCount = cutoffCount
    }

    /// The cut-offs the backtest uses, oldest first.
    public func cutoffs() throws -> [Month] {
        let history = forecaster.history
        let span = history.lastMonth.index - history.firstMonth.index
        let training = span - horizon >= 36 + 3 * (cutoffCount - 1) ? 36 : 24
        var result: [Month] = []
        var cutoff = history.lastMonth.adding(-horizon)
        while result.count < cutoffCount, cutoff.index - history.firstMonth.index >= training {
            result.insert(cutoff, at: 0)
            cutoff = cutoff.adding(-3)
        }
        guard !result.isEmpty else {
            throw ForecastError(description: "the backtest needs at least \(24 + horizon) months of history; "
                + "it has \(max(0, span + 1)) (\(history.firstMonth) to \(history.lastMonth))")
        }
        return result
    }

    /// Runs the backtest.
    public func run() throws -> Result {
        let history = forecaster.history
        let cutoffs = try self.cutoffs()
        let keys = history.allKeys().filter { $0.breakdown == .region }
        let observed = (history.firstMonth.index...history.lastMonth.index).map { history.observed(at: Month(index: $0)) }
        func actual(_ key: SeriesKey, _ month: Month) -> Double { observed[month.index - history.firstMonth.index][key] ?? 0 }
        var model: [SeriesKey: [Double]] = [:]
        var last: [SeriesKey: [Double]] = [:]
        var seasonal: [SeriesKey: [Double]] = [:]
        var inside: [SeriesKey: [Bool]] = [:]
        var projections: Forecaster.Projections = [:]
        for cutoff in cutoffs {
            let result = try forecaster.forecast(asOf: cutoff.lastDay, months: horizon, by: .region, projections: &projections)
            for key in keys {
                let training = (history.firstMonth.index...cutoff.index).map { actual(key, Month(index: $0)) }
                let changes = zip(training.dropFirst(), training).map { abs($0 - $1) }
                let meanChange = changes.reduce(0, +) / Double(max(changes.count, 1))
                let scale = meanChange > 0 ? meanChange : 1
                let points = result.points.filter { $0.placementGroup == key.groupName }
                var modelErrors = 0.0, lastErrors = 0.0, seasonalErrors = 0.0
                for (index, point) in points.enumerated() {
                    let h = index + 1
                    let truth = actual(key, cutoff.adding(h))
                    modelErrors += abs(point.forecast - truth)
                    lastErrors += abs(actual(key, cutoff) - truth)
                    let back = ((h - 1) / 12 + 1) * 12
                    seasonalErrors += abs(actual(key, cutoff.adding(h - back)) - truth)
                    inside[key, default: []].append(point.lower <= truth && truth <= point.upper)
                }
                let n = Double(points.count)
                model[key, default: []].append(modelErrors / n / scale)
                last[key, default: []].append(lastErrors / n / scale)
                seasonal[key, default: []].append(seasonalErrors / n / scale)
            }
        }
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }
        let groups = keys.map { key in
            GroupScore(
                placementGroup: key.groupName, mase: mean(model[key]!), maseLastValue: mean(last[key]!),
                maseSeasonalNaive: mean(seasonal[key]!),
                coverage: Double(inside[key]!.filter { $0 }.count) / Double(inside[key]!.count))
        }
        let all = inside.values.flatMap { $0 }
        return Result(
            cutoffs: cutoffs, horizon: horizon, groups: groups, meanMASE: mean(groups.map(\.mase)),
            meanMASELastValue: mean(groups.map(\.maseLastValue)), meanMASESeasonalNaive: mean(groups.map(\.maseSeasonalNaive)),
            coverage: Double(all.filter { $0 }.count) / Double(max(all.count, 1)))
    }
}
