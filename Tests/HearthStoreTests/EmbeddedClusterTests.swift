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
        let logins = try cluster.start()
        let url = logins.owner
        #expect(try PostgresConnection(url: url).query("SELECT current_database() AS db").first?.string("db") == "hearth")
        for (file, login) in [("password", url), ("daemon-password", logins.daemon)] {
            let password = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(file).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            #expect(login.contains(password.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        // hearthd's login is its own role, with its own password, and no superuser.
        let daemon = try PostgresConnection(url: logins.daemon)
        let who = try daemon.query("SELECT current_user AS name, rolsuper FROM pg_roles WHERE rolname = current_user").first
        #expect(try who?.string("name") == "hearth_daemon")
        #expect(try who?.bool("rolsuper") == false)
        #expect(logins.owner != logins.daemon)
        // A second start while it runs reuses the same server and passwords.
        #expect(try cluster.start() == logins)
        #expect(cluster.release())
        #expect(throws: PostgresError.self) { try PostgresConnection(url: url, connectTimeoutSeconds: 2) }
        // Started again from the existing data.
        let again = try cluster.start()
        #expect(again == logins)
        #expect(try PostgresConnection(url: again.daemon).query("SELECT 1 AS one").first?.int("one") == 1)
        #expect(cluster.release())
    }
}
