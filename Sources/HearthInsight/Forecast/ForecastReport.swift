import Foundation

/// A forecast as one reader may see it, for the CLI's JSON and CSV and for
/// `GET /v1/insight/forecast`. Figures are rounded to one decimal place.
///
/// Who sees what: the operator (and hearthctl) everything. A member sees the region's series
/// and the need series (aggregates), and only its own authority's detail; in a series that
/// holds other members' children, a forecast that rounds to 1–4 children is suppressed — the
/// figure and its interval are left out (`null`) and `suppressed` is true.
public struct ForecastReport: Sendable, Encodable {
    /// One row.
    public struct Row: Sendable, Encodable, Equatable {
        /// `YYYY-MM`.
        public let month: String
        /// The placement group or `ALL`.
        public let placementGroup: String
        /// The authority's ONS code, when broken down by authority.
        public let authority: String?
        /// The CIN code, when broken down by need.
        public let need: String?
        /// Expected children looked after at the month end; nil when suppressed.
        public let forecast: Double?
        /// Lower end of the 90 % interval; nil when suppressed.
        public let lower: Double?
        /// Upper end of the 90 % interval; nil when suppressed.
        public let upper: Double?
        /// Whether a small number was left out.
        public let suppressed: Bool

        private enum CodingKeys: String, CodingKey {
            case month, placementGroup, authority, need, forecast, lower, upper, suppressed
        }

        /// Encodes a suppressed figure as `null` rather than leaving it out.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(month, forKey: .month)
            try container.encode(placementGroup, forKey: .placementGroup)
            try container.encodeIfPresent(authority, forKey: .authority)
            try container.encodeIfPresent(need, forKey: .need)
            try container.encode(forecast, forKey: .forecast)
            try container.encode(lower, forKey: .lower)
            try container.encode(upper, forKey: .upper)
            try container.encode(suppressed, forKey: .suppressed)
        }
    }

    /// The month end the forecast starts from, `YYYY-MM-DD`.
    public let asOf: String
    /// `region`, `authority` or `need`.
    public let by: String
    /// Months forecast.
    public let months: Int
    /// The rows, by segment, group and month.
    public let rows: [Row]

    /// The report of `result` for `viewer`.
    public init(_ result: ForecastResult, months: Int, for viewer: InsightViewer) {
        asOf = result.origin.lastDay.iso
        by = result.breakdown.rawValue
        self.months = months
        var rows: [Row] = []
        for point in result.points {
            let own: Bool
            switch viewer {
            case .region: own = true
            case .member(let code):
                if result.breakdown == .authority, point.segment != code { continue }
                own = result.breakdown == .authority
            case .published: own = false
            }
            let rounded = (point.forecast * 10).rounded() / 10
            let suppressed = !own && rounded.rounded() >= 1 && rounded.rounded() < Double(SmallNumber.threshold)
            rows.append(Row(
                month: point.month.description, placementGroup: point.placementGroup,
                authority: result.breakdown == .authority ? point.segment : nil, need: result.breakdown == .need ? point.segment : nil,
                forecast: suppressed ? nil : rounded, lower: suppressed ? nil : (point.lower * 10).rounded(.down) / 10,
                upper: suppressed ? nil : (point.upper * 10).rounded(.up) / 10, suppressed: suppressed))
        }
        self.rows = rows
    }

    /// CSV: `month,placement_group,forecast,lower,upper`, plus `authority` or `need` when broken
    /// down; a suppressed figure is written as `fewer than 5` and its interval left empty.
    public var csv: String {
        let extra = by == ForecastBreakdown.authority.rawValue ? ",authority" : (by == ForecastBreakdown.need.rawValue ? ",need" : "")
        var text = "month,placement_group,forecast,lower,upper\(extra)\n"
        for row in rows {
            let figures = row.suppressed ? [SmallNumber.suppressed, "", ""] : [row.forecast, row.lower, row.upper].map { String(format: "%.1f", $0 ?? 0) }
            var fields = [row.month, row.placementGroup] + figures
            if let segment = row.authority ?? row.need { fields.append(segment) }
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }
}

extension Backtest.Result {
    /// The backtest as a table for people.
    public var text: String {
        var lines = [
            "Backtest: \(horizon)-month forecasts from \(cutoffs.count) cut-offs (\(cutoffs.map(\.description).joined(separator: ", "))), region",
            "",
            "GROUP           MASE  LAST VALUE  SEASONAL NAIVE  COVERAGE",
        ]
        for group in groups {
            lines.append(group.placementGroup.padding(toLength: 14, withPad: " ", startingAt: 0)
                + String(format: "%6.2f  %10.2f  %14.2f  %7.1f %%", group.mase, group.maseLastValue, group.maseSeasonalNaive, group.coverage * 100))
        }
        lines.append("mean".padding(toLength: 14, withPad: " ", startingAt: 0)
            + String(format: "%6.2f  %10.2f  %14.2f  %7.1f %%", meanMASE, meanMASELastValue, meanMASESeasonalNaive, coverage * 100))
        return lines.joined(separator: "\n")
    }
}
