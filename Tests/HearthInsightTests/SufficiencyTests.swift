import Foundation
import HearthCore
import HearthInsight
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

let memberA = "E10000016"
let memberB = "E06000036"
let maidstone = Coordinate(lat: 51.27, lon: 0.52)
let bracknellCentre = Coordinate(lat: 51.41, lon: -0.75)

/// A small market whose figures are worked out by hand in the tests below.
func handWorkedInput() -> SufficiencyInput {
    let asOf = day("2026-06-01")
    func offer(_ authority: String, _ setting: Setting, _ needs: Set<Need>, _ at: Coordinate, _ rate: Int64, free: Int) -> ClearingOffer {
        ClearingOffer(
            id: UUID(), authority: authority, setting: setting, needsSupported: needs, ageMin: setting == .childrensHome ? 10 : 0, ageMax: 17,
            sexesAccepted: Set(Sex.allCases), location: at, availableFrom: day("2026-01-01"), weeklyRatePence: rate, freeBeds: free
        )
    }
    func bid(_ authority: String, age: Int, _ needs: Set<Need>, _ settings: Set<Setting>, _ home: Coordinate, max: Double?) -> ClearingBid {
        ClearingBid(
            id: UUID(), authority: authority, age: age, sex: .male, needs: needs, settingsAcceptable: settings, home: home,
            maxDistanceKm: max, urgency: .planned, neededBy: asOf, waitingSince: Date(timeIntervalSince1970: 0)
        )
    }
    return SufficiencyInput(
        asOf: asOf, members: [memberA, memberB],
        offers: [
            offer(memberA, .childrensHome, [.autism], maidstone, 400_000, free: 2),
            offer(memberB, .foster, [], bracknellCentre, 80_000, free: 1),
            offer(memberB, .foster, [.autism], bracknellCentre, 100_000, free: 0),
        ],
        openBids: [
            bid(memberA, age: 12, [.autism], [.childrensHome], maidstone, max: 40),
            bid(memberB, age: 12, [.autism], [.childrensHome], bracknellCentre, max: 40),
            bid(memberB, age: 13, [.autism], [.childrensHome], bracknellCentre, max: 40),
            bid(memberA, age: 8, [.mentalHealth], [.foster], maidstone, max: nil),
        ],
        recentBids: Array(repeating: RecentBid(authority: memberA, settings: [.childrensHome], needs: [.autism]), count: 3)
            + Array(repeating: RecentBid(authority: memberB, settings: [.foster], needs: []), count: 12),
        placements: [
            ExchangePlacement(placingAuthority: memberA, hostAuthority: memberB, setting: .foster, needs: [], children: 1, distanceKm: 20, weeklyRatePence: 80_000),
            ExchangePlacement(placingAuthority: memberA, hostAuthority: memberA, setting: .childrensHome, needs: [.autism], children: 2, distanceKm: 50, weeklyRatePence: 400_000),
        ],
        episodes: [
            returned("x", "2025-01-01", nil, year: 2026, place: "U1", authority: memberA, distanceKm: 10, placementAuthority: memberA),
            returned("y", "2025-01-01", "2026-05-01", year: 2026, place: "U1", authority: memberA, distanceKm: 5, placementAuthority: memberA),
            returned("z", "2025-03-01", nil, year: 2026, place: "K2", authority: memberB, distanceKm: 60, placementAuthority: "E09000001"),
            returned("w", "2025-03-01", nil, year: 2026, place: "P1", authority: memberB, unaccompanied: true),
        ].map(\.episode)
    )
}

@Suite("Insight: sufficiency on a hand-worked market")
struct SufficiencyTests {
    @Test("supply, demand, unmet demand, distance and outside-region figures by setting")
    func bySetting() throws {
        let report = SufficiencyReport(handWorkedInput(), by: .setting, for: .region)
        #expect(report.rows.map(\.key) == ["foster", "childrens_home", "secure_childrens_home", "supported_accommodation", "other"])
        let home = report.rows[1]
        #expect(home.supply.openOffers == 1 && home.supply.beds == 2)
        #expect(home.supply.weeklyRatePence?.median == 400_000)
        #expect(home.demand.openBids == .exact(3) && home.demand.childrenWaiting == .exact(3))
        #expect(home.demand.bidsPerMonth == 0.3)
        #expect(home.demand.lookedAfter == .exact(1))
        #expect(home.unmet.bids == .exact(2))
        #expect(home.distance.exchangePlacements == .exact(2) && home.distance.exchangeWithin20MilesPct == 0)
        #expect(home.outsideRegion.placed == .exact(1) && home.outsideRegion.pct == 100)
        let foster = report.rows[0]
        #expect(foster.supply.openOffers == 1 && foster.supply.beds == 1)  // the full offer has no free bed
        #expect(foster.unmet.bids == .exact(1))
        #expect(foster.distance.exchangeWithin20MilesPct == 100 && foster.distance.returnsWithin20MilesPct == 100)
        #expect(report.rows[4].demand.lookedAfter == .exact(1))

        let total = report.total
        #expect(total.supply.openOffers == 2 && total.supply.beds == 3)
        #expect(total.supply.weeklyRatePence?.median == 240_000)
        #expect(total.supply.weeklyRatePence?.lowerQuartile == 160_000)
        #expect(total.supply.weeklyRatePence?.upperQuartile == 320_000)
        #expect(total.demand.openBids == .exact(4) && total.unmet.bids == .exact(3))
        #expect(total.demand.bidsPerMonth == 1.3)
        #expect(total.demand.lookedAfter == .exact(3))  // y's episode ended before the date
        #expect(total.distance.exchangePlacements == .exact(3) && total.distance.exchangeWithin20MilesPct == 33.3)
        #expect(total.distance.returnsWithDistance == .exact(2) && total.distance.returnsWithin20MilesPct == 50)
        #expect(total.outsideRegion.withPlacementArea == .exact(2) && total.outsideRegion.pct == 50)
    }

    @Test("unmet demand is grouped by the rule that blocks it, in words")
    func unmetDemand() {
        let report = SufficiencyReport(handWorkedInput(), by: .setting, for: .region)
        #expect(report.unmetDemand.map(\.message) == [
            "2 bids for a children's home supporting autism within 40 km: no such offer within the distance",
            "1 bid for a foster home supporting mental health needs: no such offer",
        ])
        #expect(report.unmetDemand.map(\.rule) == ["too_far", "need_not_supported"])
    }

    @Test("distance bands count exchange placements and the returns' children")
    func distanceBands() {
        let bands = SufficiencyReport(handWorkedInput(), by: .setting, for: .region).distanceBands
        #expect(bands.map(\.exchange) == [.exact(0), .exact(0), .exact(1), .exact(2), .exact(0)])
        #expect(bands.map(\.returns) == [.exact(0), .exact(1), .exact(0), .exact(1), .exact(0)])
    }

    @Test("a member sees other members' counts of 1 to 4 as fewer than 5, and its own exact")
    func memberView() throws {
        let report = SufficiencyReport(handWorkedInput(), by: .setting, for: .member(memberB))
        let home = report.rows[1]
        #expect(home.demand.openBids == .fewerThanFive)  // 1 of A's and 2 of B's
        #expect(home.demand.lookedAfter == .exact(1))  // B's own child only
        #expect(report.rows[0].demand.openBids == .fewerThanFive)  // A's child
        #expect(report.rows[0].distance.returnsWithin20MilesPct == nil)
        #expect(report.unmetDemand[0].bids == .exact(2))  // both B's
        #expect(report.unmetDemand[1].message == "fewer than 5 bids for a foster home supporting mental health needs: no such offer")
        let own = try #require(report.own)
        #expect(own.rows[1].demand.openBids == .exact(2))
        #expect(own.rows[0].demand.openBids == .exact(0))
        #expect(own.total.demand.lookedAfter == .exact(2))
        let byAuthority = SufficiencyReport(handWorkedInput(), by: .authority, for: .member(memberB))
        #expect(byAuthority.rows.map(\.key) == [memberB, memberA])
        #expect(byAuthority.rows[1].demand.openBids == .fewerThanFive)
        #expect(byAuthority.rows[0].demand.openBids == .exact(2))
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(json.contains("\"fewer than 5\""))
        #expect(!json.contains("childKey") && !json.contains("\"x\""))
    }

    @Test("by need: a bid counts under each of its needs; the returns only under uasc")
    func byNeed() {
        let report = SufficiencyReport(handWorkedInput(), by: .need, for: .region)
        let row = { (key: String) in report.rows.first { $0.key == key }! }
        #expect(row("autism").demand.openBids == .exact(3))
        #expect(row("autism").supply.openOffers == 1)
        #expect(row("mental_health").unmet.bids == .exact(1))
        #expect(row("none").supply.openOffers == 1)
        #expect(row("uasc").demand.lookedAfter == .exact(1))
    }

    @Test("small numbers: zero and five or more are exact, 1 to 4 suppressed unless all one's own")
    func suppression() {
        var count = ChildCount()
        #expect(count.shown(to: .member(memberA)) == .exact(0))
        count.add(from: memberA)
        #expect(count.shown(to: .member(memberA)) == .exact(1))
        #expect(count.shown(to: .member(memberB)) == .fewerThanFive)
        #expect(count.shown(to: .published) == .fewerThanFive)
        #expect(count.shown(to: .region) == .exact(1))
        count.add(4, from: memberB)
        #expect(count.shown(to: .member(memberA)) == .exact(5))
        #expect(SmallNumber.published(4) == .fewerThanFive && SmallNumber.published(5) == .exact(5))
    }

    @Test("quartiles interpolate between order statistics")
    func quartiles() {
        #expect(Quantiles.of([1, 2, 3, 4], 0.5) == 2.5)
        #expect(Quantiles.of([10, 20, 30, 40, 50], 0.25) == 20)
        #expect(Quantiles.of([7], 0.75) == 7)
        #expect(Quantiles.of([], 0.5) == nil)
    }
}

@Suite("Insight: SVG charts and the NCC return")
struct InsightOutputTests {
    @Test("the charts are well-formed standalone SVG with escaped labels and a note for suppressed bars")
    func charts() throws {
        let report = SufficiencyReport(handWorkedInput(), by: .setting, for: .member(memberB))
        for svg in [InsightSVG.supplyAndDemand(report), InsightSVG.distanceDistribution(report)] {
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
            #expect(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(!svg.contains("<script"))
        }
        let bars = InsightSVG.supplyAndDemand(report)
        #expect(bars.contains("children&#39;s") || !bars.contains("children's"))
        #expect(bars.contains("fewer than 5"))
        #expect(bars.components(separatedBy: "<rect").count - 1 >= 1 + 3 + 5)
        let escaped = InsightSVG.groupedBars(title: "<A & B>", subtitle: "\"q\"", categories: ["x<y"], series: [.init(name: "n", colour: "#000", values: [2])])
        #expect(escaped.contains("&lt;A &amp; B&gt;") && escaped.contains("x&lt;y") && !escaped.contains("<A &"))
    }

    @Test("the NCC return suppresses every count of 1 to 4 and writes long CSV")
    func nccReturn() throws {
        let quarter = try #require(Quarter("2026-Q2"))
        #expect(quarter.start == day("2026-04-01") && quarter.end == day("2026-06-30"))
        #expect(Quarter("2026-Q5") == nil && Quarter("26-Q1") == nil && Quarter("2026Q1") == nil)
        let output = NCCReturn(quarter: quarter, input: handWorkedInput())
        #expect(output.total.demand.openBids == .fewerThanFive)
        #expect(output.total.supply.openOffers == 2)
        #expect(output.unmetSpecialistNeeds.count == 2)
        #expect(output.unmetSpecialistNeeds.allSatisfy { $0.bids == .fewerThanFive })
        let csv = output.csv
        #expect(csv.hasPrefix("section,key,measure,value\nreturn,,schema,hearth.ncc-return/1\n"))
        #expect(csv.contains("total,ALL,open_bids,fewer than 5\n"))
        #expect(csv.contains("total,ALL,beds,3\n"))
        #expect(Quarter("2026-Q4")?.end == day("2026-12-31"))
    }
}
