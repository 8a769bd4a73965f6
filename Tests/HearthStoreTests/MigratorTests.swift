import Foundation
import HearthStore
import HearthTestSupport
import LibPQ
import Testing

@Suite("migrations", .enabled(if: TestDatabase.isRequired))
struct MigratorTests {
    let shipped = try! Migration.embedded()

    @Test("an empty database gets every migration; a second run applies nothing")
    func appliesOnce() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            let migrator = Migrator(migrations: shipped)
            #expect(try migrator.status(connection).pending.count == shipped.count)
            #expect(try migrator.migrate(connection) == shipped.map(\.name))
            #expect(try migrator.migrate(connection).isEmpty)
            #expect(try migrator.status(connection).isCurrent)
            let recorded = try connection.query("SELECT count(*) AS n FROM schema_migrations").first?.int("n")
            #expect(recorded == shipped.count)
        }
    }

    @Test("an applied migration that was edited is refused before anything runs")
    func editedMigrationRefused() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            let original = [Migration(version: 1, name: "0001_one.sql", sql: "CREATE TABLE one (id int)")]
            _ = try Migrator(migrations: original).migrate(connection)
            let edited = [
                Migration(version: 1, name: "0001_one.sql", sql: "CREATE TABLE one (id bigint)"),
                Migration(version: 2, name: "0002_two.sql", sql: "CREATE TABLE two (id int)"),
            ]
            let error = #expect(throws: MigrationError.self) { try Migrator(migrations: edited).migrate(connection) }
            guard case .changedAfterApply(let name, _, _)? = error else {
                Issue.record("expected changedAfterApply, got \(String(describing: error))")
                return
            }
            #expect(name == "0001_one.sql")
            #expect(try connection.query("SELECT to_regclass('two') IS NULL AS absent").first?.bool("absent") == true)
        }
    }

    @Test("a failing migration is rolled back whole and not recorded")
    func failingMigrationRolledBack() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            let broken = [Migration(version: 1, name: "0001_broken.sql", sql: "CREATE TABLE half (id int); SELECT no_such_function();")]
            #expect(throws: MigrationError.self) { try Migrator(migrations: broken).migrate(connection) }
            #expect(try connection.query("SELECT to_regclass('half') IS NULL AS absent").first?.bool("absent") == true)
            #expect(try connection.query("SELECT count(*) AS n FROM schema_migrations").first?.int("n") == 0)
        }
    }

    @Test("two processes migrating at once apply each migration exactly once")
    func concurrentMigrations() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let migrations = shipped
            let results = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let connection = try PostgresConnection(url: url)
                        return try Migrator(migrations: migrations).migrate(connection)
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(results.sorted() == migrations.map(\.name).sorted())
        }
    }

    @Test("a database with a migration this build does not know is refused")
    func unknownMigrationRefused() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            let newer = [
                Migration(version: 1, name: "0001_one.sql", sql: "SELECT 1"),
                Migration(version: 2, name: "0002_two.sql", sql: "SELECT 2"),
            ]
            _ = try Migrator(migrations: newer).migrate(connection)
            #expect(throws: MigrationError.unknownApplied(version: 2, name: "0002_two.sql")) {
                try Migrator(migrations: Array(newer.prefix(1))).migrate(connection)
            }
        }
    }

    @Test("migration files must be numbered and unique")
    func fileNamesChecked() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "SELECT 1".write(to: folder.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1".write(to: folder.appendingPathComponent("first-again.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.badFileName("first-again.sql")) { try Migration.load(from: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("first-again.sql"))
        try "SELECT 2".write(to: folder.appendingPathComponent("0001_second.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.duplicateVersion(1, "0001_first.sql", "0001_second.sql")) { try Migration.load(from: folder) }
    }
}
