import ArgumentParser
import Foundation
import HearthCLI
import HearthCore
import HearthInsight
import HearthStore

/// `hearthctl insight …`: the region's sufficiency picture and its return to the NCC.
struct Insight: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insight",
        abstract: "Regional insight: sufficiency, the forecast and its backtest, and the NCC return (see Docs/insight.md).",
        subcommands: [Sufficiency.self, ForecastCommand.self, BacktestCommand.self, WhatIfCommand.self, NCCReturnCommand.self]
    )

    struct Sufficiency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sufficiency",
            abstract: "Supply, demand, unmet demand and why, distance from home and prices, for the whole region."
        )

        @Option(help: "The day the picture is for (YYYY-MM-DD; default today).") var asOf: String?
        @Option(help: "Group rows by setting, need or authority.") var by: SufficiencyDimension = .setting
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Print CSV.") var csv = false
        @Option(help: "Also write supply-and-demand.svg and distance.svg into this folder.") var svg: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            if json && csv { throw ValidationError("choose one of --json and --csv") }
            if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date, YYYY-MM-DD") }
        }

        func run() async throws {
            let day = asOf.flatMap(CalendarDate.init(iso:)) ?? CalendarDate.today()
            let input = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withTransaction(isolation: .repeatableRead) { connection in
                    try InsightStore.sufficiencyInput(asOf: day, on: connection)
                }
            }
            let report = SufficiencyReport(input, by: by, for: .region)
            if let svg {
                try InsightFiles.write(InsightSVG.supplyAndDemand(report), to: svg, named: "supply-and-demand.svg")
                try InsightFiles.write(InsightSVG.distanceDistribution(report), to: svg, named: "distance.svg")
            }
            if json {
                print(try JSONOutput.encode(report))
            } else if csv {
                print(report.csv, terminator: "")
            } else {
                print(Self.text(report))
            }
        }

        static func text(_ report: SufficiencyReport) -> String {
            var lines = ["Sufficiency as of \(report.asOf.iso), by \(report.by.rawValue)", ""]
            lines.append(Table.render(
                header: ["KEY", "OFFERS", "BEDS", "MEDIAN £/WK", "BIDS", "WAITING", "BIDS/MONTH", "LOOKED AFTER", "UNMET", "≤20MI EXCH %", "≤20MI RETURNS %", "OUTSIDE REGION"],
                rows: (report.rows + [report.total]).map { row in
                    [
                        row.key, String(row.supply.openOffers), String(row.supply.beds),
                        row.supply.weeklyRatePence.map { String(format: "%.2f", Double($0.median) / 100) } ?? "-",
                        row.demand.openBids.description, row.demand.childrenWaiting.description,
                        row.demand.bidsPerMonth.map { String(format: "%.1f", $0) } ?? "-", row.demand.lookedAfter.description,
                        row.unmet.bids.description, row.distance.exchangeWithin20MilesPct.map { String(format: "%.1f", $0) } ?? "-",
                        row.distance.returnsWithin20MilesPct.map { String(format: "%.1f", $0) } ?? "-", row.outsideRegion.placed.description,
                    ]
                }
            ))
            lines.append("")
            lines.append(report.unmetDemand.isEmpty ? "Unmet demand: none (every open bid has a compatible offer)." : "Unmet demand:")
            lines += report.unmetDemand.map { "  " + $0.message }
            return lines.joined(separator: "\n")
        }
    }

    struct NCCReturnCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ncc-return",
            abstract: "Write the region's quarterly return to the National Care Cooperative (aggregates, small numbers suppressed)."
        )

        @Option(help: "The calendar quarter, YYYY-QN (Q1 is January to March).") var quarter: String
        @Option(help: "The file to write.") var out: String
        @Flag(help: "Write CSV (section,key,measure,value) instead of JSON.") var csv = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard let quarter = Quarter(quarter) else { throw ValidationError("--quarter must be YYYY-QN, e.g. 2026-Q1") }
            if quarter.start > CalendarDate.today() { throw ValidationError("--quarter \(quarter) has not begun") }
        }

        func run() async throws {
            let quarter = Quarter(self.quarter)!
            let day = min(quarter.end, CalendarDate.today())
            let input = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withTransaction(isolation: .repeatableRead) { connection in
                    try InsightStore.sufficiencyInput(asOf: day, on: connection)
                }
            }
            let report = NCCReturn(quarter: quarter, input: input)
            let text = csv ? report.csv : try JSONOutput.encode(report) + "\n"
            do {
                try text.write(toFile: out, atomically: true, encoding: .utf8)
            } catch {
                throw CleanFailure("--out \(out): cannot write the file")
            }
            print("wrote the NCC return for \(quarter) (as of \(day.iso)) to \(out)")
        }
    }
}

extension SufficiencyDimension: ExpressibleByArgument {}

/// Writing report files.
enum InsightFiles {
    /// Writes `text` to `folder/name`, creating the folder.
    static func write(_ text: String, to folder: String, named name: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try text.write(toFile: (folder as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
        } catch {
            throw CleanFailure("--svg \(folder): cannot write \(name)")
        }
    }
}
