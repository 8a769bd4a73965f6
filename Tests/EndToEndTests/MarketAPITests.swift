import Foundation
import HearthTestSupport
import LibPQ
import Testing

let kent = "E10000016"
let bracknell = "E06000036"

let sampleOffer = #"{"setting":"foster","capacity":2,"needs_supported":["autism"],"age_min":5,"age_max":12,"sexes_accepted":["female","male"],"location":{"postcode":"ME14 1XQ"},"available_from":"2026-12-01","weekly_rate_pence":85000}"#
let sampleBid = #"{"child_ref":"KT-0001","age":9,"sex":"female","needs":["autism"],"settings_acceptable":["foster"],"home_location":{"postcode_district":"ME14"},"urgency":"urgent","needed_by":"2026-12-05","max_distance_km":50}"#

@Suite("offers and bids over REST", .enabled(if: TestDatabase.isRequired))
struct MarketAPITests {
    @Test("every role against own and other authorities' offers and bids gets exactly what isolation allows")
    func isolationMatrix() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let kentPlacement = try exchange.key(kent, "placement")
            let bracknellPlacement = try exchange.key(bracknell, "placement")
            let ownOffer = try #require(jsonObject(try await exchange.send("POST", "/v1/offers", key: kentPlacement, json: sampleOffer))["id"] as? String)
            let ownBid = try #require(jsonObject(try await exchange.send("POST", "/v1/bids", key: kentPlacement, json: sampleBid))["id"] as? String)
            let otherOffer = try #require(jsonObject(try await exchange.send("POST", "/v1/offers", key: bracknellPlacement, json: sampleOffer))["id"] as? String)
            let otherBid = try #require(jsonObject(try await exchange.send("POST", "/v1/bids", key: bracknellPlacement, json: sampleBid))["id"] as? String)

            struct Case {
                let method: String
                let path: String
                let body: String?
            }
            func cases(offer: String, bid: String) -> [Case] {
                [
                    Case(method: "GET", path: "/v1/offers/\(offer)", body: nil),
                    Case(method: "PATCH", path: "/v1/offers/\(offer)", body: #"{"weekly_rate_pence":86000}"#),
                    Case(method: "GET", path: "/v1/bids/\(bid)", body: nil),
                    Case(method: "PATCH", path: "/v1/bids/\(bid)", body: #"{"age":10}"#),
                ]
            }
            // Kent's placement key on its own resources, then on Bracknell's.
            for item in cases(offer: ownOffer, bid: ownBid) {
                let reply = try await exchange.send(item.method, item.path, key: kentPlacement, json: item.body)
                #expect(reply.status == 200, "placement, own: \(item.method) \(item.path) → \(reply.status) \(reply.body)")
            }
            let otherExpected = [200, 404, 404, 404]  // the market's open offers are visible; nothing else
            for (item, expected) in zip(cases(offer: otherOffer, bid: otherBid), otherExpected) {
                let reply = try await exchange.send(item.method, item.path, key: kentPlacement, json: item.body)
                #expect(reply.status == expected, "placement, other: \(item.method) \(item.path) → \(reply.status)")
                #expect(!reply.body.contains("KT-0001") || expected == 200)
            }
            for role in ["scrutiny", "finance"] {
                let key = try exchange.key(kent, role)
                for item in cases(offer: ownOffer, bid: ownBid) + [Case(method: "GET", path: "/v1/bids", body: nil), Case(method: "POST", path: "/v1/offers", body: sampleOffer)] {
                    let reply = try await exchange.send(item.method, item.path, key: key, json: item.body)
                    #expect(reply.status == 403, "\(role): \(item.method) \(item.path) → \(reply.status)")
                }
                #expect(try await exchange.send("GET", "/v1/authorities", key: key).status == 200)
            }
            let operatorKey = try exchange.key(kent, "operator")
            for item in cases(offer: otherOffer, bid: otherBid) {
                let reply = try await exchange.send(item.method, item.path, key: operatorKey, json: item.body)
                #expect(reply.status == 200, "operator: \(item.method) \(item.path) → \(reply.status) \(reply.body)")
            }
            for item in cases(offer: ownOffer, bid: ownBid) {
                #expect(try await exchange.send(item.method, item.path, key: nil, json: item.body).status == 401)
                #expect(try await exchange.send(item.method, item.path, key: "hk_000000000000_forged", json: item.body).status == 401)
            }
            // Lists: Kent sees only its own bid; the market shows both open offers.
            let kentBids = jsonObject(try await exchange.send("GET", "/v1/bids", key: kentPlacement))["items"] as? [[String: Any]]
            #expect(kentBids?.compactMap { $0["id"] as? String } == [ownBid])
            let operatorBids = jsonObject(try await exchange.send("GET", "/v1/bids", key: operatorKey))["items"] as? [[String: Any]]
            #expect(operatorBids?.count == 2)
            let market = jsonObject(try await exchange.send("GET", "/v1/offers", key: bracknellPlacement))["items"] as? [[String: Any]]
            #expect(Set(market?.compactMap { $0["id"] as? String } ?? []) == [ownOffer, otherOffer])
            // Withdrawing: another authority's is a 404, one's own works once.
            #expect(try await exchange.send("POST", "/v1/bids/\(otherBid)/withdraw", key: kentPlacement).status == 404)
            #expect(try await exchange.send("POST", "/v1/offers/\(otherOffer)/withdraw", key: kentPlacement).status == 404)
            #expect(try await exchange.send("POST", "/v1/offers/\(ownOffer)/withdraw", key: kentPlacement).status == 200)
            #expect(try await exchange.send("POST", "/v1/offers/\(ownOffer)/withdraw", key: kentPlacement).status == 409)
            // A withdrawn offer leaves the market but its owner still sees it.
            #expect(try await exchange.send("GET", "/v1/offers/\(ownOffer)", key: bracknellPlacement).status == 404)
            #expect(try await exchange.send("GET", "/v1/offers/\(ownOffer)", key: kentPlacement).status == 200)
            try await exchange.stop()
        }
    }

    @Test("the database refuses another authority's bid even when the application asks for it")
    func rowLevelSecurity() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            _ = try await exchange.send("POST", "/v1/bids", key: try exchange.key(bracknell, "placement"), json: sampleBid)
            try await exchange.stop()
            let connection = try PostgresConnection(url: url)
            try connection.execute("BEGIN; SET LOCAL ROLE hearth_app")
            try connection.query("SELECT set_config('hearth.authority', $1, true)", [kent])
            #expect(try connection.query("SELECT count(*) AS n FROM bids").first?.int("n") == 0)
            #expect(try connection.query("UPDATE bids SET age = 1").affectedRows == 0)
            try connection.query("SELECT set_config('hearth.authority', $1, true)", [bracknell])
            #expect(try connection.query("SELECT count(*) AS n FROM bids").first?.int("n") == 1)
            try connection.execute("ROLLBACK")
        }
    }

    @Test("bad input is a 4xx problem listing every bad field, and stores nothing")
    func badInputStoresNothing() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let key = try exchange.key(kent, "placement")
            let everythingWrong = #"{"setting":"castle","capacity":0,"age_min":-1,"age_max":30,"sexes_accepted":"female","location":{"lat":40,"lon":0},"available_from":"2026-02-30","weekly_rate_pence":1.5,"colour":"blue"}"#
            let invalid = try await exchange.send("POST", "/v1/offers", key: key, json: everythingWrong)
            #expect(invalid.status == 422)
            #expect(invalid.headers["content-type"] == "application/problem+json")
            let fields = Set((jsonObject(invalid)["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? [])
            #expect(fields == ["setting", "capacity", "age_min", "age_max", "sexes_accepted", "location.lat", "available_from", "weekly_rate_pence", "colour"])
            let hostile = [
                ("{", "application/json"), ("[]", "application/json"), ("null", "application/json"), (sampleOffer, "text/plain"),
                (#"{"child_ref":"Jane Smith 01/02/2015","age":"nine","sex":"girl","settings_acceptable":[],"home_location":{"postcode":"BT1 1AA"},"urgency":"now","needed_by":"tomorrow"}"#, "application/json"),
                (#"{"child_ref":"'; DROP TABLE bids; --","age":9,"sex":"female","settings_acceptable":["foster"],"home_location":{"postcode_district":"ME14"},"urgency":"urgent","needed_by":"2026-12-05"}"#, "application/json"),
                (String(repeating: " ", count: 70_000) + sampleBid, "application/json"),
            ]
            for (body, contentType) in hostile {
                let reply = try await exchange.send("POST", "/v1/bids", key: key, json: body, headers: ["Content-Type": contentType])
                #expect((400..<500).contains(reply.status), "\(reply.status) for \(body.prefix(60))")
                #expect(reply.headers["content-type"] == "application/problem+json")
            }
            let unknownID = try await exchange.send("GET", "/v1/bids/not-a-uuid", key: key)
            #expect(unknownID.status == 404)
            let badQuery = try await exchange.send("GET", "/v1/offers?limit=0&near=1,2&setting=castle", key: key)
            #expect(badQuery.status == 400)
            try await exchange.stop()
            let connection = try PostgresConnection(url: url)
            #expect(try connection.query("SELECT (SELECT count(*) FROM bids) + (SELECT count(*) FROM offers) AS n").first?.int("n") == 0)
        }
    }

    @Test("an Idempotency-Key replays the first response and never stores a second row")
    func idempotentPosts() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let key = try exchange.key(kent, "placement")
            let headers = ["Idempotency-Key": "bid-KT-0001-v1"]
            let client = exchange.client
            let replies = try await withThrowingTaskGroup(of: HTTP.Reply.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await client.send("POST", "/v1/bids", key: key, json: sampleBid, headers: headers) }
                }
                return try await group.reduce(into: [HTTP.Reply]()) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 201 })
            #expect(Set(replies.map(\.body)).count == 1)
            let different = try await exchange.send("POST", "/v1/bids", key: key, json: sampleBid.replacingOccurrences(of: "KT-0001", with: "KT-0002"), headers: headers)
            #expect(different.status == 422)
            // The same Idempotency-Key from another authority is its own key space.
            let other = try await exchange.send("POST", "/v1/bids", key: try exchange.key(bracknell, "placement"), json: sampleBid, headers: headers)
            #expect(other.status == 201)
            try await exchange.stop()
            let connection = try PostgresConnection(url: url)
            #expect(try connection.query("SELECT count(*) AS n FROM bids").first?.int("n") == 2)
            #expect(try connection.query("SELECT count(*) AS n FROM audit_log WHERE action = 'bid.create'").first?.int("n") == 2)
        }
    }

    @Test("If-Match protects updates: a stale version is a 412 and concurrent updates never lose a write")
    func optimisticConcurrency() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let key = try exchange.key(kent, "placement")
            let bid = try #require(jsonObject(try await exchange.send("POST", "/v1/bids", key: key, json: sampleBid))["id"] as? String)
            let client = exchange.client
            let racing = try await withThrowingTaskGroup(of: Int.self) { group in
                for age in [10, 11, 12] {
                    group.addTask {
                        try await client.send("PATCH", "/v1/bids/\(bid)", key: key, json: #"{"age":\#(age)}"#, headers: ["If-Match": "1"]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(racing.sorted() == [200, 412, 412])
            let unconditional = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask { try await client.send("PATCH", "/v1/bids/\(bid)", key: key, json: #"{"max_distance_km":80}"#).status }
                group.addTask { try await client.send("PATCH", "/v1/bids/\(bid)", key: key, json: #"{"urgency":"emergency"}"#).status }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(unconditional == [200, 200])
            let final = jsonObject(try await exchange.send("GET", "/v1/bids/\(bid)", key: key))
            #expect(final["version"] as? Int == 4)
            #expect(final["max_distance_km"] as? Double == 80)
            #expect(final["urgency"] as? String == "emergency")
            try await exchange.stop()
        }
    }

    @Test("a postcode or district becomes a coarse point and its district; lists filter by distance")
    func locationsAndFilters() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let key = try exchange.key(kent, "placement")
            let created = jsonObject(try await exchange.send("POST", "/v1/offers", key: key, json: sampleOffer))
            let location = created["location"] as? [String: Any]
            #expect(location?["postcode_district"] as? String == "ME14")
            let lat = try #require(location?["lat"] as? Double)
            #expect((lat * 100).rounded() / 100 == lat)
            let near = try await exchange.send("GET", "/v1/offers?near=51.27,0.52&within_km=10&need=autism&setting=foster", key: key)
            #expect((jsonObject(near)["items"] as? [Any])?.count == 1)
            let far = try await exchange.send("GET", "/v1/offers?near=50.80,-1.09&within_km=10", key: key)
            #expect((jsonObject(far)["items"] as? [Any])?.count == 0)
            let otherNeed = try await exchange.send("GET", "/v1/offers?need=uasc", key: key)
            #expect((jsonObject(otherNeed)["items"] as? [Any])?.count == 0)
            try await exchange.stop()
        }
    }
}
