import Foundation
import HearthStore
import HearthTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The programs as people install them: one file each, copied anywhere.
@Suite("self-contained programs", .enabled(if: TestDatabase.isRequired))
struct SelfContainedTests {
    /// Copies hearthd and hearthctl alone into a new empty folder outside the checkout and
    /// returns it; the caller removes it.
    ///
    /// `cp` does the copying: a file this process held open for writing would be inherited by
    /// the children that parallel tests spawn meanwhile, and executing it would then fail with
    /// "Text file busy".
    private func copiedPrograms() async throws -> URL {
        let folder = try makeTemporaryFolder()
        let programs = ["hearthd", "hearthctl"].map { ChildProcess.binDirectory.appendingPathComponent($0).path }
        let copied = try await ChildProcess.run("/bin/cp", programs + [folder.path])
        guard copied.status == 0 else { throw TestDatabaseError("cannot copy the programs: \(copied.output)") }
        return folder
    }

    @Test("the migrations compiled in are the checkout's files, byte for byte (the checksums schema_migrations records)")
    func embeddedMigrationsMatchTheFiles() throws {
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let onDisk = try Migration.load(from: checkout.appendingPathComponent("Migrations"))
        let embedded = try Migration.embedded()
        #expect(embedded.map(\.name) == onDisk.map(\.name))
        #expect(embedded.map(\.checksum) == onDisk.map(\.checksum))
        #expect(try HearthResources.text(of: "Data/postcode_districts.csv").utf8.count == (try Data(contentsOf: checkout.appendingPathComponent("Data/postcode_districts.csv"))).count)
    }

    @Test("copies of hearthd and hearthctl alone in an empty folder migrate, seed and serve a database, run from another folder")
    func withDatabaseURL() async throws {
        let bin = try await copiedPrograms()
        let work = try makeTemporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: bin)
            try? FileManager.default.removeItem(at: work)
        }
        let hearthctl = bin.appendingPathComponent("hearthctl").path
        try await TestDatabase.withFreshDatabase { url in
            let environment = ["HEARTH_DATABASE_URL": url]
            let migrated = try await ChildProcess.run(hearthctl, ["migrate"], in: work, environment: environment)
            #expect(migrated.status == 0, "\(migrated.output)")
            #expect(migrated.output.contains("applied 0001_core_schema.sql"))

            let added = try await ChildProcess.run(
                hearthctl, ["authority", "add", "--code", "E06000036", "--name", "Bracknell Forest", "--lat", "51.41", "--lon", "-0.75"],
                in: work, environment: environment
            )
            #expect(added.status == 0, "\(added.output)")
            // The demo's members come from Data/se_authorities.csv, inside the binary.
            let seeded = try await ChildProcess.run(hearthctl, ["demo", "seed", "--offers", "2", "--bids", "2"], in: work, environment: environment)
            #expect(seeded.status == 0, "\(seeded.output)")
            #expect(seeded.output.contains("seeded 19 South East members"))

            let port = try freeLocalPort()
            let daemon = try ChildProcess(bin.appendingPathComponent("hearthd").path, ["--port", String(port)], in: work, environment: environment)
            #expect(try await HTTP.waitFor("http://127.0.0.1:\(port)/ready", timeout: HTTP.startupTimeout), "hearthd did not become ready:\n\(daemon.output)")
            // The API contract is inside the binary too.
            let contract = try await HTTP.send("GET", "http://127.0.0.1:\(port)/openapi.yaml")
            #expect(contract.status == 200)
            #expect(contract.body.hasPrefix("openapi:"))
            // So are the web app's templates and stylesheet.
            let login = try await HTTP.send("GET", "http://127.0.0.1:\(port)/login")
            #expect(login.status == 200)
            #expect(login.body.contains("Sign in") && login.body.contains("/static/hearth.css"))
            let stylesheet = try await HTTP.send("GET", "http://127.0.0.1:\(port)/static/hearth.css")
            #expect(stylesheet.status == 200 && stylesheet.body.contains(".govuk-error-summary"))
            daemon.send(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: 10) == 0, "\(daemon.output)")
        }
    }

    @Test("a copy of hearthd alone in an empty folder creates its embedded database and serves it")
    func withEmbeddedDatabase() async throws {
        let bin = try await copiedPrograms()
        let work = try makeTemporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: bin)
            try? FileManager.default.removeItem(at: work)
        }
        let port = try freeLocalPort()
        let daemon = try ChildProcess(bin.appendingPathComponent("hearthd").path, ["--port", String(port)], in: work, environment: ["HEARTH_DATABASE_URL": ""])
        #expect(try await HTTP.waitFor("http://127.0.0.1:\(port)/ready", timeout: HTTP.startupTimeout), "hearthd did not become ready:\n\(daemon.output)")
        daemon.send(SIGTERM)
        #expect(try await daemon.waitForExit(timeout: 10) == 0, "\(daemon.output)")

        let migrated = try await ChildProcess.run(bin.appendingPathComponent("hearthctl").path, ["migrate"], in: work, environment: ["HEARTH_DATABASE_URL": ""])
        #expect(migrated.status == 0, "\(migrated.output)")
        #expect(migrated.output.contains("up to date"))
    }
}
