import Foundation

/// A forecast fan chart as a self-contained SVG document: the observed history as a line, the
/// forecast as a dashed line and its 90 % interval as a shaded band. Pure; for board papers and
/// the web app.
public enum FanChart {
    /// The SVG for one series. `history` and `forecast` are each oldest first.
    public static func svg(
        title: String, history: [(month: Month, count: Double)], forecast: [ForecastPoint], width: Int = 720, height: Int = 360
    ) -> String {
        let left = 56.0, right = 16.0, top = 40.0, bottom = 40.0
        let plotWidth = Double(width) - left - right
        let plotHeight = Double(height) - top - bottom
        let months = history.map(\.month) + forecast.map(\.month)
        let first = months.min()?.index ?? 0
        let last = max(months.max()?.index ?? 1, first + 1)
        let highest = max(1, (history.map(\.count) + forecast.map(\.upper)).max() ?? 1)
        let ceiling = niceCeiling(highest)
        func x(_ month: Month) -> Double { left + plotWidth * Double(month.index - first) / Double(last - first) }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - value / ceiling) }
        func point(_ month: Month, _ value: Double) -> String { "\(format(x(month))),\(format(y(value)))" }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            role="img" aria-label="\(escape(title))" font-family="Arial, sans-serif" font-size="12">
            <title>\(escape(title))</title>
            <rect x="0" y="0" width="\(width)" height="\(height)" fill="#ffffff"/>
            <text x="\(format(left))" y="22" font-size="15" font-weight="bold" fill="#0b0c0c">\(escape(title))</text>

            """
        for step in 0...4 {
            let value = ceiling * Double(step) / 4
            svg += "<line x1=\"\(format(left))\" y1=\"\(format(y(value)))\" x2=\"\(format(left + plotWidth))\" y2=\"\(format(y(value)))\" stroke=\"#b1b4b6\" stroke-width=\"0.5\"/>\n"
            svg += "<text x=\"\(format(left - 6))\" y=\"\(format(y(value) + 4))\" text-anchor=\"end\" fill=\"#505a5f\">\(format(value, decimals: 0))</text>\n"
        }
        for index in first...last where Month(index: index).month == 1 || index == first {
            let month = Month(index: index)
            svg += "<text x=\"\(format(x(month)))\" y=\"\(format(top + plotHeight + 18))\" text-anchor=\"middle\" fill=\"#505a5f\">\(month)</text>\n"
        }
        if !forecast.isEmpty {
            let anchor = history.last
            var upper = forecast.map { point($0.month, $0.upper) }
            var lower = forecast.reversed().map { point($0.month, $0.lower) }
            if let anchor {
                upper.insert(point(anchor.month, anchor.count), at: 0)
                lower.append(point(anchor.month, anchor.count))
            }
            svg += "<polygon class=\"interval\" points=\"\((upper + lower).joined(separator: " "))\" fill=\"#1d70b8\" fill-opacity=\"0.2\" stroke=\"none\"><title>90 % interval</title></polygon>\n"
            let line = (anchor.map { [point($0.month, $0.count)] } ?? []) + forecast.map { point($0.month, $0.forecast) }
            svg += "<polyline class=\"forecast\" points=\"\(line.joined(separator: " "))\" fill=\"none\" stroke=\"#1d70b8\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n"
        }
        if !history.isEmpty {
            svg += "<polyline class=\"history\" points=\"\(history.map { point($0.month, $0.count) }.joined(separator: " "))\" fill=\"none\" stroke=\"#0b0c0c\" stroke-width=\"2\"/>\n"
        }
        let legendY = Double(height) - 8
        svg += """
            <line x1="\(format(left))" y1="\(format(legendY - 4))" x2="\(format(left + 24))" y2="\(format(legendY - 4))" stroke="#0b0c0c" stroke-width="2"/>
            <text x="\(format(left + 30))" y="\(format(legendY))" fill="#0b0c0c">looked after (month end)</text>
            <line x1="\(format(left + 200))" y1="\(format(legendY - 4))" x2="\(format(left + 224))" y2="\(format(legendY - 4))" stroke="#1d70b8" stroke-width="2" stroke-dasharray="6 4"/>
            <text x="\(format(left + 230))" y="\(format(legendY))" fill="#0b0c0c">forecast</text>
            <rect x="\(format(left + 300))" y="\(format(legendY - 10))" width="24" height="10" fill="#1d70b8" fill-opacity="0.2"/>
            <text x="\(format(left + 330))" y="\(format(legendY))" fill="#0b0c0c">90 % interval</text>
            </svg>

            """
        return svg
    }

    /// A round number at or above `value` (1, 2 or 5 times a power of ten).
    static func niceCeiling(_ value: Double) -> Double {
        let power = pow(10, floor(log10(value)))
        for factor in [1.0, 2.0, 5.0, 10.0] where factor * power >= value { return factor * power }
        return 10 * power
    }

    private static func format(_ value: Double, decimals: Int = 1) -> String {
        String(format: "%.\(decimals)f", value)
    }

    /// Escapes text for XML content and attributes.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }
}
