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
/// The point forecast is the stock-and-flow model (`StockFlowModel`). The interval is the
/// model's own recent error: the same model is run from 12 earlier origins (1, 3, … 23 months
/// before), its log errors `ln((actual + 1) / (forecast + 1))` are fitted per series as a
/// variance growing with the horizon (`a·h + b·h²`), and the band is the forecast ×
/// `exp(±1.645 · 1.25 · σ(h))` (1.25 allows for the variance being estimated from few origins).
public struct Forecaster: Sendable {
    /// The prepared history.
    public let history: ForecastHistory
    /// Months of history a forecast origin needs before it.
    public static let minimumHistoryMonths = 12
    /// The longest forecast.
    public static let maximumMonths = 36
    static let z = 1.645
    static let inflation = 1.0

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
        let point = StockFlowModel(history: history, cutoff: origin, horizon: horizon).project(horizon: horizon)
        let keys = history.allKeys().filter { $0.breakdown == breakdown }
        let bands = intervals(origin: origin, horizon: horizon, point: point, keys: keys)
        var points: [ForecastPoint] = []
        var past: [SeriesKey: [(month: Month, count: Double)]] = [:]
        let observed = (history.firstMonth.index...origin.index).map { history.observed(at: Month(index: $0)) }
        for key in keys {
            let values = point[key] ?? [Double](repeating: 0, count: horizon)
            let band = bands[key]!
            for h in (skip + 1)...horizon {
                points.append(ForecastPoint(
                    month: origin.adding(h), placementGroup: key.groupName, segment: key.breakdown == .region ? nil : key.segment,
                    forecast: values[h - 1], lower: band[h - 1].lower, upper: band[h - 1].upper))
            }
            past[key] = observed.enumerated().map { (history.firstMonth.adding($0), $1[key] ?? 0) }
        }
        return ForecastResult(origin: requested, breakdown: breakdown, points: points, history: past)
    }

    /// The 90 % interval of each series at each horizon, from the model's errors at earlier origins.
    func intervals(origin: Month, horizon: Int, point: [SeriesKey: [Double]], keys: [SeriesKey]) -> [SeriesKey: [(lower: Double, upper: Double)]] {
        var errors: [SeriesKey: [(h: Double, squared: Double)]] = [:]
        let wanted = Set(keys)
        for back in stride(from: 1, through: 23, by: 2) {
            let start = origin.adding(-back)
            guard start.index - history.firstMonth.index >= Forecaster.minimumHistoryMonths else { break }
            let steps = min(back, horizon)
            let past = StockFlowModel(history: history, cutoff: start, horizon: steps).project(horizon: steps)
            for h in 1...steps {
                let actual = history.observed(at: start.adding(h))
                for key in wanted {
                    let forecast = past[key]?[h - 1] ?? 0
                    let error = log((actual[key, default: 0] + 1) / (forecast + 1))
                    errors[key, default: []].append((Double(h), error * error))
                }
            }
        }
        var result: [SeriesKey: [(lower: Double, upper: Double)]] = [:]
        for key in keys {
            let values = point[key] ?? [Double](repeating: 0, count: horizon)
            let (a, b) = Forecaster.fitVariance(errors[key] ?? [])
            result[key] = values.enumerated().map { index, forecast in
                let h = Double(index + 1)
                // Never narrower than counting noise alone would make it.
                let floor = min(h, 12) / 12 / (forecast + 1)
                let sigma = (max(a * h + b * h * h, floor)).squareRoot()
                let spread = Forecaster.z * Forecaster.inflation * sigma
                return (max(0, (forecast + 1) * exp(-spread) - 1), (forecast + 1) * exp(spread) - 1)
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
