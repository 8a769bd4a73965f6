import Foundation
import HearthTestSupport
import LibPQ
import Testing

@Suite("COPY FROM STDIN", .enabled(if: TestDatabase.isRequired))
struct CopyTests {
    @Test("odd text arrives exactly as sent: tabs, line ends, backslashes, quotes, \\N, non-ASCII; nil is NULL")
    func escaping() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            try connection.run("CREATE TABLE t (n integer PRIMARY KEY, text text, day date)")
            let odd: [String?] = [
                "tab\there", "line\nend", "carriage\r\nreturn", "back\\slash", "\\N", "\\.", "quote \" and ' ; DROP TABLE t; --",
                "ünïcødé ✓ 𝄞", "", nil, "comma, and \"csv\"", "trailing backslash \\",
            ]
            let stored = try connection.copy(into: "t", columns: ["n", "text", "day"]) { rows in
                for (index, text) in odd.enumerated() { try rows.append([String(index), text, index == 0 ? nil : "2024-03-31"]) }
            }
            #expect(stored == odd.count)
            let back = try connection.run("SELECT n, text, day IS NULL AS no_day FROM t ORDER BY n").rows
            #expect(back.count == odd.count)
            for row in back {
                let index = try row.int("n")
                #expect(try row.optionalString("text") == odd[index], "row \(index)")
                #expect(try row.bool("no_day") == (index == 0))
            }
        }
    }

    @Test("many rows, past the send buffer, in one transaction with the statements around it")
    func manyRowsInATransaction() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            try connection.run("CREATE TABLE t (n integer PRIMARY KEY, text text NOT NULL)")
            let stored = try connection.transaction { connection in
                try connection.run("INSERT INTO t VALUES (\(-1), \("before"))")
                let stored = try connection.copy(into: "t", columns: ["n", "text"]) { rows in
                    for n in 0..<50_000 { try rows.append([String(n), "row \(n)\twith a tab"]) }
                }
                try connection.run("INSERT INTO t VALUES (\(-2), \("after"))")
                return stored
            }
            #expect(stored == 50_000)
            #expect(try connection.one("SELECT count(*)::int AS n FROM t").int("n") == 50_002)
            #expect(try connection.one("SELECT text FROM t WHERE n = \(49_999)").string("text") == "row 49999\twith a tab")
        }
    }

    @Test("a bad row mid-copy fails with the server's error and rolls the whole transaction back")
    func errorRollsBack() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            try connection.run("CREATE TABLE t (n integer PRIMARY KEY, text text NOT NULL CHECK (text <> 'bad'))")
            let invalid = #expect(throws: PostgresError.self) {
                try connection.transaction { connection in
                    try connection.run("INSERT INTO t VALUES (\(-1), \("before"))")
                    try connection.copy(into: "t", columns: ["n", "text"]) { rows in
                        for n in 0..<20_000 { try rows.append([String(n), n == 12_345 ? "bad" : "good"]) }
                    }
                }
            }
            #expect(invalid?.code == .checkViolation)
            let malformed = #expect(throws: PostgresError.self) {
                try connection.transaction { connection in
                    try connection.copy(into: "t", columns: ["n", "text"]) { rows in
                        try rows.append(["1", "good"])
                        try rows.append(["not a number", "good"])
                    }
                }
            }
            #expect(malformed?.code == .invalidInput)
            let duplicate = #expect(throws: PostgresError.self) {
                try connection.copy(into: "t", columns: ["n", "text"]) { rows in
                    try rows.append(["7", "good"])
                    try rows.append(["7", "good"])
                }
            }
            #expect(duplicate?.code == .uniqueViolation)
            #expect(try connection.one("SELECT count(*)::int AS n FROM t").int("n") == 0)
            // The connection is usable afterwards.
            try connection.copy(into: "t", columns: ["n", "text"]) { rows in try rows.append(["1", "good"]) }
            #expect(try connection.one("SELECT count(*)::int AS n FROM t").int("n") == 1)
        }
    }

    @Test("an error thrown while writing cancels the COPY: nothing is stored and the error is the caller's")
    func writerErrorCancels() async throws {
        struct Stop: Error {}
        try await TestDatabase.withFreshDatabase { url in
            let connection = try PostgresConnection(url: url)
            try connection.run("CREATE TABLE t (n integer PRIMARY KEY)")
            #expect(throws: Stop.self) {
                try connection.copy(into: "t", columns: ["n"]) { rows in
                    for n in 0..<30_000 { try rows.append([String(n)]) }
                    throw Stop()
                }
            }
            #expect(throws: PostgresError.self) {
                try connection.copy(into: "t", columns: ["n"]) { rows in try rows.append(["1", "2"]) }
            }
            #expect(try connection.one("SELECT count(*)::int AS n FROM t").int("n") == 0)
            #expect(throws: PostgresError.self) {
                try connection.copy(into: "no such table", columns: ["n"]) { rows in try rows.append(["1"]) }
            }
            #expect(connection.isIdle)
        }
    }
}
