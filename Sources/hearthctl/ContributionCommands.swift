import ArgumentParser
import HearthCLI
import HearthSettlement
import HearthStore

/// `hearthctl contributions --lac FILE.csv --first-year YYYY [--csv]`.
struct ContributionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contributions",
        abstract: "Print the membership contribution table from looked-after children counts.",
        discussion: """
            A member's share of the region's looked-after children (the average of the three most recent years in the \
            file up to --first-year) sets its tier; the first year is charged at the first-year rate. Names come from the \
            database when --database-url or HEARTH_DATABASE_URL is given, else from Data/se_authorities.csv. Books nothing: \
            `hearth-settle contributions` does.
            """
    )

    @OptionGroup var contribution: ContributionOptions
    @Flag(help: "Print CSV: code,name,share_pct,tier,year1_pence,year2_pence,year3_pence,total_pence, then a TOTAL row.") var csv = false
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let rule = try contribution.rule()
        let counts = try contribution.counts()
        var names = MemberNames.shipped()
        if database.resolvedURL() != nil {
            let stored = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withConnection { try AuthorityRepository.namesByCode(on: $0) }
            }
            for (code, name) in stored { names[code] = name }
        }
        let table = try ContributionTable(counts: counts, firstYear: contribution.firstYear, rule: rule, names: names)
        if csv {
            print(table.csv, terminator: "")
            return
        }
        var rows = table.members.map { member in
            [member.code, member.name, member.sharePercentText + " %", String(member.tier)]
                + member.yearPence.map(ContributionTable.pounds) + [ContributionTable.pounds(member.totalPence)]
        }
        rows.append(["TOTAL", "", "100.00 %", ""] + table.yearTotals.map(ContributionTable.pounds) + [ContributionTable.pounds(table.total)])
        print("shares of the \(table.averagedYears.count)-year average looked-after children (\(table.averagedYears.map(String.init).joined(separator: ", ")))")
        print(Table.render(header: ["CODE", "NAME", "SHARE", "TIER", table.yearLabel(0), table.yearLabel(1), table.yearLabel(2), "TOTAL"], rows: rows))
    }
}
