import Foundation
import HearthTestSupport
import LibPQ
import Testing

@Suite("queries that number their own placeholders")
struct PostgresQueryTests {
    @Test("each interpolated value becomes the next $n and a bind; fragments are renumbered in place")
    func numbering() {
        let id = UUID()
        let authority: String? = "E10000016"
        let condition: PostgresQuery = "status = \("open")"
        let query: PostgresQuery = "SELECT \(unescaped: "id, status") FROM bids WHERE id = \(id) AND (\(authority)::text IS NULL OR authority = \(authority)) AND \(condition)"
        #expect(query.sql == "SELECT id, status FROM bids WHERE id = $1 AND ($2::text IS NULL OR authority = $3) AND status = $4")
        #expect(query.binds.map(\.postgresText) == [id.postgresText, "E10000016", "E10000016", "open"])
        let joined = PostgresQuery.joined(["a = \(1)", "b = \(2)", "c"], separator: " AND ")
        #expect(joined.sql == "a = $1 AND b = $2 AND c")
        #expect(("x = \(3) " as PostgresQuery + joined).sql == "x = $1 a = $2 AND b = $3 AND c")
        #expect(query.description == query.sql)
    }

    @Test("values are bound, never spliced; one() wants exactly one row", .enabled(if: TestDatabase.isRequired))
    func boundAndOne() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            let hostile = "x'); DROP TABLE t; --"
            #expect(try connection.one("SELECT \(hostile)::text AS text, \(Int?.none)::int AS missing").string("text") == hostile)
            try connection.run("CREATE TABLE t (n int)")
            #expect(throws: UnexpectedRowCount.self) { try connection.one("SELECT n FROM t") }
            try connection.run("INSERT INTO t VALUES (\(1)), (\(2))")
            let error = #expect(throws: UnexpectedRowCount.self) { try connection.one("SELECT n FROM t WHERE n > \(0)") }
            #expect(error?.rows == 2)
            #expect(try connection.first("SELECT n FROM t WHERE n = \(2)")?.int("n") == 2)
        }
    }
}
