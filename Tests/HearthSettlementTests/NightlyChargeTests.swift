import HearthCore
import HearthSettlement
import Testing

@Suite("nightly charge")
struct NightlyChargeTests {
    @Test("any seven consecutive nights sum to the weekly rate exactly", arguments: [Int64(0), 1, 6, 7, 70_000, 85_001, 123_456_789])
    func sevenNightsSumToTheWeek(weekly: Int64) throws {
        let start = try #require(CalendarDate(iso: "2026-01-01"))
        for offset in 0..<30 {
            let total = (0..<7).reduce(Int64(0)) { $0 + NightlyCharge.pence(weeklyRatePence: weekly, night: start.adding(days: offset + $1)) }
            #expect(total == weekly)
        }
    }

    @Test("nights differ by at most a penny")
    func nightsAreEven() throws {
        let start = try #require(CalendarDate(iso: "2026-03-01"))
        let nights = (0..<14).map { NightlyCharge.pence(weeklyRatePence: 85_001, night: start.adding(days: $0)) }
        #expect(nights.max()! - nights.min()! <= 1)
        let floor: Int64 = 85_001 / 7
        #expect(nights.min() == floor)
    }
}
