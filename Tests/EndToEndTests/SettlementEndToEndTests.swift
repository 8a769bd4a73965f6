import Foundation
import HearthTestSupport
import LibPQ
import Testing

#if canImport(Glibc)
import Glibc
#endif

private let surreyCode = "E10000030"

/// Seeds `count` placements straight into SQL with ids derived from their number (so two
/// databases seeded alike hold the same placement ids): mixed authorities, rates, start dates,
/// some within one authority, some already ended.
private func seedPlacements(_ connection: PostgresConnection, count: Int) throws {
    try connection.query(
        """
        WITH numbers AS (
            SELECT i, (ARRAY['E10000016', 'E06000036', 'E10000030'])[1 + i % 3] AS placer,
                   (ARRAY['E10000016', 'E06000036', 'E10000030'])[1 + CASE WHEN i % 10 = 0 THEN i % 3 ELSE (i + 1) % 3 END] AS host,
                   60000 + (i * 37) % 50000 AS weekly, 1 + i % 2 AS beds, DATE '2026-01-01' + (i % 45) AS start_date,
                   CASE WHEN i % 7 = 0 THEN DATE '2026-01-01' + (i % 45) + 20 END AS end_date
            FROM generate_series(1, $1::int) AS i
        ), offers_made AS (
            INSERT INTO offers (id, authority, setting, capacity, age_min, age_max, sexes_accepted, lat, lon, available_from, weekly_rate_pence)
            SELECT md5('o' || i)::uuid, host, 'foster', 2, 0, 17, '{female,male,other}', 51.3, 0.5, '2026-01-01', weekly FROM numbers
        ), bids_made AS (
            INSERT INTO bids (id, authority, child_ref, group_size, age, sex, settings_acceptable, home_lat, home_lon, urgency, needed_by, status)
            SELECT md5('b' || i)::uuid, placer, 'E2E-' || i, beds, 10, 'female', '{foster}', 51.3, 0.5, 'planned', '2026-01-01', 'placed' FROM numbers
        ), proposals_made AS (
            INSERT INTO proposals (id, bid_id, offer_id, placing_authority, host_authority, beds, distance_km, weekly_rate_pence, status, expires_at)
            SELECT md5('q' || i)::uuid, md5('b' || i)::uuid, md5('o' || i)::uuid, placer, host, beds, 1, weekly, 'confirmed', now() FROM numbers
        )
        SELECT count(*) FROM numbers
        """,
        [count]
    )
    try connection.query(
        """
        INSERT INTO placements (id, proposal_id, bid_id, offer_id, placing_authority, host_authority, beds, weekly_rate_pence, start_date, end_date)
        SELECT md5('p' || i)::uuid, md5('q' || i)::uuid, md5('b' || i)::uuid, md5('o' || i)::uuid, q.placing_authority, q.host_authority,
               q.beds, q.weekly_rate_pence, DATE '2026-01-01' + (i % 45), CASE WHEN i % 7 = 0 THEN DATE '2026-01-01' + (i % 45) + 20 END
        FROM generate_series(1, $1::int) AS i JOIN proposals q ON q.id = md5('q' || i)::uuid
        """,
        [count]
    )
}

/// Migrates a fresh database with the real hearthctl and adds three members.
private func prepareLedgerDatabase(_ url: String, placements: Int) async throws -> PostgresConnection {
    let migrated = try await ChildProcess.run("hearthctl", ["migrate"], environment: ["HEARTH_DATABASE_URL": url])
    guard migrated.status == 0 else { throw TestDatabaseError("migrate failed: \(migrated.output)") }
    let connection = try PostgresConnection(url: url)
    try connection.execute(
        """
        INSERT INTO authorities (code, name, lat, lon) VALUES
            ('E10000016', 'Kent', 51.28, 0.52), ('E06000036', 'Bracknell Forest', 51.41, -0.75), ('E10000030', 'Surrey', 51.22, -0.20)
        """
    )
    try seedPlacements(connection, count: placements)
    return connection
}

/// `hearthctl ledger verify`: its exit status and the checksum it prints.
private func verifyLedger(_ url: String) async throws -> (status: Int32, checksum: String, output: String) {
    let verified = try await ChildProcess.run("hearthctl", ["ledger", "verify"], environment: ["HEARTH_DATABASE_URL": url], timeout: 600)
    let checksum = verified.standardOutput.split(separator: "\n").first { $0.hasPrefix("ledger checksum: ") }.map { String($0.dropFirst(17)) } ?? ""
    return (verified.status, checksum, verified.output)
}

@Suite("settlement, end to end", .enabled(if: TestDatabase.isRequired), .serialized)
struct SettlementEndToEndTests {
    @Test("kill -9 at random moments, then a run to the end, leaves exactly the ledger of one clean run")
    func killedRunsLeaveTheCleanLedger() async throws {
        let placements = 3000
        let arguments = ["run", "--through", "2026-04-30", "--batch-placements", "250", "--batch-nights", "7"]
        let clean = try await TestDatabase.withFreshDatabase { url in
            _ = try await prepareLedgerDatabase(url, placements: placements)
            let run = try await ChildProcess.run("hearth-settle", arguments, environment: ["HEARTH_DATABASE_URL": url], timeout: 600)
            #expect(run.status == 0, "\(run.output)")
            let verified = try await verifyLedger(url)
            #expect(verified.status == 0, "\(verified.output)")
            return verified.checksum
        }
        try await TestDatabase.withFreshDatabase { url in
            let connection = try await prepareLedgerDatabase(url, placements: placements)
            var killed = 0
            for attempt in 0..<6 {
                let child = try ChildProcess("hearth-settle", arguments, environment: ["HEARTH_DATABASE_URL": url])
                try await Task.sleep(for: .milliseconds(300 + (attempt * 397) % 900))
                child.send(SIGKILL)
                if try await child.waitForExit(timeout: 30) == 128 + SIGKILL { killed += 1 }
                let partial = try await verifyLedger(url)
                #expect(partial.status == 0, "after kill \(attempt): \(partial.output)")
            }
            #expect(killed > 0, "no run was killed mid-way: make the workload bigger")
            let booked = try connection.query("SELECT count(*) AS n FROM journal_entries").first!.int("n")
            let finish = try await ChildProcess.run("hearth-settle", arguments, environment: ["HEARTH_DATABASE_URL": url], timeout: 600)
            #expect(finish.status == 0, "\(finish.output)")
            let verified = try await verifyLedger(url)
            #expect(verified.status == 0, "\(verified.output)")
            #expect(verified.checksum == clean, "entries before the last run: \(booked)")
            let again = try await ChildProcess.run("hearth-settle", arguments, environment: ["HEARTH_DATABASE_URL": url])
            #expect(again.output.contains(": 0 nights booked, 0 nights reversed, 0 entries booked"), "\(again.output)")
        }
    }

    @Test("a placement confirmed through the API with a past start is settled to the penny, once, and its statement is the finance key's alone")
    func apiPlacementSettledAndStated() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let environment = ["HEARTH_DATABASE_URL": url]
            let placing = try exchange.key(bracknell, "placement")
            let host = try exchange.key(kent, "placement")
            _ = try await exchange.send("POST", "/v1/offers", key: host, json: oneBedOffer)
            _ = try await exchange.send("POST", "/v1/bids", key: placing, json: childBid("ST-1", urgency: "urgent"))
            #expect(try await ChildProcess.run("hearthctl", ["round", "run"], environment: environment).status == 0)
            let proposal = try #require((jsonObject(try await exchange.send("GET", "/v1/proposals", key: placing))["items"] as? [[String: Any]])?.first?["id"] as? String)
            let path = "/v1/proposals/\(proposal)"
            #expect(try await exchange.send("POST", "\(path)/accept", key: placing, json: #"{"child_views":{"consulted":true,"summary":"happy to move"}}"#).status == 200)
            #expect(try await exchange.send("POST", "\(path)/sign-off", key: try exchange.key(bracknell, "scrutiny"), json: #"{"note":"ok"}"#).status == 200)
            // A start is never before the day the proposal was made: this one was made in January.
            let connection = try PostgresConnection(url: url)
            try connection.query("UPDATE proposals SET created_at = '2026-01-20 12:00+00' WHERE id = $1::uuid", [proposal])
            let confirmed = try await exchange.send("POST", "\(path)/confirm", key: host, json: #"{"start_date":"2026-02-01"}"#)
            #expect(confirmed.status == 200, "\(confirmed.body)")
            let placement = try #require((jsonObject(try await exchange.send("GET", "/v1/placements", key: placing))["items"] as? [[String: Any]])?.first?["id"] as? String)

            let first = try await ChildProcess.run("hearth-settle", ["run", "--through", "2026-02-28"], environment: environment)
            #expect(first.status == 0, "\(first.output)")
            #expect(first.output.contains("28 nights booked"), "\(first.output)")
            let second = try await ChildProcess.run("hearth-settle", ["run", "--through", "2026-02-28"], environment: environment)
            #expect(second.output.contains(": 0 nights booked"), "\(second.output)")

            let balances = try await ChildProcess.run("hearthctl", ["ledger", "balances", "--json"], environment: environment)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(balances.standardOutput.utf8)) as? [[String: Any]])
            let byCode = Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["authority"] as? String).map { ($0, row["balance_pence"] as? Int ?? 0) } })
            #expect(byCode[kent] == 280_000)
            #expect(byCode[bracknell] == -280_000)
            #expect(try await verifyLedger(url).status == 0)

            let finance = try exchange.key(bracknell, "finance")
            let statement = try await exchange.send("GET", "/v1/statements?period=2026-02", key: finance)
            #expect(statement.status == 200, "\(statement.body)")
            let body = jsonObject(statement)
            let lines = try #require(body["lines"] as? [[String: Any]])
            #expect(lines.count == 1)
            #expect(lines.first?["placement_id"] as? String == placement.lowercased())
            #expect(lines.first?["nights"] as? Int == 28)
            #expect(lines.first?["amount_pence"] as? Int == 280_000)
            #expect(lines.first?["direction"] as? String == "payable")
            #expect(body["net_pence"] as? Int == -280_000)
            let csv = try await exchange.send("GET", "/v1/statements/2026-02.csv", key: finance)
            #expect(csv.status == 200)
            #expect(csv.headers["content-type"]?.hasPrefix("text/csv") == true)
            #expect(csv.body.contains("\(placement.lowercased()),\(kent),28,70000,280000,payable"))

            #expect(try await exchange.send("GET", "/v1/statements?period=2026-02", key: placing).status == 403)
            #expect(try await exchange.send("GET", "/v1/statements/2026-02.csv", key: try exchange.key(kent, "operator")).status == 403)
            #expect(try await exchange.send("GET", "/v1/statements?period=2026-02", key: nil).status == 401)
            #expect(try await exchange.send("GET", "/v1/statements?period=2026-13", key: finance).status == 422)
            let other = try await exchange.send("GET", "/v1/statements?period=2026-02", key: try exchange.key(surreyCode, "finance"))
            #expect(other.status == 200)
            #expect(!other.body.contains(placement.lowercased()))

            let folder = try makeTemporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let written = try await ChildProcess.run("hearth-settle", ["statements", "--period", "2026-02", "--out", folder.path], environment: environment)
            #expect(written.status == 0, "\(written.output)")
            let netting = try String(contentsOf: folder.appendingPathComponent("netting.csv"), encoding: .utf8)
            #expect(netting.contains("\(kent),Kent,280000,0,280000\n"))
            #expect(netting.contains("netting_ratio,0.000000\n"))
            #expect(try String(contentsOf: folder.appendingPathComponent("\(bracknell).csv"), encoding: .utf8) == csv.body)
            try await exchange.stop()
        }
    }
}
