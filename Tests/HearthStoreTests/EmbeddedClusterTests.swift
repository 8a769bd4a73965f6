import Foundation
import HearthStore
import HearthTestSupport
import LibPQ
import Logging
import Testing

@Suite("embedded cluster")
struct EmbeddedClusterTests {
    @Test("missing PostgreSQL programs give a clear error instead of a hang")
    func missingBinaries() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cluster = EmbeddedCluster(
            directory: folder.appendingPathComponent(".hearth"), logger: Logger(label: "test"),
            environment: ["HEARTH_PG_BINDIR": "/nonexistent", "PATH": "/nonexistent"]
        )
        let error = #expect(throws: EmbeddedClusterError.self) { try cluster.start() }
        #expect(error?.description.contains("HEARTH_PG_BINDIR") == true)
    }

    @Test("the cluster is created on first use, reused, and stopped by its last user", .enabled(if: TestDatabase.isRequired))
    func lifecycle() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = folder.appendingPathComponent(".hearth")
        let cluster = EmbeddedCluster(directory: directory, logger: Logger(label: "test"))
        let url = try cluster.start()
        #expect(try PostgresConnection(url: url).query("SELECT current_database() AS db").first?.string("db") == "hearth")
        let password = try String(contentsOf: directory.appendingPathComponent("password"), encoding: .utf8)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("password").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(url.contains(password.trimmingCharacters(in: .whitespacesAndNewlines)))
        // A second start while it runs reuses the same server.
        #expect(try cluster.start() == url)
        #expect(cluster.release())
        #expect(throws: PostgresError.self) { try PostgresConnection(url: url, connectTimeoutSeconds: 2) }
        // Started again from the existing data.
        let again = try cluster.start()
        #expect(again == url)
        #expect(cluster.release())
    }
}
