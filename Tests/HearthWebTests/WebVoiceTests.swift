import Foundation
import HTTPTypes
import HearthCore
import HearthTestSupport
import HummingbirdTesting
import NIOCore
import Testing

@testable import HearthWeb

private let kent = "E10000016"
private let today = CalendarDate.today()

/// A small market on the real router: Surrey hosts a place that supports autism (`autismPlace`),
/// a plain one (`plainPlace`) and a children's home no Kent child here accepts (`homePlace`);
/// Kent bids for an urgent autistic child (who fits only `autismPlace`) and a planned child
/// who fits both foster places. One round proposes `autismPlace` to the urgent child and
/// `plainPlace` to the planned one, whose proposal then has `autismPlace` as its option, at the
/// cost of the urgent child's place.
private struct VoiceMarket {
    var officer: Browser
    var scrutiny: Browser
    var host: Browser
    let key: String
    let autismPlace: String
    let plainPlace: String
    let homePlace: String
    let urgentBid: String
    let plannedBid: String
    /// The planned child's proposal (of `plainPlace`, with `autismPlace` as its option).
    let proposal: String
    let urgentProposal: String

    static func make(_ harness: WebHarness, _ client: any TestClientProtocol) async throws -> VoiceMarket {
        var officer = Browser(client)
        var scrutiny = Browser(client)
        var host = Browser(client)
        #expect(try await officer.signIn(WebHarness.placement).status == .seeOther)
        #expect(try await scrutiny.signIn(WebHarness.scrutiny).status == .seeOther)
        #expect(try await host.signIn("placement@surrey.demo.example").status == .seeOther)
        let autismPlace = try await host.submit("/offers/new", offer(needs: ["autism"], postcode: "ME15 6AA", rate: "950.00"), to: "/offers/")
        let plainPlace = try await host.submit("/offers/new", offer(needs: [], postcode: "ME16 8AA", rate: "800.00"), to: "/offers/")
        let homePlace = try await host.submit("/offers/new", offer(setting: "childrens_home", needs: [], postcode: "ME16 8AA", rate: "1200.00"), to: "/offers/")
        let urgentBid = try await officer.submit("/bids/new", bid("KT-VOICE-1", needs: ["autism"], urgency: "urgent"), to: "/bids/")
        let plannedBid = try await officer.submit("/bids/new", bid("KT-VOICE-2", needs: [], urgency: "planned"), to: "/bids/")
        let round = try await ChildProcess.run("hearthctl", ["round", "run"], environment: ["HEARTH_DATABASE_URL": harness.databaseURL])
        #expect(round.status == 0, "\(round.output)")
        let issued = try await ChildProcess.run("hearthctl", ["key", "issue", "--authority", kent, "--role", "placement"], environment: ["HEARTH_DATABASE_URL": harness.databaseURL])
        #expect(issued.status == 0, "\(issued.output)")
        let key = String(issued.output.split(separator: "\n").last ?? "")
        let items = try await api(client, key, "/v1/proposals")["items"] as? [[String: Any]] ?? []
        let byBid = Dictionary(items.map { ($0["bid_id"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        let proposal = try #require(byBid[plannedBid], "no proposal for the planned child: \(items)")
        let urgent = try #require(byBid[urgentBid], "no proposal for the urgent child: \(items)")
        #expect(proposal["offer_id"] as? String == plainPlace)
        #expect(urgent["offer_id"] as? String == autismPlace)
        return VoiceMarket(
            officer: officer, scrutiny: scrutiny, host: host, key: key, autismPlace: autismPlace, plainPlace: plainPlace, homePlace: homePlace,
            urgentBid: urgentBid, plannedBid: plannedBid, proposal: try #require(proposal["id"] as? String), urgentProposal: try #require(urgent["id"] as? String)
        )
    }

    static func offer(setting: String = "foster", needs: [String], postcode: String, rate: String) -> [(String, String)] {
        [("setting", setting), ("capacity", "1"), ("sexes_accepted", "female"), ("sexes_accepted", "male"), ("age_min", "5"), ("age_max", "15"),
         ("postcode", postcode), ("available_from", today.iso), ("available_until", ""), ("weekly_rate", rate), ("ofsted_urn", "")]
            + needs.map { ("needs_supported", $0) }
    }

    static func bid(_ reference: String, needs: [String], urgency: String) -> [(String, String)] {
        [("child_ref", reference), ("group_size", ""), ("age", "10"), ("sex", "female"), ("settings_acceptable", "foster"), ("postcode", "ME14 1XQ"),
         ("max_distance_km", "50"), ("min_distance_km", ""), ("urgency", urgency), ("needed_by", today.iso), ("max_weekly_rate", "")]
            + needs.map { ("needs", $0) }
    }

    /// The JSON object the API answers `path` with, for Kent's placement key.
    static func api(_ client: any TestClientProtocol, _ key: String, _ path: String) async throws -> [String: Any] {
        let reply = try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(key)"], body: nil)
        return (try? JSONSerialization.jsonObject(with: Data(String(buffer: reply.body).utf8))) as? [String: Any] ?? [:]
    }

    func api(_ client: any TestClientProtocol, _ path: String) async throws -> [String: Any] {
        try await Self.api(client, key, path)
    }

    func status(_ client: any TestClientProtocol, _ path: String) async throws -> HTTPResponse.Status {
        try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(key)"], body: nil).status
    }
}

extension Browser {
    /// Posts `fields` with the CSRF token of the page at `path` and returns the id at the end of
    /// the 303's `Location`, which must start with `prefix`.
    mutating func submit(_ path: String, _ fields: [(String, String)], to prefix: String) async throws -> String {
        let token = try await get(path).csrfToken ?? ""
        let page = try await post(path, fields + [("csrf_token", token)])
        let location = try #require(page.headers[.location], "\(path) answered \(page.status): \(page.body.prefix(1500))")
        #expect(location.hasPrefix(prefix))
        return String(location.dropFirst(prefix.count))
    }

    /// Posts `fields` to `action` with the CSRF token of the page at `page`.
    mutating func post(_ action: String, _ fields: [(String, String)], from page: String) async throws -> Page {
        let token = try await get(page).csrfToken ?? ""
        return try await post(action, fields + [("csrf_token", token)])
    }
}

@Suite("the child's voice on the proposal page: options and the ranking", .serialized, .enabled(if: TestDatabase.isRequired))
struct WebVoiceTests {
    @Test("an option's effect reads in plain English")
    func plainWords() {
        #expect(OptionEffect(kind: .none).plainWords == "No effect on other children")
        #expect(OptionEffect(kind: .fewerPlaced, fewerPlaced: [0, 1, 0]).plainWords == "1 fewer urgent child would be placed")
        #expect(
            OptionEffect(kind: .fewerPlaced, fewerPlaced: [1, 0, -2]).plainWords == "1 fewer emergency child would be placed (and 2 more planned children would be)"
        )
        #expect(OptionEffect(kind: .fewerPreferred, fewerByChoice: [1, 0, 0, 0, 0]).plainWords == "1 fewer child would get their 1st choice")
        #expect(OptionEffect(kind: .extraDistance, extraMetres: 12_345).plainWords == "Other children would travel 12.3 km further in total")
        #expect(OptionEffect(kind: .notEvaluated, exact: false).plainWords == "Not worked out in this round")
        #expect(OptionEffect(kind: .extraDistance, extraMetres: 2_000, exact: false).plainWords.hasSuffix("at most (the round's search was cut short)"))
        #expect([1, 2, 3, 4, 11, 12, 21, 22].map(ChildPreferences.ordinal) == ["1st", "2nd", "3rd", "4th", "11th", "12th", "21st", "22nd"])
        #expect(PlainWords.kmAndMiles(32.187) == "32.2 km (20.0 miles)")
    }

    @Test("the placing side sees the options in plain words and the host never does; bad rankings are 422 with nothing stored; a ranking saved by Accept is the API's")
    func optionsAndRanking() async throws {
        try await WebHarness.with { harness, client in
            var market = try await VoiceMarket.make(harness, client)
            let page = "/proposals/\(market.proposal)"

            // The placing side: the option, its host, setting, distance in km and miles, rate and effect.
            let placing = try await market.officer.get(page)
            #expect(placing.status == .ok)
            #expect(placing.body.contains("Other places this child could have had"))
            #expect(placing.body.contains("<th scope=\"col\" class=\"govuk-table__header\">Effect on other children</th>"))
            #expect(placing.body.contains("1 fewer urgent child would be placed"))
            #expect(placing.body.contains("£950.00"))
            #expect(placing.body.contains(" miles)"))
            #expect(placing.body.contains("Surrey"))
            let option = try #require((try await market.api(client, "/v1/proposals/\(market.proposal)"))["options"] as? [[String: Any]])
            #expect(option.map { $0["offer_id"] as? String } == [market.autismPlace])
            // The ranking: one select per place, the proposed place first, every place named.
            #expect(placing.body.contains("id=\"ranking\" name=\"ranking\""))
            #expect(placing.body.contains("id=\"ranking-2\" name=\"ranking\""))
            #expect(!placing.body.contains("id=\"ranking-3\""))
            #expect(placing.body.contains("value=\"\(market.plainPlace)\""))
            #expect(placing.body.contains("value=\"\(market.autismPlace)\""))
            // Placing-side scrutiny sees them too; the host side never.
            let scrutinised = try await market.scrutiny.get(page)
            #expect(scrutinised.body.contains("1 fewer urgent child would be placed"))
            let hosting = try await market.host.get(page)
            #expect(hosting.status == .ok)
            #expect(!hosting.body.contains("Other places this child could have had"))
            #expect(!hosting.body.contains("fewer urgent child"))
            #expect(!hosting.body.contains("name=\"ranking\""))
            #expect(!hosting.body.contains(market.autismPlace))
            // A proposal without options says so.
            #expect(try await market.officer.get("/proposals/\(market.urgentProposal)").body.contains("No other place fitted this child in this round."))

            // Bad rankings: 422, the summary links to the choice at fault, what was typed stays, nothing stored.
            let views = [("consulted", "yes"), ("summary", "Would like to live near her cousin")]
            let cases: [(name: String, ranking: [String], field: String, message: String)] = [
                ("the same place twice", [market.plainPlace, market.plainPlace], "ranking-2", "already an earlier choice"),
                ("a forged offer id", [market.plainPlace, UUID().uuidString.lowercased()], "ranking-2", "Choose one of the places listed"),
                ("another real offer not among the places", [market.homePlace], "ranking", "Choose one of the places listed"),
                ("not an id at all", ["<b>first</b>"], "ranking", "Choose one of the places listed"),
                ("a 2nd choice without a 1st", ["", market.autismPlace], "ranking-2", "1st choice before their 2nd"),
            ]
            for bad in cases {
                let refused = try await market.officer.post("\(page)/accept", views + bad.ranking.map { ("ranking", $0) }, from: page)
                #expect(refused.status == .unprocessableContent, "\(bad.name)")
                #expect(refused.body.contains("There is a problem"), "\(bad.name)")
                #expect(refused.body.contains("href=\"#\(bad.field)\""), "\(bad.name): the summary links to \(bad.field)")
                #expect(refused.body.contains("id=\"\(bad.field)-error\""), "\(bad.name): a message beside \(bad.field)")
                #expect(refused.body.contains(bad.message), "\(bad.name)")
                #expect(refused.body.contains("Would like to live near her cousin"), "\(bad.name): the summary typed stays")
                #expect(refused.body.contains("value=\"yes\" checked"), "\(bad.name): the radio stays ticked")
                #expect(!refused.body.contains("<b>first</b>"), "\(bad.name): nothing typed is markup")
            }
            let kept = try await market.officer.post("\(page)/accept", views + [("ranking", market.plainPlace), ("ranking", market.plainPlace)], from: page)
            #expect(kept.body.contains("<option value=\"\(market.plainPlace)\" selected>"), "the places chosen stay chosen")
            // A ranking without saying whether the child was consulted.
            let unconsulted = try await market.officer.post("\(page)/accept", [("summary", ""), ("ranking", market.autismPlace)], from: page)
            #expect(unconsulted.status == .unprocessableContent)
            #expect(unconsulted.body.contains("href=\"#consulted\""))
            #expect(unconsulted.body.contains("<option value=\"\(market.autismPlace)\" selected>"))
            #expect(try await market.status(client, "/v1/bids/\(market.plannedBid)/preferences") == .notFound, "a refused form saved no ranking")
            #expect(try await market.api(client, "/v1/proposals/\(market.proposal)")["status"] as? String == "proposed")
            #expect(try await market.api(client, "/v1/bids/\(market.plannedBid)")["status"] as? String == "proposed")

            // Another authority's proposal is not found, whatever it posts.
            var hampshire = Browser(client)
            _ = try await hampshire.signIn("placement@hampshire.demo.example")
            #expect(try await hampshire.get(page).status == .notFound)
            #expect(try await hampshire.post("\(page)/accept", views + [("ranking", market.autismPlace)], from: "/proposals").status == .notFound)

            // The child's 1st choice is the proposed place: the ranking is saved and the proposal accepted.
            let accepted = try await market.officer.post("\(page)/accept", views + [("ranking", market.plainPlace), ("ranking", market.autismPlace)], from: page)
            #expect(accepted.status == .seeOther)
            #expect(accepted.headers[.location] == page)
            #expect(try await market.officer.get(page).body.contains("You saved the child&#39;s ranking and accepted the proposal"))
            let saved = try await market.api(client, "/v1/bids/\(market.plannedBid)/preferences")
            #expect(saved["ranking"] as? [String] == [market.plainPlace, market.autismPlace])
            let childViews = saved["child_views"] as? [String: Any]
            #expect(childViews?["consulted"] as? Bool == true)
            #expect(childViews?["summary"] as? String == "Would like to live near her cousin")
            let proposal = try await market.api(client, "/v1/proposals/\(market.proposal)")
            #expect(proposal["status"] as? String == "accepted")
            #expect((proposal["child_views"] as? [String: Any])?["summary"] as? String == "Would like to live near her cousin")
            // The bid page shows the saved ranking.
            let bidPage = try await market.officer.get("/bids/\(market.plannedBid)")
            #expect(bidPage.body.contains("views and ranking</h2>"))
            #expect(bidPage.body.contains("1st choice") && bidPage.body.contains("2nd choice"))
            #expect(bidPage.body.contains("No round has weighed this ranking since it was saved"))
        }
    }

    @Test("a ranked place withdrawn since the round is refused by the domain, as the API refuses it: 422, nothing stored")
    func withdrawnPlace() async throws {
        try await WebHarness.with { harness, client in
            var market = try await VoiceMarket.make(harness, client)
            let offerPage = "/offers/\(market.autismPlace)"
            #expect(try await market.host.post("\(offerPage)/withdraw", [], from: offerPage).status == .seeOther)
            let page = "/proposals/\(market.proposal)"
            let refused = try await market.officer.post(
                "\(page)/accept", [("consulted", "no"), ("summary", ""), ("ranking", market.plainPlace), ("ranking", market.autismPlace)], from: page
            )
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("href=\"#ranking-2\""))
            #expect(refused.body.contains("2nd choice cannot be ranked: this place is no longer open"))
            #expect(!refused.body.contains("no open offer"), "the message names no offer id")
            #expect(try await market.status(client, "/v1/bids/\(market.plannedBid)/preferences") == .notFound)
            #expect(try await market.api(client, "/v1/proposals/\(market.proposal)")["status"] as? String == "proposed")
        }
    }

    @Test("a 1st choice other than the proposed place releases the proposal, and the bid waits for the next round")
    func firstChoiceElsewhere() async throws {
        try await WebHarness.with { harness, client in
            var market = try await VoiceMarket.make(harness, client)
            let page = "/proposals/\(market.proposal)"
            let released = try await market.officer.post(
                "\(page)/accept", [("consulted", "yes"), ("summary", "She wants the place with the garden"), ("ranking", market.autismPlace), ("ranking", market.plainPlace)],
                from: page
            )
            #expect(released.status == .seeOther)
            #expect(released.headers[.location] == "/bids/\(market.plannedBid)")
            let bidPage = try await market.officer.get("/bids/\(market.plannedBid)")
            #expect(bidPage.body.contains("The child&#39;s first choice was another place, so this proposal was released; the next round will try to place the child in their first choice"))
            #expect(try await market.api(client, "/v1/proposals/\(market.proposal)")["status"] as? String == "withdrawn")
            #expect(try await market.api(client, "/v1/bids/\(market.plannedBid)")["status"] as? String == "open")
            #expect(try await market.api(client, "/v1/bids/\(market.plannedBid)/preferences")["ranking"] as? [String] == [market.autismPlace, market.plainPlace])
            // The urgent child keeps their place: the ranking never costs another child theirs.
            #expect(try await market.api(client, "/v1/proposals/\(market.urgentProposal)")["status"] as? String == "proposed")

            // The next round weighs the ranking; the bid page says what it made of each choice.
            let round = try await ChildProcess.run("hearthctl", ["round", "run"], environment: ["HEARTH_DATABASE_URL": harness.databaseURL])
            #expect(round.status == 0, "\(round.output)")
            let lastRound = try #require(try await market.api(client, "/v1/bids/\(market.plannedBid)/preferences")["last_round"] as? [String: Any])
            let choices = lastRound["choices"] as? [[String: Any]] ?? []
            // Her 1st choice's bed is held for the urgent child, so it was not in the round.
            #expect(choices.map { $0["outcome"] as? String } == ["not_in_round", "given"])
            let weighed = try await market.officer.get("/bids/\(market.plannedBid)")
            #expect(weighed.body.contains("weighed this ranking."))
            #expect(weighed.body.contains("This place was not in the round"))
            #expect(weighed.body.contains("The round proposed this place to the child."))
            let proposals = try await market.api(client, "/v1/proposals?status=proposed")["items"] as? [[String: Any]] ?? []
            #expect(proposals.contains { $0["bid_id"] as? String == market.plannedBid && $0["offer_id"] as? String == market.plainPlace })
        }
    }
}
