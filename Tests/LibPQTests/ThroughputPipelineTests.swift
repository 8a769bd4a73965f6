import Foundation
import HearthTestSupport
import LibPQ
import Logging
import Synchronization
import Testing

@Suite("Throughput: statements that travel together, notifications after commit", .enabled(if: TestDatabase.isRequired))
struct ThroughputPipelineTests {
    @Test("deferred statements run first, in order, in the next statement's round trip")
    func deferredStatementsRunFirst() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            try connection.execute("CREATE TABLE t (n integer)")
            let seen = try connection.transaction { transaction -> Int in
                try transaction.deferUntilNext("INSERT INTO t VALUES ($1)", [1])
                try transaction.deferUntilNext("INSERT INTO t VALUES ($1)", [2])
                return try transaction.one("SELECT count(*) AS n, string_agg(n::text, ',' ORDER BY n) AS ns FROM t").int("n")
            }
            #expect(seen == 2)
            // A deferred statement left for COMMIT travels with it.
            try connection.transaction { transaction in
                try transaction.deferUntilNext("INSERT INTO t VALUES ($1)", [3])
            }
            #expect(try connection.one("SELECT count(*) AS n FROM t").int("n") == 3)
        }
    }

    @Test("a deferred statement that fails aborts its transaction: nothing of it commits")
    func failingDeferredStatementAborts() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            try connection.execute("CREATE TABLE t (n integer CHECK (n > 0))")
            #expect(throws: PostgresError.self) {
                try connection.transaction { transaction in
                    try transaction.query("INSERT INTO t VALUES (1)")
                    try transaction.deferUntilNext("INSERT INTO t VALUES ($1)", [-1])
                    try transaction.query("INSERT INTO t VALUES (2)")
                }
            }
            #expect(connection.isIdle)
            #expect(try connection.one("SELECT count(*) AS n FROM t").int("n") == 0)
            // The connection is usable afterwards, in and out of pipelines.
            try connection.transaction { transaction in
                try transaction.deferUntilNext("INSERT INTO t VALUES ($1)", [4])
            }
            #expect(try connection.one("SELECT count(*) AS n FROM t").int("n") == 1)
        }
    }

    @Test("notifyAfterCommit reports a channel after COMMIT, never after a rollback")
    func notifyAfterCommitOnlyOnCommit() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            let reported = Mutex<[Set<String>]>([])
            connection.onCommitted = { channels in reported.withLock { $0.append(channels) } }
            try connection.transaction { transaction in
                transaction.notifyAfterCommit("one")
                transaction.notifyAfterCommit("two")
                transaction.notifyAfterCommit("one")
                #expect(reported.withLock { $0.isEmpty })
                try transaction.query("SELECT 1")
            }
            #expect(reported.withLock { $0 } == [["one", "two"]])
            struct Refused: Error {}
            #expect(throws: Refused.self) {
                try connection.transaction { transaction in
                    transaction.notifyAfterCommit("three")
                    try transaction.query("SELECT 1")
                    throw Refused()
                }
            }
            #expect(reported.withLock { $0 } == [["one", "two"]])
        }
    }

    @Test("a burst of signals becomes one NOTIFY per channel")
    func coalescedNotifications() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let listener = try PostgresConnection(url: url)
            try listener.listen("burst")
            let notifier = CoalescingNotifier(url: url, applicationName: "hearth-tests", interval: .milliseconds(100), logger: Logger(label: "test"))
            for _ in 0..<200 { notifier.signal(["burst"]) }
            var received: [PostgresNotification] = []
            let deadline = Date().addingTimeInterval(5)
            while received.isEmpty, Date() < deadline {
                received += try listener.waitForNotifications(timeout: 0.2)
            }
            await notifier.close()
            received += try listener.waitForNotifications(timeout: 0.3)
            #expect(received.count == 1)
            #expect(received.first?.channel == "burst")
        }
    }
}
