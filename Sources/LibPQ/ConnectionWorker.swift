#if os(Linux)
@preconcurrency import Dispatch
#else
import Dispatch
#endif

/// An actor whose executor *is* a serial `DispatchQueue`: it owns one connection, and every
/// blocking libpq call on it runs on that queue's thread, never on the Swift concurrency pool
/// or a SwiftNIO event loop. (The pattern of GRDB's `DispatchQueueActor`.)
actor ConnectionWorker {
    private let executor: DispatchQueueExecutor
    private let url: String
    private let applicationName: String
    private let onCommitted: (@Sendable (Set<String>) -> Void)?
    private var connection: PostgresConnection?

    /// Marks the workers' queues, so code can tell whether it runs on one.
    static let queueLabelKey = DispatchSpecificKey<String>()

    init(label: String, url: String, applicationName: String, onCommitted: (@Sendable (Set<String>) -> Void)?) {
        let queue = DispatchQueue(label: label)
        queue.setSpecific(key: Self.queueLabelKey, value: label)
        self.executor = DispatchQueueExecutor(queue: queue)
        self.url = url
        self.applicationName = applicationName
        self.onCommitted = onCommitted
    }

    nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// True while the worker holds an open connection.
    var isConnected: Bool { connection != nil }

    /// Runs `body` with a healthy connection, connecting (or reconnecting) first if needed.
    ///
    /// A connection that is broken after `body` throws is discarded; one left inside a
    /// transaction is rolled back, or discarded if that fails.
    func run<T: Sendable>(_ body: @Sendable (PostgresConnection) throws -> T) throws -> T {
        let current = try usableConnection()
        do {
            return try body(current)
        } catch {
            recover(current)
            throw error
        }
    }

    /// Closes the connection; the next `run` opens a new one.
    func disconnect() {
        connection = nil
    }

    private func usableConnection() throws -> PostgresConnection {
        if let connection, connection.isUsable, connection.isIdle {
            return connection
        }
        connection = nil
        let fresh = try PostgresConnection(url: url, applicationName: applicationName)
        fresh.onCommitted = onCommitted
        connection = fresh
        return fresh
    }

    private func recover(_ used: PostgresConnection) {
        guard used.isUsable else {
            connection = nil
            return
        }
        if !used.isIdle {
            try? used.execute("ROLLBACK")
            if !used.isIdle { connection = nil }
        }
    }
}

/// A `SerialExecutor` that runs jobs on a serial `DispatchQueue`.
private final class DispatchQueueExecutor: SerialExecutor {
    private let queue: DispatchQueue

    init(queue: DispatchQueue) {
        self.queue = queue
    }

    func enqueue(_ job: UnownedJob) {
        queue.async {
            job.runSynchronously(on: self.asUnownedSerialExecutor())
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}

#if os(Linux) || os(Android) || os(Windows)
// The queue is the only state and DispatchQueue is thread-safe; Linux's Dispatch overlay
// does not mark it Sendable.
extension DispatchQueueExecutor: @unchecked Sendable {}
#endif
