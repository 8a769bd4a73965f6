import Foundation
import HearthTestSupport
import LibPQ
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A one-bed foster place in Maidstone (Kent).
let oneBedOffer = #"{"setting":"foster","capacity":1,"needs_supported":["autism"],"age_min":0,"age_max":17,"sexes_accepted":["female","male","other"],"location":{"postcode_district":"ME14"},"available_from":"2026-01-01","weekly_rate_pence":70000}"#

/// A Bracknell child living in Maidstone's district (so the Kent place is near home).
func childBid(_ reference: String, urgency: String, needs: String = "[]") -> String {
    #"{"child_ref":"\#(reference)","age":10,"sex":"female","needs":\#(needs),"settings_acceptable":["foster"],"home_location":{"postcode_district":"ME15"},"urgency":"\#(urgency)","needed_by":"2026-01-01","max_distance_km":60}"#
}

@Suite("clearing and the proposal lifecycle, end to end", .enabled(if: TestDatabase.isRequired))
struct ClearingLifecycleTests {
    @Test("an operator round proposes the bed to the emergency child; accept, sign-off and confirm make a placement")
    func roundThenLifecycle() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let environment = ["HEARTH_DATABASE_URL": url]
            let placing = try exchange.key(bracknell, "placement")
            let scrutiny = try exchange.key(bracknell, "scrutiny")
            let host = try exchange.key(kent, "placement")
            let offer = try #require(jsonObject(try await exchange.send("POST", "/v1/offers", key: host, json: oneBedOffer))["id"] as? String)
            let planned = try #require(jsonObject(try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("BF-1", urgency: "planned")))["id"] as? String)
            let emergency = try #require(jsonObject(try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("BF-2", urgency: "emergency")))["id"] as? String)

            // Paused: the daemon proposes nothing by itself.
            try await Task.sleep(for: .seconds(2))
            #expect((jsonObject(try await exchange.send("GET", "/v1/proposals", key: placing))["items"] as? [Any])?.count == 0)

            let round = try await ChildProcess.run("hearthctl", ["round", "run", "--json"], environment: environment)
            #expect(round.status == 0, "\(round.output)")
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(round.standardOutput.utf8)) as? [String: Any])
            #expect(summary["proposals"] as? Int == 1)
            #expect((summary["children_placed"] as? [String: Int])?["emergency"] == 1)
            #expect(summary["bids_considered"] as? Int == 2)

            let proposals = try #require(jsonObject(try await exchange.send("GET", "/v1/proposals", key: placing))["items"] as? [[String: Any]])
            #expect(proposals.count == 1)
            let proposal = try #require(proposals.first)
            #expect(proposal["bid_id"] as? String == emergency)
            #expect(proposal["offer_id"] as? String == offer)
            let id = try #require(proposal["id"] as? String)

            // The planned child's explanation shows the place as taken.
            let explained = jsonObject(try await exchange.send("GET", "/v1/bids/\(planned)/explain", key: placing))
            let compatible = explained["compatible"] as? [[String: Any]]
            #expect(compatible?.first?["offer_id"] as? String == offer)
            #expect(compatible?.first?["taken"] as? Bool == true)

            let path = "/v1/proposals/\(id)"
            let start = #"{"start_date":"\#(londonDate())"}"#
            #expect(try await exchange.send("POST", "\(path)/confirm", key: host, json: start).status == 409)
            #expect(try await exchange.send("POST", "\(path)/accept", key: host, json: #"{"child_views":{"consulted":true,"summary":"x"}}"#).status == 403)
            let accepted = try await exchange.send("POST", "\(path)/accept", key: placing, json: #"{"child_views":{"consulted":true,"summary":"wants to keep her school"}}"#)
            #expect(accepted.status == 200, "\(accepted.body)")
            // The host never sees the child's views.
            let hostView = try await exchange.send("GET", path, key: host)
            #expect(!hostView.body.contains("keep her school"))
            #expect(try await exchange.send("POST", "\(path)/sign-off", key: placing, json: "{}").status == 403)
            #expect(try await exchange.send("POST", "\(path)/sign-off", key: try exchange.key(kent, "scrutiny"), json: "{}").status == 403)
            #expect(try await exchange.send("POST", "\(path)/sign-off", key: scrutiny, json: #"{"note":"independent review done"}"#).status == 200)
            #expect(try await exchange.send("POST", "\(path)/confirm", key: placing, json: start).status == 403)

            // Two confirmations race: exactly one makes the placement.
            let client = exchange.client
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 {
                    group.addTask { try await client.send("POST", "\(path)/confirm", key: host, json: start).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.sorted() == [200, 409])
            let placements = try #require(jsonObject(try await exchange.send("GET", "/v1/placements", key: placing))["items"] as? [[String: Any]])
            #expect(placements.count == 1)
            #expect(placements.first?["start_date"] as? String == londonDate())
            #expect(jsonObject(try await exchange.send("GET", "/v1/bids/\(emergency)", key: placing))["status"] as? String == "placed")

            try await exchange.stop()
            let connection = try PostgresConnection(url: url)
            let audited = try connection.query(
                "SELECT array_agg(action ORDER BY id) AS actions FROM audit_log WHERE entity IN ('proposal', 'placement')"
            ).first?.stringArray("actions")
            #expect(audited == ["proposal.create", "proposal.accept", "proposal.sign_off", "placement.create", "proposal.confirm"])
        }
    }

    @Test("a declined pair is never proposed again, and the running daemon clears on its own once resumed")
    func declineAndResume() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let environment = ["HEARTH_DATABASE_URL": url]
            let placing = try exchange.key(bracknell, "placement")
            let host = try exchange.key(kent, "placement")
            _ = try await exchange.send("POST", "/v1/offers", key: host, json: oneBedOffer)
            let bid = try #require(jsonObject(try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("BF-3", urgency: "urgent")))["id"] as? String)

            #expect(try await ChildProcess.run("hearthctl", ["resume"], environment: environment).status == 0)
            var proposal: [String: Any]?
            for _ in 0..<50 where proposal == nil {
                try await Task.sleep(for: .milliseconds(100))
                proposal = (jsonObject(try await exchange.send("GET", "/v1/proposals?status=proposed", key: placing))["items"] as? [[String: Any]])?.first
            }
            let id = try #require(proposal?["id"] as? String, "the daemon did not clear within 5 s of resume")
            #expect(proposal?["bid_id"] as? String == bid)
            #expect(try await exchange.send("POST", "/v1/proposals/\(id)/decline", key: host, json: #"{"reason":"the carers are away that month"}"#).status == 200)
            #expect(jsonObject(try await exchange.send("GET", "/v1/bids/\(bid)", key: placing))["status"] as? String == "open")

            let round = try await ChildProcess.run("hearthctl", ["round", "run", "--json"], environment: environment)
            #expect(round.status == 0)
            #expect(round.output.contains("\"proposals\" : 0"))
            let explained = jsonObject(try await exchange.send("GET", "/v1/bids/\(bid)/explain", key: placing))
            #expect((explained["incompatible"] as? [[String: Any]])?.first?["rule"] as? String == "declined_before")
            try await exchange.stop()
        }
    }
}
