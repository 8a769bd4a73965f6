import ArgumentParser
import Foundation
import HearthInsight
import HearthStore

/// `hearth-bench synth-903`: writes a synthetic multi-year South East history as SSDA903 returns.
struct Synth903Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-903",
        abstract: "Writes a synthetic South East history as SSDA903 returns, one set of files per authority per year.",
        discussion: """
        For each authority and collection year writes CODE_YEAR_episodes.csv, CODE_YEAR_header.csv and \
        CODE_YEAR_uasc.csv (year 2024 is the 2023/24 return: 1 April 2023 to 31 March 2024). The same \
        seed gives the same files. Docs/insight-forecast.md lists the generator's assumptions.
        """
    )

    @Option(help: "Folder to write the returns to (created if missing).")
    var out: String

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 1

    @Option(name: .customLong("from-year"), help: "First collection year.")
    var fromYear = 2018

    @Option(name: .customLong("to-year"), help: "Last collection year.")
    var toYear = 2024

    @Option(help: "Comma-separated ONS codes (default: all 19 South East authorities).")
    var authorities: String?

    @Option(help: "Multiplies the number of children (1.0: about 11,500 looked after in the region).")
    var scale = 1.0

    func run() throws {
        let codes = authorities.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let generator: Synthetic903
        do {
            generator = try Synthetic903(.init(seed: seed, fromYear: fromYear, toYear: toYear, authorities: codes, scale: scale))
        } catch let error as Synthetic903.ConfigurationError {
            throw ValidationError(error.description)
        }
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var episodes = 0
        var files = 0
        for item in generator.returns() {
            for (table, text) in [("episodes", item.episodes), ("header", item.header), ("uasc", item.uasc)] {
                try Data(text.utf8).write(to: folder.appendingPathComponent("\(item.authority)_\(item.year)_\(table).csv"))
                files += 1
            }
            episodes += item.episodeCount
        }
        print("wrote \(files) files to \(out): \(episodes) episode rows, seed \(seed), \(fromYear)–\(toYear)")
    }
}
