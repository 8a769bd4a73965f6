import Foundation
import HearthCore
import HearthTestSupport
import LibPQ
import Testing

@testable import HearthStore

@Suite("Throughput: the market search's bounding box")
struct ThroughputSearchTests {
    @Test("every point within the radius lies inside the box")
    func boxHoldsTheCircle() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let centre = Coordinate(lat: Double.random(in: -85...85, using: &generator), lon: Double.random(in: -179...179, using: &generator))
            let radius = Double.random(in: 0.5...800, using: &generator)
            let box = Geography.boundingBox(around: centre, radiusKm: radius)
            for _ in 0..<20 {
                let point = Coordinate(
                    lat: centre.lat + Double.random(in: -10...10, using: &generator), lon: centre.lon + Double.random(in: -20...20, using: &generator)
                )
                guard (-90...90).contains(point.lat), (-180...180).contains(point.lon), centre.distanceKm(to: point) <= radius else { continue }
                #expect(point.lat >= box.minLat && point.lat <= box.maxLat)
                if let minLon = box.minLon, let maxLon = box.maxLon {
                    #expect(point.lon >= minLon && point.lon <= maxLon, "centre \(centre), radius \(radius), point \(point)")
                }
            }
        }
    }

    @Test("the box is tight: 30 km around Maidstone spans about 0.54° of latitude")
    func boxIsTight() {
        let box = Geography.boundingBox(around: Coordinate(lat: 51.27, lon: 0.52), radiusKm: 30)
        #expect(abs((box.maxLat - box.minLat) - 0.5397) < 0.001)
        let width = (box.maxLon ?? 0) - (box.minLon ?? 0)
        #expect(width > 0.86 && width < 0.87)
    }

    @Test("a circle that reaches a pole or the antimeridian has no longitude bounds")
    func boxWithoutLongitudeBounds() {
        #expect(Geography.boundingBox(around: Coordinate(lat: 89.9, lon: 0), radiusKm: 50).minLon == nil)
        #expect(Geography.boundingBox(around: Coordinate(lat: 0, lon: 179.9), radiusKm: 50).minLon == nil)
    }

    /// 40,000 offers spread over the schema's latitude/longitude range (a fixed seed), in four
    /// settings, three kinds of needs, one in ten withdrawn, creation times with ties so that
    /// the cursor's id tie-break is exercised; then ANALYZE, as the daemon's autovacuum would.
    private func seedMarket(_ connection: PostgresConnection) throws {
        _ = try Migrator(migrations: try Migration.embedded()).migrate(connection)
        try connection.execute(
            """
            INSERT INTO authorities (code, name, lat, lon) VALUES ('E10000016', 'Kent', 51.19, 0.73), ('E10000011', 'East Sussex', 50.91, 0.26);
            SELECT setseed(0.25);
            INSERT INTO offers (authority, setting, capacity, needs_supported, age_min, age_max, sexes_accepted, lat, lon, available_from,
                weekly_rate_pence, status, created_at)
            SELECT CASE WHEN i % 2 = 0 THEN 'E10000016' ELSE 'E10000011' END,
                   (ARRAY['foster', 'childrens_home', 'secure_childrens_home', 'supported_accommodation'])[1 + i % 4], 1,
                   CASE WHEN i % 3 = 0 THEN ARRAY['autism'] WHEN i % 3 = 1 THEN ARRAY['emotional_behavioural', 'self_harm'] ELSE '{}' END,
                   0, 17, ARRAY['female', 'male'], round((49.5 + random() * 6)::numeric, 2), round((-5 + random() * 6.5)::numeric, 2),
                   DATE '2026-01-01', 60000, CASE WHEN i % 10 = 0 THEN 'withdrawn' ELSE 'open' END,
                   TIMESTAMPTZ '2026-01-01 00:00:00+00' + (i % 9000) * INTERVAL '1 second'
            FROM generate_series(1, 40000) AS i;
            ANALYZE offers;
            """
        )
    }

    /// The ids `filter` selects by brute force: the haversine on every row (no box, no
    /// index), in the list's order.
    private func bruteForce(_ filter: OfferFilter, on connection: PostgresConnection) throws -> [UUID] {
        guard let near = filter.near, let within = filter.withinKm else { return [] }
        var conditions: [PostgresQuery] = ["status = \(filter.status.rawValue)", "\(Geography.haversine(lat: "lat", lon: "lon", to: near)) <= \(within)"]
        if let setting = filter.setting { conditions.append("setting = \(setting.rawValue)") }
        if let need = filter.need { conditions.append("\(need.rawValue) = ANY (needs_supported)") }
        let query: PostgresQuery = "SELECT id FROM offers WHERE \(PostgresQuery.joined(conditions, separator: " AND ")) ORDER BY created_at, id"
        return try connection.run(query).rows.map { try $0.uuid("id") }
    }

    private static let searches: [(lat: Double, lon: Double, km: Double, setting: Setting?, need: Need?)] = [
        (51.28, 1.08, 30, .foster, .autism), (51.5, -0.12, 20, nil, nil), (52.2, 0.12, 45, .childrensHome, nil),
        (50.9, -1.4, 15, nil, .selfHarm), (53.0, -2.0, 60, .foster, nil),
    ]

    @Test("the radius search reads an index beneath row-level security and returns what a brute-force filter does, page by page",
          .enabled(if: TestDatabase.isRequired))
    func searchUsesTheIndex() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            try seedMarket(connection)
            for search in Self.searches {
                let centre = Coordinate(lat: search.lat, lon: search.lon)
                var filter = Self.radiusSearch(around: centre, km: search.km, setting: search.setting, need: search.need)
                filter.limit = 10
                let expected = try connection.transaction { transaction in
                    try transaction.enter(.authority("E10000011"))
                    return try bruteForce(filter, on: transaction)
                }
                #expect(expected.count > filter.limit, "the search \(search) should span pages")

                let plan = try self.plan(filter, on: connection)
                #expect(plan.contains("\"Index Name\": \"offers_position\"") || plan.contains("\"Index Name\": \"offers_listing\""), "search \(search): \(plan)")
                #expect(!plan.contains("Seq Scan"), "search \(search): \(plan)")

                var listed: [UUID] = []
                while true {
                    let page = try connection.transaction { transaction in
                        try transaction.enter(.authority("E10000011"))
                        return try OfferRepository.list(filter, on: transaction)
                    }
                    listed += page.map(\.id)
                    for offer in page {
                        let distance = try #require(offer.distanceKm)
                        #expect(distance <= search.km)
                        #expect(abs(distance - centre.distanceKm(to: offer.draft.location)) < 1e-6)
                    }
                    guard page.count == filter.limit, let last = page.last else { break }
                    filter.after = ListCursor(createdAt: last.createdAt, id: last.id)
                }
                #expect(listed == expected, "search \(search)")
            }
        }
    }

    /// The open offers within `km` of `centre`, optionally of one setting and supporting one need.
    private static func radiusSearch(around centre: Coordinate, km: Double, setting: Setting? = nil, need: Need? = nil) -> OfferFilter {
        var filter = OfferFilter()
        filter.near = centre
        filter.withinKm = km
        filter.setting = setting
        filter.need = need
        return filter
    }

    /// The plan PostgreSQL chooses for `filter`'s statement with its values, in East Sussex's
    /// scope as `hearth_app`.
    private func plan(_ filter: OfferFilter, on connection: PostgresConnection) throws -> String {
        try connection.transaction { transaction in
            try transaction.enter(.authority("E10000011"))
            let query = OfferRepository.listQuery(filter)
            return try transaction.query("EXPLAIN (FORMAT JSON) " + query.sql, query.binds).rows.map { try $0.string("QUERY PLAN") }.joined()
        }
    }

    @Test("where offers crowd the circle the search walks offers_listing in page order; where they are rare it reads the box; each run is planned for its values",
          .enabled(if: TestDatabase.isRequired))
    func crowdedAndSparseSearches() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            try seedMarket(connection)
            // 15,000 more open offers at one point, as when one provider lists many beds.
            try connection.execute(
                """
                INSERT INTO offers (authority, setting, capacity, age_min, age_max, sexes_accepted, lat, lon, available_from, weekly_rate_pence)
                SELECT 'E10000011', 'foster', 1, 0, 17, ARRAY['female', 'male'], 50.91, 0.26, DATE '2026-01-01', 70000
                FROM generate_series(1, 15000);
                ANALYZE offers;
                """
            )
            let crowded = Self.radiusSearch(around: Coordinate(lat: 50.91, lon: 0.26), km: 50)
            #expect(try plan(crowded, on: connection).contains("\"Index Name\": \"offers_listing\""))

            let sparse = Self.radiusSearch(around: Coordinate(lat: 51.28, lon: 1.08), km: 10, setting: .secureChildrensHome, need: .autism)
            #expect(try plan(sparse, on: connection).contains("\"Index Name\": \"offers_position\""))

            // Run more often than PostgreSQL's five custom plans before it may keep a generic
            // one: each search still asks for a plan of its own values.
            for _ in 0..<8 {
                let setting = try connection.transaction { transaction in
                    try transaction.enter(.authority("E10000011"))
                    let page = try OfferRepository.list(crowded, on: transaction)
                    #expect(page.count == crowded.limit)
                    return try transaction.one("SELECT current_setting('plan_cache_mode') AS mode").string("mode")
                }
                #expect(setting == "force_custom_plan")
            }
        }
    }
}
