import Foundation
import HearthAPI
import HearthCore
import HearthInsight

/// The `/insight` page's values: the sufficiency report and the forecast series exactly as
/// HearthInsight shaped them for the reader, put into words and table rows. No figure is
/// computed or hidden here: suppression and every aggregate come from `SufficiencyReport`,
/// `ForecastReport` and `ForecastSeries`.
struct InsightPageView {
    /// Observed month ends each forecast chart and table show.
    static let historyMonths = 36

    let sufficiency: SufficiencyReport
    /// The forecast's series as the reader may see them, or why there is none.
    let forecast: Result<[ForecastSeries], ForecastUnavailable>
    /// The month end the forecast starts from, `YYYY-MM-DD`.
    let forecastFrom: String?
    /// The reader's authority's name, for a member.
    let authorityName: String?

    /// The template's values.
    var values: [String: Any] {
        let own = sufficiency.own
        var values: [String: Any] = [
            "as_of": PlainWords.date(sufficiency.asOf), "is_member": own != nil, "own_name": authorityName ?? "",
            "summary_rows": Self.summaryRows(sufficiency.total, own: own?.total),
            "setting_rows": Self.settingRows(sufficiency.rows), "supply_chart": Self.inline(
                InsightSVG.supplyAndDemand(sufficiency),
                description: "Bars of free beds in open offers, children waiting in open bids and children looked after (returns) for each setting. The table after the chart gives the same figures."
            ),
            "distance_chart": Self.inline(
                InsightSVG.distanceDistribution(sufficiency),
                description: "Bars of exchange placements and children looked after (returns) in each band of distance from home. The table after the chart gives the same figures."
            ),
            "band_rows": Self.bandRows(sufficiency.distanceBands, own: own?.distanceBands),
            "unmet_groups": Self.unmetGroups(sufficiency.unmetDemand), "has_unmet": !sufficiency.unmetDemand.isEmpty,
        ]
        if let own {
            values["own_setting_rows"] = Self.settingRows(own.rows)
            values["own_unmet_groups"] = Self.unmetGroups(own.unmetDemand)
            values["has_own_unmet"] = !own.unmetDemand.isEmpty
        }
        switch forecast {
        case .success(let series):
            values["has_forecast"] = true
            values["forecast_from"] = forecastFrom.flatMap(CalendarDate.init(iso:)).map(PlainWords.date) ?? ""
            values["series"] = series.map(Self.series)
        case .failure(let reason):
            values["has_forecast"] = false
            values["no_history"] = reason.noHistory
            values["forecast_problem"] = Self.sentence(reason.description)
        }
        return values
    }

    // MARK: Sufficiency

    static func summaryRows(_ region: SufficiencyReport.Row, own: SufficiencyReport.Row?) -> [[String: Any]] {
        func row(_ label: String, _ id: String, _ value: (SufficiencyReport.Row) -> String) -> [String: Any] {
            ["label": label, "id": id, "region": value(region), "own": own.map(value) ?? ""]
        }
        return [
            row("Open offers", "open-offers") { String($0.supply.openOffers) },
            row("Free beds in them", "free-beds") { String($0.supply.beds) },
            row("Weekly rate of open offers (median)", "median-rate") { rates($0.supply.weeklyRatePence) },
            row("Open bids", "open-bids") { $0.demand.openBids.description },
            row("Children waiting in them", "children-waiting") { $0.demand.childrenWaiting.description },
            row("Bids made a month (last 12 months)", "bids-per-month") { $0.demand.bidsPerMonth.map { String(format: "%.1f", $0) } ?? notShown },
            row("Children looked after (returns)", "looked-after") { $0.demand.lookedAfter.description },
            row("Open bids no open offer can meet", "unmet-bids") { $0.unmet.bids.description },
            row("Children in those bids", "unmet-children") { $0.unmet.children.description },
            row("Children placed through the exchange", "exchange-placements") { $0.distance.exchangePlacements.description },
            row("Of them, within 20 miles of home", "exchange-within-20") { percent($0.distance.exchangeWithin20MilesPct) },
            row("Children looked after within 20 miles of home (returns)", "returns-within-20") {
                let base = $0.distance.returnsWithDistance
                return $0.distance.returnsWithin20MilesPct.map { "\(percent($0)) of \(base)" } ?? notShown
            },
            row("Children placed outside the region (returns)", "outside-region") {
                "\($0.outsideRegion.placed) of \($0.outsideRegion.withPlacementArea)" + ($0.outsideRegion.pct.map { " (\(percent($0)))" } ?? "")
            },
        ]
    }

    static func settingRows(_ rows: [SufficiencyReport.Row]) -> [[String: Any]] {
        rows.map { row in
            [
                "label": settingLabel(row.key), "offers": String(row.supply.openOffers), "beds": String(row.supply.beds),
                "rate": rates(row.supply.weeklyRatePence), "waiting": row.demand.childrenWaiting.description,
                "unmet": row.unmet.children.description, "looked_after": row.demand.lookedAfter.description,
            ]
        }
    }

    static func bandRows(_ bands: [SufficiencyReport.Band], own: [SufficiencyReport.Band]?) -> [[String: Any]] {
        bands.enumerated().map { index, band in
            let mine = own.flatMap { index < $0.count ? $0[index] : nil }
            return [
                "label": band.label, "exchange": band.exchange.description, "returns": band.returns.description,
                "own_exchange": mine?.exchange.description ?? "", "own_returns": mine?.returns.description ?? "",
            ]
        }
    }

    /// Unmet demand grouped by the rule that blocks it, in the report's order (largest first).
    static func unmetGroups(_ unmet: [SufficiencyReport.Unmet]) -> [[String: Any]] {
        var order: [String] = []
        var messages: [String: [String]] = [:]
        for demand in unmet {
            if messages[demand.rule] == nil { order.append(demand.rule) }
            messages[demand.rule, default: []].append(sentence(demand.message))
        }
        return order.map { ["heading": UnmetDemand.heading(ofRule: $0), "items": messages[$0] ?? []] }
    }

    static func settingLabel(_ key: String) -> String {
        if let setting = Setting(rawValue: key) { return setting.choiceLabel }
        return key == "other" ? "Other placements (returns only)" : key
    }

    // MARK: Forecast

    static func series(_ series: ForecastSeries) -> [String: Any] {
        let name = series.key.groupName
        var rows: [[String: Any]] = series.history.map { entry in
            ["month": entry.month.description, "observed": entry.count.map(String.init) ?? SmallNumber.suppressed, "forecast": "", "interval": ""]
        }
        rows += series.rows.map { row in
            [
                "month": row.month, "observed": "",
                "forecast": row.forecast.map { String(format: "%.1f", $0) } ?? SmallNumber.suppressed,
                "interval": row.lower.flatMap { lower in row.upper.map { String(format: "%.1f to %.1f", lower, $0) } } ?? SmallNumber.suppressed,
            ]
        }
        var values: [String: Any] = ["id": "forecast-\(name)", "heading": groupLabel(name), "rows": rows, "has_chart": series.svg != nil]
        if let svg = series.svg {
            values["chart"] = inline(
                svg,
                description: "Line of children looked after at each month end, then the forecast as a dashed line inside its shaded 90 % interval. The table after the chart gives the same figures."
            )
        }
        return values
    }

    static func groupLabel(_ name: String) -> String {
        switch name {
        case "ALL": "All placements"
        case PlacementGroup.foster.rawValue: "Foster care"
        case PlacementGroup.childrensHome.rawValue: "Children's homes"
        case PlacementGroup.supported.rawValue: "Supported accommodation"
        case PlacementGroup.withParents.rawValue: "Placed with parents"
        case PlacementGroup.adoption.rawValue: "Placed for adoption"
        default: "Other placements"
        }
    }

    // MARK: Words

    static let notShown = "not available"

    static func rates(_ rates: SufficiencyReport.Rates?) -> String {
        guard let rates else { return notShown }
        return "\(WebFormat.pounds(rates.median)) (\(WebFormat.pounds(rates.lowerQuartile)) to \(WebFormat.pounds(rates.upperQuartile)))"
    }

    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f%%", $0) } ?? notShown
    }

    static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        let capitalised = first.uppercased() + text.dropFirst()
        return capitalised.hasSuffix(".") ? capitalised : capitalised + "."
    }

    /// A standalone chart (HearthInsight's SVG document) made fit to sit inside the page: no XML
    /// declaration, a `<desc>` after its `<title>`, and a class the stylesheet sizes. The charts
    /// draw with presentation attributes only (no `style`), as the page's CSP requires.
    static func inline(_ document: String, description: String) -> String {
        var svg = document
        if svg.hasPrefix("<?xml"), let end = svg.range(of: "?>") {
            svg = String(svg[end.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let open = svg.range(of: "<svg ") {
            svg.replaceSubrange(open, with: "<svg class=\"hearth-chart__svg\" focusable=\"false\" ")
        }
        if let title = svg.range(of: "</title>") {
            svg.insert(contentsOf: "<desc>\(InsightSVG.escape(description))</desc>", at: title.upperBound)
        }
        return svg
    }
}
