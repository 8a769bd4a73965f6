import HearthCore
import LibPQ

/// How many open offers and open bids there are at one place on the market map: a postcode
/// district, or (for records given by coordinates) the coarse point itself. Counts only: never
/// a child, a reference or an authority.
public struct MarketMapPoint: Sendable, Equatable {
    /// The postcode district (`RG12`), or nil for records located by coordinates.
    public let district: String?
    /// The district's coarse point (2 decimal places).
    public let location: Coordinate
    /// Open offers there.
    public let openOffers: Int
    /// Open bids whose child's home is there, across the whole region.
    public let openBids: Int

    /// Creates a point.
    public init(district: String?, location: Coordinate, openOffers: Int, openBids: Int) {
        self.district = district
        self.location = location
        self.openOffers = openOffers
        self.openBids = openBids
    }
}

/// The market map's aggregate: open offers and open bids counted per place.
public enum MarketMapRepository {
    /// Every place with at least one open offer or open bid, by district then coordinates.
    ///
    /// Counts every authority's open bids, so run it with the `.all` scope; it returns counts
    /// only, which every member may see (DESIGN.md: the market's supply and demand).
    public static func openCounts(on connection: PostgresConnection) throws -> [MarketMapPoint] {
        try connection.run(
            """
            SELECT district, lat, lon, sum(offers)::int AS offers, sum(bids)::int AS bids FROM (
                SELECT postcode_district AS district, lat, lon, count(*) AS offers, 0 AS bids
                FROM offers WHERE status = \(OfferStatus.open.rawValue) GROUP BY 1, 2, 3
                UNION ALL
                SELECT home_postcode_district, home_lat, home_lon, 0, count(*)
                FROM bids WHERE status = \(BidStatus.open.rawValue) GROUP BY 1, 2, 3
            ) counted
            GROUP BY district, lat, lon ORDER BY district NULLS LAST, lat, lon
            """
        ).rows.map { row in
            MarketMapPoint(
                district: try row.optionalString("district"), location: Coordinate(lat: try row.double("lat"), lon: try row.double("lon")),
                openOffers: try row.int("offers"), openBids: try row.int("bids")
            )
        }
    }
}
