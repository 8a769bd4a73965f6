import Foundation
import HearthCore
import HearthStore
import HearthTestSupport
import LibPQ
import Testing

@testable import HearthInsight
@testable import HearthWeb

private let kent = "E10000016"
private let surrey = "E10000030"
private let reading = "E06000038"
private let episodeColumns = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"

/// Stores returns through the store's own import (`hearthctl import ssda903`'s code), as the
/// database's owner, off the cooperative threads.
private func importReturns(_ harness: WebHarness, _ returns: [(authority: String, year: Int, episodes: String, header: String?)]) async throws {
    let url = harness.databaseURL
    try await runOnOwnThread("insight-import") {
        let districts = try PostcodeDistricts.load()
        let connection = try PostgresConnection(url: url)
        for item in returns {
            let parsed = try SSDA903Return(episodes: item.episodes, header: item.header, collectionYear: item.year)
            try connection.run("BEGIN")
            _ = try SSDA903Import.store(
                parsed, authority: item.authority, fileSHA256: String(repeating: "a", count: 64), districts: districts, dryRun: false,
                on: connection)
            try connection.run("COMMIT")
        }
    }
}

/// The text of the element with `id` up to the end of its table row (or `limit` characters).
private func row(_ id: String, in body: String) -> String {
    guard let start = body.range(of: "id=\"\(id)\"") else { return "" }
    let rest = body[start.lowerBound...]
    let end = rest.range(of: "</tr>")?.upperBound ?? rest.endIndex
    return String(rest[..<end])
}

/// The section of `body` from `from` to `to`.
private func section(_ body: String, from: String, to: String) -> String {
    guard let start = body.range(of: from) else { return "" }
    let rest = body[start.upperBound...]
    return String(rest[..<(rest.range(of: to)?.lowerBound ?? rest.endIndex)])
}

@Suite("the insight page (no database)")
struct InsightPageViewTests {
    @Test("a standalone chart is made fit for the page: no XML declaration, a desc after its title, no style attribute")
    func inlineChart() {
        let document = InsightSVG.groupedBars(
            title: "Beds <&> bids", subtitle: "test", categories: ["foster"], series: [.init(name: "beds", colour: "#00703c", values: [3])])
        let inline = InsightPageView.inline(document, description: "Bars \"of\" beds")
        #expect(document.hasPrefix("<?xml"))
        #expect(inline.hasPrefix("<svg class=\"hearth-chart__svg\" focusable=\"false\" xmlns="))
        #expect(inline.contains("<title>Beds &lt;&amp;&gt; bids</title><desc>Bars &quot;of&quot; beds</desc>"))
        #expect(!inline.contains("style="))
        #expect(!inline.contains("<script"))
    }

    @Test("unmet demand is grouped by its blocking rule under a heading in plain words, largest first")
    func unmetGroups() {
        func unmet(_ rule: String, _ message: String) -> SufficiencyReport.Unmet {
            .init(rule: rule, settings: ["foster"], needs: [], maxDistanceKm: 40, bids: .exact(6), children: .exact(6), message: message)
        }
        let groups = InsightPageView.unmetGroups([unmet("too_far", "6 bids a"), unmet("over_budget", "5 bids b"), unmet("too_far", "fewer than 5 bids c")])
        #expect(groups.map { $0["heading"] as? String } == ["No offer near enough to home", "Every offer is over the budget"])
        #expect(groups.first?["items"] as? [String] == ["6 bids a.", "Fewer than 5 bids c."])
    }
}

@Suite("the insight page on PostgreSQL", .enabled(if: TestDatabase.isRequired), .serialized)
struct InsightPageTests {
    @Test("a member sees the region with others' small numbers as fewer than 5 and its own detail; the operator the region; charts are inline SVG")
    func visibility() async throws {
        try await WebHarness.with { harness, client in
            var member = Browser(client)
            _ = try await member.signIn(WebHarness.placement)
            let empty = try await member.get("/insight")
            #expect(empty.status == .ok)
            #expect(empty.body.contains("no SSDA903 history has been imported"), "\(empty.body.prefix(3000))")
            #expect(empty.body.contains("hearthctl import ssda903"))

            // Kent: 6 children in foster care; Surrey: 2 in children's homes.
            let kentRows = (1...6).map { "K\($0),01/05/2023,S,C2,N1,U1,PR1,,,,ME14 1XQ,ME15 6AA," }
            let surreyRows = (1...2).map { "S\($0),01/05/2023,S,C2,N1,K2,PR4,,,,GU1 1AA,GU2 7XH," }
            try await importReturns(harness, [
                (kent, 2024, ([episodeColumns] + kentRows).joined(separator: "\n") + "\n", nil),
                (surrey, 2024, ([episodeColumns] + surreyRows).joined(separator: "\n") + "\n", nil),
            ])

            let page = try await member.get("/insight")
            #expect(page.status == .ok)
            let body = page.body
            #expect(body.contains("id=\"small-numbers\""))
            let lookedAfter = row("summary-looked-after", in: body)
            #expect(lookedAfter.contains(">8</td>") && lookedAfter.contains(">6</td>"), "\(lookedAfter)")
            let bySetting = section(body, from: "id=\"by-setting\"", to: "</table>")
            let homes = section(bySetting, from: "Children&#39;s home", to: "</tr>") + section(bySetting, from: "Children's home", to: "</tr>")
            #expect(homes.contains("fewer than 5"), "\(bySetting)")
            #expect(!homes.contains(">2</td>"))
            let own = section(body, from: "id=\"own-by-setting\"", to: "</table>")
            #expect(own.contains(">6</td>"), "\(own)")
            #expect(body.contains("<svg class=\"hearth-chart__svg\""))
            #expect(body.contains("<desc>"))
            #expect(!body.contains("<?xml"))
            #expect(!body.contains(" style=\""))
            #expect(body.contains("id=\"forecast-unavailable\""), "six months of history is too little to forecast")

            var operatorBrowser = Browser(client)
            _ = try await operatorBrowser.signIn(WebHarness.operatorEmail)
            let region = try await operatorBrowser.get("/insight")
            #expect(region.status == .ok)
            #expect(!region.body.contains("id=\"small-numbers\""))
            let regionBySetting = section(region.body, from: "id=\"by-setting\"", to: "</table>")
            let operatorHomes = section(regionBySetting, from: "Children&#39;s home", to: "</tr>") + section(regionBySetting, from: "Children's home", to: "</tr>")
            #expect(operatorHomes.contains(">2</td>"), "\(operatorHomes)")
            #expect(!region.body.contains("id=\"own-by-setting\""))
        }
    }

    @Test("an imported synthetic history gives the region's forecast by placement group: a fan chart and a table with the API's figures")
    func forecast() async throws {
        try await WebHarness.with { harness, client in
            let configuration = Synthetic903.Configuration(seed: 7, fromYear: 2021, toYear: 2023, authorities: [reading, kent], scale: 0.2)
            let returns = try await runOnOwnThread("synthetic-903") { try Synthetic903(configuration).returns() }
            try await importReturns(harness, returns.map { ($0.authority, $0.year, $0.episodes, $0.header) })

            var operatorBrowser = Browser(client)
            _ = try await operatorBrowser.signIn(WebHarness.operatorEmail)
            let page = try await operatorBrowser.get("/insight")
            #expect(page.status == .ok)
            let body = page.body
            #expect(!body.contains("id=\"forecast-unavailable\""), "\(section(body, from: "id=\"forecast\"", to: "</div>"))")
            for group in ["ALL", "foster", "childrens_home"] { #expect(body.contains("id=\"forecast-\(group)\"")) }
            #expect(body.contains("<title>Children looked after: ALL, region</title><desc>"))
            #expect(body.contains("class=\"forecast\""))

            // The first forecast month of every placement together, as the API's report has it.
            let episodes = try await harness.owner { try EpisodeStore.episodes(authority: nil, on: $0) }
            let expected = try await runOnOwnThread("forecast") {
                ForecastReport(try Forecaster(episodes: episodes).forecast(months: 12, by: .region), months: 12, for: .region)
            }
            let first = try #require(expected.rows.first { $0.placementGroup == "ALL" })
            let table = section(body, from: "id=\"forecast-ALL\"", to: "</table>")
            #expect(table.contains(">\(first.month)</th>"))
            #expect(table.contains(String(format: ">%.1f</td>", try #require(first.forecast))), "\(table.suffix(1500))")

            var member = Browser(client)
            _ = try await member.signIn(WebHarness.placement)
            let memberPage = try await member.get("/insight")
            #expect(memberPage.status == .ok)
            #expect(memberPage.body.contains("id=\"forecast-ALL\""))
        }
    }

    @Test("an offer edit drawn from an older version is refused with the current version, and saves nothing")
    func staleOfferEdit() async throws {
        try await WebHarness.with { harness, client in
            var browser = Browser(client)
            _ = try await browser.signIn(WebHarness.placement)
            let form = try await browser.get("/offers/new")
            let fields: [(String, String)] = [
                ("setting", "foster"), ("capacity", "2"), ("needs_supported", "autism"), ("sexes_accepted", "female"),
                ("age_min", "5"), ("age_max", "12"), ("postcode", "ME15 6AA"), ("available_from", CalendarDate.today().iso),
                ("available_until", ""), ("weekly_rate", "850.00"), ("ofsted_urn", ""),
            ]
            let posted = try await browser.post("/offers/new", [("csrf_token", form.csrfToken ?? "")] + fields)
            #expect(posted.status == .seeOther)
            let path = try #require(posted.headers[.location])
            let opened = try await browser.get(path)
            #expect(opened.body.contains(#"name="version" value="1""#))
            let token = opened.csrfToken ?? ""

            // Someone saves first (the same form, capacity 3): version 2.
            var first = fields.filter { $0.0 != "capacity" } + [("capacity", "3")]
            first += [("csrf_token", token), ("version", "1")]
            #expect(try await browser.post(path, first).status == .seeOther)

            // The page opened at version 1 is saved later, with capacity 4.
            let stale = try await browser.post(path, fields.filter { $0.0 != "capacity" } + [("capacity", "4"), ("csrf_token", token), ("version", "1")])
            #expect(stale.status == .conflict)
            #expect(stale.body.contains("This offer was changed by someone else since you opened it; here is the current version"))
            #expect(stale.body.contains("There is a problem"))
            #expect(stale.body.contains(#"name="version" value="2""#))
            #expect(stale.body.contains(#"name="capacity""#) && stale.body.contains(#"value="3""#))
            let id = String(path.dropFirst("/offers/".count))
            let stored = try await harness.owner { connection in
                let row = try connection.one("SELECT capacity, version FROM offers WHERE id = \(id)::uuid")
                return [try row.int("capacity"), try row.int("version")]
            }
            #expect(stored == [3, 2])

            // Saved again from the current version, it goes through.
            let again = try await browser.post(path, fields.filter { $0.0 != "capacity" } + [("capacity", "4"), ("csrf_token", token), ("version", "2")])
            #expect(again.status == .seeOther)
            #expect(try await browser.post(path, fields + [("csrf_token", token), ("version", "two")]).status == .badRequest)
        }
    }
}
