import Foundation
import Testing
@testable import HearthCore

/// A live proposal made at noon on 2026-03-02 (London), placing Brighton's child in Kent's place.
private func proposal(status: ProposalStatus = .proposed, acceptedBy: Credential? = nil) -> Proposal {
    let made = Date(timeIntervalSince1970: 1_772_452_800)  // 2026-03-02 12:00 UTC
    return Proposal(
        id: UUID(), roundID: 1, bidID: UUID(), offerID: UUID(), placingAuthority: "E10000032", hostAuthority: "E10000016", beds: 1,
        distanceKm: 12, weeklyRatePence: 70_000, status: status, expiresAt: made.addingTimeInterval(259_200), childViews: nil,
        acceptedBy: acceptedBy, acceptedAt: nil, signedOffBy: nil, signedOffAt: nil, signOffNote: nil, declinedBy: nil, declinedAt: nil,
        declineReason: nil, confirmedAt: nil, placementID: nil, version: 1, createdAt: made, updatedAt: made
    )
}

private func offer(from: String = "2026-01-01", until: String? = nil, status: OfferStatus = .open, capacity: Int = 2) -> Offer {
    let draft = OfferDraft(
        setting: .foster, capacity: capacity, needsSupported: [], ageMin: 0, ageMax: 17, sexesAccepted: [.female], location: Fixtures.lewes,
        postcodeDistrict: nil, availableFrom: CalendarDate(iso: from)!, availableUntil: until.flatMap(CalendarDate.init(iso:)),
        weeklyRatePence: 70_000, ofstedURN: nil
    )
    return Offer(id: UUID(), authority: "E10000016", status: status, version: 1, createdAt: Date(), updatedAt: Date(), draft: draft)
}

private let placing = Agent(authority: "E10000032", role: .placement, credential: .apiKey("key-placing"))
private let scrutiny = Agent(authority: "E10000032", role: .scrutiny, credential: .apiKey("key-scrutiny"))
private let host = Agent(authority: "E10000016", role: .placement, credential: .apiKey("key-host"))
private let soon = Date(timeIntervalSince1970: 1_772_460_000)
private func date(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

@Suite("the proposal lifecycle as a pure state machine")
struct LifecycleTests {
    @Test("accept, sign-off and confirm move a proposal on, each only by its own side and role")
    func happyPath() throws {
        let views = ChildViews(consulted: true, summary: "wants to keep her school")
        #expect(throws: DomainError.forbidden("only the placing authority's placement key accepts a proposal")) {
            try proposal().accepted(views: views, by: host, offer: .open, at: soon)
        }
        let accepted = try proposal().accepted(views: views, by: placing, offer: .open, at: soon)
        #expect(accepted.status == .accepted && accepted.acceptedBy == .apiKey("key-placing") && accepted.childViews == views)
        #expect(throws: DomainError.self) { try accepted.signedOff(note: nil, by: placing, offer: .open, at: soon) }
        let signed = try accepted.signedOff(note: "reviewed", by: scrutiny, offer: .open, at: soon)
        #expect(signed.status == .signedOff)
        let error = #expect(throws: DomainError.self) { try signed.confirmed(startDate: date("2026-03-10"), by: placing, offer: offer(), at: soon) }
        #expect(error?.status == 403)
        let confirmed = try signed.confirmed(startDate: date("2026-03-10"), by: host, offer: offer(), at: soon)
        #expect(confirmed.status == .confirmed && !confirmed.isLive)
    }

    @Test("the credential that accepted can never sign off, whatever its role")
    func accepterCannotSignOff() {
        let sameKey = Agent(authority: "E10000032", role: .operator, credential: .apiKey("key-placing"))
        let error = #expect(throws: DomainError.self) {
            try proposal(status: .accepted, acceptedBy: .apiKey("key-placing")).signedOff(note: nil, by: sameKey, offer: .open, at: soon)
        }
        #expect(error?.status == 403)
    }

    @Test("a transition from the wrong status, after expiry or on a withdrawn offer is a 409")
    func wrongState() {
        let views = ChildViews(consulted: false, summary: nil)
        #expect((#expect(throws: DomainError.self) { try proposal(status: .accepted).accepted(views: views, by: placing, offer: .open, at: soon) })?.status == 409)
        #expect((#expect(throws: DomainError.self) {
            try proposal().accepted(views: views, by: placing, offer: .open, at: soon.addingTimeInterval(400_000))
        })?.status == 409)
        for status in [OfferStatus.withdrawn, nil] {
            let error = #expect(throws: DomainError.self) { try proposal().accepted(views: views, by: placing, offer: status, at: soon) }
            #expect(error?.status == 409 && error?.detail.contains("withdrawn") == true)
        }
        #expect((#expect(throws: DomainError.self) {
            try proposal(status: .signedOff).confirmed(startDate: date("2026-03-10"), by: host, offer: offer(status: .withdrawn), at: soon)
        })?.status == 409)
        #expect(throws: DomainError.self) { try proposal(status: .confirmed).withdrawn() }
        #expect(throws: DomainError.self) { try proposal().lapsed(at: soon) }
        #expect((try? proposal().lapsed(at: soon.addingTimeInterval(400_000)))?.status == .lapsed)
    }

    @Test("a start is never before the proposal's day or the offer's availability, and at most 90 days after the later", arguments: [
        ("2000-01-01", "2026-01-01", nil, false), ("2026-03-01", "2026-01-01", nil, false), ("2026-03-02", "2026-01-01", nil, true),
        ("2026-05-31", "2026-01-01", nil, true), ("2026-06-01", "2026-01-01", nil, false), ("2026-04-09", "2026-04-10", nil, false),
        ("2026-07-09", "2026-04-10", nil, true), ("2026-07-10", "2026-04-10", nil, false), ("2026-03-20", "2026-01-01", "2026-03-19", false),
    ] as [(String, String, String?, Bool)])
    func startWindow(start: String, availableFrom: String, availableUntil: String?, allowed: Bool) {
        let signed = proposal(status: .signedOff)
        let result = Result { () throws(DomainError) in
            try signed.confirmed(startDate: date(start), by: host, offer: offer(from: availableFrom, until: availableUntil), at: soon)
        }
        switch result {
        case .success: #expect(allowed, "\(start) should be refused")
        case .failure(let error):
            #expect(!allowed, "\(start) should be allowed: \(error)")
            #expect(error.status == 422 && error.fieldProblems.map(\.field) == ["start_date"])
        }
    }

    @Test("a placement ends once, never before its start (422 naming end_date), back-dating allowed")
    func endDate() throws {
        let placement = Placement(
            id: UUID(), proposalID: UUID(), bidID: UUID(), offerID: UUID(), placingAuthority: "E10000032", hostAuthority: "E10000016", beds: 1,
            weeklyRatePence: 70_000, startDate: date("2026-03-10"), endDate: nil, version: 1, createdAt: Date(), updatedAt: Date()
        )
        let early = #expect(throws: DomainError.self) { try placement.ended(on: date("2026-03-09"), by: host) }
        #expect(early?.status == 422 && early?.fieldProblems.first?.field == "end_date")
        let ended = try placement.ended(on: date("2026-03-10"), by: placing)
        #expect(ended.status == .ended)
        #expect((#expect(throws: DomainError.self) { try ended.ended(on: date("2026-03-11"), by: host) })?.status == 409)
        #expect((#expect(throws: DomainError.self) { try placement.ended(on: date("2026-03-11"), by: scrutiny) })?.status == 403)
    }

    @Test("capacity is never lowered below the beds taken; raising it is always allowed")
    func capacity() throws {
        let current = offer(capacity: 2)
        var smaller = current.draft
        smaller.capacity = 1
        let error = #expect(throws: DomainError.self) { try current.checkChange(to: smaller, takenBeds: 2) }
        #expect(error?.status == 409 && error?.detail.contains("2 beds") == true)
        try current.checkChange(to: smaller, takenBeds: 1)
        var larger = current.draft
        larger.capacity = 5
        try current.checkChange(to: larger, takenBeds: 2)
        #expect(throws: DomainError.self) { try offer(status: .withdrawn).checkChange(to: larger, takenBeds: 0) }
    }

    @Test("text limits count Unicode scalars, as PostgreSQL does")
    func scalarLimits() {
        // "é" written as e + combining acute: one Character, two scalars.
        let decomposed = String(repeating: "e\u{301}", count: 2001)
        #expect(decomposed.count == 2001)
        #expect(!ChildViews(consulted: true, summary: decomposed).problems.isEmpty)
        #expect(ChildViews(consulted: true, summary: String(repeating: "e\u{301}", count: 2000)).problems.isEmpty)
        #expect(!ChildViews(consulted: true, summary: " ").problems.isEmpty)
        #expect(ChildViews(consulted: false, summary: nil).problems.isEmpty)
    }

    @Test("only the live statuses hold beds")
    func liveStatuses() {
        #expect(ProposalStatus.allCases.filter(\.isLive) == [.proposed, .accepted, .signedOff])
    }

    @Test("a bid's rules live in one place: ranges, child_ref shape and min ≤ max distance")
    func bidRules() {
        var draft = BidDraft(
            childRef: "BF-0001", groupSize: 1, age: 10, sex: .female, needs: [], settingsAcceptable: [.foster], home: Fixtures.brighton,
            homePostcodeDistrict: nil, maxDistanceKm: 20, minDistanceKm: 5, urgency: .planned, neededBy: Fixtures.today, maxWeeklyRatePence: nil
        )
        #expect(draft.problems.isEmpty)
        draft.age = 18
        draft.childRef = "Jane Smith"
        draft.minDistanceKm = 30
        #expect(Set(draft.problems.map(\.field)) == ["age", "child_ref", "min_distance_km"])
        #expect(BidDraft.problem(childRef: "Zoë-1") != nil)
        #expect(BidDraft.problem(childRef: String(repeating: "a", count: 65)) != nil)
    }
}
