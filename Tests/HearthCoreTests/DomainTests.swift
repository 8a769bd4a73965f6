import Foundation
import Testing
@testable import HearthCore

@Suite("Calendar dates")
struct CalendarDateTests {
    @Test("parses a valid ISO date and prints it back")
    func parsesAndPrints() throws {
        let date = try #require(CalendarDate(iso: "2026-02-28"))
        #expect(date.year == 2026 && date.month == 2 && date.day == 28)
        #expect(date.iso == "2026-02-28")
    }

    @Test("rejects dates that do not exist and malformed strings", arguments: [
        "2026-02-30", "2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01", "26-01-01", "2026/01/01", "",
    ])
    func rejectsInvalid(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test("accepts 29 February in a leap year only")
    func leapYears() {
        #expect(CalendarDate(iso: "2024-02-29") != nil)
        #expect(CalendarDate(iso: "2000-02-29") != nil)
        #expect(CalendarDate(iso: "1900-02-29") == nil)
    }

    @Test("counts days from 1970-01-01 and adds days across month and year ends")
    func dayNumbers() throws {
        #expect(CalendarDate(iso: "1970-01-01")!.dayNumber == 0)
        #expect(CalendarDate(iso: "2000-03-01")!.dayNumber == 11017)
        #expect(CalendarDate(iso: "1969-12-31")!.dayNumber == -1)
        #expect(CalendarDate(iso: "2026-12-31")!.adding(days: 1).iso == "2027-01-01")
        #expect(CalendarDate(iso: "2024-03-01")!.adding(days: -1).iso == "2024-02-29")
        for dayNumber in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CalendarDate(dayNumber: dayNumber).dayNumber == dayNumber)
        }
    }

    @Test("orders dates chronologically and encodes as the ISO string")
    func orderAndCoding() throws {
        let earlier = CalendarDate(iso: "2025-12-31")!
        let later = CalendarDate(iso: "2026-01-01")!
        #expect(earlier < later)
        let data = try JSONEncoder().encode([later])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-01-01"]"#)
        #expect(try JSONDecoder().decode([CalendarDate].self, from: data) == [later])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CalendarDate].self, from: Data(#"["2026-02-30"]"#.utf8)) }
    }

    @Test("today follows Europe/London, including summer time")
    func todayInLondon() {
        // 2026-07-01 23:30 UTC is 00:30 on 2 July in London (BST).
        let summerNight = Date(timeIntervalSince1970: 1_782_948_600)
        #expect(CalendarDate.today(at: summerNight).iso == "2026-07-02")
        #expect(CalendarDate.today(in: "UTC", at: summerNight).iso == "2026-07-01")
        // 2026-01-15 23:30 UTC is still 15 January in London (GMT).
        #expect(CalendarDate.today(at: Date(timeIntervalSince1970: 1_768_519_800)).iso == "2026-01-15")
    }
}

@Suite("Coordinates and domain codes")
struct CoordinateTests {
    @Test("rounds to two decimal places")
    func rounding() {
        let rounded = Coordinate(lat: 51.50735, lon: -0.12776).rounded()
        #expect(rounded == Coordinate(lat: 51.51, lon: -0.13))
    }

    @Test("measures great-circle distance with the haversine formula")
    func distance() {
        let london = Coordinate(lat: 51.5074, lon: -0.1278)
        let paris = Coordinate(lat: 48.8566, lon: 2.3522)
        // Classic haversine for comparison.
        func haversine(_ a: Coordinate, _ b: Coordinate) -> Double {
            let p1 = a.lat * .pi / 180, p2 = b.lat * .pi / 180
            let dp = p2 - p1, dl = (b.lon - a.lon) * .pi / 180
            let h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2)
            return 2 * 6371.0088 * asin(h.squareRoot())
        }
        #expect(abs(london.distanceKm(to: paris) - 343.56) < 0.05)
        #expect(abs(london.distanceKm(to: paris) - haversine(london, paris)) < 1e-9)
        let near = Coordinate(lat: 51.5075, lon: -0.1278)
        #expect(abs(london.distanceKm(to: near) - haversine(london, near)) < 1e-9)
        #expect(london.distanceKm(to: london) == 0)
    }

    @Test("uses the API's JSON strings for codes")
    func rawValues() {
        #expect(Setting.secureChildrensHome.rawValue == "secure_childrens_home")
        #expect(Need.allCases.map(\.rawValue).contains("deprivation_of_liberty"))
        #expect(Need.allCases.count == 14)
        #expect(Role.operator.rawValue == "operator")
        #expect(Urgency.allCases.sorted() == [.emergency, .urgent, .planned])
        #expect(Urgency.emergency < Urgency.planned)
    }
}
