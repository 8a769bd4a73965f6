import Foundation
import HearthSettlement
import HearthStore
import HearthTestSupport
import LibPQ
import Testing

@Suite("statements and netting", .enabled(if: TestDatabase.isRequired))
struct StatementTests {
    @Test("a month's statements show each placement's nights and amounts, and netting adds up")
    func statementsAndNetting() async throws {
        try await LedgerFixture.with { fixture in
            let hosted = try fixture.placement(placing: bracknell, host: kent, weekly: 70_000, start: "2026-01-25")
            let placed = try fixture.placement(placing: kent, host: surrey, weekly: 140_000, start: "2026-01-29")
            try await fixture.settle(through: "2026-02-02")
            let january = Period("2026-01")!
            let (statements, netting) = try await fixture.database.transaction(scope: .all) { connection in
                (try Statements.all(period: january, on: connection), try Statements.netting(period: january, on: connection))
            }
            let kentStatement = try #require(statements.first { $0.authority == kent })
            #expect(kentStatement.lines == [
                StatementLine(placementID: hosted, counterpartAuthority: bracknell, nights: 7, weeklyRatePence: 70_000, amountPence: 70_000, direction: .receivable),
                StatementLine(placementID: placed, counterpartAuthority: surrey, nights: 3, weeklyRatePence: 140_000, amountPence: 60_000, direction: .payable),
            ].sorted { $0.placementID < $1.placementID })
            #expect(kentStatement.netPence == 10_000)
            #expect(netting.grossPence == 130_000)
            #expect(netting.absoluteNetPence == 140_000)
            #expect(abs((netting.nettingRatio ?? 0) - (1 - 140_000.0 / 260_000.0)) < 1e-12)
            let positions = Dictionary(uniqueKeysWithValues: netting.positions.map { ($0.authority, $0.netPence) })
            #expect(positions == [kent: 10_000, bracknell: -70_000, surrey: 60_000])

            let csv = Statements.csv(kentStatement).split(separator: "\n").map(String.init)
            #expect(csv[0] == "placement_id,counterpart_authority,nights,weekly_rate_pence,amount_pence,direction")
            #expect(csv.contains("\(hosted),\(bracknell),7,70000,70000,receivable"))
            #expect(csv.contains("TOTAL_RECEIVABLE,,7,,70000,receivable"))
            #expect(csv.contains("TOTAL_PAYABLE,,3,,60000,payable"))
            #expect(csv.contains("NET,,,,10000,receivable"))
            let nettingCSV = Statements.csv(netting)
            #expect(nettingCSV.contains("\(kent),Kent,70000,60000,10000\n"))
            #expect(nettingCSV.contains("netting_ratio,0.461538\n"))

            // The January balances are the month's movements; February's are separate.
            #expect(try await fixture.balances(period: "2026-01")[bracknell] == -70_000)
            #expect(try await fixture.balances(period: "2026-02")[bracknell] == -20_000)
        }
    }

    @Test("an authority's statement, read under its own row-level security, never shows another authority's placement")
    func statementIsolation() async throws {
        try await LedgerFixture.with { fixture in
            let own = try fixture.placement(placing: bracknell, host: kent, weekly: 70_000, start: "2026-01-01")
            try fixture.placement(placing: kent, host: surrey, weekly: 70_000, start: "2026-01-01")
            try await fixture.settle(through: "2026-01-31")
            let statement = try await fixture.database.transaction(scope: .authority(bracknell)) { connection in
                try Statements.statement(for: bracknell, period: Period("2026-01")!, on: connection)
            }
            #expect(statement.lines.map(\.placementID) == [own])
            #expect(statement.grossPayablePence == 310_000)
        }
    }

    @Test("a reversed night leaves its month's statement")
    func reversalsLeaveTheStatement() async throws {
        try await LedgerFixture.with { fixture in
            let placement = try fixture.placement(placing: bracknell, host: kent, weekly: 70_000, start: "2026-01-01")
            try await fixture.settle(through: "2026-01-31")
            try fixture.admin.query("UPDATE placements SET end_date = '2026-01-21' WHERE id = $1::uuid", [placement])
            try await fixture.settle(through: "2026-01-31")
            let statement = try await fixture.database.transaction(scope: .all) { connection in
                try Statements.statement(for: kent, period: Period("2026-01")!, on: connection)
            }
            #expect(statement.lines.first?.nights == 20)
            #expect(statement.grossReceivablePence == 200_000)
        }
    }
}
