import Foundation
import HearthTestSupport
import LibPQ
import Testing

/// Surrey places the second child.
private let surrey = "E10000030"

/// A one-bed Kent foster place in `district`.
private func place(_ district: String, sexes: String = #"["female","male","other"]"#) -> String {
    #"{"setting":"foster","capacity":1,"needs_supported":[],"age_min":0,"age_max":17,"sexes_accepted":\#(sexes),"location":{"postcode_district":"\#(district)"},"available_from":"2026-01-01","weekly_rate_pence":70000}"#
}

/// A planned child living in Maidstone (ME15), placed at most `maxKm` from home.
private func child(_ reference: String, maxKm: Int) -> String {
    #"{"child_ref":"\#(reference)","age":10,"sex":"female","settings_acceptable":["foster"],"home_location":{"postcode_district":"ME15"},"urgency":"planned","needed_by":"2026-01-01","max_distance_km":\#(maxKm)}"#
}

private func preferences(_ ranking: [String], summary: String = "wants to stay near her school") -> String {
    let ids = ranking.map { "\"\($0)\"" }.joined(separator: ",")
    return #"{"ranking":[\#(ids)],"child_views":{"consulted":true,"summary":"\#(summary)"}}"#
}

@Suite("Preferences, end to end", .enabled(if: TestDatabase.isRequired))
struct PreferenceEndToEndTests {
    /// Two children both rank the Maidstone bed first; the Surrey child can live only there (10 km
    /// limit), so the only arrangement placing both gives it to her and Rochester to the other.
    @Test("two children prefer the same bed: the round places both, options say what the bed would cost, and nothing crosses authorities")
    func sharedFirstChoice() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let environment = ["HEARTH_DATABASE_URL": url]
            let bracknellKey = try exchange.key(bracknell, "placement")
            let bracknellScrutiny = try exchange.key(bracknell, "scrutiny")
            let surreyKey = try exchange.key(surrey, "placement")
            let host = try exchange.key(kent, "placement")
            let near = try #require(jsonObject(try await exchange.send("POST", "/v1/offers", key: host, json: place("ME14")))["id"] as? String)
            let rochester = try #require(jsonObject(try await exchange.send("POST", "/v1/offers", key: host, json: place("ME1")))["id"] as? String)
            let boysOnly = try #require(
                jsonObject(try await exchange.send("POST", "/v1/offers", key: host, json: place("ME14", sexes: #"["male"]"#)))["id"] as? String
            )
            let first = try #require(jsonObject(try await exchange.send("POST", "/v1/bids", key: bracknellKey, json: child("PF-1", maxKm: 60)))["id"] as? String)
            let second = try #require(jsonObject(try await exchange.send("POST", "/v1/bids", key: surreyKey, json: child("PF-2", maxKm: 10)))["id"] as? String)

            // Strict validation: nothing is saved by a bad request.
            let path = "/v1/bids/\(first)/preferences"
            for (body, status) in [
                (preferences([boysOnly]), 422), (preferences([near, near]), 422), (preferences(["not-a-uuid"]), 422),
                (preferences([UUID().uuidString]), 422), (preferences((0..<6).map { _ in UUID().uuidString }), 422),
                (#"{"ranking":[]}"#, 422), (#"{"ranking":"x","child_views":{"consulted":false}}"#, 422), ("[]", 400),
            ] {
                let reply = try await exchange.send("PUT", path, key: bracknellKey, json: body)
                #expect(reply.status == status, "\(body) → \(reply.status) \(reply.body)")
            }
            let refused = try await exchange.send("PUT", path, key: bracknellKey, json: preferences([boysOnly]))
            #expect(refused.body.contains("sex_not_accepted"), "\(refused.body)")
            #expect(try await exchange.send("GET", path, key: bracknellKey).status == 404)

            let saved = try await exchange.send("PUT", path, key: bracknellKey, json: preferences([near, rochester]), headers: ["Idempotency-Key": "pf-1"])
            #expect(saved.status == 201, "\(saved.body)")
            let replayed = try await exchange.send("PUT", path, key: bracknellKey, json: preferences([near, rochester]), headers: ["Idempotency-Key": "pf-1"])
            #expect(replayed.status == 201 && replayed.body == saved.body)
            #expect(try await exchange.send("PUT", path, key: bracknellKey, json: preferences([near, rochester]), headers: ["If-Match": "7"]).status == 412)
            #expect(try await exchange.send("PUT", "/v1/bids/\(second)/preferences", key: surreyKey, json: preferences([near], summary: "her brother lives nearby")).status == 201)

            // Another authority's child: a 404, with nothing of the child in it.
            for reply in [
                try await exchange.send("GET", path, key: surreyKey), try await exchange.send("PUT", path, key: surreyKey, json: preferences([near])),
                try await exchange.send("GET", path, key: host),
            ] {
                #expect(reply.status == 404, "\(reply.body)")
                #expect(!reply.body.contains("school") && !reply.body.contains("PF-1"))
            }

            let round = try await ChildProcess.run("hearthctl", ["round", "run", "--json"], environment: environment)
            #expect(round.status == 0, "\(round.output)")
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(round.standardOutput.utf8)) as? [String: Any])
            let figures = summary["preferences"] as? [String: Any]
            #expect(figures?["ranked_children"] as? Int == 2)
            #expect(figures?["placed_by_choice"] as? [Int] == [1, 1, 0, 0, 0])

            let firstProposals = try #require(jsonObject(try await exchange.send("GET", "/v1/proposals", key: bracknellKey))["items"] as? [[String: Any]])
            let secondProposals = try #require(jsonObject(try await exchange.send("GET", "/v1/proposals", key: surreyKey))["items"] as? [[String: Any]])
            #expect(firstProposals.map { $0["offer_id"] as? String } == [rochester])
            #expect(secondProposals.map { $0["offer_id"] as? String } == [near])
            let firstProposal = try #require(firstProposals.first?["id"] as? String)
            let secondProposal = try #require(secondProposals.first?["id"] as? String)

            // The placing side sees the options: the Maidstone bed would leave a planned child unplaced.
            for key in [bracknellKey, bracknellScrutiny] {
                let shown = jsonObject(try await exchange.send("GET", "/v1/proposals/\(firstProposal)", key: key))
                let options = try #require(shown["options"] as? [[String: Any]])
                #expect(options.map { $0["offer_id"] as? String } == [near])
                let effect = options.first?["effect"] as? [String: Any]
                #expect(effect?["kind"] as? String == "fewer_placed")
                #expect(effect?["planned"] as? Int == 1 && effect?["urgent"] as? Int == 0 && effect?["emergency"] as? Int == 0)
                #expect(options.first?["host_authority"] as? String == kent)
            }
            // The host side never does; the other placing authority cannot see the proposal at all.
            let hostView = try await exchange.send("GET", "/v1/proposals/\(firstProposal)", key: host)
            #expect(hostView.status == 200 && jsonObject(hostView)["options"] == nil)
            #expect(try await exchange.send("GET", "/v1/proposals/\(firstProposal)", key: surreyKey).status == 404)
            let secondShown = jsonObject(try await exchange.send("GET", "/v1/proposals/\(secondProposal)", key: surreyKey))
            #expect((secondShown["options"] as? [Any])?.isEmpty == true)

            // The explanation says why the first child did not get her first choice.
            let explained = jsonObject(try await exchange.send("GET", "/v1/bids/\(first)/explain", key: bracknellKey))
            let ranked = try #require(explained["ranked"] as? [[String: Any]])
            #expect(ranked.map { $0["outcome"] as? String } == ["another_child_unplaced", "given"])
            let stored = jsonObject(try await exchange.send("GET", path, key: bracknellKey))
            #expect(((stored["last_round"] as? [String: Any])?["choices"] as? [Any])?.count == 2)

            // A new first choice releases the live proposal at once and frees its bed.
            let canterbury = try #require(jsonObject(try await exchange.send("POST", "/v1/offers", key: host, json: place("CT1")))["id"] as? String)
            let version = try #require(stored["version"] as? Int)
            let changed = try await exchange.send("PUT", path, key: bracknellKey, json: preferences([canterbury, rochester]), headers: ["If-Match": "\(version)"])
            #expect(changed.status == 200, "\(changed.body)")
            #expect(jsonObject(changed)["released_proposal_id"] as? String == firstProposal)
            #expect(jsonObject(try await exchange.send("GET", "/v1/proposals/\(firstProposal)", key: bracknellKey))["status"] as? String == "withdrawn")
            #expect(jsonObject(try await exchange.send("GET", "/v1/bids/\(first)", key: bracknellKey))["status"] as? String == "open")
            let pending = jsonObject(try await exchange.send("GET", "/v1/bids/\(first)/explain", key: bracknellKey))
            let compatible = try #require(pending["compatible"] as? [[String: Any]])
            #expect(compatible.first { $0["offer_id"] as? String == rochester }?["taken"] as? Bool == false)
            #expect((pending["ranked"] as? [[String: Any]])?.map { $0["outcome"] as? String } == ["pending", "pending"])

            let again = try await ChildProcess.run("hearthctl", ["round", "run", "--json"], environment: environment)
            #expect(again.status == 0, "\(again.output)")
            let live = try #require(jsonObject(try await exchange.send("GET", "/v1/proposals?status=proposed", key: bracknellKey))["items"] as? [[String: Any]])
            #expect(live.map { $0["offer_id"] as? String } == [canterbury])

            let status = try await ChildProcess.run("hearthctl", ["status", "--json"], environment: environment)
            let lastRound = (try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])?["last_round"] as? [String: Any]
            #expect((lastRound?["preferences"] as? [String: Any])?["placed_by_choice"] as? [Int] == [1, 0, 0, 0, 0])
            try await exchange.stop()

            let connection = try PostgresConnection(url: url)
            let audited = try connection.query(
                "SELECT array_agg(action ORDER BY id) AS actions FROM audit_log WHERE entity_id = $1 OR entity_id = $2", [first, firstProposal]
            ).first?.stringArray("actions") ?? []
            #expect(audited.contains("bid.preferences.create") && audited.contains("bid.preferences.update") && audited.contains("proposal.withdraw"))
            let held = try connection.query(
                "SELECT count(*) AS n FROM bed_occupancy WHERE proposal_id = $1::uuid AND active", [firstProposal]
            ).first?.int("n")
            #expect(held == 0)
        }
    }
}
