import Dispatch
import Logging
import Synchronization

/// A fixed set of PostgreSQL connections, each on its own serial `DispatchQueue`.
///
/// Async code borrows one with `withConnection { connection in … }`; the closure runs on the
/// connection's queue and only its `Sendable` result comes back, so a connection can never
/// escape to another thread. Connections open lazily and a broken one is replaced on next use.
public final class ConnectionPool: Sendable {
    private struct State {
        var idle: [Int]
        var waiters: [CheckedContinuation<Int, any Error>] = []
        var closed = false
    }

    private let workers: [ConnectionWorker]
    private let state: Mutex<State>
    private let logger: Logger

    /// Creates a pool of `size` connections to `url`; none is opened until first used.
    public init(url: String, size: Int, applicationName: String = "hearth", logger: Logger) {
        precondition(size >= 1, "a pool needs at least one connection")
        self.workers = (0..<size).map { index in
            ConnectionWorker(label: "hearth.postgres.\(index)", url: url, applicationName: applicationName)
        }
        self.state = Mutex(State(idle: Array((0..<size).reversed())))
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

    /// Borrows a connection for the duration of `body`, which runs on that connection's queue.
    ///
    /// Waits if every connection is busy. Throws `PoolClosedError` once `close()` was called.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let index = try await acquire()
        defer { release(index) }
        return try await workers[index].run(body)
    }

    /// Runs `body` in a transaction, retrying the whole transaction on serialization failures
    /// and deadlocks (up to `maxAttempts` in all) with a short, growing pause between tries.
    public func withTransaction<T: Sendable>(
        isolation: IsolationLevel = .readCommitted,
        maxAttempts: Int = 5,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await withConnection { connection in
                    try connection.transaction(isolation: isolation, body)
                }
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
        let waiters = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters {
            waiter.resume(throwing: PoolClosedError())
        }
        for worker in workers {
            await worker.disconnect()
        }
    }

    private func acquire() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let immediate: Result<Int, any Error>? = state.withLock { state in
                if state.closed { return .failure(PoolClosedError()) }
                if let index = state.idle.popLast() { return .success(index) }
                state.waiters.append(continuation)
                return nil
            }
            if let immediate {
                continuation.resume(with: immediate)
            }
        }
    }

    private func release(_ index: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Int, any Error>? in
            if !state.waiters.isEmpty {
                return state.waiters.removeFirst()
            }
            state.idle.append(index)
            return nil
        }
        if let waiter {
            waiter.resume(returning: index)
        } else if state.withLock({ $0.closed }) {
            Task { await workers[index].disconnect() }
        }
    }
}

/// The pool was closed; no more work is accepted.
public struct PoolClosedError: Error, Sendable, CustomStringConvertible {
    public var description: String { "the database connection pool is closed" }
}
