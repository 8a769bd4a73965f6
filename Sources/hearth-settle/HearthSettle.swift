import ArgumentParser
import Foundation
import HearthCLI
import HearthCore
import HearthSettlement
import HearthStore
import Logging

/// hearth-settle: the nightly settlement batch.
@main
struct HearthSettle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth-settle",
        abstract: "Book inter-authority placement charges into the ledger and write statements.",
        discussion: "Exit codes: 0 ok, 1 failure, 64 bad usage. See Docs/settlement.md.",
        version: HearthVersion.current,
        subcommands: [Run.self, Statements.self, Contributions.self, Bench.self]
    )

    /// Reads the arguments as people type them: `--lon -0.75` works.
    static func main() async { await mainAsTyped() }
}

extension HearthSettle {
    /// `hearth-settle run [--through DATE]`.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Book every placement night not yet booked, up to and including a date (default: yesterday, Europe/London).",
            discussion: """
                Safe to re-run (a second run books nothing) and safe to kill (work is committed in batches; the next run \
                carries on). One run at a time across every machine: a second run waits for the first to finish, or with \
                --no-wait exits 1 at once saying another run is in progress.
                """
        )

        @Option(help: "The last night to book, YYYY-MM-DD (default: yesterday in Europe/London).") var through: String?
        @Flag(help: "Exit at once if another settlement run is in progress, instead of waiting for it.") var noWait = false
        @Option(help: "Placements per batch (1 to 1000000).") var batchPlacements = 10_000
        @Option(help: "Nights per placement per batch (7 to 3660).") var batchNights = 14
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            if let through, CalendarDate(iso: through) == nil {
                throw ValidationError("--through must be a date YYYY-MM-DD (got \"\(through)\")")
            }
            guard (1...1_000_000).contains(batchPlacements) else { throw ValidationError("--batch-placements must be from 1 to 1000000") }
            guard (7...3660).contains(batchNights) else { throw ValidationError("--batch-nights must be from 7 to 3660") }
        }

        func run() async throws {
            let last = through.flatMap(CalendarDate.init(iso:)) ?? CalendarDate.today().adding(days: -1)
            let (batchPlacements, batchNights, wait) = (self.batchPlacements, self.batchNights, !noWait)
            let summary = try await withDatabase(database, logging, program: "hearth-settle") { database in
                try await SettlementRunner(database: database, logger: database.logger, batchPlacements: batchPlacements, batchNights: batchNights)
                    .run(through: last, wait: wait)
            }
            if json {
                print(try JSONOutput.encode(summary))
                return
            }
            print(
                "settled through \(summary.through.iso): \(summary.nightsBooked) nights booked, \(summary.nightsReversed) nights reversed, "
                    + "\(summary.entriesBooked) entries booked (run \(summary.runID), \(summary.batches) batches, \(String(format: "%.2f", summary.seconds)) s)"
            )
        }
    }

    /// `hearth-settle statements --period YYYY-MM --out DIR`.
    struct Statements: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write each member's statement for a month (DIR/CODE.csv) and the region's netting (DIR/netting.csv).",
            discussion: "A statement covers the nights of the month booked so far, net of reversals; run settlement first."
        )

        @Option(help: "The month, YYYY-MM, or \"previous\" for last month (Europe/London).") var period: String
        @Option(help: "The folder to write to (created if missing); {period} in it becomes the month, e.g. /var/lib/hearth/statements/{period}.") var out: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        var month: Period? {
            if period == "previous" {
                let lastMonth = CalendarDate.today().adding(days: -CalendarDate.today().day)
                return Period(String(lastMonth.iso.prefix(7)))
            }
            return Period(period)
        }

        func validate() throws {
            guard month != nil else { throw ValidationError("--period must be a month YYYY-MM or \"previous\" (got \"\(period)\")") }
            guard !out.isEmpty else { throw ValidationError("--out must name a folder") }
        }

        func run() async throws {
            let month = self.month!
            let (statements, netting) = try await withDatabase(database, logging, program: "hearth-settle") { database in
                try await database.transaction(scope: .all, isolation: .repeatableRead) { connection in
                    (try HearthSettlement.Statements.all(period: month, on: connection), try HearthSettlement.Statements.netting(period: month, on: connection))
                }
            }
            let out = self.out.replacingOccurrences(of: "{period}", with: month.description)
            let folder = URL(fileURLWithPath: out)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for statement in statements {
                    try Data(HearthSettlement.Statements.csv(statement).utf8).write(to: folder.appendingPathComponent("\(statement.authority).csv"), options: .atomic)
                }
                try Data(HearthSettlement.Statements.csv(netting).utf8).write(to: folder.appendingPathComponent("netting.csv"), options: .atomic)
            } catch {
                throw SettlementError.invalidInput("cannot write to \(out): \((error as NSError).localizedDescription)")
            }
            let ratio = netting.nettingRatio.map { String(format: "%.4f", $0) } ?? "n/a"
            print(
                "wrote \(statements.count) statements and netting.csv for \(month) to \(out): gross \(ContributionTable.pounds(netting.grossPence)), "
                    + "moved after netting \(ContributionTable.pounds(netting.absoluteNetPence / 2)), netting ratio \(ratio)"
            )
        }
    }

    /// `hearth-settle contributions --lac FILE.csv --first-year YYYY`.
    struct Contributions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Book a year's membership contributions into the ledger (each member debited, the RCC credited).",
            discussion: "Idempotent per member and year: members already booked for the year are left alone. The table is the one `hearthctl contributions` prints."
        )

        @Option(help: "The financial year to book (default: the current one, Europe/London).") var year: Int?
        @OptionGroup var contribution: ContributionOptions
        @Flag(help: "Exit at once if a settlement run is in progress, instead of waiting for it.") var noWait = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            if let year, !(2000...2100).contains(year) { throw ValidationError("--year must be a year from 2000 to 2100 (got \(year))") }
        }

        func run() async throws {
            let rule = try contribution.rule()
            let counts = try contribution.counts()
            let financialYear = year ?? ContributionBooking.financialYear(of: CalendarDate.today())
            let (firstYear, wait) = (contribution.firstYear, !noWait)
            let summary = try await withDatabase(database, logging, program: "hearth-settle") { database in
                try await database.pool.withConnection { connection in
                    let names = try AuthorityRepository.namesByCode(on: connection)
                    let table = try ContributionTable(counts: counts, firstYear: firstYear, rule: rule, names: names)
                    return try ContributionBooking.book(table, financialYear: financialYear, wait: wait, on: connection)
                }
            }
            print(
                "contributions \(summary.financialYear) (year \(summary.yearIndex)): \(summary.booked) members booked "
                    + "(\(ContributionTable.pounds(summary.bookedPence))), \(summary.alreadyBooked) already booked"
            )
        }
    }
}
