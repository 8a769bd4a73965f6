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
            #expect(try await HTTP.waitFor("http://127.0.0.1:\(secondPort)/ready", timeout: HTTP.startupTimeout))
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
            let returned = Date()
            #expect(revoked.status == 0, "\(revoked.output)")
            // Both daemons polled at once, each request back to back with the last.
            async let firstPoll = pollUntilRefused(daemons[0], key: key)
            async let secondPoll = pollUntilRefused(daemons[1], key: key)
            let polls = try await [firstPoll, secondPoll]
            for (base, poll) in zip(daemons, polls) {
                expectRefused(poll, within: 1, of: returned, "\(base) after hearthctl key revoke returned")
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
            // The cache's own age limit (5 s) would end the key too: the 2 s bound tells the two apart.
            expectRefused(try await pollUntilRefused(exchange.baseURL, key: key), within: 2, of: dropped, "after the listeners' connections were ended")
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
            #expect(try await HTTP.waitFor("http://127.0.0.1:\(secondPort)/ready", timeout: HTTP.startupTimeout))
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

    /// Makes `change`, then expects `daemon` to hear of it and a notified round to start, both
    /// within 2 s of the change returning, and that round to commit.
    ///
    /// Measured so that load cannot fake a failure: the round's start is its own `started_at`
    /// (the database's clock, the same system clock as the test's), not when the test saw it
    /// committed, so a round that takes long to solve on a busy machine still counts from when
    /// it began; the daemon's hearing is the moment its log line first appears, the output read
    /// every 10 ms. The waits themselves are generous (30 s).
    private func expectPromptRound(admin: PostgresConnection, on daemon: ChildProcess, _ change: () async throws -> Void) async throws {
        let marker = "market change notified"
        // Wait for rounds already under way, so the round counted below is the change's.
        let settled = Date()
        while try admin.one("SELECT count(*) AS n FROM rounds WHERE status = 'running'").int("n") > 0, Date().timeIntervalSince(settled) < 30 {
            try await Task.sleep(for: .milliseconds(20))
        }
        let lastRound = try admin.one("SELECT coalesce(max(id), 0) AS id FROM rounds").int64("id")
        let heard = daemon.output.components(separatedBy: marker).count
        try await change()
        let changed = Date()
        var heardAfter: Double?
        var roundStartedAfter: Double?
        while Date().timeIntervalSince(changed) < 30, heardAfter == nil || roundStartedAfter == nil {
            if heardAfter == nil, daemon.output.components(separatedBy: marker).count > heard {
                heardAfter = Date().timeIntervalSince(changed)
            }
            if roundStartedAfter == nil {
                roundStartedAfter = try admin.first(
                    """
                    SELECT extract(epoch FROM started_at)::float8 - \(changed.timeIntervalSince1970)::float8 AS after FROM rounds
                    WHERE id > \(lastRound) AND trigger = 'notify' AND status = 'committed' ORDER BY id LIMIT 1
                    """
                ).map { try $0.double("after") }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(heardAfter.map { $0 < 2 } == true, "the other daemon heard of the change \(heardAfter.map { "after \($0) s" } ?? "not within 30 s")")
        #expect(roundStartedAfter.map { $0 < 2 } == true, "a notified round started \(roundStartedAfter.map { "\($0) s after the change" } ?? "and committed: none within 30 s")")
    }

    /// What polling one daemon with a revoked key saw: when the last accepted request was sent,
    /// and whether (and when) a refused one came back, followed by a second refusal.
    private struct Poll {
        var lastAcceptedSent: Date?
        var firstRefusedSent: Date?
        var firstRefusedReceived: Date?
        var refusedAgain = false
        var statuses: [Int] = []
    }

    /// Sends `GET /v1/bids` with `key` to `base` back to back until it is refused twice in a
    /// row, for at most 30 s, noting when each request was sent.
    private func pollUntilRefused(_ base: String, key: String) async throws -> Poll {
        var poll = Poll()
        let start = Date()
        while Date().timeIntervalSince(start) < 30 {
            let sent = Date()
            let status = try await listBids(base, key: key)
            if poll.statuses.last != status { poll.statuses.append(status) }
            if status == 401 {
                if poll.firstRefusedSent != nil {
                    poll.refusedAgain = true
                    break
                }
                (poll.firstRefusedSent, poll.firstRefusedReceived) = (sent, Date())
            } else if status == 200 {
                poll.lastAcceptedSent = sent
            }
        }
        return poll
    }

    /// Expects that `poll` ended refused, stayed refused, and that no request sent `bound`
    /// seconds or more after `moment` was accepted.
    ///
    /// The bound is on when a request was sent, not when its answer arrived: on a loaded
    /// machine one request can take longer than the bound to be answered, but a daemon still
    /// using the key would accept requests sent after the bound, so this cannot pass for a
    /// daemon that misses the revocation, and cannot fail for a slow but correct one. The
    /// failure message gives the measured times.
    private func expectRefused(_ poll: Poll, within bound: Double, of moment: Date, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lastAccepted = poll.lastAcceptedSent.map { $0.timeIntervalSince(moment) }
        let refused = poll.firstRefusedSent.map { $0.timeIntervalSince(moment) }
        let answered = poll.firstRefusedReceived.map { $0.timeIntervalSince(moment) }
        let timings = "statuses \(poll.statuses); last accepted request sent at \(lastAccepted.map { "\($0) s" } ?? "-"), first refused sent at \(refused.map { "\($0) s" } ?? "-") and answered at \(answered.map { "\($0) s" } ?? "-")"
        #expect(poll.firstRefusedSent != nil && poll.refusedAgain, "\(what): the key is refused and stays refused (\(timings))", sourceLocation: sourceLocation)
        #expect((lastAccepted ?? 0) < bound, "\(what): no request sent \(bound) s or more after it is accepted (\(timings))", sourceLocation: sourceLocation)
    }

    /// The status of `GET /v1/bids` on the daemon at `base` with `key`.
    private func listBids(_ base: String, key: String) async throws -> Int {
        try await HTTP.send("GET", base + "/v1/bids", body: nil, headers: ["Authorization": "Bearer \(key)"]).status
    }
}
