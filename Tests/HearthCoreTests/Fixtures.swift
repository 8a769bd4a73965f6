import Foundation
@testable import HearthCore

/// Builders for bids and offers that are compatible with each other unless a test changes them.
enum Fixtures {
    static let today = CalendarDate(iso: "2026-03-02")!
    static let brighton = Coordinate(lat: 50.82, lon: -0.14)
    static let lewes = Coordinate(lat: 50.87, lon: 0.01)

    static func bid(
        id: UUID = UUID(), groupSize: Int = 1, age: Int = 10, sex: Sex = .female, needs: Set<Need> = [],
        settings: Set<Setting> = [.foster], home: Coordinate = brighton, maxDistanceKm: Double? = nil,
        minDistanceKm: Double? = nil, urgency: Urgency = .planned, neededBy: CalendarDate = today,
        maxWeeklyRatePence: Int64? = nil, waitingSince: Date = Date(timeIntervalSince1970: 1_700_000_000)
    ) -> ClearingBid {
        ClearingBid(
            id: id, authority: "E10000032", groupSize: groupSize, age: age, sex: sex, needs: needs,
            settingsAcceptable: settings, home: home, maxDistanceKm: maxDistanceKm, minDistanceKm: minDistanceKm,
            urgency: urgency, neededBy: neededBy, maxWeeklyRatePence: maxWeeklyRatePence, waitingSince: waitingSince
        )
    }

    static func offer(
        id: UUID = UUID(), setting: Setting = .foster, needs: Set<Need> = Set(Need.allCases), ageMin: Int = 0,
        ageMax: Int = 17, sexes: Set<Sex> = Set(Sex.allCases), location: Coordinate = lewes,
        availableFrom: CalendarDate = today, availableUntil: CalendarDate? = nil,
        weeklyRatePence: Int64 = 60_000, freeBeds: Int = 1
    ) -> ClearingOffer {
        ClearingOffer(
            id: id, authority: "E10000011", setting: setting, needsSupported: needs, ageMin: ageMin, ageMax: ageMax,
            sexesAccepted: sexes, location: location, availableFrom: availableFrom, availableUntil: availableUntil,
            weeklyRatePence: weeklyRatePence, freeBeds: freeBeds
        )
    }
}
