import Foundation
import HearthStore
import HearthTestSupport
import LibPQ
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// hearthd works as `hearth_daemon`, which owns nothing, and says so when it is given more.
@Suite("hearthd's database login", .enabled(if: TestDatabase.isRequired))
struct DaemonRoleTests {
    @Test("the embedded default runs hearthd as hearth_daemon, with no warning")
    func embeddedDaemonRole() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try freeLocalPort()
        let daemon = try ChildProcess("hearthd", ["--port", String(port)], in: folder, environment: ["HEARTH_DATABASE_URL": ""])
        #expect(try await HTTP.waitFor("http://127.0.0.1:\(port)/ready", timeout: HTTP.startupTimeout), "hearthd did not become ready:\n\(daemon.output)")
        let hearth = folder.appendingPathComponent(".hearth")
        func read(_ name: String) throws -> String {
            try String(contentsOf: hearth.appendingPathComponent(name), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: hearth.appendingPathComponent("daemon-password").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        do {
            let owner = try PostgresConnection(url: "postgresql://hearth:\(try read("password"))@127.0.0.1:\(try read("port"))/hearth")
            let logins = try owner.query(
                "SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name = 'hearthd' AND datname = 'hearth'"
            ).rows.map { try $0.string("usename") }
            #expect(logins == ["hearth_daemon"])
        }
        daemon.send(SIGTERM)
        #expect(try await daemon.waitForExit(timeout: 10) == 0, "\(daemon.output)")
        #expect(!daemon.output.contains("warning"), "\(daemon.output)")
    }

    @Test("hearthd warns once at start when it logs in as a superuser or the schema's owner")
    func warnsWhenOverprivileged() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let migrated = try await ChildProcess.run("hearthctl", ["migrate", "--database-url", url])
            #expect(migrated.status == 0, "\(migrated.output)")
            let port = try freeLocalPort()
            let daemon = try ChildProcess("hearthd", ["--port", String(port), "--database-url", url])
            #expect(try await HTTP.waitFor("http://127.0.0.1:\(port)/ready", timeout: HTTP.startupTimeout), "\(daemon.output)")
            daemon.send(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: 10) == 0)
            let warnings = daemon.output.split(separator: "\n").filter { $0.contains("warning") && $0.contains("superuser") }
            #expect(warnings.count == 1, "\(daemon.output)")
        }
    }

    @Test("as hearth_daemon the API serves, replays idempotent writes, and warns about nothing")
    func daemonServes() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let bid = sampleBid
            let key = try exchange.key("E06000036", "placement")
            let first = try await exchange.send("POST", "/v1/bids", key: key, json: bid, headers: ["Idempotency-Key": "bf-7"])
            #expect(first.status == 201, "\(first.body)")
            let again = try await exchange.send("POST", "/v1/bids", key: key, json: bid, headers: ["Idempotency-Key": "bf-7"])
            #expect(again.status == 201)
            #expect(again.body == first.body)
            // Another authority's key with the same Idempotency-Key gets its own answer.
            let kent = try await exchange.send("POST", "/v1/bids", key: try exchange.key("E10000016", "placement"), json: bid, headers: ["Idempotency-Key": "bf-7"])
            #expect(kent.status == 201)
            #expect(jsonObject(kent)["id"] as? String != jsonObject(first)["id"] as? String)
            try await exchange.stop()
            #expect(!exchange.daemon.output.contains("superuser"), "\(exchange.daemon.output)")
        }
    }
}
