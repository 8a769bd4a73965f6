import ArgumentParser
import Foundation
import HearthCore

/// Benchmarks for Hearth's clearing solver.
@main
struct HearthBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth-bench",
        abstract: "Benchmarks for Hearth's clearing solver, and synthetic SSDA903 returns to benchmark the import with.",
        subcommands: [ClearingBenchmark.self, Synth903Command.self, SyntheticBacktestCommand.self]
    )
}

/// `hearth-bench clearing`: solves one generated South East instance with each worker count.
struct ClearingBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clearing",
        abstract: "Times a clearing round on a generated South-East-shaped instance.",
        discussion: """
        Prints the compatibility-build time, the round time for each worker count, the objective \
        and whether every worker count gave identical proposals (rounds that hit --budget are \
        exempt). Exits 1 if they differ. With \
        --write, saves the instance and the first run's result as a ClearingInstanceFile for \
        Tests/scripts/bench_compare.py.
        """
    )

    @Option(help: "Number of open bids.")
    var bids = 1_000

    @Option(help: "Number of open offers.")
    var offers = 1_000

    @Option(help: "Seed of the instance generator.")
    var seed: UInt64 = 1

    @Option(name: .customLong("groups-percent"), help: "Percentage of bids that are sibling groups of 2 or 3.")
    var groupsPercent = 0.0

    @Option(name: .customLong("preferences-percent"), help: "Percentage of bids whose child ranks 1 to 3 of its 8 nearest compatible offers.")
    var preferencesPercent = 0.0

    @Flag(name: .customLong("no-options"), help: "Skip options and ranked-choice outcomes (to time the solve alone).")
    var noOptions = false

    @Option(help: "Comma-separated worker counts to time, e.g. 1,2 (default: 1 and the core count).")
    var workers: String?

    @Option(help: "Search budget of each round in seconds (ClearingSolver.searchBudget).")
    var budget = 5.0

    @Option(name: .customLong("alternatives-floor"), help: "Least seconds each component may spend on options (ClearingSolver.alternativesFloor).")
    var alternativesFloor = 0.1

    @Option(help: "Write the instance and result as JSON to this file.")
    var write: String?

    func validate() throws {
        guard bids >= 0, offers >= 0 else { throw ValidationError("--bids and --offers must not be negative") }
        guard budget > 0 else { throw ValidationError("--budget must be positive") }
        guard alternativesFloor >= 0 else { throw ValidationError("--alternatives-floor must not be negative") }
        guard (0...100).contains(groupsPercent) else { throw ValidationError("--groups-percent must be 0 to 100") }
        guard (0...100).contains(preferencesPercent) else { throw ValidationError("--preferences-percent must be 0 to 100") }
        guard workerCounts != nil else { throw ValidationError("--workers must be positive integers separated by commas") }
    }

    /// The worker counts to time, or nil if `--workers` is malformed.
    private var workerCounts: [Int]? {
        guard let workers else {
            return Array(Set([1, ProcessInfo.processInfo.activeProcessorCount])).sorted()
        }
        let counts = workers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return counts.map { $0! }
    }

    func run() throws {
        let instance = SouthEastInstance.make(
            bids: bids, offers: offers, seed: seed, groupsPercent: groupsPercent, preferencesPercent: preferencesPercent
        )
        let children = instance.bids.reduce(0) { $0 + $1.groupSize }
        let groups = instance.bids.filter { $0.groupSize > 1 }.count
        let beds = instance.offers.reduce(0) { $0 + $1.freeBeds }
        let ranked = instance.bids.filter { !($0.ranking ?? []).isEmpty }.count
        print("instance: \(bids) bids (\(children) children, \(groups) sibling groups, \(ranked) with a ranking), \(offers) offers "
            + "(\(beds) free beds), seed \(seed)")

        var results: [(workers: Int, result: ClearingResult)] = []
        for count in workerCounts ?? [] {
            let result = try ClearingSolver(
                workerCount: count, searchBudget: .milliseconds(Int64(budget * 1000)), evaluatesAlternatives: !noOptions,
                alternativesFloor: .milliseconds(Int64(alternativesFloor * 1000))
            ).solve(instance)
            let summary = result.summary
            if results.isEmpty {
                print("compatibility: \(summary.compatiblePairCount) compatible pairs, \(summary.componentCount) components")
            }
            var proof = "proven optimal"
            if let gap = summary.optimalityGap {
                proof = "NOT proven (budget hit); gap E/U/P \(gap.emergencyChildren)/\(gap.urgentChildren)/\(gap.plannedChildren) children, "
                    + "choices \(gap.childrenByChoice.map(String.init).joined(separator: "/")), \(gap.distanceMetres) m"
            }
            print(String(
                format: "workers %d: round %.3f s (compatibility %.3f s, solve %.3f s); %@",
                count, summary.solveSeconds, summary.compatibilitySeconds, summary.solveSeconds - summary.compatibilitySeconds, proof
            ))
            results.append((count, result))
        }
        guard let first = results.first?.result else { return }
        let summary = first.summary
        let placed = summary.emergencyChildrenPlaced + summary.urgentChildrenPlaced + summary.plannedChildrenPlaced
        print("objective: children placed emergency \(summary.emergencyChildrenPlaced), urgent \(summary.urgentChildrenPlaced), "
            + "planned \(summary.plannedChildrenPlaced) (\(placed) of \(children)); total distance \(summary.totalDistanceMetres) m; "
            + "total weekly cost \(summary.totalWeeklyCostPence) p")
        let choices = summary.childrenByChoice.enumerated().map { "\($0.offset + 1): \($0.element)" }.joined(separator: ", ")
        print("preferences: \(summary.rankedChildren) children with a ranking; placed in choice \(choices)")
        let options = first.alternatives.reduce(0) { $0 + $1.options.count }
        let evaluated = first.alternatives.reduce(0) { $0 + $1.options.filter { $0.effect.kind != .notEvaluated }.count }
        print("options: \(options) for \(first.proposals.count) proposals (\(evaluated) with their effect evaluated)")
        // A round that hit its budget may legitimately differ between runs.
        let identical = results.allSatisfy { $0.result.proposals == first.proposals || !$0.result.summary.provenOptimal || !summary.provenOptimal }
        print("identical results across worker counts \(results.map(\.workers)): \(identical ? "yes" : "NO")")
        if let write {
            try ClearingInstanceFile(instance: instance, result: first).encoded().write(to: URL(fileURLWithPath: write))
            print("wrote \(write)")
        }
        if !identical { throw ExitCode(1) }
    }
}
