import Foundation
import HearthCore
import HearthStore
import Testing

@testable import HearthWeb

private let districts = try! PostcodeDistricts(csv: "district,lat,lon\nRG12,51.4123,-0.7512\nME14,51.2801,0.5402\n")
private let today = CalendarDate(iso: "2026-12-01")!

private func form(_ pairs: [(String, String)]) -> FormInput { FormInput(pairs) }

private let goodOffer: [(String, String)] = [
    ("setting", "foster"), ("capacity", "2"), ("needs_supported", "autism"), ("needs_supported", "self_harm"),
    ("sexes_accepted", "female"), ("sexes_accepted", "male"), ("age_min", "5"), ("age_max", "12"), ("postcode", "rg12 1jd"),
    ("available_from", "2026-12-01"), ("available_until", ""), ("weekly_rate", "1,234.50"), ("ofsted_urn", ""),
]

@Suite("the placement pages' forms, words and map (no database)")
struct WebPagesUnitTests {
    @Test("pounds become pence with checked arithmetic; anything else is refused")
    func pounds() {
        #expect(Pounds.pence(from: "1234.50") == 123_450)
        #expect(Pounds.pence(from: "£1,234.5") == 123_450)
        #expect(Pounds.pence(from: "850") == 85_000)
        #expect(Pounds.pence(from: "0.05") == 5)
        #expect(Pounds.pence(from: "-5") == nil)
        #expect(Pounds.pence(from: "12.345") == nil)
        #expect(Pounds.pence(from: "1e3") == nil)
        #expect(Pounds.pence(from: "") == nil)
        #expect(Pounds.pence(from: "999999999999999") == 99_999_999_999_999_900)
        #expect(Pounds.pence(from: "9999999999999999") == nil)
        #expect(Pounds.formValue(123_450) == "1234.50")
        #expect(Pounds.formValue(5) == "0.05")
    }

    @Test("a good offer form becomes the draft the API would store: pence, district, rounded point")
    func offerDraft() throws {
        let draft = try OfferForm.draft(from: form(goodOffer), postcodes: districts, today: today).get()
        #expect(draft.weeklyRatePence == 123_450)
        #expect(draft.postcodeDistrict == "RG12")
        #expect(draft.location == Coordinate(lat: 51.41, lon: -0.75))
        #expect(draft.needsSupported == [.autism, .selfHarm])
        #expect(draft.sexesAccepted == [.female, .male])
        #expect(draft.availableUntil == nil)
        #expect(draft.ofstedURN == nil)
    }

    @Test("every mistake in an offer form is reported once, in the form's own field names")
    func offerProblems() {
        var pairs = goodOffer.filter { !["capacity", "weekly_rate", "postcode", "sexes_accepted", "age_max"].contains($0.0) }
        pairs += [("capacity", "two"), ("weekly_rate", "12.345"), ("postcode", "ZZ99 9ZZ"), ("age_max", "3")]
        guard case .failure(let failure) = OfferForm.draft(from: form(pairs), postcodes: districts, today: today) else {
            Issue.record("the form was accepted")
            return
        }
        let fields = failure.problems.map(\.field)
        #expect(fields.sorted() == ["age_max", "capacity", "postcode", "sexes_accepted", "weekly_rate"])
        #expect(failure.problems.first { $0.field == "age_max" }?.message == "Oldest age accepted must not be below the youngest age")
        #expect(failure.problems.first { $0.field == "sexes_accepted" }?.message.hasPrefix("Sexes accepted") == true)
    }

    @Test("the domain's rate limit is shown in pounds against weekly_rate")
    func rateLimitInPounds() {
        let pairs = goodOffer.filter { $0.0 != "weekly_rate" } + [("weekly_rate", "100000.01")]
        guard case .failure(let failure) = OfferForm.draft(from: form(pairs), postcodes: districts, today: today) else {
            Issue.record("the form was accepted")
            return
        }
        #expect(failure.problems == [FieldProblem("weekly_rate", "Weekly rate per child must be from £0.00 to £100,000.00")])
    }

    @Test("a bid form reads postcode districts, optional bounds and pounds; a bad reference is refused by the domain's rule")
    func bidDraft() throws {
        let pairs: [(String, String)] = [
            ("child_ref", "KT-0001"), ("group_size", ""), ("age", "9"), ("sex", "female"), ("needs", "autism"), ("settings_acceptable", "foster"),
            ("postcode", "ME14"), ("max_distance_km", "50"), ("min_distance_km", ""), ("urgency", "urgent"), ("needed_by", "2026-12-05"),
            ("max_weekly_rate", "1500"),
        ]
        let draft = try BidForm.draft(from: form(pairs), postcodes: districts, today: today).get()
        #expect(draft.groupSize == 1)
        #expect(draft.homePostcodeDistrict == "ME14")
        #expect(draft.maxDistanceKm == 50)
        #expect(draft.minDistanceKm == nil)
        #expect(draft.maxWeeklyRatePence == 150_000)
        let named = pairs.map { $0.0 == "child_ref" ? ("child_ref", "Jane Smith") : $0 }
        guard case .failure(let failure) = BidForm.draft(from: form(named), postcodes: districts, today: today) else {
            Issue.record("a name was accepted as a reference")
            return
        }
        #expect(failure.problems.map(\.field) == ["child_ref"])
    }

    @Test("a re-shown form keeps what was typed, ticks the boxes ticked, and links each problem to its field")
    func formView() {
        let view = BidForm.spec.view(
            form([("needs", "autism"), ("needs", "uasc"), ("age", "<b>9</b>")]), problems: [FieldProblem("age", "Enter the age as a whole number, like 9")]
        )
        #expect(view.fields["age"]?.value == "<b>9</b>")
        #expect(view.fields["age"]?.hasError == true)
        #expect(view.fields["age"]?.describedBy == "age-hint age-error")
        let ticked = view.fields["needs"]?.options.filter(\.checked).map(\.value)
        #expect(ticked == ["autism", "uasc"])
        #expect(view.fields["needs"]?.options.first?.id == "needs")
        #expect(view.errors == [ErrorLink(field: "age", href: "#age", message: "Enter the age as a whole number, like 9")])
    }

    @Test("accepting needs yes or no, and what the child said when they were consulted")
    func childViews() throws {
        guard case .failure(let missing) = ProposalForms.childViews(from: form([("consulted", "yes"), ("summary", " ")])) else {
            Issue.record("no summary was accepted")
            return
        }
        #expect(missing.problems.map(\.field) == ["summary"])
        guard case .failure(let unanswered) = ProposalForms.childViews(from: form([])) else {
            Issue.record("no answer was accepted")
            return
        }
        #expect(unanswered.problems.map(\.field) == ["consulted"])
        #expect(try ProposalForms.childViews(from: form([("consulted", "no")])).get() == ChildViews(consulted: false, summary: nil))
        #expect(try ProposalForms.childViews(from: form([("consulted", "true"), ("summary", "Yes please")])).get() == ChildViews(consulted: true, summary: "Yes please"))
        #expect(FormReader.britishDate("14/3/2027") == CalendarDate(iso: "2027-03-14"))
        #expect(FormReader.britishDate("30/2/2027") == nil)
    }

    @Test("the map places counts per district inside the drawing, escapes names, has a text alternative, and draws nothing for an empty market")
    func map() throws {
        #expect(MarketMapDrawing.make([]) == nil)
        let points = [
            MarketMapPoint(district: "RG12", location: Coordinate(lat: 51.41, lon: -0.75), openOffers: 3, openBids: 1),
            MarketMapPoint(district: "ME14", location: Coordinate(lat: 51.28, lon: 0.54), openOffers: 0, openBids: 2),
            MarketMapPoint(district: "<x>", location: Coordinate(lat: 51.0, lon: 0.0), openOffers: 1, openBids: 0),
        ]
        let drawing = try #require(MarketMapDrawing.make(points))
        #expect(drawing.description.hasPrefix("3 places: 4 open offers and 3 open bids"))
        #expect(drawing.places.first?.tooltip == "RG12: 3 open offers, 1 open bid")
        let markers = drawing.places.flatMap(\.markers)
        #expect(markers.map(\.count).sorted() == [1, 1, 2, 3])
        for marker in markers {
            let (x, y, r) = (try #require(Double(marker.x)), try #require(Double(marker.y)), try #require(Double(marker.r)))
            #expect(x - r >= 0 && x + r <= MarketMapDrawing.width && y - r >= 0 && y + r <= MarketMapDrawing.height)
        }
        #expect(MarketMapDrawing.make(points) == drawing)
    }

    @Test("deadlines read in London time with what is left")
    func deadlines() {
        let instant = Date(timeIntervalSince1970: 1_796_400_000)  // 2026-12-04 16:00 UTC (GMT in winter)
        #expect(PlainWords.dateTime(instant) == "4:00pm on Friday 4 December 2026")
        #expect(PlainWords.remaining(until: instant, now: instant.addingTimeInterval(-3 * 86_400)) == "in 3 days")
        #expect(PlainWords.remaining(until: instant, now: instant.addingTimeInterval(-5 * 3600)) == "in 5 hours")
        #expect(PlainWords.remaining(until: instant, now: instant.addingTimeInterval(60)) == "passed")
        let summer = Date(timeIntervalSince1970: 1_782_900_000)  // 2026-07-01 10:00 UTC = 11:00 BST
        #expect(PlainWords.dateTime(summer) == "11:00am on Wednesday 1 July 2026")
    }
}
