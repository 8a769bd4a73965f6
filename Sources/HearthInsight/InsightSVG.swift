import Foundation

/// Standalone SVG charts for board papers and the web app (`--svg DIR`). Pure: text in, text out;
/// no scripts, no external fonts or stylesheets, every label escaped.
public enum InsightSVG {
    /// One series of a grouped bar chart.
    public struct Series: Sendable {
        public let name: String
        /// A fill colour, e.g. `#1d70b8`.
        public let colour: String
        /// One value per category; nil draws no bar (a suppressed figure) and is noted.
        public let values: [Double?]

        public init(name: String, colour: String, values: [Double?]) {
            self.name = name
            self.colour = colour
            self.values = values
        }
    }

    /// A grouped horizontal bar chart: one group of bars per category, one bar per series.
    public static func groupedBars(title: String, subtitle: String, categories: [String], series: [Series]) -> String {
        let barHeight = 14.0
        let gap = 10.0
        let labelWidth = 230.0
        let chartWidth = 460.0
        let top = 78.0
        let groupHeight = Double(series.count) * barHeight + gap
        let height = top + Double(categories.count) * groupHeight + 40
        let width = labelWidth + chartWidth + 80
        let maximum = max(1, series.flatMap { $0.values.compactMap { $0 } }.max() ?? 1)
        var svg = header(width: width, height: height, title: title, subtitle: subtitle)
        var legendX = labelWidth
        for entry in series {
            svg += "<rect x=\"\(f(legendX))\" y=\"52\" width=\"12\" height=\"12\" fill=\"\(escape(entry.colour))\"/>"
            svg += "<text x=\"\(f(legendX + 16))\" y=\"62\" font-size=\"12\">\(escape(entry.name))</text>\n"
            legendX += 24 + Double(entry.name.count) * 7
        }
        var suppressed = false
        for (index, category) in categories.enumerated() {
            let y = top + Double(index) * groupHeight
            svg += "<text x=\"\(f(labelWidth - 8))\" y=\"\(f(y + Double(series.count) * barHeight / 2 + 4))\" font-size=\"12\" text-anchor=\"end\">\(escape(category))</text>\n"
            for (slot, entry) in series.enumerated() {
                let barY = y + Double(slot) * barHeight
                guard index < entry.values.count, let value = entry.values[index] else {
                    suppressed = true
                    svg += "<text x=\"\(f(labelWidth + 4))\" y=\"\(f(barY + barHeight - 3))\" font-size=\"10\" fill=\"#505a5f\">fewer than 5</text>\n"
                    continue
                }
                let length = chartWidth * value / maximum
                svg += "<rect x=\"\(f(labelWidth))\" y=\"\(f(barY))\" width=\"\(f(length))\" height=\"\(f(barHeight - 2))\" fill=\"\(escape(entry.colour))\"><title>\(escape(entry.name)): \(number(value))</title></rect>"
                svg += "<text x=\"\(f(labelWidth + length + 4))\" y=\"\(f(barY + barHeight - 3))\" font-size=\"10\">\(number(value))</text>\n"
            }
        }
        svg += "<line x1=\"\(f(labelWidth))\" y1=\"\(f(top - 4))\" x2=\"\(f(labelWidth))\" y2=\"\(f(height - 36))\" stroke=\"#0b0c0c\"/>\n"
        if suppressed {
            svg += "<text x=\"16\" y=\"\(f(height - 14))\" font-size=\"11\" fill=\"#505a5f\">Counts of 1 to 4 about other members' children are not shown.</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// Supply against demand per row of a sufficiency report: free beds, children waiting and
    /// children looked after (returns).
    public static func supplyAndDemand(_ report: SufficiencyReport) -> String {
        groupedBars(
            title: "Supply and demand by \(report.by.rawValue)",
            subtitle: "As of \(report.asOf.iso): free beds in open offers, children in open bids, children looked after (returns)",
            categories: report.rows.map(\.key),
            series: [
                Series(name: "free beds", colour: "#00703c", values: report.rows.map { Double($0.supply.beds) }),
                Series(name: "children waiting", colour: "#d4351c", values: report.rows.map { $0.demand.childrenWaiting.value.map(Double.init) }),
                Series(name: "looked after", colour: "#1d70b8", values: report.rows.map { $0.demand.lookedAfter.value.map(Double.init) }),
            ]
        )
    }

    /// Distance from home: exchange placements and the returns' children looked after, by band.
    public static func distanceDistribution(_ report: SufficiencyReport) -> String {
        groupedBars(
            title: "Distance from home",
            subtitle: "As of \(report.asOf.iso): children by straight-line distance, home to placement district",
            categories: report.distanceBands.map(\.label),
            series: [
                Series(name: "exchange placements", colour: "#00703c", values: report.distanceBands.map { $0.exchange.value.map(Double.init) }),
                Series(name: "looked after (returns)", colour: "#1d70b8", values: report.distanceBands.map { $0.returns.value.map(Double.init) }),
            ]
        )
    }

    private static func header(width: Double, height: Double, title: String, subtitle: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" font-family="Arial, Helvetica, sans-serif" role="img" aria-label="\(escape(title))">
        <title>\(escape(title))</title>
        <rect width="100%" height="100%" fill="#ffffff"/>
        <text x="16" y="26" font-size="18" font-weight="bold">\(escape(title))</text>
        <text x="16" y="44" font-size="12" fill="#505a5f">\(escape(subtitle))</text>

        """
    }

    /// Text safe inside SVG elements and attributes.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
