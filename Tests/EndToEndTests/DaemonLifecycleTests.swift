import Foundation
import HearthStore
import HearthTestSupport
import LibPQ
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Starts the real hearthd and hearthctl binaries, the way an operator does.
@Suite("hearthd and hearthctl, end to end", .enabled(if: TestDatabase.isRequired))
struct DaemonLifecycleTests {
    @Test("hearthd in an empty folder creates its own database, becomes ready, and leaves nothing running after SIGTERM")
    func embeddedDaemon() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try freeLocalPort()
        let daemon = try ChildProcess("hearthd", ["--port", String(port)], in: folder, environment: ["HEARTH_DATABASE_URL": ""])
        let ready = try await HTTP.waitFor("http://127.0.0.1:\(port)/ready", timeout: HTTP.startupTimeout)
        #expect(ready, "hearthd did not become ready:\n\(daemon.output)")
        let health = try await HTTP.send("GET", "http://127.0.0.1:\(port)/health")
        #expect(health.status == 200)
        #expect(health.body.contains("\"ok\""))

        let started = Date()
        daemon.send(SIGTERM)
        let status = try await daemon.waitForExit(timeout: 10)
        #expect(status == 0, "hearthd did not exit cleanly within 10 s:\n\(daemon.output)")
        #expect(Date().timeIntervalSince(started) < 10)
        let postmasterPID = folder.appendingPathComponent(".hearth/pgdata/postmaster.pid")
        #expect(!FileManager.default.fileExists(atPath: postmasterPID.path), "PostgreSQL was left running")
    }

    @Test("hearthctl migrate applies the schema once; /ready reports a database behind the build until it runs")
    func migrateThenReady() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let first = try await ChildProcess.run("hearthctl", ["migrate", "--database-url", url])
            #expect(first.status == 0, "\(first.output)")
            #expect(first.output.contains("applied 0001_core_schema.sql"))
            let second = try await ChildProcess.run("hearthctl", ["migrate"], environment: ["HEARTH_DATABASE_URL": url])
            #expect(second.status == 0)
            #expect(second.output.contains("up to date"))
            #expect(!second.output.contains("applied 0"))
        }
        try await TestDatabase.withFreshDatabase { url in
            // A database at an older schema: the daemon serves /health but is not ready.
            let shipped = try Migration.embedded()
            _ = try Migrator(migrations: Array(shipped.dropLast())).migrate(try PostgresConnection(url: url))
            let port = try freeLocalPort()
            let daemon = try ChildProcess("hearthd", ["--port", String(port), "--database-url", url])
            #expect(try await HTTP.waitFor("http://127.0.0.1:\(port)/health", timeout: HTTP.startupTimeout), "\(daemon.output)")
            let notReady = try await HTTP.send("GET", "http://127.0.0.1:\(port)/ready")
            #expect(notReady.status == 503)
            #expect(notReady.headers["content-type"] == "application/problem+json")
            #expect(notReady.body.contains("hearthctl migrate"))

            let upgraded = try await ChildProcess.run("hearthctl", ["migrate", "--database-url", url])
            #expect(upgraded.status == 0, "\(upgraded.output)")
            #expect(upgraded.output.contains("applied \(shipped.last!.name)"))
            #expect(try await HTTP.waitFor("http://127.0.0.1:\(port)/ready", timeout: HTTP.startupTimeout))
            daemon.send(SIGINT)
            #expect(try await daemon.waitForExit(timeout: 10) == 0)
        }
    }

    @Test("bad configuration is one clear line and a non-zero exit, never a stack trace")
    func badConfiguration() async throws {
        let badPort = try await ChildProcess.run("hearthd", ["--port", "eighty"])
        #expect(badPort.status == 64)
        #expect(badPort.output.contains("--port must be a whole number"))
        let badEnvironment = try await ChildProcess.run("hearthd", [], environment: ["HEARTH_PORT": "99999"])
        #expect(badEnvironment.status == 64)
        #expect(badEnvironment.output.contains("HEARTH_PORT"))
        let badLevel = try await ChildProcess.run("hearthctl", ["migrate", "--log-level", "loud"])
        #expect(badLevel.status == 64)
        let unreachable = try await ChildProcess.run("hearthctl", ["migrate", "--database-url", "postgresql://nobody@127.0.0.1:1/none"])
        #expect(unreachable.status == 1)
        let lines = unreachable.output.split(separator: "\n")
        #expect(lines.count == 1, "\(unreachable.output)")
        #expect(unreachable.output.contains("connection failed"))
    }

    @Test("without PostgreSQL's programs the embedded default fails fast with a clear message")
    func missingPostgres() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await ChildProcess.run(
            "hearthd", ["--port", String(try freeLocalPort())], in: folder,
            environment: ["HEARTH_DATABASE_URL": "", "HEARTH_PG_BINDIR": "/nonexistent"], timeout: 30
        )
        #expect(result.status == 1)
        #expect(result.output.contains("HEARTH_PG_BINDIR"))
    }
}

@Suite("members and keys, end to end", .enabled(if: TestDatabase.isRequired))
struct MembersAndKeysTests {
    @Test("a fresh database is set up on first use; demo seed's keys work on the API until revoked")
    func keysWorkUntilRevoked() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let environment = ["HEARTH_DATABASE_URL": url]
            let seeded = try await ChildProcess.run("hearthctl", ["demo", "seed"], environment: environment)
            #expect(seeded.status == 0, "\(seeded.output)")
            let key = try #require(
                seeded.output.split(separator: "\n").first { $0.hasPrefix("E10000016") && $0.contains("placement") }?
                    .split(separator: " ").last.map(String.init)
            )
            let port = try freeLocalPort()
            let daemon = try ChildProcess("hearthd", ["--port", String(port)], environment: environment)
            #expect(try await HTTP.waitFor("http://127.0.0.1:\(port)/ready", timeout: HTTP.startupTimeout), "\(daemon.output)")
            let base = "http://127.0.0.1:\(port)"

            let anonymous = try await HTTP.send("GET", "\(base)/v1/authorities")
            #expect(anonymous.status == 401)
            #expect(anonymous.headers["content-type"] == "application/problem+json")

            let listed = try await HTTP.send("GET", "\(base)/v1/authorities", headers: ["Authorization": "Bearer \(key)"])
            #expect(listed.status == 200)
            let body = try JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [String: Any]
            #expect((body?["items"] as? [Any])?.count == 19)

            let prefix = String(key.prefix(15))
            let revoked = try await ChildProcess.run("hearthctl", ["key", "revoke", prefix], environment: environment)
            #expect(revoked.status == 0, "\(revoked.output)")
            let after = try await HTTP.send("GET", "\(base)/v1/authorities", headers: ["Authorization": "Bearer \(key)"])
            #expect(after.status == 401)

            let validKey = try #require(
                seeded.output.split(separator: "\n").first { $0.hasPrefix("E06000036") && $0.contains("placement") }?
                    .split(separator: " ").last.map(String.init)
            )
            let unknownRoute = try await HTTP.send("GET", "\(base)/v1/nothing-here", headers: ["Authorization": "Bearer \(validKey)"])
            #expect(unknownRoute.status == 404)
            #expect(unknownRoute.headers["content-type"] == "application/problem+json")
            daemon.send(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: 10) == 0)
        }
    }

    @Test("key issue prints the key alone on the last line, and only its hash is stored")
    func keyShownOnce() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let environment = ["HEARTH_DATABASE_URL": url]
            #expect(try await ChildProcess.run("hearthctl", ["migrate"], environment: environment).status == 0)
            let added = try await ChildProcess.run(
                "hearthctl", ["authority", "add", "--code", "E10000016", "--name", "Kent", "--lat", "51.2786", "--lon", "0.5223"], environment: environment
            )
            #expect(added.status == 0, "\(added.output)")
            let duplicate = try await ChildProcess.run(
                "hearthctl", ["authority", "add", "--code", "E10000016", "--name", "Kent", "--lat", "51.2786", "--lon", "0.5223"], environment: environment
            )
            #expect(duplicate.status == 1)
            #expect(duplicate.output.contains("already exists"))
            let issued = try await ChildProcess.run("hearthctl", ["key", "issue", "--authority", "E10000016", "--role", "finance"], environment: environment)
            #expect(issued.status == 0)
            let lastLine = try #require(issued.output.split(separator: "\n").last.map(String.init))
            #expect(lastLine.range(of: "^hk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$", options: .regularExpression) != nil)
            let connection = try PostgresConnection(url: url)
            let stored = try connection.query("SELECT count(*) AS n FROM api_keys WHERE encode(secret_hash, 'escape') LIKE '%' || $1 || '%'", [String(lastLine.suffix(20))])
            #expect(try stored.first?.int("n") == 0)
            let audited = try connection.query("SELECT count(*) AS n FROM audit_log WHERE action IN ('authority.add', 'key.issue')")
            #expect(try audited.first?.int("n") == 2)
        }
    }
}

@Suite("demo data", .enabled(if: TestDatabase.isRequired))
struct DemoDataTests {
    @Test("demo seed posts a reproducible South East market weighted towards the larger members")
    func demoMarket() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let environment = ["HEARTH_DATABASE_URL": url]
            #expect(try await ChildProcess.run("hearthctl", ["migrate"], environment: environment).status == 0)
            let seeded = try await ChildProcess.run("hearthctl", ["demo", "seed", "--offers", "200", "--bids", "300"], environment: environment)
            #expect(seeded.status == 0, "\(seeded.output)")
            let connection = try PostgresConnection(url: url)
            #expect(try connection.query("SELECT count(*) AS n FROM offers WHERE status = 'open'").first?.int("n") == 200)
            #expect(try connection.query("SELECT count(*) AS n FROM bids WHERE status = 'open'").first?.int("n") == 300)
            // Kent (19.68 % of the region's looked-after children) posts more than Wokingham (1.37 %).
            let kentBids = try connection.query("SELECT count(*) AS n FROM bids WHERE authority = 'E10000016'").first?.int("n") ?? 0
            let wokinghamBids = try connection.query("SELECT count(*) AS n FROM bids WHERE authority = 'E06000041'").first?.int("n") ?? 0
            #expect(kentBids > 3 * max(wokinghamBids, 1))
            let tooLong = try await ChildProcess.run("hearthctl", ["demo", "seed", "--offers", "9999"], environment: environment)
            #expect(tooLong.status == 64)
        }
    }
}
