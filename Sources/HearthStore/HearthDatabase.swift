import Dispatch
import Foundation
import LibPQ
import Logging

/// The database a Hearth program works against: a connection pool, the migrations this build
/// knows, and — when no URL was given — the embedded cluster it started.
public final class HearthDatabase: Sendable {
    /// The libpq URL in use. Contains a password for the embedded cluster: never log it.
    public let url: String
    /// Connections, each on its own serial Dispatch queue.
    public let pool: ConnectionPool
    /// The migrator for this build's `Migrations/`.
    public let migrator: Migrator
    /// The logger the database was opened with.
    public let logger: Logger
    private let cluster: EmbeddedCluster?

    /// True when this process uses the embedded cluster under `.hearth/`.
    public var isEmbedded: Bool { cluster != nil }

    private init(url: String, pool: ConnectionPool, migrator: Migrator, cluster: EmbeddedCluster?, logger: Logger) {
        self.url = url
        self.logger = logger
        self.pool = pool
        self.migrator = migrator
        self.cluster = cluster
    }

    /// Opens the database at `url`, or the embedded cluster in `embeddedDirectory` (created,
    /// started and migrated on demand) when `url` is nil.
    ///
    /// A database that Hearth has never touched (no `schema_migrations`) is set up with every
    /// migration when `setUpFreshDatabase` is true; one that Hearth already uses is only ever
    /// changed by `hearthctl migrate` (upgrades stay an explicit act; `/ready` reports them).
    ///
    /// - Parameters:
    ///   - poolSize: connections the pool may open.
    ///   - applicationName: shown in `pg_stat_activity`.
    public static func open(
        url: String?,
        embeddedDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".hearth"),
        poolSize: Int,
        applicationName: String,
        setUpFreshDatabase: Bool = true,
        logger: Logger
    ) async throws -> HearthDatabase {
        let migrations = try Migration.embedded()
        let migrator = Migrator(migrations: migrations)
        var cluster: EmbeddedCluster?
        let resolvedURL: String
        if let url {
            resolvedURL = url
        } else {
            let embedded = EmbeddedCluster(directory: embeddedDirectory, logger: logger)
            resolvedURL = try await runBlocking { try embedded.start() }
            cluster = embedded
        }
        let pool = ConnectionPool(url: resolvedURL, size: poolSize, applicationName: applicationName, logger: logger)
        let database = HearthDatabase(url: resolvedURL, pool: pool, migrator: migrator, cluster: cluster, logger: logger)
        do {
            let migrator = database.migrator
            let migrateNow: Bool
            if cluster != nil {
                migrateNow = true
            } else if setUpFreshDatabase {
                migrateNow = try await pool.withConnection { try migrator.isFresh($0) }
            } else {
                migrateNow = false
            }
            if migrateNow {
                let applied = try await database.migrate()
                if !applied.isEmpty {
                    logger.info("set up the database", metadata: ["applied": "\(applied.joined(separator: ","))"])
                }
            }
        } catch {
            await database.close()
            throw error
        }
        return database
    }

    /// Applies pending migrations; returns the file names applied.
    public func migrate() async throws -> [String] {
        let migrator = self.migrator
        return try await pool.withConnection { connection in
            try migrator.migrate(connection)
        }
    }

    /// Compares the database with this build's migrations without changing anything.
    public func migrationStatus() async throws -> Migrator.Status {
        let migrator = self.migrator
        return try await pool.withConnection { connection in
            try migrator.status(connection)
        }
    }

    /// Closes the pool and, if this process was the embedded cluster's last user, stops it.
    public func close() async {
        await pool.close()
        if let cluster {
            _ = await runBlocking { cluster.release() }
        }
    }
}

/// Runs blocking work (process launches, libpq) on a Dispatch queue rather than on the Swift
/// concurrency pool, and resumes the caller with its result.
func runBlocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}

/// Non-throwing variant of `runBlocking`.
func runBlocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(returning: work())
        }
    }
}
