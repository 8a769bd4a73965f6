import Foundation
import HearthTestSupport
import LibPQ
import Testing

@Suite("libpq connection", .enabled(if: TestDatabase.isRequired))
struct PostgresConnectionTests {
    @Test("parameters round-trip as values, never as SQL")
    func parametersRoundTrip() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            let hostile = "x'); DROP TABLE t; --"
            let id = UUID()
            let when = Date(timeIntervalSince1970: 1_790_000_000.123456)
            let row = try #require(
                try connection.query(
                    "SELECT $1::text AS text, $2::bigint AS money, $3::boolean AS flag, $4::uuid AS id, $5::timestamptz AS at, $6::text AS missing, $7::text[] AS codes",
                    [hostile, Int64(123_456_789_012), true, id, when, String?.none, ["autism", "uasc"]]
                ).first
            )
            #expect(try row.string("text") == hostile)
            #expect(try row.int64("money") == 123_456_789_012)
            #expect(try row.bool("flag"))
            #expect(try row.uuid("id") == id)
            #expect(abs(try row.date("at").timeIntervalSince(when)) < 0.000_01)
            #expect(try row.optionalString("missing") == nil)
            #expect(try row.stringArray("codes") == ["autism", "uasc"])
        }
    }

    @Test("a date beyond PostgreSQL's calendar is sent as infinity, never a trap")
    func absurdDatesAreInfinite() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            let row = try #require(
                try connection.query(
                    "SELECT $1::timestamptz = 'infinity' AS late, $2::timestamptz = '-infinity' AS early, $3::timestamptz = 'infinity' AS far",
                    [Date(timeIntervalSince1970: 1e15), Date(timeIntervalSince1970: -1e15), Date.distantFuture.addingTimeInterval(1e18)]
                ).first
            )
            #expect(try row.bool("late"))
            #expect(try row.bool("early"))
            #expect(try row.bool("far"))
        }
    }

    @Test("integrity errors carry their SQLSTATE and constraint, and describe themselves without SQL")
    func errorsAreTyped() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            try connection.execute("CREATE EXTENSION btree_gist; CREATE TABLE t (id int PRIMARY KEY, during daterange, EXCLUDE USING gist (during WITH &&))")
            try connection.query("INSERT INTO t VALUES (1, daterange('2026-01-01', '2026-02-01'))")
            let duplicate = #expect(throws: PostgresError.self) {
                try connection.query("INSERT INTO t VALUES (1, daterange('2027-01-01', '2027-02-01'))")
            }
            #expect(duplicate?.code == .uniqueViolation)
            #expect(duplicate?.sqlState == "23505")
            #expect(duplicate?.constraint == "t_pkey")
            #expect(duplicate?.description.contains("INSERT") == false)
            let overlap = #expect(throws: PostgresError.self) {
                try connection.query("INSERT INTO t VALUES (2, daterange('2026-01-15', '2026-03-01'))")
            }
            #expect(overlap?.code == .exclusionViolation)
            let syntax = #expect(throws: PostgresError.self) { try connection.query("SELEC 1") }
            #expect(syntax?.code == .other)
            #expect(syntax?.sqlState == "42601")
        }
    }

    @Test("a transaction that throws is rolled back")
    func transactionRollsBack() async throws {
        struct Abandon: Error {}
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            try connection.execute("CREATE TABLE t (id int)")
            #expect(throws: Abandon.self) {
                try connection.transaction { transaction in
                    try transaction.query("INSERT INTO t VALUES ($1)", [1])
                    throw Abandon()
                }
            }
            #expect(connection.isIdle)
            #expect(try connection.query("SELECT count(*) AS n FROM t").first?.int("n") == 0)
        }
    }

    @Test("an unreachable server is a connection failure with libpq's reason")
    func unreachableServer() throws {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(url: "postgresql://nobody@127.0.0.1:1/none", connectTimeoutSeconds: 2)
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.contains("127.0.0.1") == true)
    }
}
