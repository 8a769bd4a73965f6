import LibPQ

/// Applies `Migration`s in order, each in its own transaction, recorded with its checksum in
/// `schema_migrations`, under an advisory lock so two processes migrating at once take turns.
///
/// All calls are synchronous and block on libpq: run them inside `ConnectionPool.withConnection`.
public struct Migrator: Sendable {
    /// Session-level advisory lock held while migrating ("HEARTHMG" as a number).
    static let advisoryLockKey: Int64 = 0x4845_4152_5448_4D47

    /// The migrations this build knows, in version order.
    public let migrations: [Migration]

    /// Creates a migrator for a set of migrations.
    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Where the database stands relative to this build's migrations.
    public struct Status: Sendable, Equatable {
        /// Migrations not yet applied.
        public let pending: [String]
        /// True when everything is applied and nothing applied has changed.
        public var isCurrent: Bool { pending.isEmpty }
    }

    /// Applies every pending migration and returns the names applied (empty when up to date).
    ///
    /// Throws `MigrationError.changedAfterApply` if an applied file was edited, before applying
    /// anything.
    public func migrate(_ connection: PostgresConnection) throws -> [String] {
        try connection.query("SELECT pg_advisory_lock($1)", [Self.advisoryLockKey])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [Self.advisoryLockKey]) }
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        let pending = try pendingMigrations(connection)
        var applied: [String] = []
        for migration in pending {
            var attempt = 1
            while true {
                do {
                    try connection.transaction { transaction in
                        try transaction.execute(migration.sql)
                        try transaction.query(
                            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                            [migration.version, migration.name, migration.checksum]
                        )
                    }
                    break
                } catch let error as PostgresError where Self.isConcurrentRoleChange(error) && attempt < 3 {
                    // Roles are cluster-wide: another database of the cluster created the same
                    // role at the same moment. The migration rolled back whole; it now finds the role.
                    attempt += 1
                } catch let error as PostgresError {
                    throw MigrationError.failed(migration.name, reason: error.message)
                }
            }
            applied.append(migration.name)
        }
        return applied
    }

    /// A clash on the cluster-wide role catalogues (`CREATE ROLE` or `GRANT role` racing the same
    /// statement in another database), which a second try does not meet.
    static func isConcurrentRoleChange(_ error: PostgresError) -> Bool {
        (error.sqlState == "23505" && (error.constraint ?? "").hasPrefix("pg_auth")) || error.message.contains("tuple concurrently updated")
    }

    /// True when Hearth has never migrated this database (no `schema_migrations` table).
    public func isFresh(_ connection: PostgresConnection) throws -> Bool {
        try connection.query("SELECT to_regclass('schema_migrations') IS NULL AS fresh").first?.bool("fresh") ?? false
    }

    /// Compares the database with this build without changing anything.
    public func status(_ connection: PostgresConnection) throws -> Status {
        guard try !isFresh(connection) else {
            return Status(pending: migrations.map(\.name))
        }
        return Status(pending: try pendingMigrations(connection).map(\.name))
    }

    private func pendingMigrations(_ connection: PostgresConnection) throws -> [Migration] {
        let recorded = try connection.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        var appliedVersions = Set<Int>()
        for row in recorded.rows {
            let version = try row.int("version")
            let name = try row.string("name")
            guard let known = migrations.first(where: { $0.version == version }) else {
                throw MigrationError.unknownApplied(version: version, name: name)
            }
            let checksum = try row.string("checksum")
            if checksum != known.checksum {
                throw MigrationError.changedAfterApply(known.name, recorded: checksum, found: known.checksum)
            }
            appliedVersions.insert(version)
        }
        return migrations.filter { !appliedVersions.contains($0.version) }
    }
}
