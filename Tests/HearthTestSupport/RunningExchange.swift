import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real hearthd on a fresh database holding the South East demo members and their keys
/// (loaded with the real hearthctl), for end-to-end tests.
public final class RunningExchange {
    /// The database URL.
    public let databaseURL: String
    /// `http://127.0.0.1:<port>`.
    public let baseURL: String
    /// The daemon.
    public let daemon: ChildProcess
    private let keys: [String: String]

    /// Seeds `databaseURL` (migrated, demo members and keys, plus one operator key for Kent)
    /// and starts hearthd on it, logged in as `hearth_daemon`, with extra `arguments`. Clearing
    /// starts paused unless `clearing` is true, so tests of the market see exactly what they
    /// posted. `daemonURL` is hearthd's login when the test's server is not the suite's (an
    /// embedded cluster of its own, which keeps its own `hearth_daemon` password).
    public init(
        databaseURL: String, daemonURL: String? = nil, clearing: Bool = false, arguments: [String] = [], environment: [String: String] = [:]
    ) async throws {
        self.databaseURL = databaseURL
        let env = ["HEARTH_DATABASE_URL": databaseURL].merging(environment) { $1 }
        var keys: [String: String] = [:]
        let migrated = try await ChildProcess.run("hearthctl", ["migrate"], environment: env)
        guard migrated.status == 0 else { throw TestDatabaseError("migrate failed: \(migrated.output)") }
        let seeded = try await ChildProcess.run("hearthctl", ["demo", "seed", "--offers", "0", "--bids", "0"], environment: env)
        guard seeded.status == 0 else { throw TestDatabaseError("demo seed failed: \(seeded.output)") }
        for line in seeded.output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count == 3, fields[2].hasPrefix("hk_") {
                keys["\(fields[0])/\(fields[1])"] = String(fields[2])
            }
        }
        let issued = try await ChildProcess.run("hearthctl", ["key", "issue", "--authority", "E10000016", "--role", "operator"], environment: env)
        guard issued.status == 0, let operatorKey = issued.output.split(separator: "\n").last else {
            throw TestDatabaseError("key issue failed: \(issued.output)")
        }
        keys["E10000016/operator"] = String(operatorKey)
        if !clearing {
            let paused = try await ChildProcess.run("hearthctl", ["pause"], environment: env)
            guard paused.status == 0 else { throw TestDatabaseError("pause failed: \(paused.output)") }
        }
        self.keys = keys
        let port = try freeLocalPort()
        baseURL = "http://127.0.0.1:\(port)"
        // hearthd logs in as hearth_daemon, as in production; hearthctl above as the owner.
        let daemonEnvironment = env.merging(["HEARTH_DATABASE_URL": try daemonURL ?? TestDatabase.daemonURL(for: databaseURL)]) { $1 }
        daemon = try ChildProcess("hearthd", ["--port", String(port)] + arguments, environment: daemonEnvironment)
        guard try await HTTP.waitFor("\(baseURL)/ready", timeout: HTTP.startupTimeout) else {
            throw TestDatabaseError("hearthd did not become ready:\n\(daemon.output)")
        }
    }

    /// The demo key of `authority` (ONS code) for `role`.
    public func key(_ authority: String, _ role: String) throws -> String {
        guard let key = keys["\(authority)/\(role)"] else { throw TestDatabaseError("no \(role) key for \(authority)") }
        return key
    }

    /// A `Sendable` client for this exchange, for concurrent requests.
    public var client: ExchangeClient { ExchangeClient(baseURL: baseURL) }

    /// Sends a request with `key` as bearer token and a JSON body.
    public func send(_ method: String, _ path: String, key: String?, json: String? = nil, headers: [String: String] = [:]) async throws -> HTTP.Reply {
        try await client.send(method, path, key: key, json: json, headers: headers)
    }

    /// Stops the daemon with SIGTERM and returns its exit status.
    @discardableResult
    public func stop() async throws -> Int32? {
        daemon.send(SIGTERM)
        return try await daemon.waitForExit(timeout: 10)
    }
}

/// Sends requests to a running hearthd.
public struct ExchangeClient: Sendable {
    /// `http://127.0.0.1:<port>`.
    public let baseURL: String

    /// Sends a request with `key` as bearer token and a JSON body.
    public func send(_ method: String, _ path: String, key: String?, json: String? = nil, headers: [String: String] = [:]) async throws -> HTTP.Reply {
        var all = headers
        if let key { all["Authorization"] = "Bearer \(key)" }
        if json != nil, all["Content-Type"] == nil { all["Content-Type"] = "application/json" }
        return try await HTTP.send(method, baseURL + path, body: json, headers: all)
    }
}

/// Parses a JSON object reply.
public func jsonObject(_ reply: HTTP.Reply) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8))) as? [String: Any] ?? [:]
}
