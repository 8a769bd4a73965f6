import Foundation
import HearthStore
import HearthTestSupport
import LibPQ
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What happens around the database going away and the daemon starting or stopping.
@Suite("availability, end to end", .enabled(if: TestDatabase.isRequired))
struct AvailabilityTests {
    @Test("after PostgreSQL restarts, the next request succeeds: stale pooled connections are replaced or retried")
    func requestAfterDatabaseRestart() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A cluster of this test's own, so restarting it disturbs no other test.
        let cluster = EmbeddedCluster(directory: folder.appendingPathComponent(".hearth"), logger: Logger(label: "test"))
        let logins = try cluster.start()
        let url = logins.owner
        defer { cluster.release() }
        let exchange = try await RunningExchange(databaseURL: url, daemonURL: logins.daemon)
        let key = try exchange.key(kent, "placement")
        // Use several of the daemon's pooled connections, so they are all stale after the restart.
        let client = exchange.client
        let warm = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<6 { group.addTask { try await client.send("GET", "/v1/authorities", key: key).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(warm == Array(repeating: 200, count: 6))
        let pool = ConnectionPool(url: url, size: 2, logger: Logger(label: "test"))
        _ = try await pool.withTransaction { try $0.query("SELECT 1 AS one") }

        #expect(cluster.release(), "the test's cluster did not stop")
        #expect(try cluster.start() == logins)

        let first = try await exchange.send("GET", "/v1/authorities", key: key)
        #expect(first.status == 200, "the first request after the restart failed: \(first.body)\n\(exchange.daemon.output)")
        let ready = try await HTTP.send("GET", "\(exchange.baseURL)/ready")
        #expect(ready.status == 200, "\(ready.body)")
        #expect(try await pool.withTransaction { try $0.query("SELECT 1 AS one").first?.int("one") } == 1)
        await pool.close()
        #expect(try await exchange.stop() == 0)
    }

    @Test("SIGTERM while hearthd creates its embedded cluster: it exits 0 and leaves no PostgreSQL behind")
    func stopDuringStartUp() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let daemon = try ChildProcess("hearthd", ["--port", String(try freeLocalPort())], in: folder, environment: ["HEARTH_DATABASE_URL": ""])
        let deadline = Date().addingTimeInterval(60)
        while !daemon.output.contains("creating the embedded PostgreSQL cluster"), Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(daemon.output.contains("creating the embedded PostgreSQL cluster"), "\(daemon.output)")
        daemon.send(SIGTERM)
        // initdb itself is not interrupted (a half-made cluster is worse than a late exit): on a
        // quiet machine the exit comes within a few seconds, on a loaded one it may take longer.
        let status = try await daemon.waitForExit(timeout: 60)
        #expect(status == 0, "hearthd did not exit cleanly after SIGTERM during start-up:\n\(daemon.output)")
        let left = postgresProcesses(under: folder)
        #expect(left.isEmpty, "PostgreSQL processes left running for \(folder.path): \(left)")
    }
}

/// Processes whose command line names `folder` (a postmaster started with `-D folder/...`).
private func postgresProcesses(under folder: URL) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> Int32? in
        guard let pid = Int32(entry), pid != getpid(),
            let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
        else { return nil }
        let commandLine = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        return commandLine.contains("postgres") && commandLine.contains(folder.path) ? pid : nil
    }
}
