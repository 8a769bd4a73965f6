import ArgumentParser
import Foundation
import HearthCLI
import HearthCore
import HearthInsight
import HearthStore

extension ForecastBreakdown: ExpressibleByArgument {}

extension Insight {
    /// `hearthctl insight forecast`: children looked after at each month end, with 90 % intervals.
    struct ForecastCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "forecast",
            abstract: "Forecast children looked after at each month end by placement group, with a 90 % interval.",
            discussion: """
            Reads the imported SSDA903 history (hearthctl import ssda903). CSV header: \
            month,placement_group,forecast,lower,upper (plus authority or need with --by). \
            The method and its backtest are in Docs/insight-forecast.md.
            """
        )

        @Option(help: "Start from the last month end on or before this day (YYYY-MM-DD; default: the history's last month end).")
        var asOf: String?
        @Option(help: "Month ends to forecast (1 to 36).") var months = 12
        @Option(help: "Break the forecast down: region, authority or need.") var by: ForecastBreakdown = .region
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Print CSV.") var csv = false
        @Option(help: "Also write one fan chart (SVG) per series into this folder.") var svg: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            if json && csv { throw ValidationError("choose one of --json and --csv") }
            if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date, YYYY-MM-DD") }
            guard (1...Forecaster.maximumMonths).contains(months) else {
                throw ValidationError("--months must be a whole number from 1 to \(Forecaster.maximumMonths)")
            }
        }

        func run() async throws {
            let episodes = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withConnection { try EpisodeStore.episodes(authority: nil, on: $0) }
            }
            let result: ForecastResult
            do {
                result = try Forecaster(episodes: episodes).forecast(asOf: asOf.flatMap(CalendarDate.init(iso:)), months: months, by: by)
            } catch let error as ForecastError {
                throw CleanFailure(error.description)
            }
            if let svg {
                for (key, history) in result.history.sorted(by: { $0.key < $1.key }) {
                    let points = result.points.filter { $0.placementGroup == key.groupName && $0.segment == (key.breakdown == .region ? nil : key.segment) }
                    let name = (key.segment.isEmpty ? "" : "\(key.segment)-") + key.groupName
                    let title = "Children looked after: \(key.groupName)" + (key.segment.isEmpty ? ", region" : ", \(key.segment)")
                    try InsightFiles.write(FanChart.svg(title: title, history: history, forecast: points), to: svg, named: "forecast-\(name).svg")
                }
            }
            let report = ForecastReport(result, months: months, for: .region)
            if json {
                print(try JSONOutput.encode(report))
            } else if csv {
                print(report.csv, terminator: "")
            } else {
                print("Forecast of children looked after from \(report.asOf), by \(report.by) (90 % interval)\n")
                let segment = by == .region ? [] : [by == .authority ? "AUTHORITY" : "NEED"]
                print(Table.render(
                    header: segment + ["MONTH", "GROUP", "FORECAST", "LOWER", "UPPER"],
                    rows: report.rows.map { row in
                        (row.authority ?? row.need).map { [$0] } ?? []
                            + [row.month, row.placementGroup] + [row.forecast, row.lower, row.upper].map { String(format: "%.1f", $0 ?? 0) }
                    }))
            }
        }
    }

    /// `hearthctl insight backtest`: the forecast's own error on the imported history.
    struct BacktestCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backtest",
            abstract: "Score 12-month forecasts from earlier cut-offs against what happened, beside last-value and seasonal-naive forecasts.",
            discussion: "Per placement group, for the region: MASE of each method and the 90 % interval's coverage (Docs/insight-forecast.md)."
        )

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let episodes = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withConnection { try EpisodeStore.episodes(authority: nil, on: $0) }
            }
            guard !episodes.isEmpty else { throw CleanFailure("no SSDA903 episodes imported: nothing to backtest") }
            let result: Backtest.Result
            do {
                result = try Backtest(forecaster: Forecaster(episodes: episodes)).run()
            } catch let error as ForecastError {
                throw CleanFailure(error.description)
            }
            print(json ? try JSONOutput.encode(result) : result.text)
        }
    }
}

extension Insight {
    /// `hearthctl insight what-if`: the last months' bids cleared again with extra capacity.
    struct WhatIfCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "what-if",
            abstract: "Clear the last months' bids again with the real solver, with extra capacity added, and rank where one more bed helps most.",
            discussion: """
            --add "setting=S,needs=N+M,capacity=K,postcode=D" (repeatable): S is foster, childrens_home, \
            secure_childrens_home or supported_accommodation; needs are need codes joined by +; D a postcode \
            district (or a full postcode). Definitions in Docs/insight-forecast.md.
            """
        )

        @Option(name: .customLong("add"), help: "Extra capacity: setting=S,needs=N+M,capacity=K,postcode=D (repeatable).")
        var additions: [String] = []
        @Option(help: "Months of bids to clear again, ending today (1 to 36).") var months = 12
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard (1...36).contains(months) else { throw ValidationError("--months must be a whole number from 1 to 36") }
        }

        func run() async throws {
            let postcodes = try PostcodeDistricts.load()
            let parsed: [WhatIfAddition]
            do {
                parsed = try additions.map { text in
                    try WhatIfAddition.parse(text) { value in
                        let district = PostcodeDistricts.district(ofPostcode: value) ?? PostcodeDistricts.normalisedDistrict(value)
                        return district.flatMap { postcodes.location(of: $0) == nil ? nil : $0 }
                    }
                }
            } catch let error as WhatIfError {
                throw CleanFailure(error.description)
            }
            let to = CalendarDate.today()
            let start = Month(to).adding(-months)
            let from = CalendarDate(year: start.year, month: start.month, day: min(to.day, start.lastDay.day))!
            let (bids, offers, declined) = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withTransaction(isolation: .repeatableRead) { connection in
                    let bids = try WhatIfQueries.bids(from: from, to: to, on: connection)
                    return (bids, try WhatIfQueries.offers(from: from, to: to, on: connection),
                            try WhatIfQueries.declined(bids: bids.map(\.id), on: connection))
                }
            }
            let result: WhatIf.Result
            do {
                result = try WhatIf(bids: bids, offers: offers, declined: declined, from: from, to: to, districts: postcodes.whatIfDistricts)
                    .run(adding: parsed)
            } catch let error as WhatIfError {
                throw CleanFailure(error.description)
            }
            if json {
                print(try JSONOutput.encode(result))
                return
            }
            print("What-if: \(result.bids) bids (\(result.children) children) made \(from.iso) to \(to.iso), cleared again against \(result.offers) offers")
            for addition in parsed {
                let needs = addition.needs.map { (need: Need) in need.rawValue }.sorted().joined(separator: "+")
                print("adding \(addition.capacity) \(addition.setting.rawValue) bed(s) in \(addition.district)" + (needs.isEmpty ? "" : " (\(needs))"))
            }
            print("")
            print(Table.render(header: ["", "BEFORE", "AFTER"], rows: Self.outcomeRows(result)))
            print("")
            if result.ranking.isEmpty {
                print("One more bed: every child was placed; nothing to rank.")
            } else {
                print("Where one more bed would help most (districts with most unplaced children):")
                var rows: [[String]] = []
                for candidate in result.ranking {
                    rows.append([
                        candidate.district, candidate.setting.rawValue, String(candidate.extraChildrenPlaced),
                        String(candidate.extraWithin20Miles), String(format: "%+.2f", candidate.meanDistanceChangeKm),
                    ])
                }
                print(Table.render(header: ["DISTRICT", "SETTING", "EXTRA PLACED", "EXTRA ≤20 MI", "MEAN KM CHANGE"], rows: rows))
            }
        }

        static func outcomeRows(_ result: WhatIf.Result) -> [[String]] {
            let before = result.before
            let after = result.after
            return [
                ["children placed", String(before.childrenPlaced), String(after.childrenPlaced)],
                ["placed within 20 miles", String(before.placedWithin20Miles), String(after.placedWithin20Miles)],
                ["mean distance (km)", String(format: "%.2f", before.meanDistanceKm), String(format: "%.2f", after.meanDistanceKm)],
                ["weekly cost (£)", String(format: "%.2f", Double(before.weeklyCostPence) / 100), String(format: "%.2f", Double(after.weeklyCostPence) / 100)],
            ]
        }
    }
}
