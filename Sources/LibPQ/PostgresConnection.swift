import CLibPQ
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection (`PGconn*`), freed with `PQfinish` when the object goes away.
///
/// Every call blocks the calling thread until the server answers, so a connection is not
/// `Sendable`: it lives on one serial `DispatchQueue` (see `ConnectionPool` and
/// `NotificationListener`) and is never touched from SwiftNIO's event loops or the Swift
/// concurrency pool.
public final class PostgresConnection {
    /// The libpq connection; internal for `copy(into:columns:_:)` (Copy.swift).
    let handle: OpaquePointer
    /// Statements whose results nobody reads, sent with the next statement in one round trip.
    private var deferred: [(sql: String, parameters: [String?])] = []
    /// Channels to notify once the current transaction commits (see `notifyAfterCommit`).
    private var channelsAfterCommit: Set<String> = []
    /// Statements prepared on this session: SQL text → statement name.
    private var prepared: [String: String] = [:]
    private var nextStatementNumber = 0

    /// Receives the channels a committed transaction asked to notify (`notifyAfterCommit`);
    /// called on the connection's queue right after `COMMIT` succeeds. Set by the pool.
    public var onCommitted: (@Sendable (Set<String>) -> Void)?

    /// Connects and prepares the session (UTC, ISO dates, UTF-8).
    ///
    /// - Parameters:
    ///   - url: a libpq connection string or `postgresql://` URL.
    ///   - applicationName: shown in `pg_stat_activity`.
    ///   - connectTimeoutSeconds: how long to wait for the server before failing.
    public init(url: String, applicationName: String = "hearth", connectTimeoutSeconds: Int = 10) throws {
        // Keywords before `dbname` are defaults; what the URL says overrides them.
        let keywords = ["connect_timeout", "application_name", "client_encoding", "dbname"]
        let values = [String(connectTimeoutSeconds), applicationName, "UTF8", url]
        let connection = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError(code: .connectionFailed, sqlState: nil, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmedMessage(PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(code: .connectionFailed, sqlState: nil, message: message)
        }
        handle = connection
        try execute("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; SET client_min_messages = warning")
    }

    deinit {
        PQfinish(handle)
    }

    /// The server's backend process id, as `pg_backend_pid()` reports it.
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// False once libpq knows the connection is broken.
    ///
    /// Reads any input already waiting without blocking first, so a server that has closed the
    /// connection since the last call is noticed here rather than by the next query.
    public var isUsable: Bool {
        // A server that ended the session sends an error and then closes the socket: read
        // whatever is waiting (never blocking) until libpq has seen both.
        for _ in 0..<4 {
            if PQstatus(handle) != CONNECTION_OK { return false }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            guard descriptor.fd >= 0 else { return false }
            guard poll(&descriptor, 1, 0) > 0 else { return true }
            if PQconsumeInput(handle) == 0 { return false }
        }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// True when the session is idle outside any transaction.
    public var isIdle: Bool { PQtransactionStatus(handle) == PQTRANS_IDLE }

    /// Runs one statement with parameters (text format) and returns its rows.
    ///
    /// `$1`, `$2`, … in `sql` refer to `parameters` in order; values never become SQL text.
    /// A data statement (`SELECT`, `INSERT`, `UPDATE`, `DELETE`, `WITH`) is prepared on the
    /// connection the first time it is run, in the same round trip, and executed by name from
    /// then on (at most `preparedLimit` per connection). Statements deferred with
    /// `deferUntilNext` go first, in the same round trip (libpq's pipeline mode); if one of them
    /// fails, its error is thrown here and nothing after it ran.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> QueryResult {
        try pipeline(deferred + [(sql, parameters.map(\.postgresText))])
    }

    /// Queues a statement whose result is not needed, to be sent with the next statement (or
    /// the transaction's `COMMIT`) in one round trip instead of on its own.
    ///
    /// Only inside a transaction (`transaction`, `ConnectionPool.withTransaction`): its failure
    /// is thrown by the statement it travels with, which aborts the transaction, so nothing of
    /// it commits. Outside one it runs at once.
    public func deferUntilNext(_ sql: String, _ parameters: [any PostgresBindable] = []) throws {
        guard PQtransactionStatus(handle) != PQTRANS_IDLE || !deferred.isEmpty else {
            try query(sql, parameters)
            return
        }
        deferred.append((sql, parameters.map(\.postgresText)))
    }

    /// Runs SQL text that carries no parameters (`PQexec`): transaction control and the
    /// project's own migration files, which may hold several statements.
    public func execute(_ sql: String) throws {
        try sendDeferred()
        _ = try consume(PQexec(handle, sql))
    }

    /// Runs the deferred statements (a transaction's `BEGIN`, say) now, before something that
    /// cannot travel in a pipeline (`COPY`).
    func sendDeferred() throws {
        if !deferred.isEmpty {
            _ = try pipeline(deferred)
        }
    }

    /// Notifies `channel` (empty payload) once the current transaction commits, or at once
    /// outside a transaction: the pool hands the channel to its `onCommitted` receiver, which
    /// coalesces notifications and sends them on a connection of its own (`CoalescingNotifier`),
    /// so the writers' commits never queue on PostgreSQL's notification lock. Nothing is sent
    /// for a transaction that rolls back.
    public func notifyAfterCommit(_ channel: String) {
        if PQtransactionStatus(handle) == PQTRANS_IDLE, deferred.isEmpty {
            onCommitted?([channel])
        } else {
            channelsAfterCommit.insert(channel)
        }
    }

    /// How many statements a connection keeps prepared; past that it forgets them all (when
    /// idle) and prepares afresh, so dynamic SQL cannot grow a session without bound.
    public static let preparedLimit = 256

    /// One message group sent in a pipeline: a `Parse` for a statement about to be named, or a
    /// statement's execution.
    private enum Sent {
        case prepare(name: String, sql: String)
        case execute(name: String?, last: Bool)
    }

    /// Sends `statements` in one round trip (pipeline mode) and returns the last one's rows;
    /// throws the first error (the server skips the statements after it).
    private func pipeline(_ statements: [(sql: String, parameters: [String?])]) throws -> QueryResult {
        deferred.removeAll()
        if prepared.count >= Self.preparedLimit, PQtransactionStatus(handle) == PQTRANS_IDLE {
            _ = try consume(PQexec(handle, "DEALLOCATE ALL"))
            prepared.removeAll()
        }
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(code: .other, sqlState: nil, message: Self.trimmedMessage(PQerrorMessage(handle)))
        }
        defer { PQexitPipelineMode(handle) }
        var sent: [Sent] = []
        var naming: [String: String] = [:]
        for (index, statement) in statements.enumerated() {
            var name = prepared[statement.sql] ?? naming[statement.sql]
            if name == nil, Self.isPreparable(statement.sql) {
                nextStatementNumber += 1
                let fresh = "hearth_\(nextStatementNumber)"
                guard PQsendPrepare(handle, fresh, statement.sql, Int32(statement.parameters.count), nil) == 1 else {
                    throw connectionLostOrLibPQError()
                }
                sent.append(.prepare(name: fresh, sql: statement.sql))
                naming[statement.sql] = fresh
                name = fresh
            }
            let ok = withOptionalCStringArray(statement.parameters) { pointers in
                if let name {
                    PQsendQueryPrepared(handle, name, Int32(statement.parameters.count), pointers, nil, nil, 0)
                } else {
                    PQsendQueryParams(handle, statement.sql, Int32(statement.parameters.count), nil, pointers, nil, nil, 0)
                }
            }
            guard ok == 1 else { throw connectionLostOrLibPQError() }
            sent.append(.execute(name: name, last: index == statements.count - 1))
        }
        guard PQpipelineSync(handle) == 1 else { throw connectionLostOrLibPQError() }
        var index = 0
        var failure: (any Error)?
        var last = QueryResult(columns: [], values: [], affectedRows: 0)
        while true {
            guard let pointer = PQgetResult(handle) else {
                // The end of one message group's results.
                if PQstatus(handle) != CONNECTION_OK { throw connectionLostError() }
                index += 1
                continue
            }
            let result = ResultHandle(pointer)
            let status = PQresultStatus(pointer)
            if status == PGRES_PIPELINE_SYNC {
                if let failure { throw failure }
                return last
            }
            guard index < sent.count else { continue }
            switch (status, sent[index]) {
            case (PGRES_PIPELINE_ABORTED, _):
                continue
            case (PGRES_COMMAND_OK, .prepare(let name, let sql)):
                prepared[sql] = name
            case (PGRES_TUPLES_OK, .execute(_, let isLast)), (PGRES_COMMAND_OK, .execute(_, let isLast)), (PGRES_EMPTY_QUERY, .execute(_, let isLast)):
                if isLast { last = result.copy() }
            default:
                if PQstatus(handle) != CONNECTION_OK { throw connectionLostError() }
                let error = result.error()
                // A statement the server no longer knows, or whose plan the schema outdated,
                // is prepared afresh next time.
                if case .execute(let name?, _) = sent[index], ["26000", "0A000"].contains(error.sqlState ?? "") {
                    prepared = prepared.filter { $0.value != name }
                }
                if failure == nil { failure = error }
            }
        }
    }

    /// Whether `sql` is a data statement worth preparing (not transaction control or DDL).
    private static func isPreparable(_ sql: String) -> Bool {
        let start = sql.drop { $0.isWhitespace }.prefix(6).uppercased()
        return ["SELECT", "INSERT", "UPDATE", "DELETE"].contains(start) || start.hasPrefix("WITH")
    }

    private func connectionLostOrLibPQError() -> PostgresError {
        if PQstatus(handle) != CONNECTION_OK { return connectionLostError() }
        return PostgresError(code: .other, sqlState: nil, message: Self.trimmedMessage(PQerrorMessage(handle)))
    }

    /// Runs `body` inside `BEGIN … COMMIT`, rolling back if it throws.
    ///
    /// Retrying on serialization failures is the pool's job (`ConnectionPool.withTransaction`),
    /// because a retry must start a new transaction from the top.
    public func transaction<T>(isolation: IsolationLevel = .readCommitted, _ body: (PostgresConnection) throws -> T) throws -> T {
        do {
            return try attemptTransaction(isolation: isolation, body)
        } catch let lost as ConnectionLostBeforeCommit {
            throw lost.underlying
        }
    }

    /// `transaction(isolation:_:)`, except that a connection that broke before `COMMIT` was
    /// sent throws `ConnectionLostBeforeCommit`: the server discarded the transaction, so the
    /// pool may run it again on a new connection.
    func attemptTransaction<T>(isolation: IsolationLevel, _ body: (PostgresConnection) throws -> T) throws -> T {
        let value: T
        channelsAfterCommit.removeAll()
        do {
            // Sent with the transaction's first statement, in the same round trip.
            deferred.append(("BEGIN ISOLATION LEVEL \(isolation.sql)", []))
            value = try body(self)
        } catch {
            deferred.removeAll()
            channelsAfterCommit.removeAll()
            if PQstatus(handle) != CONNECTION_OK {
                throw ConnectionLostBeforeCommit(underlying: error)
            }
            if PQtransactionStatus(handle) != PQTRANS_IDLE {
                try? execute("ROLLBACK")
            }
            throw error
        }
        do {
            try query("COMMIT")
            if !channelsAfterCommit.isEmpty {
                let channels = channelsAfterCommit
                channelsAfterCommit.removeAll()
                onCommitted?(channels)
            }
            return value
        } catch {
            deferred.removeAll()
            channelsAfterCommit.removeAll()
            // A connection lost here leaves the outcome unknown: never retried.
            if PQtransactionStatus(handle) != PQTRANS_IDLE, PQstatus(handle) == CONNECTION_OK {
                try? execute("ROLLBACK")
            }
            throw error
        }
    }

    /// Starts listening on a channel. Channel names are identifiers, which SQL cannot take as
    /// parameters, so only lower-case letters, digits and underscores are accepted.
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(try Self.validatedChannel(channel))")
    }

    /// Sends a notification through `pg_notify` (parameterised, unlike `NOTIFY`).
    public func notify(_ channel: String, payload: String = "") throws {
        try query("SELECT pg_notify($1, $2)", [try Self.validatedChannel(channel), payload])
    }

    /// Waits up to `timeout` seconds for notifications and returns those that arrived.
    ///
    /// Returns early, possibly with none, when the socket becomes readable. Throws
    /// `connectionLost` when the server has gone.
    public func waitForNotifications(timeout: Double) throws -> [PostgresNotification] {
        var received = drainNotifications()
        if !received.isEmpty { return received }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw connectionLostError() }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(max(0, timeout * 1000)))
        if ready < 0, errno != EINTR {
            throw connectionLostError()
        }
        if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
            throw connectionLostError()
        }
        received = drainNotifications()
        return received
    }

    private func drainNotifications() -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        while let notice = PQnotifies(handle) {
            let item = notice.pointee
            received.append(
                PostgresNotification(
                    channel: String(cString: item.relname),
                    payload: String(cString: item.extra),
                    senderPID: item.be_pid
                )
            )
            PQfreemem(notice)
        }
        return received
    }

    private func connectionLostError() -> PostgresError {
        PostgresError(code: .connectionLost, sqlState: nil, message: Self.trimmedMessage(PQerrorMessage(handle)))
    }

    /// Wraps a `PGresult*` the moment it exists, copies it out and frees it on every path.
    private func consume(_ pointer: OpaquePointer?) throws -> QueryResult {
        guard let pointer else {
            if PQstatus(handle) != CONNECTION_OK { throw connectionLostError() }
            throw PostgresError(code: .other, sqlState: nil, message: Self.trimmedMessage(PQerrorMessage(handle)))
        }
        let result = ResultHandle(pointer)
        switch PQresultStatus(pointer) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return result.copy()
        default:
            if PQstatus(handle) != CONNECTION_OK {
                throw connectionLostError()
            }
            throw result.error()
        }
    }

    private static func validatedChannel(_ channel: String) throws -> String {
        let allowed = channel.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
        }
        guard allowed, !channel.isEmpty, channel.utf8.count <= 63 else {
            throw PostgresError(code: .invalidInput, sqlState: nil, message: "invalid channel name")
        }
        return channel
    }

    static func trimmedMessage(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown libpq error" }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return message.isEmpty ? "unknown libpq error" : message
    }
}

/// The connection broke before `COMMIT` was sent, so the transaction did not commit;
/// `underlying` is what the caller's work saw.
struct ConnectionLostBeforeCommit: Error {
    let underlying: any Error
}

/// Transaction isolation levels, as `BEGIN ISOLATION LEVEL` spells them.
public enum IsolationLevel: Sendable {
    case readCommitted
    case repeatableRead
    case serializable

    var sql: String {
        switch self {
        case .readCommitted: "READ COMMITTED"
        case .repeatableRead: "REPEATABLE READ"
        case .serializable: "SERIALIZABLE"
        }
    }
}

/// A message received on a channel the connection listens to.
public struct PostgresNotification: Sendable, Equatable {
    /// The channel it was sent on.
    public let channel: String
    /// The payload (empty when none was given).
    public let payload: String
    /// The server process that sent it.
    public let senderPID: Int32
}

/// Owns one `PGresult*` and frees it with `PQclear`.
final class ResultHandle {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { PQclear(pointer) }

    func copy() -> QueryResult {
        let rowCount = Int(PQntuples(pointer))
        let columnCount = Int(PQnfields(pointer))
        let columns = (0..<columnCount).map { String(cString: PQfname(pointer, Int32($0))) }
        var values: [[String?]] = []
        values.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var fields: [String?] = []
            fields.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(pointer, Int32(row), Int32(column)) == 1 {
                    fields.append(nil)
                } else {
                    fields.append(String(cString: PQgetvalue(pointer, Int32(row), Int32(column))))
                }
            }
            values.append(fields)
        }
        let affected = Int(String(cString: PQcmdTuples(pointer))) ?? rowCount
        return QueryResult(columns: columns, values: values, affectedRows: affected)
    }

    func error() -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let text = PQresultErrorField(pointer, code) else { return nil }
            return String(cString: text)
        }
        let primary = field(HEARTH_PG_DIAG_MESSAGE_PRIMARY)
        return PostgresError(
            sqlState: field(HEARTH_PG_DIAG_SQLSTATE),
            message: primary ?? PostgresConnection.trimmedMessage(PQresultErrorMessage(pointer)),
            detail: field(HEARTH_PG_DIAG_MESSAGE_DETAIL),
            constraint: field(HEARTH_PG_DIAG_CONSTRAINT_NAME)
        )
    }
}

/// Calls `body` with a C array of C strings that stay alive for the call.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    withOptionalCStringArray(strings.map { Optional($0) }) { pointers in
        body(pointers)
    }
}

/// Calls `body` with a NULL-terminated C array of optional C strings (`nil` stays NULL).
private func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { buffer in
        body(buffer.baseAddress!)
    }
}
