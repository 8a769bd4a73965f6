import ArgumentParser
import Foundation
import HearthInsight
import HearthStore

/// `hearth-bench backtest-903`: the forecast's backtest on generated histories, seed by seed.
struct SyntheticBacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest-903",
        abstract: "Backtests the forecast on synthetic SSDA903 histories (the figures in Docs/insight-forecast.md).",
        discussion: "For each seed: generates the history (as synth-903 does), then runs what `hearthctl insight backtest` runs on it."
    )

    @Option(help: "Comma-separated seeds.")
    var seeds = "1,2,3"

    @Option(name: .customLong("from-year"), help: "First collection year.")
    var fromYear = 2018

    @Option(name: .customLong("to-year"), help: "Last collection year.")
    var toYear = 2024

    @Option(help: "Multiplies the number of children (1.0: about 11,500 looked after in the region).")
    var scale = 1.0

    @Option(help: "Comma-separated ONS codes (default: all 19 South East authorities).")
    var authorities: String?

    func run() throws {
        let list = seeds.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        guard !list.isEmpty else { throw ValidationError("--seeds must be integers separated by commas") }
        let codes = authorities.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        for seed in list {
            let generator: Synthetic903
            do {
                generator = try Synthetic903(.init(seed: seed, fromYear: fromYear, toYear: toYear, authorities: codes, scale: scale))
            } catch let error as Synthetic903.ConfigurationError {
                throw ValidationError(error.description)
            }
            let episodes = generator.history()
            let started = Date()
            let result = try Backtest(forecaster: Forecaster(episodes: episodes)).run()
            print("seed \(seed): \(episodes.count) episodes; cut-offs \(result.cutoffs.map(\.description).joined(separator: " ")); "
                + String(format: "%.1f s", Date().timeIntervalSince(started)))
            print("  group            MASE  last-value  seasonal-naive  coverage")
            for group in result.groups {
                print("  " + group.placementGroup.padding(toLength: 15, withPad: " ", startingAt: 0)
                    + String(format: "%6.2f  %10.2f  %14.2f  %7.1f %%", group.mase, group.maseLastValue, group.maseSeasonalNaive, group.coverage * 100))
            }
            print("  " + "mean".padding(toLength: 15, withPad: " ", startingAt: 0)
                + String(format: "%6.2f  %10.2f  %14.2f  %7.1f %%", result.meanMASE, result.meanMASELastValue, result.meanMASESeasonalNaive, result.coverage * 100))
        }
    }
}
