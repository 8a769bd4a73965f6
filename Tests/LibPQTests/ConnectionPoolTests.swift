import Dispatch
import Foundation
import HearthTestSupport
import LibPQ
import Logging
import Synchronization
import Testing

@Suite("connection pool", .enabled(if: TestDatabase.isRequired))
struct ConnectionPoolTests {
    let logger = Logger(label: "test")

    @Test("work runs on the connection's own Dispatch queue, never on the concurrency pool")
    func runsOnDispatchQueue() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let pool = ConnectionPool(url: url, size: 2, logger: logger)
            let label = try await pool.withConnection { _ in ConnectionPool.currentQueueLabel }
            #expect(label?.hasPrefix("hearth.postgres.") == true)
            #expect(ConnectionPool.currentQueueLabel == nil)
            await pool.close()
        }
    }

    @Test("many concurrent borrowers share a small pool without exceeding it")
    func concurrentBorrowers() async throws {
        try await TestDatabase.withFreshDatabase { url in
            // What is checked is sharing and the cap, not speed: on a loaded CI machine the 40
            // borrowers may wait far longer than the pool's default 30 s bound for their turn.
            let pool = ConnectionPool(url: url, size: 3, acquireTimeout: .seconds(600), logger: logger)
            let peak = Peak()
            let sum = try await withThrowingTaskGroup(of: Int.self) { group in
                for value in 1...40 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            peak.record(pool.inUse)
                            return try connection.query("SELECT $1::int + 0 AS v, pg_sleep(0.01)", [value]).first?.int("v") ?? 0
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(sum == (1...40).reduce(0, +))
            #expect(peak.highest <= 3)
            #expect(pool.inUse == 0)
            await pool.close()
        }
    }

    @Test("a connection the server killed is detected and replaced")
    func brokenConnectionReplaced() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let pool = ConnectionPool(url: url, size: 1, logger: logger)
            let first = try await pool.withConnection { $0.backendPID }
            let killer = try PostgresConnection(url: url)
            try killer.query("SELECT pg_terminate_backend($1)", [Int(first)])
            try await Task.sleep(for: .milliseconds(200))
            let second = try await pool.withConnection { $0.backendPID }
            #expect(second != first)
            #expect(try await pool.withConnection { try $0.query("SELECT 1 AS one").first?.int("one") } == 1)
            await pool.close()
        }
    }

    @Test("serializable transactions that collide are retried until every write lands")
    func serializationRetry() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let setup = try PostgresConnection(url: url)
            try setup.execute("CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0)")
            // Retries, not speed, are checked: allow a loaded CI machine far more than 30 s.
            let pool = ConnectionPool(url: url, size: 4, acquireTimeout: .seconds(600), logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await pool.withTransaction(isolation: .serializable, maxAttempts: 50) { connection in
                            let n = try connection.query("SELECT n FROM counter WHERE id = 1").first?.int("n") ?? 0
                            try connection.query("SELECT pg_sleep(0.005)")
                            try connection.query("UPDATE counter SET n = $1 WHERE id = 1", [n + 1])
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try setup.query("SELECT n FROM counter").first?.int("n") == 20)
            await pool.close()
        }
    }

    @Test("a waiter whose task is cancelled leaves the queue at once with CancellationError")
    func cancelledWaiterLeaves() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let pool = ConnectionPool(url: url, size: 1, logger: logger)
            let gate = DispatchSemaphore(value: 0)
            let holder = Task { try await pool.withConnection { _ in gate.wait() } }
            #expect(try await eventually { pool.inUse == 1 })
            let waiter = Task { try await pool.withConnection { _ in 1 } }
            #expect(try await eventually { pool.waiting == 1 })
            waiter.cancel()
            let outcome = await waiter.result
            #expect(throws: CancellationError.self) { try outcome.get() }
            #expect(pool.waiting == 0)
            gate.signal()
            try await holder.value
            // The connection went back to the pool, not to the cancelled waiter.
            #expect(try await pool.withConnection { try $0.query("SELECT 2 AS two").first?.int("two") } == 2)
            #expect(pool.inUse == 0)
            await pool.close()
        }
    }

    @Test("waiting for a connection is bounded: past the pool's limit it is an error, not a hang")
    func waitingIsBounded() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let pool = ConnectionPool(url: url, size: 1, acquireTimeout: .milliseconds(300), logger: logger)
            let gate = DispatchSemaphore(value: 0)
            let holder = Task { try await pool.withConnection { _ in gate.wait() } }
            #expect(try await eventually { pool.inUse == 1 })
            let started = ContinuousClock.now
            await #expect(throws: PoolTimeoutError.self) {
                try await pool.withConnection { _ in 1 }
            }
            let waited = ContinuousClock.now - started
            // At least the limit; the upper bound only shows that the wait ended (a loaded 2-core
            // machine whose cooperative threads other suites' blocking calls hold has resumed this
            // task 100 s late).
            #expect(waited >= .milliseconds(250) && waited < .seconds(600), "waited \(waited)")
            #expect(pool.waiting == 0)
            gate.signal()
            try await holder.value
            #expect(try await pool.withConnection { _ in 3 } == 3)
            await pool.close()
        }
    }

    @Test("a transaction whose connection breaks before COMMIT is run again once, on a new connection, and commits once")
    func lostBeforeCommitRetriedOnce() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let setup = try PostgresConnection(url: url)
            try setup.execute("CREATE TABLE landed (attempt int NOT NULL)")
            let pool = ConnectionPool(url: url, size: 1, logger: logger)
            let attempts = Mutex(0)
            let pids = try await pool.withTransaction { connection -> [Int32] in
                let attempt = attempts.withLock { $0 += 1; return $0 }
                try connection.query("INSERT INTO landed VALUES ($1)", [attempt])
                if attempt == 1 {
                    // The server ends this session mid-transaction, as a restart would.
                    try connection.query("SELECT pg_terminate_backend(pg_backend_pid())")
                }
                return [connection.backendPID]
            }
            #expect(attempts.withLock { $0 } == 2)
            #expect(pids.count == 1)
            #expect(try setup.query("SELECT array_agg(attempt) AS a FROM landed").first?.stringArray("a") == ["2"])

            // Broken twice in a row: the second failure is the caller's, not retried again.
            let always = Mutex(0)
            await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    always.withLock { $0 += 1 }
                    try connection.query("SELECT pg_terminate_backend(pg_backend_pid())")
                }
            }
            #expect(always.withLock { $0 } == 2)
            await pool.close()
        }
    }

    @Test("a closed pool refuses new work")
    func closedPoolRefuses() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let pool = ConnectionPool(url: url, size: 1, logger: logger)
            await pool.close()
            await #expect(throws: PoolClosedError.self) {
                try await pool.withConnection { _ in 1 }
            }
        }
    }
}

/// Polls `condition` every 10 ms for up to 10 s; returns whether it became true.
private func eventually(_ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(10)
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// The highest value recorded, from any thread.
private final class Peak: Sendable {
    private let value = Mutex(0)

    func record(_ candidate: Int) { value.withLock { $0 = max($0, candidate) } }

    var highest: Int { value.withLock { $0 } }
}

@Suite("LISTEN/NOTIFY", .enabled(if: TestDatabase.isRequired))
struct NotificationListenerTests {
    @Test("notifications arrive, and keep arriving after the listener's connection is killed")
    func notificationsSurviveReconnect() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let listener = NotificationListener(url: url, channels: ["hearth_test"], logger: Logger(label: "test"))
            listener.start()
            var events = listener.events.makeAsyncIterator()
            #expect(await events.next() == .connected)
            let sender = try PostgresConnection(url: url)
            try sender.notify("hearth_test", payload: "first")
            guard case .notification(let first)? = await events.next() else {
                Issue.record("expected a notification")
                return
            }
            #expect(first.payload == "first")
            try sender.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hearth-listener' AND datname = current_database()")
            #expect(await events.next() == .disconnected)
            #expect(await events.next() == .connected)
            try sender.notify("hearth_test", payload: "second")
            guard case .notification(let second)? = await events.next() else {
                Issue.record("expected a notification after reconnecting")
                return
            }
            #expect(second.payload == "second")
            await listener.stop()
            #expect(await events.next() == nil)
        }
    }
}
