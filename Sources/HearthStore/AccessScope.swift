import HearthCore
import LibPQ

/// Whose rows a transaction may see and change. Enforced by PostgreSQL's row-level security
/// (Migrations/0003 and 0006) as well as by the queries themselves.
public enum AccessScope: Sendable, Equatable {
    /// One member authority, by ONS code: its own bids, proposals and placements, and the
    /// market's open offers.
    case authority(String)
    /// Everything: operator keys, hearthctl and the daemon's own work.
    case all

    var setting: String {
        switch self {
        case .authority(let code): code
        case .all: "*"
        }
    }
}

extension HearthDatabase {
    /// Runs `body` in a transaction with `scope` set for this transaction only, as a role that
    /// owns no table, so row-level security applies (see `PostgresConnection.enter(_:)`).
    ///
    /// Retries the whole transaction on serialization failures and deadlocks.
    public func transaction<T: Sendable>(
        scope: AccessScope,
        isolation: IsolationLevel = .readCommitted,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await pool.withTransaction(isolation: isolation) { connection in
            try connection.enter(scope)
            return try body(connection)
        }
    }
}

extension PostgresConnection {
    /// Inside a transaction: work with `scope` until the transaction ends.
    ///
    /// A login that may become `hearth_app` (the schema's owner, as hearthctl and hearth-settle
    /// log in) works as `hearth_app` (`SET LOCAL ROLE`); `hearth_daemon`, which owns nothing and
    /// cannot become `hearth_app`, keeps its own narrower rights. Sent with the transaction's
    /// next statement, in the same round trip.
    public func enter(_ scope: AccessScope) throws {
        try deferUntilNext(
            """
            SELECT set_config('hearth.authority', $1, true),
                   CASE WHEN pg_has_role('hearth_app', 'MEMBER') THEN set_config('role', 'hearth_app', true) END
            """,
            [scope.setting]
        )
    }

    /// Runs `body` in its own transaction with `scope` (synchronous callers
    /// that already hold a connection, such as a clearing round).
    public func transaction<T>(scope: AccessScope, isolation: IsolationLevel = .readCommitted, _ body: (PostgresConnection) throws -> T) throws -> T {
        try transaction(isolation: isolation) { connection in
            try connection.enter(scope)
            return try body(connection)
        }
    }
}

extension Caller {
    /// The caller as the domain's rules see it (its authority, role and key or person).
    public var agent: Agent {
        let domainRole: Role =
            switch role {
            case .placement: .placement
            case .scrutiny: .scrutiny
            case .finance: .finance
            case .operator: .operator
            }
        return Agent(authority: authority, role: domainRole, credential: credential)
    }
}
