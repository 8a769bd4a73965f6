import Foundation
import HearthTestSupport
import LibPQ
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A cursor token as the server would make it, for any timestamp (forged by a client).
private func forgedCursor(_ seconds: String) -> String {
    Data("\(seconds)|\(UUID().uuidString.lowercased())".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
}

/// `count` copies of "e" + COMBINING ACUTE ACCENT: `count` characters to Swift, twice as many to PostgreSQL.
private func accented(_ count: Int) -> String {
    String(repeating: "e\u{301}", count: count)
}

/// The fields named in a problem's `errors`.
private func problemFields(_ reply: HTTP.Reply) -> [String] {
    (jsonObject(reply)["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
}

/// A proposal of Kent's one bed to Bracknell's child, made by a real round.
private func makeProposal(_ exchange: RunningExchange) async throws -> String {
    _ = try await exchange.send("POST", "/v1/offers", key: try exchange.key(kent, "placement"), json: oneBedOffer)
    let placing = try exchange.key(bracknell, "placement")
    _ = try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("BF-9", urgency: "urgent"))
    let round = try await ChildProcess.run("hearthctl", ["round", "run", "--json"], environment: ["HEARTH_DATABASE_URL": exchange.databaseURL])
    guard round.status == 0 else { throw RawHTTPError("round failed: \(round.output)") }
    let items = jsonObject(try await exchange.send("GET", "/v1/proposals", key: placing))["items"] as? [[String: Any]]
    guard let id = items?.first?["id"] as? String else { throw RawHTTPError("the round proposed nothing") }
    return id
}

@Suite("the HTTP edge refuses hostile input with a 4xx and never falls over", .enabled(if: TestDatabase.isRequired))
struct HTTPHardeningTests {
    @Test("forged cursors and out-of-range numbers are 400/422 problems; the daemon stays up")
    func hostileNumbers() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let key = try exchange.key(kent, "placement")
            for path in ["/v1/offers", "/v1/bids", "/v1/proposals", "/v1/placements"] {
                for cursor in [forgedCursor("1e300"), forgedCursor("-1e300"), forgedCursor("-62135596800"), forgedCursor("9.3e18"), "@@@", "bm90IGEgY3Vyc29y"] {
                    let reply = try await exchange.send("GET", "\(path)?cursor=\(cursor)", key: key)
                    #expect(reply.status == 400, "\(path) cursor \(cursor) → \(reply.status) \(reply.body)")
                    #expect(problemFields(reply) == ["cursor"])
                }
            }
            for query in ["limit=99999999999999999999", "limit=-1", "within_km=1e400&near=51.4,-0.7", "near=1e400,-0.7", "near=51.4,-0.7&within_km=-5", "within_km=NaN&near=51.4,-0.7", "near=51.4,abc,-0.7", "near=51.4,-0.7,"] {
                let reply = try await exchange.send("GET", "/v1/offers?\(query)", key: key)
                #expect(reply.status == 400, "\(query) → \(reply.status) \(reply.body)")
            }
            for age in ["1e300", "-1e300", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890"] {
                let body = sampleBid.replacingOccurrences(of: #""age":9"#, with: #""age":\#(age)"#)
                let reply = try await exchange.send("POST", "/v1/bids", key: key, json: body)
                #expect(reply.status == 422, "age \(age) → \(reply.status) \(reply.body)")
                #expect(problemFields(reply) == ["age"])
            }
            let far = sampleBid.replacingOccurrences(of: #""max_distance_km":50"#, with: #""max_distance_km":1e999"#)
            #expect(try await exchange.send("POST", "/v1/bids", key: key, json: far).status == 400)  // not a JSON number a parser can hold
            #expect(try await exchange.send("GET", "/health", key: nil).status == 200)
            #expect(!exchange.daemon.output.contains("Fatal error"))
            try await exchange.stop()
        }
    }

    @Test("text limits count characters as PostgreSQL does: combining accents are a 422, never a 500, and no row is logged")
    func textLimitsCountUnicodeScalars() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let proposal = try await makeProposal(exchange)
            let placing = try exchange.key(bracknell, "placement")
            let host = try exchange.key(kent, "placement")
            let path = "/v1/proposals/\(proposal)"
            let longSummary = try await exchange.send("POST", "\(path)/accept", key: placing, json: #"{"child_views":{"consulted":true,"summary":"\#(accented(4000))"}}"#)
            #expect(longSummary.status == 422, "\(longSummary.body)")
            #expect(problemFields(longSummary) == ["child_views.summary"])
            let longReason = try await exchange.send("POST", "\(path)/decline", key: host, json: #"{"reason":"\#(accented(2001))"}"#)
            #expect(longReason.status == 422, "\(longReason.body)")
            let nul = try await exchange.send("POST", "\(path)/decline", key: host, json: #"{"reason":"away\u0000then"}"#)
            #expect(nul.status == 422, "\(nul.body)")
            #expect(try await exchange.send("POST", "\(path)/accept", key: placing, json: #"{"child_views":{"consulted":true,"summary":"\#(accented(2000))"}}"#).status == 200)
            let longNote = try await exchange.send("POST", "\(path)/sign-off", key: try exchange.key(bracknell, "scrutiny"), json: #"{"note":"\#(accented(2001))"}"#)
            #expect(longNote.status == 422, "\(longNote.body)")

            // Idempotency-Key: 128 accented letters are 256 characters to PostgreSQL.
            let connection = try RawConnection(port: port(of: exchange.baseURL))
            let body = #"{"reason":"no"}"#
            try connection.send(Array("POST \(path)/decline HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(host)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nIdempotency-Key: ".utf8) + Array(accented(128).utf8) + Array("\r\n\r\n\(body)".utf8))
            #expect(connection.readStatus(timeout: 10) == 400)
            for badKey in ["tab\there", "a\u{7f}b", ""] {
                let reply = try await exchange.send("POST", "\(path)/decline", key: host, json: body, headers: ["Idempotency-Key": badKey])
                #expect(reply.status == 400, "key \(badKey.debugDescription) → \(reply.status)")
            }
            let longestKey = try await exchange.send("POST", "\(path)/decline", key: host, json: body, headers: ["Idempotency-Key": accented(127) + "x"])
            #expect([200, 409].contains(longestKey.status), "\(longestKey.status) \(longestKey.body)")
            let log = exchange.daemon.output
            #expect(!log.contains("Failing row"))
            #expect(!log.contains("e\u{301}e\u{301}"))
            #expect(!log.contains(" error "), "\(log.suffix(2000))")
            try await exchange.stop()
        }
    }

    @Test("malformed chunked bodies are a 400; a client that leaves mid-body is no 500 and no error in the log")
    func brokenBodies() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let key = try exchange.key(kent, "placement")
            let head = "POST /v1/bids HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\n"
            for chunk in ["zz\r\n{}\r\n0\r\n\r\n", "FFFFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n", "-5\r\n{}\r\n0\r\n\r\n", "2\r\n{}XX0\r\n\r\n"] {
                let connection = try RawConnection(port: port(of: exchange.baseURL))
                try connection.send(head + "Transfer-Encoding: chunked\r\n\r\n" + chunk)
                let status = connection.readStatus(timeout: 10)
                #expect(status == 400, "chunk \(chunk.debugDescription) → \(String(describing: status))")
            }
            for _ in 0..<3 {
                let leaving = try RawConnection(port: port(of: exchange.baseURL))
                try leaving.send(head + "Content-Length: 1000\r\n\r\n{\"child_ref\":")
                try await Task.sleep(for: .milliseconds(200))  // let the server start reading the body
            }
            // The connections closed above (deinit); wait until the server has counted all
            // seven POSTs, whatever their status.
            let metricsURL = exchange.baseURL + "/metrics"
            var metrics = ""
            for _ in 0..<50 {
                metrics = try await HTTP.send("GET", metricsURL).body
                let counted = metrics.split(separator: "\n").filter { $0.hasPrefix("hb_requests{") && $0.contains(#"http_route="/v1/bids""#) }
                    .compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
                if counted >= 7 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!metrics.contains(#"status_code="500""#), "\(metrics.split(separator: "\n").filter { $0.contains("hb_requests") })")
            #expect(!metrics.contains(#"error_type="500""#))
            let log = exchange.daemon.output
            #expect(!log.contains(" error ") && !log.contains(" warning "), "\(log.suffix(3000))")
            #expect(try await exchange.send("GET", "/health", key: nil).status == 200)
            try await exchange.stop()
        }
    }

    @Test("duplicate JSON keys are a 400; only JSON media types are accepted; the Bearer scheme is case-insensitive")
    func strictParsing() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let key = try exchange.key(kent, "placement")
            let duplicates = [
                #"{"age":9,"age":10}"#,
                sampleBid.replacingOccurrences(of: #""age":9"#, with: #""age":9,"\u0061ge":17"#),
                sampleBid.replacingOccurrences(of: #"{"postcode_district":"ME14"}"#, with: #"{"postcode_district":"ME14","postcode_district":"BT1"}"#),
                #"{"a":[{"b":1},{"c":{"d":1,"d":2}}]}"#,
            ]
            for body in duplicates {
                let reply = try await exchange.send("POST", "/v1/bids", key: key, json: body)
                #expect(reply.status == 400, "\(body.prefix(80)) → \(reply.status) \(reply.body)")
            }
            for contentType in ["application/jsonx", "application/json-seq", "text/json", "application/x-www-form-urlencoded", "application/+json", "json"] {
                let reply = try await exchange.send("POST", "/v1/bids", key: key, json: sampleBid, headers: ["Content-Type": contentType])
                #expect(reply.status == 415, "\(contentType) → \(reply.status)")
            }
            for (index, contentType) in ["application/json", "Application/JSON; charset=utf-8", "application/vnd.hearth+json", "application/json ; charset=\"UTF-8\""].enumerated() {
                let body = sampleBid.replacingOccurrences(of: "KT-0001", with: "KT-01\(index)")
                let reply = try await exchange.send("POST", "/v1/bids", key: key, json: body, headers: ["Content-Type": contentType])
                #expect(reply.status == 201, "\(contentType) → \(reply.status) \(reply.body)")
            }
            for scheme in ["bearer", "BEARER", "Bearer", "bEaReR"] {
                let reply = try await exchange.send("GET", "/v1/bids", key: nil, headers: ["Authorization": "\(scheme) \(key)"])
                #expect(reply.status == 200, "\(scheme) → \(reply.status)")
            }
            for header in ["Basic \(key)", "Bearer", "Bearer ", "Bearerx \(key)", key] {
                #expect(try await exchange.send("GET", "/v1/bids", key: nil, headers: ["Authorization": header]).status == 401)
            }
            try await exchange.stop()
        }
    }

    @Test("request lines log the path and query parameter names only; /v1 answers are never cached")
    func privacyOfLogsAndCaches() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let key = try exchange.key(kent, "placement")
            let near = try await exchange.send("GET", "/v1/offers?near=51.41789,-0.75432&within_km=10", key: key)
            #expect(near.status == 200)
            let created = try await exchange.send("POST", "/v1/bids", key: key, json: sampleBid.replacingOccurrences(of: "KT-0001", with: "KT-SECRET-7"))
            #expect(created.status == 201)
            let invalid = try await exchange.send("POST", "/v1/bids", key: key, json: #"{"child_ref":"Jane Doe 2015","age":"nine"}"#)
            #expect(invalid.status == 422)
            let replies = [
                near, created, invalid,
                try await exchange.send("GET", "/v1/bids", key: nil),
                try await exchange.send("GET", "/v1/nothing-here", key: key),
                try await exchange.send("GET", "/v1/bids/\(UUID().uuidString)", key: key),
            ]
            for reply in replies {
                #expect(reply.headers["cache-control"] == "no-store", "\(reply.status) has cache-control \(reply.headers["cache-control"] ?? "none")")
            }
            let log = exchange.daemon.output
            #expect(log.contains("/v1/offers"))
            #expect(log.contains("near") && log.contains("within_km"))
            for secret in ["51.41789", "0.75432", "KT-SECRET-7", "Jane Doe", key] {
                #expect(!log.contains(secret), "the log holds \(secret)")
            }
            try await exchange.stop()
        }
    }

    @Test("while PostgreSQL refuses connections the API answers 503 with Retry-After, and /ready is 503")
    func databaseDown() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let key = try exchange.key(kent, "placement")
            #expect(try await exchange.send("GET", "/v1/bids", key: key).status == 200)
            let admin = try PostgresConnection(url: try #require(TestDatabase.serverURL))
            let name = try #require(URLComponents(string: url)?.path.dropFirst())
            try admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [String(name)])
            try admin.execute("ALTER DATABASE \(name) ALLOW_CONNECTIONS false")
            try admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [String(name)])
            for (method, path, body) in [("GET", "/v1/bids", nil), ("POST", "/v1/bids", sampleBid), ("GET", "/v1/authorities", nil)] {
                let reply = try await exchange.send(method, path, key: key, json: body)
                #expect(reply.status == 503, "\(method) \(path) → \(reply.status) \(reply.body)")
                #expect(reply.headers["retry-after"] == "5")
                #expect(reply.headers["content-type"] == "application/problem+json")
            }
            #expect(try await exchange.send("GET", "/ready", key: nil).status == 503)
            try admin.execute("ALTER DATABASE \(name) ALLOW_CONNECTIONS true")
            try await exchange.stop()
        }
    }

    @Test("a write that declares no body is a 400 problem, and a bodyless read goes straight through")
    func requestsWithoutBody() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let key = try exchange.key(kent, "placement")
            let write = try RawConnection(port: port(of: exchange.baseURL))
            try write.send("POST /v1/bids HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
            let written = write.readUntilClosed(timeout: 8)
            #expect(written.closed)
            #expect(statusCode(of: written.text) == 400, "\(written.text)")
            #expect(written.text.contains("application/problem+json"), "\(written.text)")
            let read = try RawConnection(port: port(of: exchange.baseURL))
            try read.send("GET /v1/bids HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\nConnection: close\r\n\r\n")
            let listed = read.readUntilClosed(timeout: 8)
            #expect(statusCode(of: listed.text) == 200, "\(listed.text)")
            #expect(try await exchange.send("GET", "/v1/bids", key: key).status == 200)
            try await exchange.stop()
        }
    }

    @Test("a client that sends half a request head, or half a body, is disconnected within the request timeout")
    func slowClients() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url, arguments: ["--request-timeout", "1"])
            let key = try exchange.key(kent, "placement")
            let started = Date()
            let halfHead = try RawConnection(port: port(of: exchange.baseURL))
            try halfHead.send("GET /v1/bids HTTP/1.1\r\nHost: x\r\nAuthori")
            let halfBody = try RawConnection(port: port(of: exchange.baseURL))
            try halfBody.send("POST /v1/bids HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"age\":")
            let idle = try RawConnection(port: port(of: exchange.baseURL))
            #expect(halfHead.readUntilClosed(timeout: 8).closed)
            let body = halfBody.readUntilClosed(timeout: 8)
            #expect(body.closed)
            #expect(statusCode(of: body.text) == nil || statusCode(of: body.text) == 408, "\(body.text)")
            #expect(idle.readUntilClosed(timeout: 8).closed)
            #expect(Date().timeIntervalSince(started) < 8)
            // One that dribbles its body a byte at a time is cut off too.
            let dribbler = try RawConnection(port: port(of: exchange.baseURL))
            try dribbler.send("POST /v1/bids HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n")
            var cutOff = false
            for _ in 0..<30 where !cutOff {
                try? dribbler.send(" ")
                cutOff = dribbler.readUntilClosed(timeout: 0.3).closed
            }
            #expect(cutOff, "a body sent a byte every 0.3 s kept the connection open for 9 s")
            // A prompt client is unaffected.
            #expect(try await exchange.send("GET", "/v1/bids", key: key).status == 200)
            try await exchange.stop()
        }
    }

    @Test("eight concurrent identical POSTs with one Idempotency-Key all get the stored response; a different body is always a 422")
    func concurrentIdempotentReplays() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let key = try exchange.key(kent, "placement")
            let client = exchange.client
            for round in 0..<3 {
                let headers = ["Idempotency-Key": "race-\(round)"]
                let body = sampleBid.replacingOccurrences(of: "KT-0001", with: "KT-R\(round)")
                let replies = try await withThrowingTaskGroup(of: HTTP.Reply.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await client.send("POST", "/v1/bids", key: key, json: body, headers: headers) }
                    }
                    return try await group.reduce(into: [HTTP.Reply]()) { $0.append($1) }
                }
                #expect(replies.map(\.status) == Array(repeating: 201, count: 8), "\(replies.map { "\($0.status) \($0.body.prefix(120))" })")
                #expect(Set(replies.map(\.body)).count == 1)
                let mixed = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<8 {
                        let other = body.replacingOccurrences(of: "KT-R\(round)", with: "KT-M\(round)-\(index)")
                        group.addTask { try await client.send("POST", "/v1/bids", key: key, json: other, headers: ["Idempotency-Key": "mixed-\(round)"]).status }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(mixed.sorted() == [201] + Array(repeating: 422, count: 7), "\(mixed)")
            }
            try await exchange.stop()
            let connection = try PostgresConnection(url: url)
            #expect(try connection.query("SELECT count(*) AS n FROM bids").first?.int("n") == 6)
        }
    }
}
