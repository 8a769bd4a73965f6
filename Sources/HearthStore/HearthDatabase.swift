import HearthCore
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
    /// Sends the change notifications committed transactions asked for (`notifyAfterCommit`),
    /// coalesced, on a connection of its own.
    public let notifier: CoalescingNotifier
    private let cluster: EmbeddedCluster?

    /// True when this process uses the embedded cluster under `.hearth/`.
    public var isEmbedded: Bool { cluster != nil }

    private init(url: String, pool: ConnectionPool, notifier: CoalescingNotifier, migrator: Migrator, cluster: EmbeddedCluster?, logger: Logger) {
        self.url = url
        self.logger = logger
        self.pool = pool
        self.notifier = notifier
        self.migrator = migrator
        self.cluster = cluster
    }

    /// Whom a program logs in as on the embedded cluster. A database URL is always used as given.
    public enum EmbeddedLogin: Sendable {
        /// The schema's owner: hearthctl, hearth-settle.
        case owner
        /// `hearth_daemon` (hearthd), after the owner has applied pending migrations.
        case daemon
    }

    /// Opens the database at `url`, or the embedded cluster in `embeddedDirectory` (created,
    /// started and migrated on demand) when `url` is nil.
    ///
    /// A database that Hearth has never touched (no `schema_migrations`) is set up with every
    /// migration when `setUpFreshDatabase` is true; one that Hearth already uses is only ever
    /// changed by `hearthctl migrate` (upgrades stay an explicit act; `/ready` reports them).
    ///
    /// - Parameters:
    ///   - embeddedLogin: the role to use on the embedded cluster (ignored with a `url`).
    ///   - poolSize: connections the pool may open.
    ///   - applicationName: shown in `pg_stat_activity`.
    public static func open(
        url: String?,
        embeddedDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".hearth"),
        embeddedLogin: EmbeddedLogin = .owner,
        poolSize: Int,
        applicationName: String,
        setUpFreshDatabase: Bool = true,
        shouldStop: @escaping @Sendable () -> Bool = { false },
        logger: Logger
    ) async throws -> HearthDatabase {
        let migrations = try Migration.embedded()
        let migrator = Migrator(migrations: migrations)
        if let url {
            return try await openPool(url: url, migrator: migrator, cluster: nil, migrateFresh: setUpFreshDatabase, poolSize: poolSize, applicationName: applicationName, logger: logger)
        }
        let embedded = EmbeddedCluster(directory: embeddedDirectory, logger: logger)
        let logins = try await runOnOwnThread("hearth.embedded-cluster") { try embedded.start(shouldStop: shouldStop) }
        guard embeddedLogin == .daemon else {
            return try await openPool(url: logins.owner, migrator: migrator, cluster: embedded, migrateAlways: true, poolSize: poolSize, applicationName: applicationName, logger: logger)
        }
        do {
            let applied = try await runOnOwnThread("hearth.embedded-cluster") {
                try migrator.migrate(try PostgresConnection(url: logins.owner, applicationName: applicationName))
            }
            logSetUp(applied, logger: logger)
        } catch {
            _ = await runOnOwnThread("hearth.embedded-cluster") { embedded.release() }
            throw error
        }
        return try await openPool(url: logins.daemon, migrator: migrator, cluster: embedded, poolSize: poolSize, applicationName: applicationName, logger: logger)
    }

    private static func openPool(
        url: String, migrator: Migrator, cluster: EmbeddedCluster?, migrateAlways: Bool = false, migrateFresh: Bool = false,
        poolSize: Int, applicationName: String, logger: Logger
    ) async throws -> HearthDatabase {
        let notifier = CoalescingNotifier(url: url, applicationName: applicationName, logger: logger)
        let pool = ConnectionPool(
            url: url, size: poolSize, applicationName: applicationName, onCommitted: { notifier.signal($0) }, logger: logger
        )
        let database = HearthDatabase(url: url, pool: pool, notifier: notifier, migrator: migrator, cluster: cluster, logger: logger)
        do {
            var migrateNow = migrateAlways
            if !migrateNow, migrateFresh {
                migrateNow = try await pool.withConnection { try migrator.isFresh($0) }
            }
            if migrateNow {
                logSetUp(try await database.migrate(), logger: logger)
            }
        } catch {
            await database.close()
            throw error
        }
        return database
    }

    private static func logSetUp(_ applied: [String], logger: Logger) {
        if !applied.isEmpty {
            logger.info("set up the database", metadata: ["applied": "\(applied.joined(separator: ","))"])
        }
    }

    /// Why this login is more powerful than hearthd should be — it is a superuser, or owns (or
    /// may act as the owner of) the schema or its tables — or nil when it is not. hearthd logs
    /// it as a warning at start.
    public func loginPrivilegeWarning() async throws -> String? {
        try await pool.withConnection { connection in
            guard let row = try connection.query(
                """
                SELECT session_user AS login,
                       (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) AS superuser,
                       (SELECT pg_has_role(session_user, nspowner, 'MEMBER') FROM pg_namespace WHERE nspname = current_schema()) AS owns_schema,
                       EXISTS (
                           SELECT 1 FROM pg_class c
                           WHERE c.relnamespace = to_regnamespace(current_schema()) AND c.relkind IN ('r', 'p')
                             AND pg_has_role(session_user, c.relowner, 'MEMBER')
                       ) AS owns_tables
                """
            ).first else { return nil }
            let login = try row.string("login")
            if try row.bool("superuser") {
                return "hearthd logs in as \(login), a superuser: row-level security and the append-only triggers do not bind it; run it as hearth_daemon"
            }
            if try row.optionalBool("owns_schema") == true || row.bool("owns_tables") {
                return "hearthd logs in as \(login), which owns the schema or its tables and could alter them or disable their triggers; run it as hearth_daemon"
            }
            return nil
        }
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

    /// Closes the pool, sends the change notifications still pending and, if this process was
    /// the embedded cluster's last user, stops it.
    public func close() async {
        await pool.close()
        await notifier.close()
        if let cluster {
            _ = await runOnOwnThread("hearth.embedded-cluster") { cluster.release() }
        }
    }
}

