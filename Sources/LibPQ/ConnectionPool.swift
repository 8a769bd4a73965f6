import Dispatch
import Logging
import Synchronization

/// A fixed set of PostgreSQL connections, each on its own serial `DispatchQueue`.
///
/// Async code borrows one with `withConnection { connection in … }`; the closure runs on the
/// connection's queue and only its `Sendable` result comes back, so a connection can never
/// escape to another thread. Connections open lazily and a broken one is replaced on next use.
public final class ConnectionPool: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Int, any Error>
    }

    private struct State {
        var idle: [Int]
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false
    }

    private let workers: [ConnectionWorker]
    private let state: Mutex<State>
    private let acquireTimeout: Duration
    private let logger: Logger

    /// Creates a pool of `size` connections to `url`; none is opened until first used.
    ///
    /// - Parameters:
    ///   - acquireTimeout: how long a caller waits for a free connection when every one is lent
    ///     out before `withConnection` throws `PoolTimeoutError`.
    ///   - onCommitted: receives the channels each committed transaction asked to notify
    ///     (`PostgresConnection.notifyAfterCommit`), typically a `CoalescingNotifier`'s `signal`.
    public init(
        url: String, size: Int, applicationName: String = "hearth", acquireTimeout: Duration = .seconds(30),
        onCommitted: (@Sendable (Set<String>) -> Void)? = nil, logger: Logger
    ) {
        precondition(size >= 1, "a pool needs at least one connection")
        self.workers = (0..<size).map { index in
            ConnectionWorker(label: "hearth.postgres.\(index)", url: url, applicationName: applicationName, onCommitted: onCommitted)
        }
        self.state = Mutex(State(idle: Array((0..<size).reversed())))
        self.acquireTimeout = acquireTimeout
        self.logger = logger
    }

    /// The label of the connection queue the caller is running on, or nil when it is not on
    /// one (for instance on the Swift concurrency pool). For assertions and tests.
    public static var currentQueueLabel: String? {
        DispatchQueue.getSpecific(key: ConnectionWorker.queueLabelKey)
    }

    /// How many connections the pool may hold.
    public var size: Int { workers.count }

    /// How many connections are lent out right now.
    public var inUse: Int {
        state.withLock { workers.count - $0.idle.count }
    }

    /// How many callers are waiting for a connection right now.
    public var waiting: Int {
        state.withLock { $0.waiters.count }
    }

    /// Borrows a connection for the duration of `body`, which runs on that connection's queue.
    ///
    /// Waits if every connection is busy, at most the pool's `acquireTimeout` (then throws
    /// `PoolTimeoutError`); a waiter whose task is cancelled leaves the queue at once and throws
    /// `CancellationError`. Throws `PoolClosedError` once `close()` was called.
    ///
    /// Not retried: a statement run outside a transaction commits on its own, so after a lost
    /// connection it may or may not have taken effect. (A connection the server closed while it
    /// sat idle in the pool is noticed before it is lent and replaced, so this does not happen
    /// after a server restart.)
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let index = try await acquire()
        defer { release(index) }
        return try await workers[index].run(body)
    }

    /// Runs `body` in a transaction, retrying the whole transaction on serialization failures
    /// and deadlocks (up to `maxAttempts` in all) with a short, growing pause between tries.
    ///
    /// Also retried, once, on a fresh connection: a connection that broke before `COMMIT` was
    /// sent (the server discards a transaction whose session ended, so nothing of it took
    /// effect and running it again is safe). A connection lost during `COMMIT` is not retried:
    /// the transaction may have committed, and the caller gets `PostgresError.Code.connectionLost`.
    public func withTransaction<T: Sendable>(
        isolation: IsolationLevel = .readCommitted,
        maxAttempts: Int = 5,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        var attempt = 1
        var reconnected = false
        while true {
            do {
                return try await withConnection { connection in
                    try connection.attemptTransaction(isolation: isolation, body)
                }
            } catch let lost as ConnectionLostBeforeCommit {
                guard !reconnected else { throw lost.underlying }
                reconnected = true
                logger.notice("database connection lost before commit; retrying the transaction once on a new connection", metadata: ["error": "\(lost.underlying)"])
            } catch let error as PostgresError where error.isRetryable && attempt < maxAttempts {
                logger.debug("retrying transaction", metadata: ["attempt": "\(attempt)", "sqlstate": "\(error.sqlState ?? "")"])
                try await Task.sleep(for: .milliseconds(10 * attempt * attempt))
                attempt += 1
            }
        }
    }

    /// Refuses new work, waits for nothing, and closes idle connections. Connections lent out
    /// close when their work returns.
    public func close() async {
        let waiters = state.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PoolClosedError())
        }
        for worker in workers {
            await worker.disconnect()
        }
    }

    private func acquire() async throws -> Int {
        // Fast path: a connection is free (or the pool is closed), no waiting involved.
        let immediate: Result<Int, any Error>? = state.withLock { state in
            if state.closed { return .failure(PoolClosedError()) }
            if let index = state.idle.popLast() { return .success(index) }
            return nil
        }
        if let immediate { return try immediate.get() }
        try Task.checkCancellation()
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timeout = acquireTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.abandonWait(id, with: PoolTimeoutError(timeout: timeout))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                let immediate: Result<Int, any Error>? = state.withLock { state in
                    if state.closed { return .failure(PoolClosedError()) }
                    if let index = state.idle.popLast() { return .success(index) }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate {
                    continuation.resume(with: immediate)
                } else if Task.isCancelled {
                    // Cancelled before the waiter was queued: the handler found nothing to remove.
                    abandonWait(id, with: CancellationError())
                }
            }
        } onCancel: {
            abandonWait(id, with: CancellationError())
        }
    }

    /// Removes waiter `id` from the queue, if it is still there, and resumes it with `error`.
    private func abandonWait(_ id: UInt64, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let position = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: position)
        }
        waiter?.continuation.resume(throwing: error)
    }

    private func release(_ index: Int) {
        let waiter = state.withLock { state -> Waiter? in
            if !state.waiters.isEmpty {
                return state.waiters.removeFirst()
            }
            state.idle.append(index)
            return nil
        }
        if let waiter {
            waiter.continuation.resume(returning: index)
        } else if state.withLock({ $0.closed }) {
            Task { await workers[index].disconnect() }
        }
    }
}

/// No connection became free within the pool's wait limit: the database is overloaded or not
/// answering. Nothing was sent to it.
public struct PoolTimeoutError: Error, Sendable, CustomStringConvertible {
    /// How long the caller waited.
    public let timeout: Duration

    public var description: String {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return "no database connection became free within \(seconds) s: the database is busy or not answering"
    }
}

/// The pool was closed; no more work is accepted.
public struct PoolClosedError: Error, Sendable, CustomStringConvertible {
    public var description: String { "the database connection pool is closed" }
}
