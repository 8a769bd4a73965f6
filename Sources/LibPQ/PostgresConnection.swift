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
    private let handle: OpaquePointer

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

    /// Runs one statement with parameters (`PQexecParams`, text format) and returns its rows.
    ///
    /// `$1`, `$2`, … in `sql` refer to `parameters` in order; values never become SQL text.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> QueryResult {
        let texts = parameters.map(\.postgresText)
        let result = withOptionalCStringArray(texts) { pointers in
            PQexecParams(handle, sql, Int32(texts.count), nil, pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs SQL text that carries no parameters (`PQexec`): transaction control and the
    /// project's own migration files, which may hold several statements.
    public func execute(_ sql: String) throws {
        _ = try consume(PQexec(handle, sql))
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
        do {
            try execute("BEGIN ISOLATION LEVEL \(isolation.sql)")
            value = try body(self)
        } catch {
            if PQstatus(handle) != CONNECTION_OK {
                throw ConnectionLostBeforeCommit(underlying: error)
            }
            if PQtransactionStatus(handle) != PQTRANS_IDLE {
                try? execute("ROLLBACK")
            }
            throw error
        }
        do {
            try execute("COMMIT")
            return value
        } catch {
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
private final class ResultHandle {
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
