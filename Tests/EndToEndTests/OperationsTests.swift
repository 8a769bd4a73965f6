import Foundation
import HearthTestSupport
import LibPQ
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("operating a fleet of daemons, end to end", .enabled(if: TestDatabase.isRequired))
struct OperationsTests {
    @Test("two daemons share one database; one killed with SIGKILL mid-clearing loses nothing and the other carries on")
    func twoDaemonsOneKilled() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let environment = ["HEARTH_DATABASE_URL": url]
            #expect(try await ChildProcess.run("hearthctl", ["migrate"], environment: environment).status == 0)
            #expect(try await ChildProcess.run("hearthctl", ["pause"], environment: environment).status == 0)
            let seeded = try await ChildProcess.run("hearthctl", ["demo", "seed", "--offers", "100", "--bids", "150"], environment: environment)
            #expect(seeded.status == 0, "\(seeded.output)")
            let ports = [try freeLocalPort(), try freeLocalPort()]
            let daemons = try ports.map { try ChildProcess("hearthd", ["--port", String($0)], environment: environment) }
            for port in ports {
                #expect(try await HTTP.waitFor("http://127.0.0.1:\(port)/ready", timeout: HTTP.startupTimeout))
            }
            let twoLive = try await status(environment)
            #expect((twoLive["daemons"] as? [[String: Any]])?.filter { $0["live"] as? Bool == true }.count == 2)
            #expect(twoLive["paused"] as? Bool == true)

            #expect(try await ChildProcess.run("hearthctl", ["resume"], environment: environment).status == 0)
            try await Task.sleep(for: .milliseconds(150))
            daemons[0].send(SIGKILL)
            #expect(try await daemons[0].waitForExit(timeout: 5) == 137)

            // The survivor keeps clearing: an operator round waits for any round in progress.
            let round = try await ChildProcess.run("hearthctl", ["round", "run", "--json"], environment: environment)
            #expect(round.status == 0, "\(round.output)")
            let connection = try PostgresConnection(url: url)
            let orphans = try connection.query(
                """
                SELECT (SELECT count(*) FROM bed_occupancy o JOIN proposals p ON p.id = o.proposal_id
                          WHERE o.active AND o.kind = 'hold' AND p.status NOT IN ('proposed', 'accepted', 'signed_off')) AS orphaned_holds,
                       (SELECT count(*) FROM bids b WHERE b.status = 'proposed'
                          AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.bid_id = b.id AND p.status IN ('proposed', 'accepted', 'signed_off'))) AS lost_bids,
                       (SELECT count(*) FROM bids) AS bids,
                       (SELECT count(*) FROM rounds WHERE status = 'running') AS running
                """
            ).first
            #expect(try orphans?.int("orphaned_holds") == 0)
            #expect(try orphans?.int("lost_bids") == 0)
            #expect(try orphans?.int("bids") == 150)
            #expect(try orphans?.int("running") == 0)

            // The killed daemon goes stale; the survivor stays live.
            var stale = false
            for _ in 0..<30 where !stale {
                try await Task.sleep(for: .milliseconds(500))
                let daemonsNow = try await status(environment)["daemons"] as? [[String: Any]] ?? []
                stale = daemonsNow.contains { $0["pid"] as? Int == Int(daemons[0].pid) && $0["live"] as? Bool == false }
                    && daemonsNow.contains { $0["pid"] as? Int == Int(daemons[1].pid) && $0["live"] as? Bool == true }
            }
            #expect(stale, "the killed daemon was not shown as stale within 15 s")

            let started = Date()
            daemons[1].send(SIGTERM)
            #expect(try await daemons[1].waitForExit(timeout: 10) == 0)
            #expect(Date().timeIntervalSince(started) < 10)
            let stopped = try await status(environment)["daemons"] as? [[String: Any]] ?? []
            #expect(stopped.first { $0["pid"] as? Int == Int(daemons[1].pid) }?["state"] as? String == "stopped")
        }
    }

    @Test("metrics are Prometheus text with request, round and market figures, and carry no child data")
    func metrics() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url, clearing: true)
            let key = try exchange.key(bracknell, "placement")
            _ = try await exchange.send("POST", "/v1/bids", key: key, json: childBid("BF-SECRET-REF", urgency: "urgent"))
            _ = try await exchange.send("GET", "/v1/bids/not-an-id", key: key)
            try await Task.sleep(for: .seconds(1))
            let reply = try await exchange.send("GET", "/metrics", key: nil)
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"]?.hasPrefix("text/plain") == true)
            for name in ["hb_requests", "http_server_request_duration_bucket", "hearth_rounds_total", "hearth_round_duration_seconds",
                         "hearth_children_placed_total", "hearth_proposals", "hearth_pool_connections_in_use", "hearth_settlement_lag_days",
                         "hearth_open_bids 1"] {
                #expect(reply.body.contains(name), "missing \(name)")
            }
            #expect(reply.body.contains(#"http_route="/v1/bids/{id}""#))
            #expect(!reply.body.contains("BF-SECRET-REF"))
            try await exchange.stop()
        }
    }

    @Test("SIGHUP re-reads the log level from the HEARTH_CONFIG file without a restart")
    func sighupReloadsLogLevel() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let folder = try makeTemporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let configuration = folder.appendingPathComponent("hearth.env")
            try "HEARTH_LOG_LEVEL=info\n".write(to: configuration, atomically: true, encoding: .utf8)
            let exchange = try await RunningExchange(databaseURL: url, environment: ["HEARTH_CONFIG": configuration.path])
            try "# raised for an investigation\nHEARTH_LOG_LEVEL=\"debug\"\n".write(to: configuration, atomically: true, encoding: .utf8)
            exchange.daemon.send(SIGHUP)
            var reloaded = false
            for _ in 0..<40 where !reloaded {
                try await Task.sleep(for: .milliseconds(100))
                reloaded = exchange.daemon.output.contains("level=debug")
            }
            #expect(reloaded, "\(exchange.daemon.output.suffix(500))")
            #expect(try await exchange.stop() == 0)
        }
    }

    @Test("pause and resume reach every daemon; status reports them")
    func pauseResumeStatus() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url, clearing: true)
            let environment = ["HEARTH_DATABASE_URL": url]
            #expect(try await ChildProcess.run("hearthctl", ["pause"], environment: environment).output.contains("paused"))
            let placing = try exchange.key(bracknell, "placement")
            _ = try await exchange.send("POST", "/v1/offers", key: try exchange.key(kent, "placement"), json: oneBedOffer)
            _ = try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("BF-9", urgency: "urgent"))
            try await Task.sleep(for: .seconds(2))
            #expect((jsonObject(try await exchange.send("GET", "/v1/proposals", key: placing))["items"] as? [Any])?.count == 0)
            let paused = try await status(environment)
            #expect(paused["paused"] as? Bool == true)
            #expect(paused["open_bids"] as? Int == 1)
            #expect(paused["open_offers"] as? Int == 1)
            #expect(try await ChildProcess.run("hearthctl", ["resume"], environment: environment).status == 0)
            var proposed = false
            for _ in 0..<20 where !proposed {
                try await Task.sleep(for: .milliseconds(100))
                proposed = (jsonObject(try await exchange.send("GET", "/v1/proposals", key: placing))["items"] as? [Any])?.count == 1
            }
            #expect(proposed, "no proposal within 2 s of resume")
            let running = try await status(environment)
            #expect(running["paused"] as? Bool == false)
            #expect(running["live_proposals"] as? Int == 1)
            // Both daemons wake on resume: the later round may find the market already proposed.
            #expect(running["last_round"] is [String: Any])
            #expect(running["last_settlement"] is NSNull)
            try await exchange.stop()
        }
    }

    private func status(_ environment: [String: String]) async throws -> [String: Any] {
        let result = try await ChildProcess.run("hearthctl", ["status", "--json"], environment: environment)
        guard result.status == 0 else { throw TestDatabaseError("status failed: \(result.output)") }
        return try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any] ?? [:]
    }
}
