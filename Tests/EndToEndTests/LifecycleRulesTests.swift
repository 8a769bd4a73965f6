import Foundation
import HearthTestSupport
import LibPQ
import Testing

/// Today in Europe/London, `days` days on, as `YYYY-MM-DD` (the exchange's calendar).
func londonDate(days: Int = 0) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Europe/London")!
    let date = calendar.date(byAdding: .day, value: days, to: Date())!
    let parts = calendar.dateComponents([.year, .month, .day], from: date)
    return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
}

/// A two-bed Kent foster place available from `from`.
private func twoBedOffer(from: String = "2026-01-01") -> String {
    #"{"setting":"foster","capacity":2,"needs_supported":[],"age_min":0,"age_max":17,"sexes_accepted":["female","male","other"],"location":{"postcode_district":"ME14"},"available_from":"\#(from)","weekly_rate_pence":70000}"#
}

/// Runs one operator round and returns the proposals the placing key sees.
private func runRound(_ exchange: RunningExchange, placing: String) async throws -> [[String: Any]] {
    let round = try await ChildProcess.run("hearthctl", ["round", "run"], environment: ["HEARTH_DATABASE_URL": exchange.databaseURL])
    #expect(round.status == 0, "\(round.output)")
    return jsonObject(try await exchange.send("GET", "/v1/proposals?status=proposed", key: placing))["items"] as? [[String: Any]] ?? []
}

@Suite("money-safety rules of the proposal lifecycle, end to end", .enabled(if: TestDatabase.isRequired))
struct LifecycleRulesTests {
    @Test("a start date before the proposal, before the place is available or over 90 days on is a 422 naming start_date; an end before the start names end_date")
    func startAndEndDates() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let placing = try exchange.key(bracknell, "placement")
            let host = try exchange.key(kent, "placement")
            _ = try await exchange.send("POST", "/v1/offers", key: host, json: twoBedOffer(from: londonDate(days: 10)))
            _ = try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("DT-1", urgency: "urgent").replacingOccurrences(of: "2026-01-01", with: londonDate(days: 10)))
            let proposal = try #require(try await runRound(exchange, placing: placing).first?["id"] as? String)
            let path = "/v1/proposals/\(proposal)"
            #expect(try await exchange.send("POST", "\(path)/accept", key: placing, json: #"{"child_views":{"consulted":true,"summary":"ok"}}"#).status == 200)
            #expect(try await exchange.send("POST", "\(path)/sign-off", key: try exchange.key(bracknell, "scrutiny"), json: "{}").status == 200)

            for (start, words) in [
                ("2000-01-01", "before"), (londonDate(days: -1), "before"), (londonDate(days: 9), "available"), (londonDate(days: 101), "90 days"),
            ] {
                let refused = try await exchange.send("POST", "\(path)/confirm", key: host, json: #"{"start_date":"\#(start)"}"#)
                #expect(refused.status == 422, "start \(start): \(refused.status) \(refused.body)")
                #expect(refused.body.contains(#""field":"start_date""#), "\(refused.body)")
                #expect(refused.body.contains(words), "\(refused.body)")
            }
            #expect((jsonObject(try await exchange.send("GET", "/v1/placements", key: host))["items"] as? [Any])?.isEmpty == true)

            let start = londonDate(days: 100)
            let confirmed = try await exchange.send("POST", "\(path)/confirm", key: host, json: #"{"start_date":"\#(start)"}"#)
            #expect(confirmed.status == 200, "\(confirmed.body)")
            let placement = try #require(jsonObject(try await exchange.send("GET", "/v1/placements", key: host))["items"] as? [[String: Any]])
            let placementID = try #require(placement.first?["id"] as? String)
            #expect(placement.first?["start_date"] as? String == start)

            let early = try await exchange.send("POST", "/v1/placements/\(placementID)/end", key: placing, json: #"{"end_date":"\#(londonDate(days: 99))"}"#)
            #expect(early.status == 422, "\(early.body)")
            #expect(early.body.contains(#""field":"end_date""#), "\(early.body)")
            #expect(try await exchange.send("POST", "/v1/placements/\(placementID)/end", key: placing, json: #"{"end_date":"\#(londonDate(days: 120))"}"#).status == 200)
            #expect(try await exchange.send("POST", "/v1/placements/\(placementID)/end", key: placing, json: #"{"end_date":"\#(londonDate(days: 121))"}"#).status == 409)
            try await exchange.stop()
        }
    }

    @Test("capacity goes 2 → 1 → 2, but never below the beds held or placed (a 409 says how many)")
    func capacityChanges() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let placing = try exchange.key(bracknell, "placement")
            let host = try exchange.key(kent, "placement")
            let offer = try #require(jsonObject(try await exchange.send("POST", "/v1/offers", key: host, json: twoBedOffer()))["id"] as? String)
            for capacity in [1, 2, 3] {
                let changed = try await exchange.send("PATCH", "/v1/offers/\(offer)", key: host, json: #"{"capacity":\#(capacity)}"#)
                #expect(changed.status == 200, "capacity \(capacity): \(changed.status) \(changed.body)")
                #expect(jsonObject(changed)["capacity"] as? Int == capacity)
            }
            _ = try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("CP-1", urgency: "urgent"))
            _ = try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("CP-2", urgency: "urgent"))
            #expect(try await runRound(exchange, placing: placing).count == 2)

            let refused = try await exchange.send("PATCH", "/v1/offers/\(offer)", key: host, json: #"{"capacity":1}"#)
            #expect(refused.status == 409, "\(refused.body)")
            #expect(refused.body.contains("2 beds"), "\(refused.body)")
            #expect(try await exchange.send("PATCH", "/v1/offers/\(offer)", key: host, json: #"{"capacity":2}"#).status == 200)

            // Two beds held on a two-bed place: a third child gets nothing.
            _ = try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("CP-3", urgency: "emergency"))
            #expect(try await runRound(exchange, placing: placing).count == 2)
            try await exchange.stop()
            let connection = try PostgresConnection(url: url)
            let live = try connection.query(
                "SELECT count(*) AS n FROM bed_occupancy WHERE offer_id = $1::uuid AND active", [offer]
            ).first?.int("n")
            #expect(live == 2)
        }
    }

    @Test("withdrawing an offer releases its live proposals (withdrawn, audited, bids open, beds free); confirming one is then a 409")
    func withdrawReleasesProposals() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let placing = try exchange.key(bracknell, "placement")
            let host = try exchange.key(kent, "placement")
            let offer = try #require(jsonObject(try await exchange.send("POST", "/v1/offers", key: host, json: twoBedOffer()))["id"] as? String)
            let bid = try #require(jsonObject(try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("WD-1", urgency: "urgent")))["id"] as? String)
            let proposal = try #require(try await runRound(exchange, placing: placing).first?["id"] as? String)
            let path = "/v1/proposals/\(proposal)"
            #expect(try await exchange.send("POST", "\(path)/accept", key: placing, json: #"{"child_views":{"consulted":false}}"#).status == 200)
            #expect(try await exchange.send("POST", "\(path)/sign-off", key: try exchange.key(bracknell, "scrutiny"), json: "{}").status == 200)

            #expect(try await exchange.send("POST", "/v1/offers/\(offer)/withdraw", key: host).status == 200)
            let released = jsonObject(try await exchange.send("GET", path, key: placing))
            #expect(released["status"] as? String == "withdrawn")
            #expect(jsonObject(try await exchange.send("GET", "/v1/bids/\(bid)", key: placing))["status"] as? String == "open")
            let confirm = try await exchange.send("POST", "\(path)/confirm", key: host, json: #"{"start_date":"\#(londonDate())"}"#)
            #expect(confirm.status == 409, "\(confirm.body)")
            #expect((jsonObject(try await exchange.send("GET", "/v1/placements", key: host))["items"] as? [Any])?.isEmpty == true)

            try await exchange.stop()
            let connection = try PostgresConnection(url: url)
            #expect(try connection.query("SELECT count(*) AS n FROM bed_occupancy WHERE proposal_id = $1::uuid AND active", [proposal]).first?.int("n") == 0)
            let audited = try connection.query(
                "SELECT before_status, after_status FROM audit_log WHERE entity = 'proposal' AND entity_id = $1 AND action = 'proposal.withdraw'", [proposal]
            ).first
            #expect(try audited?.string("before_status") == "signed_off")
            #expect(try audited?.string("after_status") == "withdrawn")
        }
    }

    @Test("the proposal state is checked against its offer: accept on a proposal whose offer is withdrawn is a 409")
    func acceptOnWithdrawnOffer() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let placing = try exchange.key(bracknell, "placement")
            let host = try exchange.key(kent, "placement")
            let offer = try #require(jsonObject(try await exchange.send("POST", "/v1/offers", key: host, json: twoBedOffer()))["id"] as? String)
            _ = try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("WD-2", urgency: "urgent"))
            let proposal = try #require(try await runRound(exchange, placing: placing).first?["id"] as? String)
            // A withdrawal that bypassed the API (as an old build would have left it).
            let connection = try PostgresConnection(url: url)
            try connection.query("UPDATE offers SET status = 'withdrawn' WHERE id = $1::uuid", [offer])
            let accept = try await exchange.send("POST", "/v1/proposals/\(proposal)/accept", key: placing, json: #"{"child_views":{"consulted":false}}"#)
            #expect(accept.status == 409, "\(accept.body)")
            #expect(accept.body.contains("withdrawn"), "\(accept.body)")
            try await exchange.stop()
        }
    }
}
