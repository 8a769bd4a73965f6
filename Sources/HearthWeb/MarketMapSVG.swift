import Foundation
import HearthCore
import HearthStore

/// Draws the market map: an inline SVG of the region with, at each postcode district, the
/// number of open offers and of open bids there. Pure: the same points give the same text.
///
/// Counts only — never a child. The picture is an `img` with a title and a description, and the
/// page shows the same counts in a table for people who cannot see it.
enum MarketMapSVG {
    /// The drawing's size in SVG user units (it scales to the page's width).
    static let width = 640.0
    static let height = 520.0
    private static let margin = 48.0
    private static let offersColour = "#1d70b8"
    private static let bidsColour = "#912b88"
    private static let textColour = "#0b0c0c"

    /// The SVG element for `points`, or nil when there is nothing to draw.
    static func render(_ points: [MarketMapPoint]) -> String? {
        let drawn = points.filter { $0.openOffers > 0 || $0.openBids > 0 }
        guard !drawn.isEmpty else { return nil }
        let projection = Projection(drawn.map(\.location), width: width, height: height, margin: margin)
        let offers = drawn.reduce(0) { $0 + $1.openOffers }
        let bids = drawn.reduce(0) { $0 + $1.openBids }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="app-market-map" width="100%" viewBox="0 0 \(number(width)) \(number(height))" \
            role="img" aria-labelledby="market-map-title market-map-desc" focusable="false">
            <title id="market-map-title">Map of open offers and open bids by postcode district</title>
            <desc id="market-map-desc">\(drawn.count) \(drawn.count == 1 ? "place" : "places"): \(plural(offers, "open offer")) \
            and \(plural(bids, "open bid")) across the region. The table after the map lists the same counts.</desc>
            <rect x="1" y="1" width="\(number(width - 2))" height="\(number(height - 2))" fill="#ffffff" stroke="#b1b4b6" stroke-width="2"/>

            """
        svg += legend()
        // Larger groups first, so small markers stay on top and visible.
        for point in drawn.sorted(by: { ($0.openOffers + $0.openBids, label(of: $1)) > ($1.openOffers + $1.openBids, label(of: $0)) }) {
            let (x, y) = projection.place(point.location)
            let name = label(of: point)
            svg += "<g><title>\(escape(name)): \(plural(point.openOffers, "open offer")), \(plural(point.openBids, "open bid"))</title>\n"
            if point.openOffers > 0 { svg += marker(x: x - 11, y: y, count: point.openOffers, colour: offersColour) }
            if point.openBids > 0 { svg += marker(x: x + 11, y: y, count: point.openBids, colour: bidsColour) }
            svg += "<text x=\"\(number(x))\" y=\"\(number(y + radius(for: max(point.openOffers, point.openBids)) + 13))\" "
                + "text-anchor=\"middle\" font-size=\"12\" font-family=\"Arial, sans-serif\" fill=\"\(textColour)\">\(escape(name))</text>\n"
            svg += "</g>\n"
        }
        svg += "</svg>"
        return svg
    }

    /// How a point is named: its district, or its coordinates when it has none.
    static func label(of point: MarketMapPoint) -> String {
        point.district ?? "near \(String(format: "%.2f", point.location.lat)), \(String(format: "%.2f", point.location.lon))"
    }

    private static func legend() -> String {
        let items = [(offersColour, "Open offers"), (bidsColour, "Open bids (whole region)")]
        var text = ""
        for (index, item) in items.enumerated() {
            let y = 24.0 + Double(index) * 22
            text += "<circle cx=\"24\" cy=\"\(number(y))\" r=\"7\" fill=\"\(item.0)\"/>"
            text += "<text x=\"38\" y=\"\(number(y + 4))\" font-size=\"13\" font-family=\"Arial, sans-serif\" fill=\"\(textColour)\">\(item.1)</text>\n"
        }
        return text
    }

    private static func marker(x: Double, y: Double, count: Int, colour: String) -> String {
        "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"\(number(radius(for: count)))\" fill=\"\(colour)\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>"
            + "<text x=\"\(number(x))\" y=\"\(number(y + 4))\" text-anchor=\"middle\" font-size=\"11\" font-weight=\"bold\" "
            + "font-family=\"Arial, sans-serif\" fill=\"#ffffff\">\(count)</text>\n"
    }

    /// A marker's radius grows with the square root of its count (its area with the count).
    private static func radius(for count: Int) -> Double {
        min(24, 9 + 2 * Double(count).squareRoot())
    }

    private static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    private static func number(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    /// Escapes text for SVG (XML) content and attributes.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// An equirectangular projection of the points' bounding box onto the drawing, north up,
    /// with longitude shrunk by the cosine of the middle latitude so distances look right.
    private struct Projection {
        let minLon: Double
        let maxLat: Double
        let scale: Double
        let xOffset: Double
        let yOffset: Double
        let shrink: Double

        init(_ locations: [Coordinate], width: Double, height: Double, margin: Double) {
            // Half a tenth of a degree around the points at least, so one point sits in the middle.
            let minLat = (locations.map(\.lat).min() ?? 0) - 0.05
            let maxLat = (locations.map(\.lat).max() ?? 0) + 0.05
            let minLon = (locations.map(\.lon).min() ?? 0) - 0.05
            let maxLon = (locations.map(\.lon).max() ?? 0) + 0.05
            shrink = cos((minLat + maxLat) / 2 * .pi / 180)
            let spanX = (maxLon - minLon) * shrink
            let spanY = maxLat - minLat
            // The legend takes the top 60 units.
            let top = margin + 40
            scale = min((width - 2 * margin) / spanX, (height - top - margin) / spanY)
            xOffset = (width - spanX * scale) / 2
            yOffset = top + (height - top - margin - spanY * scale) / 2
            self.minLon = minLon
            self.maxLat = maxLat
        }

        func place(_ location: Coordinate) -> (Double, Double) {
            (xOffset + (location.lon - minLon) * shrink * scale, yOffset + (maxLat - location.lat) * scale)
        }
    }
}
