import Foundation
import HearthTestSupport
import Testing

/// Surrey: neither places nor hosts in these tests.
private let surrey = "E10000030"

@Suite("a third authority, end to end", .enabled(if: TestDatabase.isRequired))
struct ThirdAuthorityTests {
    @Test("an authority that is neither side gets a 404 on every endpoint that takes another pair's proposal or placement id, and its lists stay empty")
    func bystanderSeesNothing() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let placing = try exchange.key(bracknell, "placement")
            let host = try exchange.key(kent, "placement")
            let bystander = try exchange.key(surrey, "placement")
            let bystanderScrutiny = try exchange.key(surrey, "scrutiny")
            _ = try await exchange.send("POST", "/v1/offers", key: host, json: oneBedOffer)
            let bid = try #require(jsonObject(try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("TA-1", urgency: "urgent")))["id"] as? String)
            let round = try await ChildProcess.run("hearthctl", ["round", "run"], environment: ["HEARTH_DATABASE_URL": exchange.databaseURL])
            #expect(round.status == 0, "\(round.output)")
            let proposals = jsonObject(try await exchange.send("GET", "/v1/proposals", key: placing))["items"] as? [[String: Any]] ?? []
            let proposal = try #require(proposals.first?["id"] as? String)
            let path = "/v1/proposals/\(proposal)"

            // Before anyone acts: nothing of the pair reaches the bystander, and its acts change nothing.
            let views = #"{"child_views":{"consulted":true,"summary":"likes the garden"}}"#
            for (method, target, key, body) in [
                ("GET", path, bystander, nil), ("GET", "/v1/bids/\(bid)", bystander, nil), ("GET", "/v1/bids/\(bid)/explain", bystander, nil),
                ("POST", "\(path)/accept", bystander, views), ("POST", "\(path)/decline", bystander, #"{"reason":"no"}"#),
                ("POST", "\(path)/sign-off", bystanderScrutiny, #"{"note":"fine"}"#), ("POST", "\(path)/confirm", bystander, #"{"start_date":"\#(londonDate())"}"#),
                ("POST", "/v1/bids/\(bid)/withdraw", bystander, nil), ("GET", path, bystanderScrutiny, nil),
            ] as [(String, String, String, String?)] {
                let reply = try await exchange.send(method, target, key: key, json: body)
                #expect(reply.status == 404, "\(method) \(target) → \(reply.status) \(reply.body)")
                #expect(!reply.body.contains("TA-1") && !reply.body.contains("garden"), "\(reply.body)")
            }
            #expect((jsonObject(try await exchange.send("GET", "/v1/proposals", key: bystander))["items"] as? [Any])?.isEmpty == true)
            #expect(try await exchange.send("GET", path, key: placing).body.contains(#""status":"proposed""#))

            // Through to a placement, then the same for the placement's endpoints.
            #expect(try await exchange.send("POST", "\(path)/accept", key: placing, json: views).status == 200)
            #expect(try await exchange.send("POST", "\(path)/sign-off", key: try exchange.key(bracknell, "scrutiny"), json: "{}").status == 200)
            #expect(try await exchange.send("POST", "\(path)/confirm", key: host, json: #"{"start_date":"\#(londonDate())"}"#).status == 200)
            let placements = jsonObject(try await exchange.send("GET", "/v1/placements", key: placing))["items"] as? [[String: Any]] ?? []
            let placement = try #require(placements.first?["id"] as? String)
            for (method, target, body) in [
                ("GET", "/v1/placements/\(placement)", nil), ("POST", "/v1/placements/\(placement)/end", #"{"end_date":"\#(londonDate(days: 5))"}"#),
                ("GET", path, nil),
            ] as [(String, String, String?)] {
                let reply = try await exchange.send(method, target, key: bystander, json: body)
                #expect(reply.status == 404, "\(method) \(target) → \(reply.status) \(reply.body)")
            }
            #expect((jsonObject(try await exchange.send("GET", "/v1/placements", key: bystander))["items"] as? [Any])?.isEmpty == true)
            let kept = jsonObject(try await exchange.send("GET", "/v1/placements/\(placement)", key: placing))
            #expect(kept["end_date"] is NSNull || kept["end_date"] == nil, "the bystander's end reached the placement: \(kept)")
            try await exchange.stop()
        }
    }
}
