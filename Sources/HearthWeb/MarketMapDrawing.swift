import Foundation
import HearthCore
import HearthStore

/// The market map: where, on a drawing of the region, to put the number of open offers and of
/// open bids at each postcode district. Pure: the same points give the same drawing. The
/// `market_map` template draws it as inline SVG (escaped like every other value).
///
/// Counts only — never a child. The picture is an `img` with a title and a description, and the
/// page shows the same counts in a table for people who cannot see it.
struct MarketMapDrawing: Sendable, Equatable {
    /// A filled circle with its count written inside.
    struct Marker: Sendable, Equatable {
        let x: String
        let y: String
        let r: String
        let textY: String
        let count: Int
        let colour: String
    }

    /// One place: its markers, its name underneath, and a tooltip saying both counts.
    struct Place: Sendable, Equatable {
        let tooltip: String
        let markers: [Marker]
        let labelX: String
        let labelY: String
        let label: String
    }

    /// A key entry: colour and words.
    struct LegendItem: Sendable, Equatable {
        let cy: String
        let textY: String
        let colour: String
        let text: String
    }

    /// The drawing's size in SVG user units (it scales to the page's width).
    static let width = 640.0
    static let height = 520.0
    static let offersColour = "#1d70b8"
    static let bidsColour = "#912b88"
    private static let margin = 48.0

    let viewBox: String
    let frameWidth: String
    let frameHeight: String
    let description: String
    let legend: [LegendItem]
    let places: [Place]

    /// The drawing of `points`, or nil when there is nothing to draw.
    static func make(_ points: [MarketMapPoint]) -> MarketMapDrawing? {
        let drawn = points.filter { $0.openOffers > 0 || $0.openBids > 0 }
        guard !drawn.isEmpty else { return nil }
        let projection = Projection(drawn.map(\.location), width: width, height: height, margin: margin)
        let offers = drawn.reduce(0) { $0 + $1.openOffers }
        let bids = drawn.reduce(0) { $0 + $1.openBids }
        // Larger groups first, so small markers stay on top and visible.
        let ordered = drawn.sorted { ($0.openOffers + $0.openBids, label(of: $1)) > ($1.openOffers + $1.openBids, label(of: $0)) }
        let places = ordered.map { point -> Place in
            let (x, y) = projection.place(point.location)
            var markers: [Marker] = []
            if point.openOffers > 0 { markers.append(marker(x: x - 11, y: y, count: point.openOffers, colour: offersColour)) }
            if point.openBids > 0 { markers.append(marker(x: x + 11, y: y, count: point.openBids, colour: bidsColour)) }
            let name = label(of: point)
            return Place(
                tooltip: "\(name): \(plural(point.openOffers, "open offer")), \(plural(point.openBids, "open bid"))", markers: markers,
                labelX: number(x), labelY: number(y + radius(for: max(point.openOffers, point.openBids)) + 13), label: name
            )
        }
        let legend = [(offersColour, "Open offers"), (bidsColour, "Open bids (whole region)")].enumerated().map { index, item in
            LegendItem(cy: number(24 + Double(index) * 22), textY: number(28 + Double(index) * 22), colour: item.0, text: item.1)
        }
        return MarketMapDrawing(
            viewBox: "0 0 \(number(width)) \(number(height))", frameWidth: number(width - 2), frameHeight: number(height - 2),
            description: "\(drawn.count) \(drawn.count == 1 ? "place" : "places"): \(plural(offers, "open offer")) and \(plural(bids, "open bid")) "
                + "across the region. The table after the map lists the same counts.",
            legend: legend, places: places
        )
    }

    /// How a point is named: its district, or its coordinates when it has none.
    static func label(of point: MarketMapPoint) -> String {
        point.district ?? "near \(String(format: "%.2f", point.location.lat)), \(String(format: "%.2f", point.location.lon))"
    }

    private static func marker(x: Double, y: Double, count: Int, colour: String) -> Marker {
        Marker(x: number(x), y: number(y), r: number(radius(for: count)), textY: number(y + 4), count: count, colour: colour)
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
            // A twentieth of a degree around the points at least, so one point sits in the middle.
            let minLat = (locations.map(\.lat).min() ?? 0) - 0.05
            let maxLat = (locations.map(\.lat).max() ?? 0) + 0.05
            let minLon = (locations.map(\.lon).min() ?? 0) - 0.05
            let maxLon = (locations.map(\.lon).max() ?? 0) + 0.05
            shrink = cos((minLat + maxLat) / 2 * .pi / 180)
            let spanX = (maxLon - minLon) * shrink
            let spanY = maxLat - minLat
            // The key takes the top of the drawing.
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
