import Foundation
import HearthCore

/// One forecast figure: children looked after in a placement group at a month end, with its
/// 90 % interval.
public struct ForecastPoint: Sendable, Hashable, Codable {
    /// The month (its last day is the count's day).
    public let month: Month
    /// `foster`, `childrens_home`, `supported`, `with_parents`, `adoption`, `other` or `ALL`.
    public let placementGroup: String
    /// The authority's ONS code or the CIN code when the forecast is broken down; nil for the region.
    public let segment: String?
    /// Expected number of children.
    public let forecast: Double
    /// Lower end of the 90 % interval.
    public let lower: Double
    /// Upper end of the 90 % interval.
    public let upper: Double
}

/// A forecast: the figures, and the observed history of the same series (for charts).
public struct ForecastResult: Sendable {
    /// The month end the forecast starts from (the last one on or before the requested date).
    public let origin: Month
    /// The breakdown.
    public let breakdown: ForecastBreakdown
    /// The figures, by segment, group and month.
    public let points: [ForecastPoint]
    /// The observed month-end counts of each reported series, oldest first, up to the origin.
    public let history: [SeriesKey: [(month: Month, count: Double)]]
}

/// Why a forecast or backtest cannot be made.
public struct ForecastError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, for the user.
    public let description: String
}

/// Forecasts children looked after by placement group (region, authority or need) from the
/// imported SSDA903 history, with 90 % intervals. Pure and deterministic.
///
/// The same stock-and-flow model (`StockFlowModel`) is run from the origin and from 12 earlier
/// origins (3, 6, … 36 months before it), and what it forecast then is scored against what
/// happened, per series and horizon:
///
/// - **Point**: each placement group's forecast is the model's combined with the last value,
///   weighted by the inverse of each one's mean squared error at that horizon from the earlier
///   origins (Bates–Granger weights): where the model has recently beaten the last value it
///   counts for more, where it has not, less. `ALL` is the sum of its groups.
/// - **Interval**: the combined forecast's log errors `ln((actual + 1) / (forecast + 1))` at the
///   earlier origins, fitted per series as a variance growing with the horizon (`a·h + b·h²`,
///   never below counting noise), give the band `(forecast + 1) · exp(±1.645 σ(h)) − 1`.
public struct Forecaster: Sendable {
    /// The prepared history.
    public let history: ForecastHistory
    /// Months of history a forecast origin needs before it.
    public static let minimumHistoryMonths = 12
    /// The longest forecast.
    public static let maximumMonths = 36
    static let z = 1.645
    /// How far before the origin the earlier origins are, in months.
    static let calibrationOffsets = Array(stride(from: 3, through: 36, by: 3))

    /// The model's projection from each origin already computed (keyed by the origin's index).
    typealias Projections = [Int: [SeriesKey: [Double]]]

    /// Prepares a forecaster over these episodes.
    public init(episodes: [Episode]) {
        history = ForecastHistory(episodes: episodes)
    }

    /// Creates a forecaster over a prepared history.
    public init(history: ForecastHistory) {
        self.history = history
    }

    /// The default origin: the history's last month end.
    public var defaultAsOf: CalendarDate { history.lastMonth.lastDay }

    /// Forecasts `months` month ends after `asOf` (default: the history's last month end).
    public func forecast(asOf: CalendarDate? = nil, months: Int = 12, by breakdown: ForecastBreakdown = .region) throws -> ForecastResult {
        var projections: Projections = [:]
        return try forecast(asOf: asOf, months: months, by: breakdown, projections: &projections)
    }

    /// Forecasts, reusing (and adding to) projections from earlier calls (the backtest's cut-offs share origins).
    func forecast(asOf: CalendarDate?, months: Int, by breakdown: ForecastBreakdown, projections: inout Projections) throws -> ForecastResult {
        guard !history.months.isEmpty, !history.authorities.isEmpty else {
            throw ForecastError(description: "no SSDA903 episodes imported: nothing to forecast from")
        }
        guard (1...Forecaster.maximumMonths).contains(months) else {
            throw ForecastError(description: "months must be 1 to \(Forecaster.maximumMonths)")
        }
        let requested = Month.lastEnded(onOrBefore: asOf ?? defaultAsOf)
        let origin = min(requested, history.lastMonth)
        guard origin.index - history.firstMonth.index >= Forecaster.minimumHistoryMonths else {
            throw ForecastError(description: "the forecast needs \(Forecaster.minimumHistoryMonths) months of history before its start; "
                + "the history begins \(history.firstMonth)")
        }
        let skip = requested.index - origin.index
        let horizon = skip + months
        func projection(_ start: Month) -> [SeriesKey: [Double]] {
            if let known = projections[start.index], (known.values.first?.count ?? 0) >= horizon { return known }
            let computed = StockFlowModel(history: history, cutoff: start, horizon: horizon).project(horizon: horizon)
            projections[start.index] = computed
            return computed
        }
        let keys = history.allKeys().filter { $0.breakdown == breakdown }
        let earlier = Forecaster.calibrationOffsets.map { origin.adding(-$0) }
            .filter { $0.index - history.firstMonth.index >= Forecaster.minimumHistoryMonths }
        let calibration = earlier.map { (origin: $0, projection: projection($0)) }
        let combined = combine(origin: origin, horizon: horizon, point: projection(origin), calibration: calibration, keys: keys)
        var points: [ForecastPoint] = []
        var past: [SeriesKey: [(month: Month, count: Double)]] = [:]
        let observed = (history.firstMonth.index...origin.index).map { history.observed(at: Month(index: $0)) }
        for key in keys {
            let series = combined[key]!
            for h in (skip + 1)...horizon {
                points.append(ForecastPoint(
                    month: origin.adding(h), placementGroup: key.groupName, segment: key.breakdown == .region ? nil : key.segment,
                    forecast: series[h - 1].forecast, lower: series[h - 1].lower, upper: series[h - 1].upper))
            }
            past[key] = observed.enumerated().map { (history.firstMonth.adding($0), $1[key] ?? 0) }
        }
        return ForecastResult(origin: requested, breakdown: breakdown, points: points, history: past)
    }

    /// The combined forecast of each series at each horizon and its 90 % interval, from the
    /// model's projection at the origin and at the earlier origins.
    func combine(
        origin: Month, horizon: Int, point: [SeriesKey: [Double]], calibration: [(origin: Month, projection: [SeriesKey: [Double]])],
        keys: [SeriesKey]
    ) -> [SeriesKey: [(forecast: Double, lower: Double, upper: Double)]] {
        func actual(_ key: SeriesKey, _ month: Month) -> Double { history.observed(at: month)[key] ?? 0 }
        // Each group's weight on the model at each horizon; a horizon no earlier origin has seen
        // takes the longest one seen.
        var weights: [SeriesKey: [Double]] = [:]
        for key in keys where key.group != nil {
            var row: [Double] = []
            for h in 1...horizon {
                var modelSquares = 0.0, lastSquares = 0.0, seen = false
                for (start, projection) in calibration where origin.index - start.index >= h {
                    let truth = actual(key, start.adding(h))
                    modelSquares += pow((projection[key]?[h - 1] ?? 0) - truth, 2)
                    lastSquares += pow(actual(key, start) - truth, 2)
                    seen = true
                }
                if seen {
                    row.append(modelSquares + lastSquares > 0 ? lastSquares / (modelSquares + lastSquares) : 0.5)
                } else {
                    row.append(row.last ?? 1)
                }
            }
            weights[key] = row
        }
        // The combined forecast from a start: groups weighted, `ALL` the sum of its groups.
        func forecasts(from start: Month, projection: [SeriesKey: [Double]], key: SeriesKey) -> [Double] {
            let parts = key.group == nil ? PlacementGroup.allCases.map { SeriesKey(breakdown: key.breakdown, segment: key.segment, group: $0) } : [key]
            var total = [Double](repeating: 0, count: horizon)
            for part in parts {
                let model = projection[part] ?? [Double](repeating: 0, count: horizon)
                let last = actual(part, start)
                let weight = weights[part] ?? [Double](repeating: 1, count: horizon)
                for h in 0..<horizon { total[h] += weight[h] * model[h] + (1 - weight[h]) * last }
            }
            return total
        }
        var result: [SeriesKey: [(forecast: Double, lower: Double, upper: Double)]] = [:]
        for key in keys {
            var errors: [(h: Double, squared: Double)] = []
            for (start, projection) in calibration {
                let values = forecasts(from: start, projection: projection, key: key)
                for h in 1...min(horizon, origin.index - start.index) {
                    let error = log((actual(key, start.adding(h)) + 1) / (values[h - 1] + 1))
                    errors.append((Double(h), error * error))
                }
            }
            let (a, b) = Forecaster.fitVariance(errors)
            result[key] = forecasts(from: origin, projection: point, key: key).enumerated().map { index, forecast in
                let h = Double(index + 1)
                // Never narrower than counting noise alone would make it.
                let floor = min(h, 12) / 12 / (forecast + 1)
                let spread = Forecaster.z * max(a * h + b * h * h, floor).squareRoot()
                return (forecast, max(0, (forecast + 1) * exp(-spread) - 1), (forecast + 1) * exp(spread) - 1)
            }
        }
        return result
    }

    /// Non-negative least squares of squared errors on `a·h + b·h²`.
    static func fitVariance(_ samples: [(h: Double, squared: Double)]) -> (Double, Double) {
        guard !samples.isEmpty else { return (0.02, 0) }
        let s2 = samples.reduce(0) { $0 + $1.h * $1.h }
        let s3 = samples.reduce(0) { $0 + pow($1.h, 3) }
        let s4 = samples.reduce(0) { $0 + pow($1.h, 4) }
        let y1 = samples.reduce(0) { $0 + $1.h * $1.squared }
        let y2 = samples.reduce(0) { $0 + $1.h * $1.h * $1.squared }
        let determinant = s2 * s4 - s3 * s3
        if determinant > 1e-9 {
            let a = (y1 * s4 - y2 * s3) / determinant
            let b = (s2 * y2 - s3 * y1) / determinant
            if a >= 0, b >= 0 { return (a, b) }
        }
        let onlyLinear = y1 / s2
        let onlyQuadratic = y2 / s4
        // The one-term fit with the smaller residual.
        let linearResidual = samples.reduce(0) { $0 + pow($1.squared - onlyLinear * $1.h, 2) }
        let quadraticResidual = samples.reduce(0) { $0 + pow($1.squared - onlyQuadratic * $1.h * $1.h, 2) }
        return linearResidual <= quadraticResidual ? (onlyLinear, 0) : (0, onlyQuadratic)
    }
}
