import ArgumentParser
import Foundation
import HearthCLI
import HearthSettlement

extension HearthSettle {
    /// `hearth-settle bench --server-url URL`: settlement against the raw `INSERT … SELECT`.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time a settlement run against the raw INSERT … SELECT of the same rows, on scratch databases.",
            discussion: """
                Creates (and drops) scratch databases on the server: books one night for --placements placements and a \
                year of nights for --year-placements placements, each both ways, and prints the times and their ratio. \
                Needs a user that may create databases. Figures: Docs/settlement.md.
                """
        )

        @Option(help: "A PostgreSQL URL whose user may create databases (env HEARTH_TEST_DATABASE_URL).") var serverURL: String?
        @Option(help: "Placements booked for one night.") var placements = 100_000
        @Option(help: "Placements booked for a year (365 nights).") var yearPlacements = 10_000
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard (1...1_000_000).contains(placements), (0...1_000_000).contains(yearPlacements) else {
                throw ValidationError("--placements must be from 1 to 1000000 and --year-placements from 0 to 1000000")
            }
            guard resolvedServerURL != nil else {
                throw ValidationError("give --server-url (or HEARTH_TEST_DATABASE_URL): a server on which scratch databases may be created")
            }
        }

        var resolvedServerURL: String? {
            serverURL ?? ProcessInfo.processInfo.environment["HEARTH_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        }

        func run() async throws {
            let logger = HearthLogging.bootstrap(label: "hearth-settle", level: try logging.resolvedLevel())
            let bench = SettlementBenchmark(serverURL: resolvedServerURL!, logger: logger)
            var results: [SettlementBenchmark.Result] = []
            results.append(try await bench.measure(placements: placements, nights: 1))
            if yearPlacements > 0 {
                results.append(try await bench.measure(placements: yearPlacements, nights: 365))
            }
            if json {
                print(try JSONOutput.encode(results))
                return
            }
            print("scenario                            nights     settle s   raw INSERT…SELECT s   ratio")
            for result in results {
                print(
                    result.scenario.padding(toLength: 34, withPad: " ", startingAt: 0) + "  "
                        + String(result.nights).padding(toLength: 9, withPad: " ", startingAt: 0) + "  "
                        + String(format: "%8.2f", result.settleSeconds) + "   " + String(format: "%19.2f", result.rawSeconds) + "   "
                        + String(format: "%.2f×", result.ratio)
                )
            }
        }
    }
}
