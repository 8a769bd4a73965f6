import Foundation
import HearthCore
import HearthInsight
import HearthStore
import HearthTestSupport
import LibPQ
import Testing

/// The what-if against a real PostgreSQL: the window's bids (any status) and the offers open in
/// it, cleared by the real solver, before and after extra capacity — a case small enough to
/// work out by hand.
@Suite("InsightWhatIf: bids cleared again with extra capacity", .enabled(if: TestDatabase.isRequired))
struct InsightWhatIfTests {
    static let offerPoint = Coordinate(lat: 51.38, lon: 0.52)
    static let nearHome = Coordinate(lat: 51.38, lon: 0.53)
    static let farHome = Coordinate(lat: 51.27, lon: 0.52)

    /// One foster bed near Chatham, a withdrawn children's home that closed before the window,
    /// an urgent bid near the bed and a since-withdrawn planned bid near Maidstone.
    private func seed(_ connection: PostgresConnection) throws {
        try connection.query("INSERT INTO authorities (code, name, lat, lon) VALUES ('E10000016', 'Kent', 51.27, 0.52)")
        try connection.query(
            """
            INSERT INTO offers (authority, setting, capacity, age_min, age_max, sexes_accepted, lat, lon, available_from, weekly_rate_pence)
            VALUES ('E10000016', 'foster', 1, 0, 17, '{female,male}', $1, $2, '2020-01-01', 70000)
            """, [InsightWhatIfTests.offerPoint.lat, InsightWhatIfTests.offerPoint.lon])
        try connection.query(
            """
            INSERT INTO offers (authority, setting, capacity, age_min, age_max, sexes_accepted, lat, lon, available_from, weekly_rate_pence,
                                status, created_at, updated_at)
            VALUES ('E10000016', 'childrens_home', 2, 0, 17, '{female,male}', 51.30, 0.50, '2020-01-01', 400000,
                    'withdrawn', now() - interval '3 years', now() - interval '2 years')
            """)
        try connection.query(
            """
            INSERT INTO bids (authority, child_ref, age, sex, settings_acceptable, home_lat, home_lon, urgency, needed_by)
            VALUES ('E10000016', 'KT-NEAR', 9, 'female', '{foster}', $1, $2, 'urgent', current_date)
            """, [InsightWhatIfTests.nearHome.lat, InsightWhatIfTests.nearHome.lon])
        try connection.query(
            """
            INSERT INTO bids (authority, child_ref, age, sex, settings_acceptable, home_lat, home_lon, urgency, needed_by, status)
            VALUES ('E10000016', 'KT-FAR', 12, 'male', '{foster}', $1, $2, 'planned', current_date, 'withdrawn')
            """, [InsightWhatIfTests.farHome.lat, InsightWhatIfTests.farHome.lon])
        // Outside the window: made two years ago.
        try connection.query(
            """
            INSERT INTO bids (authority, child_ref, age, sex, settings_acceptable, home_lat, home_lon, urgency, needed_by, status, created_at)
            VALUES ('E10000016', 'KT-OLD', 10, 'male', '{foster}', 51.38, 0.52, 'emergency', current_date - 700, 'placed', now() - interval '2 years')
            """)
    }

    @Test("one bed, two children: the urgent child is placed; a bed in ME14 places the other nearby")
    func handComputed() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            _ = try Migrator(migrations: try Migration.embedded()).migrate(connection)
            try seed(connection)
            let to = CalendarDate.today()
            let from = to.adding(days: -365)
            let (bids, offers, declined) = try connection.transaction { transaction in
                let bids = try WhatIfQueries.bids(from: from, to: to, on: transaction)
                return (bids, try WhatIfQueries.offers(from: from, to: to, on: transaction),
                        try WhatIfQueries.declined(bids: bids.map(\.id), on: transaction))
            }
            #expect(bids.count == 2, "the window's bids, the withdrawn one included, not the old one")
            #expect(offers.count == 1, "the children's home closed before the window")
            let postcodes = try PostcodeDistricts.load()
            let me14 = try #require(postcodes.location(of: "ME14"))
            let whatIf = WhatIf(bids: bids, offers: offers, declined: declined, from: from, to: to, districts: postcodes.whatIfDistricts)
            let addition = try WhatIfAddition.parse("setting=foster,capacity=1,postcode=ME14") { postcodes.location(of: $0) == nil ? nil : $0 }
            let result = try whatIf.run(adding: [addition])

            let near = InsightWhatIfTests.nearHome.distanceKm(to: InsightWhatIfTests.offerPoint)
            let far = InsightWhatIfTests.farHome.distanceKm(to: me14)
            #expect(result.before.childrenPlaced == 1)
            #expect(result.before.placedWithin20Miles == 1)
            #expect(abs(result.before.meanDistanceKm - near) < 0.01)
            #expect(result.before.weeklyCostPence == 70000)
            #expect(result.after.childrenPlaced == 2)
            #expect(result.after.placedWithin20Miles == 2)
            #expect(abs(result.after.meanDistanceKm - (near + far) / 2) < 0.01)
            #expect(result.after.weeklyCostPence == 140000, "the new bed costs the median foster rate")
            let best = try #require(result.ranking.first)
            #expect(best.setting == .foster && best.extraChildrenPlaced == 1)
        }
    }
}
