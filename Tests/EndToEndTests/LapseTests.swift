import Foundation
import HearthTestSupport
import LibPQ
import Testing

@Suite("proposals lapse on time", .enabled(if: TestDatabase.isRequired))
struct LapseTests {
    @Test("with clearing paused, a proposal past its lifetime lapses: its bed is free and its bid open again")
    func lapsesWhilePaused() async throws {
        try await TestDatabase.withFreshDatabase { url in
            // Clearing starts paused; the proposal lifetime is 2 s for the daemon and hearthctl.
            let lifetime = ["HEARTH_PROPOSAL_TTL": "2"]
            let exchange = try await RunningExchange(databaseURL: url, environment: lifetime)
            let environment = ["HEARTH_DATABASE_URL": url].merging(lifetime) { $1 }
            let placing = try exchange.key(bracknell, "placement")
            let host = try exchange.key(kent, "placement")
            let offer = try #require(jsonObject(try await exchange.send("POST", "/v1/offers", key: host, json: oneBedOffer))["id"] as? String)
            let bid = try #require(jsonObject(try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("LP-1", urgency: "urgent")))["id"] as? String)

            // The operator's round runs even while paused; then nothing but the clock acts.
            let round = try await ChildProcess.run("hearthctl", ["round", "run", "--json"], environment: environment)
            #expect(round.status == 0, "\(round.output)")
            let proposal = try #require(
                (jsonObject(try await exchange.send("GET", "/v1/proposals", key: placing))["items"] as? [[String: Any]])?.first
            )
            let id = try #require(proposal["id"] as? String)
            // The clock may already have lapsed it on a loaded machine: read the proposal and its
            // bid in one snapshot, so the pair is either still proposed or already lapsed and open.
            let connection = try PostgresConnection(url: url)
            let pair = try #require(try connection.query(
                "SELECT p.status AS proposal, b.status AS bid FROM proposals p JOIN bids b ON b.id = p.bid_id WHERE p.id = $1::uuid", [id]
            ).first)
            let statuses = [try pair.string("proposal"), try pair.string("bid")]
            #expect(statuses == ["proposed", "proposed"] || statuses == ["lapsed", "open"], "\(statuses)")

            var status = proposal["status"] as? String
            let deadline = Date().addingTimeInterval(20)
            while status != "lapsed", Date() < deadline {
                try await Task.sleep(for: .milliseconds(100))
                status = jsonObject(try await exchange.send("GET", "/v1/proposals/\(id)", key: placing))["status"] as? String
            }
            #expect(status == "lapsed", "the proposal did not lapse within 20 s of a 2 s lifetime:\n\(exchange.daemon.output)")
            #expect(jsonObject(try await exchange.send("GET", "/v1/bids/\(bid)", key: placing))["status"] as? String == "open")

            #expect(try connection.query("SELECT clearing_paused FROM control").first?.bool("clearing_paused") == true)
            let held = try connection.query(
                "SELECT count(*) AS n FROM bed_occupancy WHERE offer_id = $1::uuid AND active", [offer]
            ).first?.int("n")
            #expect(held == 0, "the lapsed proposal still holds its bed")
            let audited = try connection.query(
                "SELECT count(*) AS n FROM audit_log WHERE action = 'proposal.lapse' AND entity_id = $1", [id]
            ).first?.int("n")
            #expect(audited == 1)
            // No round ran in the meantime: only the operator's.
            #expect(try connection.query("SELECT count(*) AS n FROM rounds").first?.int("n") == 1)
            #expect(try await exchange.stop() == 0)
        }
    }

    @Test("hearthd refuses a proposal lifetime that is not a positive whole number, with a clear message")
    func badLifetimeRefused() async throws {
        for (arguments, environment) in [(["--proposal-ttl", "0"], [String: String]()), ([], ["HEARTH_PROPOSAL_TTL": "soon"])] {
            let outcome = try await ChildProcess.run(
                "hearthd", arguments, environment: environment.merging(["HEARTH_DATABASE_URL": "postgresql://127.0.0.1:1/none"]) { $1 }, timeout: 30
            )
            #expect(outcome.status == 64, "\(outcome.output)")
            #expect(outcome.output.contains("\(arguments.isEmpty ? "HEARTH_PROPOSAL_TTL" : "--proposal-ttl") must be a whole number"), "\(outcome.output)")
            #expect(!outcome.output.contains("Fatal error"))
        }
    }
}
