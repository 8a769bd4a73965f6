import ArgumentParser
import Foundation
import Logging
import Synchronization

/// Where the database is: `--database-url`, else `HEARTH_DATABASE_URL`, else the embedded
/// cluster under `./.hearth/`.
public struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: "PostgreSQL URL (env HEARTH_DATABASE_URL; default: an embedded cluster under ./.hearth/)."
    )
    var databaseURL: String?

    public init() {}

    /// The URL to use, or nil for the embedded cluster.
    public func resolvedURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let databaseURL, !databaseURL.isEmpty { return databaseURL }
        if let fromEnvironment = environment["HEARTH_DATABASE_URL"], !fromEnvironment.isEmpty { return fromEnvironment }
        return nil
    }

    public mutating func validate() throws {
        if let url = resolvedURL(), !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") || url.contains("=")) {
            throw ValidationError("the database URL must start with postgresql:// (or be a libpq key=value string)")
        }
    }
}

/// `--log-level`, else `HEARTH_LOG_LEVEL`, else `info`.
public struct LoggingOptions: ParsableArguments {
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env HEARTH_LOG_LEVEL; default info).")
    var logLevel: String?

    public init() {}

    /// The level to log at.
    public func resolvedLevel(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Logger.Level {
        try Self.level(from: logLevel, environment: environment)
    }

    /// Parses a level from a flag value or `HEARTH_LOG_LEVEL`; used again on SIGHUP.
    public static func level(from flag: String?, environment: [String: String]) throws -> Logger.Level {
        let (text, source) = flag.map { ($0, "--log-level") } ?? (environment["HEARTH_LOG_LEVEL"].map { ($0, "HEARTH_LOG_LEVEL") } ?? ("info", "default"))
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("\(source) must be one of trace, debug, info, notice, warning, error, critical (got \"\(text)\")")
        }
        return level
    }

    public mutating func validate() throws {
        _ = try resolvedLevel()
    }
}

/// `--host`/`--port`, else `HEARTH_HOST`/`HEARTH_PORT`, else `127.0.0.1` and `8080`; and
/// `--public-url`, else `HEARTH_PUBLIC_URL`, else `http://HOST:PORT`: the address people reach
/// hearthd at, for links the web app writes.
public struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Address to listen on (env HEARTH_HOST; default 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "Port to listen on (env HEARTH_PORT; default 8080).")
    var port: String?

    @Option(name: .long, help: "Seconds a client may take to send a request's head, then its body; also the keep-alive idle limit (env HEARTH_REQUEST_TIMEOUT; default 30).")
    var requestTimeout: String?

    @Option(name: .customLong("public-url"), help: "The http(s) address people reach hearthd at, for links (env HEARTH_PUBLIC_URL; default http://HOST:PORT).")
    var publicURL: String?

    public init() {}

    /// The resolved listening and public addresses.
    public struct Resolved: Sendable, Equatable {
        public let host: String
        public let port: Int
        /// Seconds; see `--request-timeout`.
        public let requestTimeoutSeconds: Int
        /// An absolute http(s) URL without a trailing `/`, e.g. `https://hearth.example.org`.
        public let publicURL: String
    }

    /// Resolves flags over environment over defaults, with one clear error for a bad value.
    public func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Resolved {
        let host = self.host ?? environment["HEARTH_HOST"] ?? "127.0.0.1"
        guard !host.isEmpty, host.count <= 253, !host.contains(" ") else {
            throw ValidationError("the host must be an address or name to listen on (got \"\(host)\")")
        }
        let port = try resolveInteger(flag: self.port, name: "--port", variable: "HEARTH_PORT", environment: environment, range: 1...65535, default: 8080)
        let timeout = try resolveInteger(
            flag: requestTimeout, name: "--request-timeout", variable: "HEARTH_REQUEST_TIMEOUT", environment: environment, range: 1...3600, default: 30
        )
        let publicURL: String
        if let flag = self.publicURL {
            publicURL = try Self.validatedPublicURL(flag, source: "--public-url")
        } else if let fromEnvironment = environment["HEARTH_PUBLIC_URL"] {
            publicURL = try Self.validatedPublicURL(fromEnvironment, source: "HEARTH_PUBLIC_URL")
        } else {
            publicURL = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        }
        return Resolved(host: host, port: port, requestTimeoutSeconds: timeout, publicURL: publicURL)
    }

    /// `text` if it is an absolute http(s) URL with a host and no query, fragment or user; a
    /// trailing `/` is dropped.
    static func validatedPublicURL(_ text: String, source: String) throws -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil, components.user == nil, !text.contains(" ")
        else {
            throw ValidationError("\(source) must be an http:// or https:// address such as https://hearth.example.org (got \"\(text)\")")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    public mutating func validate() throws {
        _ = try resolved()
    }
}

/// `--pool-size`, else `HEARTH_POOL_SIZE`, else 10: the database connections hearthd's pool
/// may open for requests and clearing rounds.
public struct PoolOptions: ParsableArguments {
    @Option(name: .customLong("pool-size"), help: "Database connections in hearthd's pool, 1 to 100 (env HEARTH_POOL_SIZE; default 10).")
    var poolSize: String?

    public init() {}

    /// The resolved pool size.
    public func resolvedSize(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        try resolveInteger(flag: poolSize, name: "--pool-size", variable: "HEARTH_POOL_SIZE", environment: environment, range: 1...100, default: 10)
    }

    public mutating func validate() throws {
        _ = try resolvedSize()
    }
}

/// `--workers`, else `HEARTH_WORKERS`, else the number of cores: the Dispatch workers that
/// solve clearing components in parallel; and `--search-budget`/`HEARTH_SEARCH_BUDGET`, the
/// seconds a round's exact search for sibling groups may take.
public struct ClearingOptions: ParsableArguments {
    @Option(name: .long, help: "Clearing worker threads (env HEARTH_WORKERS; default: the number of cores).")
    var workers: String?

    @Option(name: .long, help: "Seconds a round's exact search may run before it settles for the best found (env HEARTH_SEARCH_BUDGET; default 10, or 60 for hearthctl round run).")
    var searchBudget: String?

    @Option(name: .customLong("proposal-ttl"), help: "Seconds a proposal holds its beds before it lapses (env HEARTH_PROPOSAL_TTL; default 259200, 72 h).")
    var proposalTTL: String?

    public init() {}

    /// The resolved proposal lifetime in seconds (`--proposal-ttl`, `HEARTH_PROPOSAL_TTL`, 72 h).
    public func resolvedProposalTTL(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        try resolveInteger(flag: proposalTTL, name: "--proposal-ttl", variable: "HEARTH_PROPOSAL_TTL", environment: environment, range: 1...31_536_000, default: 259_200)
    }

    /// The resolved search budget, `defaultSeconds` when neither flag nor environment sets it.
    public func resolvedSearchBudget(defaultSeconds: Int, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Duration {
        .seconds(try resolveInteger(flag: searchBudget, name: "--search-budget", variable: "HEARTH_SEARCH_BUDGET", environment: environment, range: 1...3600, default: defaultSeconds))
    }

    /// The resolved worker count.
    public func resolvedWorkers(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return try resolveInteger(flag: workers, name: "--workers", variable: "HEARTH_WORKERS", environment: environment, range: 1...256, default: cores)
    }

    public mutating func validate() throws {
        _ = try resolvedWorkers()
        _ = try resolvedSearchBudget(defaultSeconds: 10)
        _ = try resolvedProposalTTL()
    }
}

/// A whole number from a flag, else an environment variable, else a default.
private func resolveInteger(
    flag: String?, name: String, variable: String, environment: [String: String], range: ClosedRange<Int>, default value: Int
) throws -> Int {
    let (text, source): (String, String)
    if let flag {
        (text, source) = (flag, name)
    } else if let fromEnvironment = environment[variable] {
        (text, source) = (fromEnvironment, variable)
    } else {
        return value
    }
    guard let number = Int(text), range.contains(number) else {
        throw ValidationError("\(source) must be a whole number from \(range.lowerBound) to \(range.upperBound) (got \"\(text)\")")
    }
    return number
}

/// Sets up swift-log once per process: one line per event on standard error, with metadata as
/// `key=value` pairs, at a level that can change while the process runs (SIGHUP in hearthd).
public enum HearthLogging {
    private static let level = Mutex(Logger.Level.info)

    /// Bootstraps the logging system and returns a logger for `label` at `level`.
    public static func bootstrap(label: String, level: Logger.Level) -> Logger {
        Self.level.withLock { $0 = level }
        LoggingSystem.bootstrap { name in
            SharedLevelLogHandler(base: StreamLogHandler.standardError(label: name))
        }
        return Logger(label: label)
    }

    /// Changes the level of every logger in the process.
    public static func setLevel(_ level: Logger.Level) {
        Self.level.withLock { $0 = level }
    }

    /// The level every logger in the process uses.
    public static var currentLevel: Logger.Level {
        level.withLock { $0 }
    }

    /// A `StreamLogHandler` whose level is the process-wide one.
    struct SharedLevelLogHandler: LogHandler {
        var base: StreamLogHandler

        var logLevel: Logger.Level {
            get { HearthLogging.currentLevel }
            set { HearthLogging.setLevel(newValue) }
        }

        var metadata: Logger.Metadata {
            get { base.metadata }
            set { base.metadata = newValue }
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { base[metadataKey: key] }
            set { base[metadataKey: key] = newValue }
        }

        func log(event: LogEvent) {
            base.log(event: event)
        }
    }
}

/// Reads `KEY=VALUE` lines (the format of a systemd `EnvironmentFile`): blank lines and `#`
/// comments are skipped, surrounding quotes removed.
public enum EnvironmentFile {
    /// The settings in `path`; throws a one-line error naming the file and line.
    public static func read(_ path: String) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the configuration file \(path)")
        }
        var values: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "="), equals != line.startIndex else {
                throw ValidationError("\(path) line \(index + 1) is not KEY=VALUE")
            }
            var value = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[String(line[..<equals]).trimmingCharacters(in: .whitespaces)] = value
        }
        return values
    }
}
