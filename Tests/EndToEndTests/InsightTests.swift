import Foundation
import HearthTestSupport
import LibPQ
import Testing

private let columns = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"

/// Writes an episodes table of `rows` into `folder` and returns its path.
private func episodesFile(_ folder: URL, _ name: String, _ rows: [String]) throws -> String {
    let url = folder.appendingPathComponent(name)
    try (([columns] + rows).joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

private func importReturn(_ environment: [String: String], _ arguments: [String]) async throws -> ChildProcess.Outcome {
    try await ChildProcess.run("hearthctl", ["import", "ssda903"] + arguments, environment: environment)
}

private func count(_ url: String, _ sql: String) throws -> Int {
    try PostgresConnection(url: url).query(sql).first?.int("n") ?? -1
}

/// Year one (2022/23): child A in two episodes, the second open at 31 March 2023; child B closed.
private let yearOne = [
    "A1,10/01/2023,S,C2,N1,U1,PR1,01/02/2023,X1,,ME14 1XQ,ME15 6AA,",
    "A1,01/02/2023,P,C2,N1,U2,PR1,,,,ME14 1XQ,CT1 2AB,",
    "B2,05/05/2022,S,V2,N4,K2,PR4,20/09/2022,E11,,CT1 2AB,SW1A 1AA,",
]
/// Year two (2023/24): A's open episode closed, then a new one.
private let yearTwo = [
    "A1,01/02/2023,P,C2,N1,U2,PR1,30/06/2023,X1,,ME14 1XQ,CT1 2AB,",
    "A1,30/06/2023,P,C2,N1,K2,PR4,,,,ME14 1XQ,TN23 1AA,",
]

@Suite("Insight: SSDA903 import through the real hearthctl", .enabled(if: TestDatabase.isRequired))
struct InsightImportTests {
    @Test("a return with one bad row is refused row by row, exit 1, and nothing is stored")
    func allOrNothing() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let environment = ["HEARTH_DATABASE_URL": url]
            #expect(try await ChildProcess.run("hearthctl", ["migrate"], environment: environment).status == 0)
            #expect(try await ChildProcess.run("hearthctl", ["authority", "add", "--code", kent, "--name", "Kent", "--lat", "51.28", "--lon", "0.52"], environment: environment).status == 0)
            let folder = try makeTemporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let bad = try episodesFile(folder, "bad.csv", yearOne + [
                "C3,31/02/2023,S,C2,N1,U1,PR1,,,,,,",
                "C4,01/03/2023,S,C2,N1,Q7,PR1,,E11,,,,",
            ])
            let refused = try await importReturn(environment, ["--authority", kent, "--episodes", bad])
            #expect(refused.status == 1)
            #expect(refused.standardOutput.contains(#"row 5: DECOM: "31/02/2023" is not a valid dd/mm/YYYY date (DfE rule 141)"#), "\(refused.output)")
            #expect(refused.standardOutput.contains(#"row 6: PLACE: "Q7" is not a valid code (DfE rule 146)"#))
            #expect(refused.standardOutput.contains("row 6: DEC: DEC and REC must both be given or both be blank (DfE rule 148)"))
            #expect(!refused.output.contains("C3") && !refused.output.contains("ME14"))
            #expect(try count(url, "SELECT count(*) AS n FROM episodes") == 0)
            #expect(try count(url, "SELECT count(*) AS n FROM ssda903_imports") == 0)

            let json = try await importReturn(environment, ["--authority", kent, "--episodes", bad, "--json"])
            #expect(json.status == 1)
            let body = (try? JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8))) as? [String: Any]
            #expect((body?["problems"] as? [[String: Any]])?.first?["rule"] as? String == "141")

            let corrupted = folder.appendingPathComponent("corrupt.csv")
            try Data([0x43, 0x48, 0x49, 0x4c, 0x44, 0x0a, 0xff, 0xfe, 0x00, 0x01]).write(to: corrupted)
            let garbage = try await importReturn(environment, ["--authority", kent, "--episodes", corrupted.path])
            #expect(garbage.status == 1)
            #expect(garbage.output.contains("missing column") || garbage.output.contains("not a text file"), "\(garbage.output)")
            #expect(try count(url, "SELECT count(*) AS n FROM episodes") == 0)
        }
    }

    @Test("re-importing the same return changes nothing; successive years merge into one history")
    func reimportAndMerge() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let environment = ["HEARTH_DATABASE_URL": url]
            #expect(try await ChildProcess.run("hearthctl", ["migrate"], environment: environment).status == 0)
            #expect(try await ChildProcess.run("hearthctl", ["authority", "add", "--code", kent, "--name", "Kent", "--lat", "51.28", "--lon", "0.52"], environment: environment).status == 0)
            let folder = try makeTemporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let first = try episodesFile(folder, "2023.csv", yearOne)
            let second = try episodesFile(folder, "2024.csv", yearTwo)

            let dry = try await importReturn(environment, ["--authority", kent, "--episodes", first, "--dry-run"])
            #expect(dry.status == 0 && dry.output.contains("would import 3 episodes"), "\(dry.output)")
            #expect(try count(url, "SELECT count(*) AS n FROM episodes") == 0)

            let imported = try await importReturn(environment, ["--authority", kent, "--episodes", first, "--json"])
            #expect(imported.status == 0, "\(imported.output)")
            let summary = (try? JSONSerialization.jsonObject(with: Data(imported.standardOutput.utf8))) as? [String: Any]
            #expect(summary?["inserted"] as? Int == 3 && summary?["return_year"] as? Int == 2023)
            let stamp = try PostgresConnection(url: url).query("SELECT max(imported_at)::text AS t FROM episodes").first?.string("t")

            let again = try await importReturn(environment, ["--authority", kent, "--episodes", first])
            #expect(again.status == 0 && again.output.contains("no change"), "\(again.output)")
            #expect(try PostgresConnection(url: url).query("SELECT max(imported_at)::text AS t FROM episodes").first?.string("t") == stamp)
            #expect(try count(url, "SELECT count(*) AS n FROM ssda903_imports") == 1)

            let merged = try await importReturn(environment, ["--authority", kent, "--episodes", second])
            #expect(merged.status == 0 && merged.output.contains("inserted 1, updated 1, replaced 0"), "\(merged.output)")
            let rows = try PostgresConnection(url: url).query(
                "SELECT decom::text, dec::text, return_year, home_district, placement_district, distance_km, placement_authority FROM episodes ORDER BY child_key, decom"
            ).rows
            #expect(rows.count == 4)
            let history = try rows.map { "\(try $0.string("decom"))..\(try $0.optionalString("dec") ?? "open")@\(try $0.int("return_year"))" }
            #expect(Set(history) == [
                "2023-01-10..2023-02-01@2023", "2023-02-01..2023-06-30@2024", "2023-06-30..open@2024", "2022-05-05..2022-09-20@2023",
            ])
            // Only districts are stored, with the derived distance and the placement's authority.
            #expect(try rows.allSatisfy { try !($0.string("home_district").contains(" ")) })
            let placed = try rows.map { (try $0.optionalString("placement_authority"), try $0.optionalDouble("distance_km") ?? 0) }
            #expect(placed.contains { $0.0 == kent && $0.1 > 0 })
            #expect(try rows.contains { try $0.optionalString("placement_authority") == "E09000033" })  // SW1A: Westminster, outside the region

            // The earlier year again: the later return's episodes stay.
            let older = try await importReturn(environment, ["--authority", kent, "--episodes", first])
            #expect(older.status == 0 && older.output.contains("superseded by a later return 1"), "\(older.output)")
            #expect(try count(url, "SELECT count(*) AS n FROM episodes WHERE return_year = 2024") == 2)
            #expect(try count(url, "SELECT count(*) AS n FROM episodes") == 4)
        }
    }

    @Test("the daemon's role reads episodes but can neither write them nor read the child-key secret")
    func privileges() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let environment = ["HEARTH_DATABASE_URL": url]
            #expect(try await ChildProcess.run("hearthctl", ["migrate"], environment: environment).status == 0)
            let daemon = try PostgresConnection(url: try TestDatabase.daemonURL(for: url))
            #expect(throws: PostgresError.self) { try daemon.query("SELECT secret FROM insight_secrets") }
            #expect(throws: PostgresError.self) {
                try daemon.query("INSERT INTO episodes (authority, child_key, decom, rne, ls, cin, place, return_year) VALUES ('E10000016', repeat('a', 64), '2024-01-01', 'S', 'C2', 'N1', 'U1', 2024)")
            }
            #expect(throws: PostgresError.self) { try daemon.query("DELETE FROM episodes") }
            #expect(try daemon.query("SELECT count(*) AS n FROM episodes").first?.int("n") == 0)
        }
    }
}

@Suite("Insight: the sufficiency endpoint's isolation", .enabled(if: TestDatabase.isRequired))
struct InsightEndpointTests {
    @Test("a member sees the region's aggregates with others' small numbers suppressed and its own detail; operator and scrutiny the region")
    func isolation() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let exchange = try await RunningExchange(databaseURL: url)
            let environment = ["HEARTH_DATABASE_URL": url]
            let folder = try makeTemporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            // Kent: 6 children looked after in children's homes; Bracknell Forest: 2.
            let kentRows = (1...6).map { "K\($0),01/05/2023,S,C2,N1,K2,PR1,,,,ME14 1XQ,ME15 6AA," }
            let bracknellRows = (1...2).map { "B\($0),01/05/2023,S,C2,N1,K2,PR1,,,,RG12 1JD,RG12 2AB," }
            #expect(try await importReturn(environment, ["--authority", kent, "--episodes", try episodesFile(folder, "k.csv", kentRows)]).status == 0)
            #expect(try await importReturn(environment, ["--authority", bracknell, "--episodes", try episodesFile(folder, "b.csv", bracknellRows)]).status == 0)
            let kentBid = #"{"child_ref":"KT-1","age":12,"sex":"male","needs":["autism"],"settings_acceptable":["childrens_home"],"home_location":{"postcode_district":"ME14"},"urgency":"urgent","needed_by":"2026-12-05","max_distance_km":40}"#
            #expect(try await exchange.send("POST", "/v1/bids", key: try exchange.key(kent, "placement"), json: kentBid).status == 201)

            func report(_ key: String, _ query: String = "?as_of=2024-01-15&by=authority") async throws -> [String: Any] {
                let reply = try await exchange.send("GET", "/v1/insight/sufficiency" + query, key: key)
                #expect(reply.status == 200, "\(reply.body)")
                #expect(!reply.body.contains("child_key") && !reply.body.contains("KT-1"))
                return jsonObject(reply)
            }
            func row(_ body: [String: Any], _ key: String) -> [String: Any] {
                (body["rows"] as? [[String: Any]])?.first { $0["key"] as? String == key } ?? [:]
            }
            func lookedAfter(_ row: [String: Any]) -> Any? { (row["demand"] as? [String: Any])?["looked_after"] }

            let asBracknell = try await report(try exchange.key(bracknell, "placement"))
            #expect(asBracknell["viewer"] as? String == "member")
            #expect(lookedAfter(row(asBracknell, kent)) as? Int == 6)
            #expect(lookedAfter(row(asBracknell, bracknell)) as? Int == 2)  // its own, exact
            #expect(lookedAfter(asBracknell["total"] as? [String: Any] ?? [:]) as? Int == 8)
            let asKent = try await report(try exchange.key(kent, "finance"))
            #expect(lookedAfter(row(asKent, bracknell)) as? String == "fewer than 5")
            #expect(lookedAfter((asKent["own"] as? [String: Any])?["total"] as? [String: Any] ?? [:]) as? Int == 6)
            for role in ["operator", "scrutiny"] {
                let region = try await report(try exchange.key(kent, role))
                #expect(region["viewer"] as? String == "region" && region["own"] == nil)
                #expect(lookedAfter(row(region, bracknell)) as? Int == 2)
            }
            // Kent's one open bid: Bracknell sees it as fewer than 5 in the unmet demand.
            let unmet = try await report(try exchange.key(bracknell, "placement"), "?by=setting")
            let groups = unmet["unmet_demand"] as? [[String: Any]] ?? []
            #expect(groups.first?["bids"] as? String == "fewer than 5", "\(groups)")
            #expect((groups.first?["message"] as? String)?.hasPrefix("fewer than 5 bids for a children's home supporting autism within 40 km") == true)
            let kentView = try await report(try exchange.key(kent, "placement"), "?by=setting")
            #expect((kentView["unmet_demand"] as? [[String: Any]])?.first?["bids"] as? Int == 1)

            let bad = try await exchange.send("GET", "/v1/insight/sufficiency?as_of=2024-13-01&by=colour", key: try exchange.key(kent, "placement"))
            #expect(bad.status == 400 && bad.body.contains("as_of") && bad.body.contains("by"))
            #expect(try await exchange.send("GET", "/v1/insight/sufficiency", key: nil).status == 401)
        }
    }
}
