import Foundation
import HearthCore
import HearthTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

private let kent = "E10000016"
private let bracknell = "E06000036"
private let password = "correct horse battery staple 42"

/// A browser without JavaScript: its own cookie jar, redirects not followed (so a test sees the
/// 303), forms posted as `application/x-www-form-urlencoded`.
private final class PageBrowser: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    struct Page {
        let status: Int
        let body: String
        let location: String?
    }

    let baseURL: String
    private let lock = NSLock()
    private var cookies: [String: String] = [:]
    private lazy var session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }()

    init(baseURL: String) {
        self.baseURL = baseURL
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func get(_ path: String) async throws -> Page {
        try await send("GET", path, body: nil)
    }

    /// Posts `fields`; with `csrfFrom`, the CSRF token is read from that page first, as a
    /// browser would have it in the form.
    func post(_ path: String, _ fields: [(String, String)], csrfFrom page: String? = nil) async throws -> Page {
        var fields = fields
        if let page {
            let form = try await get(page)
            fields.append(("csrf_token", try #require(Self.csrfToken(in: form.body), "no csrf_token on \(page)")))
        }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send("POST", path, body: body)
    }

    /// Signs in on the real sign-in page.
    func signIn(_ email: String) async throws {
        let page = try await post("/login", [("email", email), ("password", password)], csrfFrom: "/login")
        guard page.status == 303 else { throw TestDatabaseError("sign-in as \(email) answered \(page.status): \(page.body.prefix(2000))") }
    }

    static func csrfToken(in body: String) -> String? {
        body.firstMatch(of: /name="csrf_token" value="([^"]+)"/).map { String($0.1) }
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    private func send(_ method: String, _ path: String, body: String?) async throws -> Page {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        let jar = lock.withLock { cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if !jar.isEmpty { request.setValue(jar, forHTTPHeaderField: "Cookie") }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { fields[key] = value }
        }
        let received = HTTPCookie.cookies(withResponseHeaderFields: fields, for: request.url!)
        lock.withLock {
            for cookie in received { cookies[cookie.name] = cookie.value }
        }
        let location = fields.first { $0.key.lowercased() == "location" }?.value
        return Page(status: http.statusCode, body: String(decoding: data, as: UTF8.self), location: location)
    }
}

/// Adds a person with a password through the real `hearthctl user add --password-stdin`.
private func addPerson(_ exchange: RunningExchange, email: String, authority: String, role: String) async throws {
    let hearthctl = ChildProcess.binDirectory.appendingPathComponent("hearthctl").path
    let added = try await ChildProcess.run(
        "/bin/sh", ["-c", "printf '%s' \"$PASSWORD\" | \"$HEARTHCTL\" user add --email \"$EMAIL\" --authority \"$AUTHORITY\" --role \"$ROLE\" --password-stdin"],
        environment: [
            "HEARTH_DATABASE_URL": exchange.databaseURL, "PASSWORD": password, "HEARTHCTL": hearthctl, "EMAIL": email, "AUTHORITY": authority, "ROLE": role,
        ]
    )
    guard added.status == 0 else { throw TestDatabaseError("user add \(email) failed: \(added.output)") }
}

private func runRound(_ exchange: RunningExchange) async throws {
    let round = try await ChildProcess.run("hearthctl", ["round", "run"], environment: ["HEARTH_DATABASE_URL": exchange.databaseURL])
    guard round.status == 0 else { throw TestDatabaseError("round run failed: \(round.output)") }
}

private let today = CalendarDate.today()

private func bidForm(childRef: String = "KT-0001") -> [(String, String)] {
    [
        ("child_ref", childRef), ("group_size", ""), ("age", "9"), ("sex", "female"), ("needs", "autism"), ("settings_acceptable", "foster"),
        ("postcode", "ME14 1XQ"), ("max_distance_km", "50"), ("min_distance_km", ""), ("urgency", "urgent"),
        ("needed_by", today.adding(days: 3).iso), ("max_weekly_rate", "1500.00"),
    ]
}

private let offerForm: [(String, String)] = [
    ("setting", "foster"), ("capacity", "2"), ("needs_supported", "autism"), ("sexes_accepted", "female"), ("sexes_accepted", "male"),
    ("age_min", "5"), ("age_max", "12"), ("postcode", "ME15 6AA"), ("available_from", today.iso), ("available_until", ""),
    ("weekly_rate", "850.00"), ("ofsted_urn", ""),
]

/// The id at the end of a redirect's `Location` (`/bids/<id>`).
private func id(from page: PageBrowser.Page, under prefix: String) throws -> String {
    let location = try #require(page.location, "no Location: \(page.status) \(page.body.prefix(1500))")
    #expect(location.hasPrefix(prefix))
    return String(location.dropFirst(prefix.count))
}

@Suite("the placement pages on a real hearthd and PostgreSQL", .enabled(if: TestDatabase.isRequired), .serialized)
struct WebPagesEndToEndTests {
    @Test("a bid posted by form exists through the API; mistakes come back as 422 with what was typed; another authority gets a 404; a form without its CSRF token changes nothing")
    func bidForms() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            try await addPerson(exchange, email: "officer@kent.test", authority: kent, role: "placement")
            try await addPerson(exchange, email: "officer@bracknell.test", authority: bracknell, role: "placement")
            let kentOfficer = PageBrowser(baseURL: exchange.baseURL)
            try await kentOfficer.signIn("officer@kent.test")

            let posted = try await kentOfficer.post("/bids/new", bidForm(), csrfFrom: "/bids/new")
            #expect(posted.status == 303)
            let bidID = try id(from: posted, under: "/bids/")
            let api = try await exchange.send("GET", "/v1/bids/\(bidID)", key: try exchange.key(kent, "placement"))
            #expect(api.status == 200)
            let stored = jsonObject(api)
            #expect(stored["child_ref"] as? String == "KT-0001")
            #expect(stored["max_weekly_rate_pence"] as? Int == 150_000)
            #expect((stored["home_location"] as? [String: Any])?["postcode_district"] as? String == "ME14")
            let shown = try await kentOfficer.get("/bids/\(bidID)")
            #expect(shown.status == 200)
            #expect(shown.body.contains("The bid is posted"))
            #expect(shown.body.contains("Withdraw"))

            // Mistakes: every one listed, each field keeps what was typed, ticked boxes stay ticked.
            var bad = bidForm(childRef: "<script>alert(1)</script>").filter { !["age", "postcode", "needed_by"].contains($0.0) }
            bad += [("age", "nine"), ("postcode", "NOT A POSTCODE"), ("needed_by", "2026-02-30"), ("needs", "uasc")]
            let refused = try await kentOfficer.post("/bids/new", bad, csrfFrom: "/bids/new")
            #expect(refused.status == 422)
            #expect(refused.body.contains("There is a problem"))
            for field in ["child_ref", "age", "postcode", "needed_by"] {
                #expect(refused.body.contains("href=\"#\(field)\""), "the summary links to \(field)")
                #expect(refused.body.contains("id=\"\(field)-error\""), "a message beside \(field)")
            }
            #expect(refused.body.contains("value=\"nine\""))
            #expect(refused.body.contains("value=\"NOT A POSTCODE\""))
            #expect(refused.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!refused.body.contains("<script>alert(1)"))
            #expect(refused.body.contains("value=\"autism\" checked"))
            #expect(refused.body.contains("value=\"uasc\" checked"))
            #expect(!refused.body.contains("value=\"self_harm\" checked"))

            // Another authority's bid: not found, and nothing about the child.
            let bracknellOfficer = PageBrowser(baseURL: exchange.baseURL)
            try await bracknellOfficer.signIn("officer@bracknell.test")
            let hidden = try await bracknellOfficer.get("/bids/\(bidID)")
            #expect(hidden.status == 404)
            #expect(!hidden.body.contains("KT-0001"))
            #expect(try await bracknellOfficer.post("/bids/\(bidID)/withdraw", [], csrfFrom: "/bids").status == 404)

            // No CSRF token, or a wrong one: refused, nothing created.
            let before = jsonObject(try await exchange.send("GET", "/v1/bids", key: try exchange.key(kent, "placement")))["items"] as? [Any]
            #expect(try await kentOfficer.post("/bids/new", bidForm(childRef: "KT-0002")).status == 403)
            #expect(try await kentOfficer.post("/bids/new", bidForm(childRef: "KT-0003") + [("csrf_token", "forged")]).status == 403)
            let after = jsonObject(try await exchange.send("GET", "/v1/bids", key: try exchange.key(kent, "placement")))["items"] as? [Any]
            #expect(before?.count == 1 && after?.count == 1)
            try await exchange.stop()
        }
    }

    @Test("offer posted by form, a round, accept with the child's views, scrutiny signs off, the host confirms; the accepting person cannot sign off")
    func journey() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            try await addPerson(exchange, email: "officer@kent.test", authority: kent, role: "placement")
            try await addPerson(exchange, email: "scrutiny@kent.test", authority: kent, role: "scrutiny")
            try await addPerson(exchange, email: "officer@bracknell.test", authority: bracknell, role: "placement")
            try await addPerson(exchange, email: "operator@kent.test", authority: kent, role: "operator")
            let kentOfficer = PageBrowser(baseURL: exchange.baseURL)
            let kentScrutiny = PageBrowser(baseURL: exchange.baseURL)
            let host = PageBrowser(baseURL: exchange.baseURL)
            try await kentOfficer.signIn("officer@kent.test")
            try await kentScrutiny.signIn("scrutiny@kent.test")
            try await host.signIn("officer@bracknell.test")

            let offer = try await host.post("/offers/new", offerForm, csrfFrom: "/offers/new")
            #expect(offer.status == 303)
            let offerID = try id(from: offer, under: "/offers/")
            let offerJSON = jsonObject(try await exchange.send("GET", "/v1/offers/\(offerID)", key: try exchange.key(kent, "placement")))
            #expect(offerJSON["weekly_rate_pence"] as? Int == 85_000)
            let market = try await kentOfficer.get("/offers?setting=foster&postcode=ME14&within_km=30")
            #expect(market.status == 200)
            #expect(market.body.contains("/offers/\(offerID)"))
            #expect(market.body.contains("<svg"))
            #expect(market.body.contains("ME15"))

            let bidID = try id(from: try await kentOfficer.post("/bids/new", bidForm(), csrfFrom: "/bids/new"), under: "/bids/")
            let explained = try await kentOfficer.get("/bids/\(bidID)")
            #expect(explained.body.contains("/offers/\(offerID)"))
            #expect(explained.body.contains("£850.00 a week"))

            try await runRound(exchange)
            let proposals = jsonObject(try await exchange.send("GET", "/v1/proposals", key: try exchange.key(kent, "placement")))["items"] as? [[String: Any]]
            let proposalID = try #require(proposals?.first?["id"] as? String)
            let inbox = try await kentOfficer.get("/proposals")
            #expect(inbox.body.contains("/proposals/\(proposalID)"))
            #expect(inbox.body.contains("Place for KT-0001"))
            let hostInbox = try await host.get("/proposals")
            #expect(hostInbox.body.contains("/proposals/\(proposalID)"))
            #expect(!hostInbox.body.contains("KT-0001"))

            // Accepting needs what the child said when they were consulted.
            let page = "/proposals/\(proposalID)"
            let unsaid = try await kentOfficer.post("\(page)/accept", [("consulted", "yes"), ("summary", "")], csrfFrom: page)
            #expect(unsaid.status == 422)
            #expect(unsaid.body.contains("href=\"#summary\""))
            #expect(unsaid.body.contains("value=\"yes\" checked"))
            let accepted = try await kentOfficer.post("\(page)/accept", [("consulted", "yes"), ("summary", "Likes the garden; wants to stay at her school")], csrfFrom: page)
            #expect(accepted.status == 303)

            let toSign = try await kentScrutiny.get(page)
            #expect(toSign.body.contains("Likes the garden; wants to stay at her school"))
            #expect(toSign.body.contains("Sign off"))
            #expect(toSign.body.contains("cannot sign it off"))
            #expect(!(try await host.get(page)).body.contains("Likes the garden"))
            #expect(try await kentScrutiny.post("\(page)/sign-off", [("note", "Checked the match and the views")], csrfFrom: page).status == 303)

            let early = try await host.post("\(page)/confirm", [("start_date", today.adding(days: -30).iso)], csrfFrom: page)
            #expect(early.status == 422)
            #expect(early.body.contains("href=\"#start_date\""))
            let confirmed = try await host.post("\(page)/confirm", [("start_date", today.iso)], csrfFrom: page)
            #expect(confirmed.status == 303)
            let placementID = try id(from: confirmed, under: "/placements/")
            let placementJSON = jsonObject(try await exchange.send("GET", "/v1/placements/\(placementID)", key: try exchange.key(kent, "placement")))
            #expect(placementJSON["start_date"] as? String == today.iso)
            let placement = try await kentOfficer.get("/placements/\(placementID)")
            #expect(placement.body.contains("End placement"))

            // The person who accepted cannot sign off: refused by the domain, nothing changed.
            let secondOffer = try await host.post("/offers/new", offerForm, csrfFrom: "/offers/new")
            #expect(secondOffer.status == 303)
            _ = try await kentOfficer.post("/bids/new", bidForm(childRef: "KT-0002"), csrfFrom: "/bids/new")
            try await runRound(exchange)
            let all = jsonObject(try await exchange.send("GET", "/v1/proposals?status=proposed", key: try exchange.key(kent, "placement")))["items"] as? [[String: Any]]
            let secondID = try #require(all?.first?["id"] as? String)
            let operatorPerson = PageBrowser(baseURL: exchange.baseURL)
            try await operatorPerson.signIn("operator@kent.test")
            let second = "/proposals/\(secondID)"
            #expect(try await operatorPerson.post("\(second)/accept", [("consulted", "no")], csrfFrom: second).status == 303)
            let refused = try await operatorPerson.post("\(second)/sign-off", [("note", "")], csrfFrom: second)
            #expect(refused.status == 403)
            #expect(refused.body.contains("There is a problem"))
            #expect(refused.body.contains("cannot also sign it off"))
            let still = jsonObject(try await exchange.send("GET", "/v1/proposals/\(secondID)", key: try exchange.key(kent, "placement")))
            #expect(still["status"] as? String == "accepted")
            try await exchange.stop()
        }
    }
}
