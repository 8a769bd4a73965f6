import Foundation
import HearthSettlement
import HearthTestSupport
import LibPQ
import Testing

/// The South East members' published shares (%), from Data/se_authorities.csv.
let publishedShares: [(code: String, share: Int64, tier: Int)] = [
    ("E06000036", 161, 5), ("E06000043", 406, 4), ("E06000060", 551, 3), ("E10000011", 694, 2), ("E06000046", 303, 4),
    ("E10000016", 1968, 1), ("E06000035", 493, 3), ("E06000042", 406, 4), ("E10000025", 921, 1), ("E06000044", 422, 4),
    ("E06000038", 277, 4), ("E06000039", 259, 4), ("E06000045", 584, 3), ("E10000030", 1118, 1), ("E06000037", 186, 5),
    ("E10000032", 965, 1), ("E06000040", 149, 5), ("E06000041", 137, 5),
]

/// Counts whose three-year totals are proportional to the published shares.
func publishedCounts() -> String {
    var text = "code,year,looked_after\n"
    for member in publishedShares {
        for (year, count) in [(2022, member.share), (2023, member.share * 2), (2024, member.share * 3)] {
            text += "\(member.code),\(year),\(count)\n"
        }
    }
    return text
}

@Suite("membership contributions")
struct ContributionTests {
    @Test("the South East table reproduces the published shares, tiers and amounts")
    func southEastTable() throws {
        let table = try ContributionTable(counts: try LookedAfterCounts(csv: publishedCounts()), firstYear: 2025)
        #expect(table.averagedYears == [2022, 2023, 2024])
        let annual: [Int: Int64] = [1: 25_000_000, 2: 20_000_000, 3: 15_000_000, 4: 10_000_000, 5: 5_000_000]
        for member in publishedShares {
            let line = try #require(table.members.first { $0.code == member.code })
            #expect(line.shareHundredthsPct == member.share, "\(member.code)")
            #expect(line.tier == member.tier, "\(member.code)")
            #expect(line.yearPence == [annual[member.tier]! / 2, annual[member.tier]!, annual[member.tier]!], "\(member.code)")
        }
        // Published: Oxfordshire £625,000 over three years, Brighton and Hove £250,000.
        #expect(table.members.first { $0.code == "E10000025" }?.totalPence == 62_500_000)
        #expect(table.members.first { $0.code == "E06000043" }?.totalPence == 25_000_000)
    }

    @Test("the CSV has one row per member and a TOTAL row that adds up")
    func csvOutput() throws {
        let table = try ContributionTable(counts: try LookedAfterCounts(csv: publishedCounts()), firstYear: 2025, names: ["E10000016": "Kent"])
        let lines = table.csv.split(separator: "\n").map(String.init)
        #expect(lines.first == "code,name,share_pct,tier,year1_pence,year2_pence,year3_pence,total_pence")
        #expect(lines.count == publishedShares.count + 2)
        #expect(lines.contains("E10000016,Kent,19.68,1,12500000,25000000,25000000,62500000"))
        let total = try #require(lines.last?.split(separator: ",", omittingEmptySubsequences: false))
        #expect(total[0] == "TOTAL")
        #expect(Int64(total[7]) == table.members.reduce(0) { $0 + $1.totalPence })
    }

    @Test("a share exactly on a threshold is not over it")
    func thresholdsAreExclusive() throws {
        let csv = "code,year,looked_after\nE10000016,2024,9\nE10000030,2024,91\n"
        let table = try ContributionTable(counts: try LookedAfterCounts(csv: csv), firstYear: 2025)
        #expect(table.members.first { $0.code == "E10000016" }?.tier == 2)
    }

    @Test("tiers, amounts and the first-year rate can be configured")
    func configuredRule() throws {
        let rule = try ContributionRule.configured(tiers: "50:1000,otherwise:500.50", firstYearPercent: "25")
        let csv = "code,year,looked_after\nE10000016,2024,60\nE10000030,2024,40\n"
        let table = try ContributionTable(counts: try LookedAfterCounts(csv: csv), firstYear: 2025, rule: rule)
        #expect(table.members.first { $0.code == "E10000016" }?.yearPence == [25_000, 100_000, 100_000])
        #expect(table.members.first { $0.code == "E10000030" }?.yearPence == [12_513, 50_050, 50_050])
        #expect(throws: SettlementError.self) { try ContributionRule.configured(tiers: "nine:1000,otherwise:1", firstYearPercent: nil) }
        #expect(throws: SettlementError.self) { try ContributionRule.configured(tiers: nil, firstYearPercent: "0") }
    }

    @Test("bad rows are refused with their line numbers")
    func badRowsNamed() throws {
        let csv = "code,year,looked_after\nE10000016,2024,10\nKENT,2024,5\nE10000030,24,x\nE10000016,2024,3\n"
        do {
            _ = try LookedAfterCounts(csv: csv, file: "lac.csv")
            Issue.record("accepted bad rows")
        } catch let error as SettlementError {
            #expect(error.description.contains("line 3"))
            #expect(error.description.contains("line 4"))
            #expect(error.description.contains("line 5"))
            #expect(!error.description.contains("\n"))
        }
        #expect(throws: SettlementError.self) { try LookedAfterCounts(csv: "code,count\nE10000016,3\n") }
    }

    @Test("a member missing a year of the average is refused")
    func missingYear() throws {
        let csv = "code,year,looked_after\nE10000016,2023,10\nE10000016,2024,10\nE10000030,2024,5\n"
        #expect(throws: SettlementError.self) { try ContributionTable(counts: try LookedAfterCounts(csv: csv), firstYear: 2025) }
    }

    @Test("booking a year's contributions debits members, credits the RCC, and is idempotent", .enabled(if: TestDatabase.isRequired))
    func bookingIsIdempotent() async throws {
        try await LedgerFixture.with { fixture in
            let csv = "code,year,looked_after\nE10000016,2024,90\nE10000030,2024,8\nE06000036,2024,2\n"
            let table = try ContributionTable(counts: try LookedAfterCounts(csv: csv), firstYear: 2025)
            let first = try await fixture.database.pool.withConnection { try ContributionBooking.book(table, financialYear: 2025, wait: true, on: $0) }
            #expect(first.booked == 3)
            let again = try await fixture.database.pool.withConnection { try ContributionBooking.book(table, financialYear: 2025, wait: true, on: $0) }
            #expect(again.booked == 0)
            #expect(again.alreadyBooked == 3)
            let balances = try await fixture.balances()
            #expect(balances[kent] == -12_500_000)
            #expect(balances[bracknell] == -2_500_000)
            #expect(balances[surrey] == -10_000_000)
            #expect(balances["RCC"] == Int64(25_000_000))
            #expect(try await fixture.balances(period: "2025-04")["RCC"] == 25_000_000)
            #expect(try await fixture.balances(period: "2025-05")["RCC"] == 0)
            #expect(try await fixture.verify().passed)
            await #expect(throws: SettlementError.self) {
                try await fixture.database.pool.withConnection { try ContributionBooking.book(table, financialYear: 2028, wait: true, on: $0) }
            }
        }
    }
}
