import Foundation
import Testing
@testable import HearthCore

/// The Python that `Deploy/test` prepared with scipy (`HEARTH_PYTHON`). Under `CI=true` a
/// missing one fails the test instead of skipping it.
private var crossCheckPython: String? {
    let environment = ProcessInfo.processInfo.environment
    if let python = environment["HEARTH_PYTHON"], !python.isEmpty { return python }
    return environment["CI"] == "true" ? "python3" : nil
}

@Suite("solver against scipy")
struct ScipyCrossCheckTests {
    @Test(
        "on larger single-child instances the solver matches scipy's linear_sum_assignment optimum",
        .enabled(if: crossCheckPython != nil)
    )
    func matchesScipy() throws {
        try crossCheck((UInt64(1)...6).map { randomInstance(seed: 9_000 + $0, maxBids: 160, maxOffers: 90, groups: false) })
    }

    @Test(
        "with rankings and sibling groups the solver matches scipy's integer programs, level by level",
        .enabled(if: crossCheckPython != nil)
    )
    func matchesScipyWithPreferences() throws {
        try crossCheck((UInt64(1)...6).map { seed in
            withRankings(randomInstance(seed: 9_100 + seed, maxBids: 60, maxOffers: 30, groupOneIn: 4), seed: seed)
        })
    }

    /// Solves each instance, writes it with its result, and runs the scipy check on them all.
    private func crossCheck(_ instances: [ClearingInstance]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-scipy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [String] = []
        for (index, instance) in instances.enumerated() {
            let result = try ClearingSolver(workerCount: 2).solve(instance)
            #expect(result.summary.provenOptimal)
            let file = folder.appendingPathComponent("instance-\(index).json")
            try ClearingInstanceFile(instance: instance, result: result).encoded().write(to: file)
            files.append(file.path)
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/check_solver_scipy.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [try #require(crossCheckPython), script] + files
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(printed)")
    }
}
