import ArgumentParser
import HearthCLI
import HearthClearing
import HearthStore

/// `hearthctl round run`.
struct RoundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "round",
        abstract: "Clearing rounds.",
        subcommands: [Run.self]
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one clearing round now, even while clearing is paused (the operator's explicit act), and print its summary.",
            discussion: "Runs in this process; if a daemon is running a round, waits for it to finish first (one round at a time region-wide)."
        )

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var clearing: ClearingOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let workers = try clearing.resolvedWorkers()
            let budget = try clearing.resolvedSearchBudget(defaultSeconds: 60)
            let lifetime = try clearing.resolvedProposalTTL()
            let summary = try await withDatabase(database, logging, program: "hearthctl") { database in
                let runner = RoundRunner(database: database, workers: workers, searchBudget: budget, proposalLifetimeSeconds: lifetime, logger: database.logger)
                do {
                    let summary = try await runner.run(trigger: .operator, wait: true)
                    await runner.close()
                    return summary
                } catch {
                    await runner.close()
                    throw error
                }
            }
            guard let summary else { throw ValidationError("no round ran") }
            if json {
                print(try JSONOutput.encode(summary))
                return
            }
            print("""
                round \(summary.id): \(summary.bidsConsidered) bids and \(summary.offersConsidered) offers considered, \(summary.compatiblePairs) compatible pairs
                proposals: \(summary.proposals)
                children placed: \(summary.childrenPlaced.emergency) emergency, \(summary.childrenPlaced.urgent) urgent, \(summary.childrenPlaced.planned) planned
                children with a ranking: \(summary.preferences.rankedChildren); placed in their choice \(summary.preferences.placedByChoice.enumerated().map { "\($0.offset + 1): \($0.element)" }.joined(separator: ", "))
                total distance: \(String(format: "%.1f", summary.totalDistanceKm)) km; total weekly cost: £\(String(format: "%.2f", Double(summary.totalWeeklyPence) / 100))
                solver time: \(String(format: "%.1f", summary.solverMs)) ms\(summary.provenOptimal ? "" : " (search budget reached: best found, not proven optimal)")
                """)
        }
    }
}
