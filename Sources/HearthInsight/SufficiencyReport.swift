import Foundation
import HearthCore

/// A sufficiency picture as one reader may see it: the JSON of `GET /v1/insight/sufficiency` and
/// `hearthctl insight sufficiency --json` (keys in snake_case; Docs/insight.md defines each).
///
/// The operator, scrutiny and hearthctl see the region as it is. A member sees the region's
/// aggregates with other members' counts of 1 to 4 shown as "fewer than 5", and `own`: the same
/// picture of its own children, exact.
public struct SufficiencyReport: Sendable, Encodable {
    public let asOf: CalendarDate
    public let by: SufficiencyDimension
    /// `region`, `member` or `published`.
    public let viewer: String
    /// The member's ONS code, for a member.
    public let authority: String?
    public let rows: [Row]
    public let total: Row
    public let unmetDemand: [Unmet]
    public let distanceBands: [Band]
    /// The member's own picture (nil for the region's readers).
    public let own: Own?

    /// The member's own figures.
    public struct Own: Sendable, Encodable {
        public let rows: [Row]
        public let total: Row
        public let unmetDemand: [Unmet]
        public let distanceBands: [Band]
    }

    /// One row's figures.
    public struct Row: Sendable, Encodable {
        public let key: String
        public let supply: Supply
        public let demand: Demand
        public let unmet: UnmetCounts
        public let distance: Distance
        public let outsideRegion: OutsideRegion
    }

    public struct Supply: Sendable, Encodable {
        public let openOffers: Int
        public let beds: Int
        /// Median and quartiles of the offers' weekly rates, pence; nil with no offers.
        public let weeklyRatePence: Rates?
    }

    public struct Rates: Sendable, Encodable {
        public let median: Int64
        public let lowerQuartile: Int64
        public let upperQuartile: Int64
    }

    public struct Demand: Sendable, Encodable {
        public let openBids: ShownCount
        public let childrenWaiting: ShownCount
        /// Bids made per month over the last twelve months; nil when suppressed.
        public let bidsPerMonth: Double?
        /// Children looked after on the date, from the returns.
        public let lookedAfter: ShownCount
    }

    public struct UnmetCounts: Sendable, Encodable {
        public let bids: ShownCount
        public let children: ShownCount
    }

    public struct Distance: Sendable, Encodable {
        public let exchangePlacements: ShownCount
        /// Share within 20 miles (32.187 km), %, one decimal; nil with none or suppressed.
        public let exchangeWithin20MilesPct: Double?
        public let returnsWithDistance: ShownCount
        public let returnsWithin20MilesPct: Double?

        enum CodingKeys: String, CodingKey {
            case exchangePlacements = "exchange_placements"
            case exchangeWithin20MilesPct = "exchange_within_20_miles_pct"
            case returnsWithDistance = "returns_with_distance"
            case returnsWithin20MilesPct = "returns_within_20_miles_pct"
        }
    }

    public struct OutsideRegion: Sendable, Encodable {
        /// Children looked after whose placement's authority the returns' districts give.
        public let withPlacementArea: ShownCount
        public let placed: ShownCount
        public let pct: Double?
    }

    public struct Unmet: Sendable, Encodable {
        public let rule: String
        public let settings: [String]
        public let needs: [String]
        public let maxDistanceKm: Double?
        public let bids: ShownCount
        public let children: ShownCount
        public let message: String
    }

    public struct Band: Sendable, Encodable {
        public let label: String
        public let exchange: ShownCount
        public let returns: ShownCount
    }

    /// The report of `input` by `dimension` for `viewer`.
    public init(_ input: SufficiencyInput, by dimension: SufficiencyDimension, for viewer: InsightViewer) {
        let region = Sufficiency(input, by: dimension)
        asOf = input.asOf
        by = dimension
        rows = region.rows.map { Self.row($0, viewer) }
        total = Self.row(region.total, viewer)
        unmetDemand = region.unmet.map { Self.unmet($0, viewer) }
        distanceBands = region.distanceBands.map { Self.band($0, viewer) }
        switch viewer {
        case .region, .published:
            self.viewer = viewer == .region ? "region" : "published"
            authority = nil
            own = nil
        case .member(let code):
            self.viewer = "member"
            authority = code
            let mine = Sufficiency(input.demand(of: code), by: dimension)
            own = Own(
                rows: mine.rows.map { Self.row($0, .region) }, total: Self.row(mine.total, .region),
                unmetDemand: mine.unmet.map { Self.unmet($0, .region) }, distanceBands: mine.distanceBands.map { Self.band($0, .region) }
            )
        }
    }

    /// The rows as CSV (one line per row, then the total), header first.
    public var csv: String {
        var lines = [
            "key,open_offers,beds,rate_median_pence,rate_lower_quartile_pence,rate_upper_quartile_pence,open_bids,children_waiting,bids_per_month,looked_after,unmet_bids,unmet_children,exchange_placements,exchange_within_20_miles_pct,returns_with_distance,returns_within_20_miles_pct,returns_with_placement_area,placed_outside_region,placed_outside_region_pct"
        ]
        for row in rows + [total] {
            let rates = row.supply.weeklyRatePence
            let cells: [String] = [
                row.key, String(row.supply.openOffers), String(row.supply.beds), rates.map { String($0.median) } ?? "",
                rates.map { String($0.lowerQuartile) } ?? "", rates.map { String($0.upperQuartile) } ?? "",
                row.demand.openBids.description, row.demand.childrenWaiting.description, Self.text(row.demand.bidsPerMonth),
                row.demand.lookedAfter.description, row.unmet.bids.description, row.unmet.children.description,
                row.distance.exchangePlacements.description, Self.text(row.distance.exchangeWithin20MilesPct),
                row.distance.returnsWithDistance.description, Self.text(row.distance.returnsWithin20MilesPct),
                row.outsideRegion.withPlacementArea.description, row.outsideRegion.placed.description, Self.text(row.outsideRegion.pct),
            ]
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func text(_ value: Double?) -> String {
        value.map { String(format: "%.1f", $0) } ?? ""
    }

    static func row(_ figures: SufficiencyFigures, _ viewer: InsightViewer) -> Row {
        let rates: Rates? =
            figures.rates.isEmpty
            ? nil
            : Rates(
                median: Int64(Quantiles.of(figures.rates, 0.5)!.rounded()), lowerQuartile: Int64(Quantiles.of(figures.rates, 0.25)!.rounded()),
                upperQuartile: Int64(Quantiles.of(figures.rates, 0.75)!.rounded())
            )
        let lastYear = figures.bidsLastYear.shown(to: viewer)
        return Row(
            key: figures.key,
            supply: Supply(openOffers: figures.openOffers, beds: figures.beds, weeklyRatePence: rates),
            demand: Demand(
                openBids: figures.openBids.shown(to: viewer), childrenWaiting: figures.childrenWaiting.shown(to: viewer),
                bidsPerMonth: lastYear.value.map { (Double($0) / 12 * 10).rounded() / 10 }, lookedAfter: figures.lookedAfter.shown(to: viewer)
            ),
            unmet: UnmetCounts(bids: figures.unmetBids.shown(to: viewer), children: figures.unmetChildren.shown(to: viewer)),
            distance: Distance(
                exchangePlacements: figures.exchangePlacements.shown(to: viewer),
                exchangeWithin20MilesPct: share(figures.exchangeWithinTwentyMiles, of: figures.exchangePlacements, viewer),
                returnsWithDistance: figures.returnsWithDistance.shown(to: viewer),
                returnsWithin20MilesPct: share(figures.returnsWithinTwentyMiles, of: figures.returnsWithDistance, viewer)
            ),
            outsideRegion: OutsideRegion(
                withPlacementArea: figures.returnsWithPlacementArea.shown(to: viewer), placed: figures.placedOutsideRegion.shown(to: viewer),
                pct: share(figures.placedOutsideRegion, of: figures.returnsWithPlacementArea, viewer)
            )
        )
    }

    /// `part` as a percentage of `whole`, one decimal; nil when `whole` is zero or either is
    /// suppressed for `viewer` (a share of a small group would reveal it).
    static func share(_ part: ChildCount, of whole: ChildCount, _ viewer: InsightViewer) -> Double? {
        guard whole.total > 0, case .exact = whole.shown(to: viewer), case .exact = part.shown(to: viewer) else { return nil }
        return (Double(part.total) / Double(whole.total) * 1000).rounded() / 10
    }

    static func unmet(_ demand: UnmetDemand, _ viewer: InsightViewer) -> Unmet {
        Unmet(
            rule: demand.rule, settings: demand.settings.map(\.rawValue), needs: demand.needs.map(\.rawValue),
            maxDistanceKm: demand.maxDistanceKm, bids: demand.bids.shown(to: viewer), children: demand.children.shown(to: viewer),
            message: demand.message(for: viewer)
        )
    }

    static func band(_ band: DistanceBand, _ viewer: InsightViewer) -> Band {
        Band(label: band.label, exchange: band.exchange.shown(to: viewer), returns: band.returns.shown(to: viewer))
    }
}
