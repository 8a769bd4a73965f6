import Foundation
import HearthTestSupport
import LibPQ
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Throughput: caches and change signals across daemons, end to end", .enabled(if: TestDatabase.isRequired))
struct ThroughputTests {
    @Test("a revoked key fails on every daemon within one second of hearthctl key revoke returning")
    func revokedKeyFailsEverywhere() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let first = try await RunningExchange(databaseURL: url)
            let secondPort = try freeLocalPort()
            let second = try ChildProcess("hearthd", ["--port", String(secondPort)], environment: ["HEARTH_DATABASE_URL": try TestDatabase.daemonURL(for: url)])
            defer { second.send(SIGTERM) }
            #expect(try await HTTP.waitFor("http://127.0.0.1:\(secondPort)/ready", timeout: 30))
            let environment = ["HEARTH_DATABASE_URL": url]
            let issued = try await ChildProcess.run("hearthctl", ["key", "issue", "--authority", kent, "--role", "placement"], environment: environment)
            let key = try #require(issued.output.split(separator: "\n").last.map(String.init))
            let daemons = [first.baseURL, "http://127.0.0.1:\(secondPort)"]
            // Both daemons have the key cached.
            for base in daemons {
                for _ in 0..<3 {
                    #expect(try await listBids(base, key: key) == 200)
                }
            }
            let revoked = try await ChildProcess.run("hearthctl", ["key", "revoke", String(key.prefix(15))], environment: environment)
            #expect(revoked.status == 0, "\(revoked.output)")
            let returned = Date()
            for base in daemons {
                var status = 0
                while Date().timeIntervalSince(returned) < 1 {
                    status = try await listBids(base, key: key)
                    if status == 401 { break }
                }
                #expect(status == 401)
                #expect(Date().timeIntervalSince(returned) < 1)
            }
        }
    }

    @Test("while its listener is down a daemon trusts no cached key: a key revoked with plain SQL then fails at once")
    func cacheDroppedWithListener() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let key = try exchange.key(kent, "placement")
            #expect(try await exchange.send("GET", "/v1/bids", key: key).status == 200)
            #expect(try await exchange.send("GET", "/v1/bids", key: key).status == 200)
            let admin = try PostgresConnection(url: url)
            // Plain SQL notifies nobody; dropping the listeners' connections must drop the cache.
            try admin.query("UPDATE api_keys SET revoked_at = now() WHERE prefix = $1", [String(key.prefix(15))])
            try admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hearth-listener' AND datname = current_database()")
            let dropped = Date()
            var status = 0
            while Date().timeIntervalSince(dropped) < 2 {
                status = try await exchange.send("GET", "/v1/bids", key: key).status
                if status == 401 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(status == 401)
        }
    }

    @Test("a change through one daemon, or by hearthctl, starts a round within 2 s and reaches the other daemon")
    func changesReachEveryDaemon() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let first = try await RunningExchange(databaseURL: url, clearing: true, arguments: ["--log-level", "debug"])
            let secondPort = try freeLocalPort()
            let second = try ChildProcess(
                "hearthd", ["--port", String(secondPort), "--log-level", "debug"],
                environment: ["HEARTH_DATABASE_URL": try TestDatabase.daemonURL(for: url)]
            )
            defer { second.send(SIGTERM) }
            #expect(try await HTTP.waitFor("http://127.0.0.1:\(secondPort)/ready", timeout: 30))
            let admin = try PostgresConnection(url: url)
            let host = try first.key(kent, "placement")
            let placing = try first.key(bracknell, "placement")
            #expect(try await first.send("POST", "/v1/offers", key: host, json: oneBedOffer).status == 201)

            // Through the first daemon.
            try await expectPromptRound(admin: admin, on: second) {
                let posted = try await first.send("POST", "/v1/bids", key: placing, json: childBid("TP-1", urgency: "urgent"))
                #expect(posted.status == 201)
            }
            // By hearthctl (a process that runs no rounds).
            try await expectPromptRound(admin: admin, on: second) {
                let seeded = try await ChildProcess.run(
                    "hearthctl", ["demo", "seed", "--offers", "1", "--bids", "1"], environment: ["HEARTH_DATABASE_URL": url]
                )
                #expect(seeded.status == 0, "\(seeded.output)")
            }
        }
    }

    /// Makes `change`, then expects `daemon` to hear of it and a notified round to commit, both
    /// within 2 s of the change.
    private func expectPromptRound(admin: PostgresConnection, on daemon: ChildProcess, _ change: () async throws -> Void) async throws {
        let marker = "market change notified"
        // Wait for rounds already under way, so the round counted below is the change's.
        for _ in 0..<100 {
            if try admin.one("SELECT count(*) AS n FROM rounds WHERE status = 'running'").int("n") == 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let lastRound = try admin.one("SELECT coalesce(max(id), 0) AS id FROM rounds").int64("id")
        let heard = daemon.output.components(separatedBy: marker).count
        try await change()
        let changed = Date()
        var (notified, rounded) = (false, false)
        while Date().timeIntervalSince(changed) < 2, !(notified && rounded) {
            notified = notified || daemon.output.components(separatedBy: marker).count > heard
            let committed = try admin.one(
                "SELECT count(*) AS n FROM rounds WHERE id > \(lastRound) AND trigger = 'notify' AND status = 'committed'"
            ).int("n")
            rounded = rounded || committed > 0
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(notified, "the other daemon heard of the change within 2 s")
        #expect(rounded, "a round committed within 2 s of the change")
    }

    /// The status of `GET /v1/bids` on the daemon at `base` with `key`.
    private func listBids(_ base: String, key: String) async throws -> Int {
        try await HTTP.send("GET", base + "/v1/bids", body: nil, headers: ["Authorization": "Bearer \(key)"]).status
    }
}
