import Foundation
import Testing
@testable import HearthCore

@Suite("Compatibility rules")
struct CompatibilityTests {
    private func check(_ bid: ClearingBid, _ offer: ClearingOffer, declined: Set<DeclinedPair> = []) -> Compatibility {
        bid.compatibility(with: offer, today: Fixtures.today, declined: declined)
    }

    private func failure(_ bid: ClearingBid, _ offer: ClearingOffer) -> Incompatibility? {
        if case .incompatible(let reason) = check(bid, offer) { return reason }
        return nil
    }

    @Test("a matching pair is compatible, with its distance and rate")
    func compatiblePair() {
        let result = check(Fixtures.bid(), Fixtures.offer())
        guard case .compatible(let km, let rate) = result else {
            Issue.record("expected compatible, got \(result)")
            return
        }
        #expect(abs(km - Fixtures.brighton.distanceKm(to: Fixtures.lewes)) < 1e-12)
        #expect(rate == 60_000)
    }

    @Test("a setting the bid does not accept fails first")
    func setting() {
        let reason = failure(Fixtures.bid(settings: [.foster]), Fixtures.offer(setting: .childrensHome, ageMax: 5))
        #expect(reason == .settingNotAcceptable(.childrensHome))
        #expect(reason?.explanation == "this place is a children's home, which is not a setting acceptable for this child")
    }

    @Test("an age outside the offer's range fails")
    func age() {
        let reason = failure(Fixtures.bid(age: 14), Fixtures.offer(ageMin: 8, ageMax: 12))
        #expect(reason == .ageOutOfRange(age: 14, ageMin: 8, ageMax: 12))
        #expect(reason?.explanation == "this place takes children aged 8 to 12, and this child is 14")
    }

    @Test("a sex the offer does not accept fails")
    func sex() {
        let reason = failure(Fixtures.bid(sex: .male), Fixtures.offer(sexes: [.female]))
        #expect(reason == .sexNotAccepted(.male))
        #expect(reason?.explanation == "this place does not accept boys")
    }

    @Test("an unsupported need fails and is named")
    func need() {
        let reason = failure(Fixtures.bid(needs: [.autism, .selfHarm]), Fixtures.offer(needs: [.selfHarm]))
        #expect(reason == .needNotSupported(.autism))
        #expect(reason?.explanation == "this place does not support autism")
    }

    @Test("fewer free beds than the sibling group fails")
    func capacity() {
        let reason = failure(Fixtures.bid(groupSize: 3), Fixtures.offer(freeBeds: 2))
        #expect(reason == .notEnoughCapacity(freeBeds: 2, groupSize: 3))
        #expect(reason?.explanation == "this place has 2 free beds, and these 3 siblings must live together")
        #expect(failure(Fixtures.bid(), Fixtures.offer(freeBeds: 0))?.explanation == "this place has no free bed")
    }

    @Test("an offer not available on the start date fails, the start being the later of needed-by and today")
    func availability() {
        let later = Fixtures.today.adding(days: 10)
        let notYet = failure(Fixtures.bid(), Fixtures.offer(availableFrom: later))
        #expect(notYet == .notAvailable(start: Fixtures.today, availableFrom: later, availableUntil: nil))
        #expect(notYet?.explanation == "this place is not available until 2026-03-12, and the child needs it from 2026-03-02")
        let ended = failure(Fixtures.bid(neededBy: later), Fixtures.offer(availableUntil: later.adding(days: -1)))
        #expect(ended?.code == "not_available")
        // A needed-by date in the past starts today: an offer from today is fine.
        #expect(failure(Fixtures.bid(neededBy: Fixtures.today.adding(days: -30)), Fixtures.offer()) == nil)
        // The start date itself is within the availability window at both ends.
        #expect(failure(Fixtures.bid(), Fixtures.offer(availableFrom: Fixtures.today, availableUntil: Fixtures.today)) == nil)
    }

    @Test("an offer beyond the maximum distance fails")
    func tooFar() {
        let km = Fixtures.brighton.distanceKm(to: Fixtures.lewes)
        let reason = failure(Fixtures.bid(maxDistanceKm: 5), Fixtures.offer())
        #expect(reason == .tooFar(distanceKm: km, maxDistanceKm: 5))
        #expect(reason?.explanation == "this place is \(formatKm(km)) km from the child's home, further than the 5.0 km limit")
        // Exactly at the limit is within it.
        #expect(failure(Fixtures.bid(maxDistanceKm: km), Fixtures.offer()) == nil)
    }

    @Test("an offer nearer than the minimum distance fails")
    func tooNear() {
        let km = Fixtures.brighton.distanceKm(to: Fixtures.lewes)
        let reason = failure(Fixtures.bid(minDistanceKm: 50), Fixtures.offer())
        #expect(reason == .tooNear(distanceKm: km, minDistanceKm: 50))
        #expect(reason?.explanation.hasSuffix("and the child must live at least 50.0 km away") == true)
        #expect(failure(Fixtures.bid(minDistanceKm: km), Fixtures.offer()) == nil)
    }

    @Test("a weekly rate over the budget fails")
    func budget() {
        let reason = failure(Fixtures.bid(maxWeeklyRatePence: 100_000), Fixtures.offer(weeklyRatePence: 125_000))
        #expect(reason == .overBudget(weeklyRatePence: 125_000, maxWeeklyRatePence: 100_000))
        #expect(reason?.explanation == "this place costs £1,250.00 a week, over the budget of £1,000.00")
        #expect(failure(Fixtures.bid(maxWeeklyRatePence: 125_000), Fixtures.offer(weeklyRatePence: 125_000)) == nil)
    }

    @Test("a pair declined before fails last")
    func declined() {
        let bid = Fixtures.bid()
        let offer = Fixtures.offer()
        let result = check(bid, offer, declined: [DeclinedPair(bidID: bid.id, offerID: offer.id)])
        #expect(result == .incompatible(.declinedBefore))
        #expect(Incompatibility.declinedBefore.code == "declined_before")
    }

    @Test("rules are reported in order: the first failure wins")
    func order() {
        let everythingWrong = failure(
            Fixtures.bid(age: 20, sex: .male, needs: [.autism], maxDistanceKm: 1, maxWeeklyRatePence: 1),
            Fixtures.offer(needs: [], ageMax: 17, sexes: [.female], freeBeds: 0)
        )
        #expect(everythingWrong?.code == "age_out_of_range")
        let sexAndNeed = failure(Fixtures.bid(sex: .male, needs: [.autism]), Fixtures.offer(needs: [], sexes: [.female]))
        #expect(sexAndNeed?.code == "sex_not_accepted")
        let farAndDear = failure(Fixtures.bid(maxDistanceKm: 1, maxWeeklyRatePence: 1), Fixtures.offer())
        #expect(farAndDear?.code == "too_far")
    }

    @Test("money is formatted as pounds with thousands separators")
    func pounds() {
        #expect(formatPounds(5) == "£0.05")
        #expect(formatPounds(123_456_789) == "£1,234,567.89")
    }
}
