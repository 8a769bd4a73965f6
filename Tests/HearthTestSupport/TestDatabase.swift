import Foundation
import LibPQ

/// The live PostgreSQL the tests run against, given by the test script as
/// `HEARTH_TEST_DATABASE_URL` (a URL with the right to create databases).
///
/// Each test that needs a database gets a fresh, empty one (`withFreshDatabase`), dropped
/// afterwards. Under `CI=true` a missing or unreachable server fails the test: it never skips.
public enum TestDatabase {
    /// The server URL from the environment, if any.
    public static var serverURL: String? {
        let value = ProcessInfo.processInfo.environment["HEARTH_TEST_DATABASE_URL"]
        return (value?.isEmpty ?? true) ? nil : value
    }

    /// True when tests needing PostgreSQL must run: a server was given, or this is CI (where a
    /// missing server is a failure, not a reason to skip).
    public static var isRequired: Bool {
        serverURL != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// Creates an empty database, passes its URL to `body`, and drops it afterwards.
    public static func withFreshDatabase<T>(_ body: (String) async throws -> T) async throws -> T {
        guard let serverURL else {
            throw TestDatabaseError("HEARTH_TEST_DATABASE_URL is not set: run the suite with Deploy/test")
        }
        let name = "hearth_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let admin = try PostgresConnection(url: serverURL, applicationName: "hearth-tests")
        try admin.execute("CREATE DATABASE \(name)")
        let url = try databaseURL(server: serverURL, database: name)
        do {
            let value = try await body(url)
            try? admin.execute("DROP DATABASE \(name) WITH (FORCE)")
            return value
        } catch {
            try? admin.execute("DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// The password the tests give `hearth_daemon` (the test server trusts loopback logins, but
    /// the URL names it as production does).
    public static let daemonPassword = "hearth-daemon-test"

    /// A URL for `databaseURL`'s database as `hearth_daemon`, the role hearthd logs in as in
    /// production. Call after migrating (the migration creates the role); sets its password with
    /// ALTER ROLE, one test at a time (the role is shared by every database of the server).
    public static func daemonURL(for databaseURL: String) throws -> String {
        guard let serverURL else {
            throw TestDatabaseError("HEARTH_TEST_DATABASE_URL is not set: run the suite with Deploy/test")
        }
        let admin = try PostgresConnection(url: serverURL, applicationName: "hearth-tests")
        try admin.transaction { transaction in
            try transaction.query("SELECT pg_advisory_xact_lock($1)", [Int64(0x4845_4152_5448_5057)])
            let statement = try transaction.query("SELECT format('ALTER ROLE hearth_daemon PASSWORD %L', $1::text) AS sql", [daemonPassword])
            try transaction.execute(try statement.first?.string("sql") ?? "")
        }
        guard var components = URLComponents(string: databaseURL) else {
            throw TestDatabaseError("\(databaseURL) is not a URL")
        }
        components.user = "hearth_daemon"
        components.password = daemonPassword
        guard let url = components.string else {
            throw TestDatabaseError("cannot build a hearth_daemon URL")
        }
        return url
    }

    /// Replaces the database name in a `postgresql://` URL.
    static func databaseURL(server: String, database: String) throws -> String {
        guard var components = URLComponents(string: server), components.scheme?.hasPrefix("postgres") == true else {
            throw TestDatabaseError("HEARTH_TEST_DATABASE_URL must be a postgresql:// URL")
        }
        components.path = "/" + database
        guard let url = components.string else {
            throw TestDatabaseError("cannot build a URL for database \(database)")
        }
        return url
    }
}

/// The test environment is not set up as the suite needs.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
