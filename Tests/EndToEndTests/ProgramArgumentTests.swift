import Foundation
import HearthTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Values as people type them, and one clear line for a bad one, through the real programs.
@Suite("program arguments", .enabled(if: TestDatabase.isRequired))
struct ProgramArgumentTests {
    /// What `authority list --json` says of one member's centre.
    private func centre(of code: String, environment: [String: String]) async throws -> (lat: Double, lon: Double)? {
        let listed = try await ChildProcess.run("hearthctl", ["authority", "list", "--json"], environment: environment)
        let members = (try? JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8))) as? [[String: Any]] ?? []
        guard let member = members.first(where: { $0["code"] as? String == code }),
            let lat = member["lat"] as? Double, let lon = member["lon"] as? Double
        else { return nil }
        return (lat, lon)
    }

    @Test("a negative longitude works after the flag and after =, and a negative latitude is refused for its value")
    func negativeCoordinates() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let environment = ["HEARTH_DATABASE_URL": url]
            #expect(try await ChildProcess.run("hearthctl", ["migrate"], environment: environment).status == 0)

            let spaced = try await ChildProcess.run(
                "hearthctl", ["authority", "add", "--code", "E06000036", "--name", "Bracknell Forest", "--lat", "51.41", "--lon", "-0.75"],
                environment: environment
            )
            #expect(spaced.status == 0, "\(spaced.output)")
            #expect(try await centre(of: "E06000036", environment: environment).map { [$0.lat, $0.lon] } == [51.41, -0.75])

            let joined = try await ChildProcess.run(
                "hearthctl", ["authority", "add", "--code", "E06000037", "--name", "West Berkshire", "--lat=51.40", "--lon=-1.32"],
                environment: environment
            )
            #expect(joined.status == 0, "\(joined.output)")
            #expect(try await centre(of: "E06000037", environment: environment).map { [$0.lat, $0.lon] } == [51.4, -1.32])

            let pointFirst = try await ChildProcess.run(
                "hearthctl", ["authority", "add", "--lon", "-.5", "--code", "E06000038", "--name", "Reading", "--lat", "51.45"],
                environment: environment
            )
            #expect(pointFirst.status == 0, "\(pointFirst.output)")
            #expect(try await centre(of: "E06000038", environment: environment).map { [$0.lat, $0.lon] } == [51.45, -0.5])

            let south = try await ChildProcess.run(
                "hearthctl", ["authority", "add", "--code", "E06000039", "--name", "Slough", "--lat", "-51.5", "--lon", "-0.59"],
                environment: environment
            )
            #expect(south.status == 64)
            #expect(south.output.contains("lat: must be within the UK (49 to 61)"), "\(south.output)")
            #expect(try await centre(of: "E06000039", environment: environment) == nil)
        }
    }

    @Test(
        "a negative number after any numeric option is read as its value and refused with that option's range",
        arguments: [
            (["hearthd", "--port", "-1"], "--port must be a whole number from 1 to 65535"),
            (["hearthd", "--workers", "-2"], "--workers must be a whole number"),
            (["hearthd", "--search-budget", "-10"], "--search-budget must be a whole number"),
            (["hearthd", "--pool-size", "-5"], "--pool-size must be a whole number from 1 to 100"),
            (["hearthctl", "demo", "seed", "--offers", "-1"], "--offers and --bids must be from 0 to 5000"),
            (["hearthctl", "demo", "seed", "--bids=-1"], "--offers and --bids must be from 0 to 5000"),
            (["hearthctl", "round", "run", "--workers", "-1"], "--workers must be a whole number"),
            (["hearthctl", "contributions", "--lac", "x.csv", "--first-year", "-2025"], "--first-year must be a year"),
            (["hearth-settle", "run", "--batch-nights", "-7"], "--batch-nights must be from 7 to 3660"),
            (["hearth-settle", "contributions", "--year", "-2025", "--lac", "x.csv", "--first-year", "2025"], "--year must be a year from 2000 to 2100"),
            (["hearth-settle", "run", "--batch-placements", "-1"], "--batch-placements must be from 1 to 1000000"),
            (["hearth-settle", "bench", "--placements", "-1", "--server-url", "postgresql://x@127.0.0.1/x"], "--placements must be from 1"),
        ]
    )
    func negativeNumbersReachValidation(command: [String], message: String) async throws {
        let outcome = try await ChildProcess.run(command[0], Array(command.dropFirst()))
        #expect(outcome.status == 64, "\(outcome.output)")
        #expect(outcome.output.contains(message), "\(outcome.output)")
        #expect(!outcome.output.contains("Missing value"), "\(outcome.output)")
    }

    @Test(
        "a bad pool size or public address is one clear line and exit 64",
        arguments: [
            (["--pool-size", "0"], [String: String](), "--pool-size must be a whole number from 1 to 100 (got \"0\")"),
            (["--pool-size", "ten"], [:], "--pool-size must be a whole number from 1 to 100"),
            ([], ["HEARTH_POOL_SIZE": "101"], "HEARTH_POOL_SIZE must be a whole number from 1 to 100 (got \"101\")"),
            (["--public-url", "ftp://hearth.example.org"], [:], "--public-url must be an http:// or https:// address"),
            (["--public-url", "hearth.example.org"], [:], "--public-url must be an http:// or https:// address"),
            ([], ["HEARTH_PUBLIC_URL": "https://"], "HEARTH_PUBLIC_URL must be an http:// or https:// address"),
        ]
    )
    func badDaemonSettings(arguments: [String], environment: [String: String], message: String) async throws {
        let outcome = try await ChildProcess.run("hearthd", arguments, environment: environment)
        #expect(outcome.status == 64, "\(outcome.output)")
        #expect(outcome.output.contains(message), "\(outcome.output)")
        #expect(!outcome.output.contains("Fatal error"), "\(outcome.output)")
    }

    @Test("hearthd's pool has the size given by --pool-size, else HEARTH_POOL_SIZE, else 10")
    func poolSize() async throws {
        try await TestDatabase.withFreshDatabase { url in
            #expect(try await ChildProcess.run("hearthctl", ["migrate", "--database-url", url]).status == 0)
            for (arguments, environment, expected) in [
                (["--pool-size", "3"], ["HEARTH_POOL_SIZE": "7"], 3), ([], ["HEARTH_POOL_SIZE": "7"], 7), ([], [:], 10),
                (["--pool-size", "1"], [:], 1),
            ] {
                let port = try freeLocalPort()
                let daemon = try ChildProcess(
                    "hearthd", ["--port", String(port)] + arguments, environment: environment.merging(["HEARTH_DATABASE_URL": url]) { $1 }
                )
                #expect(try await HTTP.waitFor("http://127.0.0.1:\(port)/ready", timeout: HTTP.startupTimeout), "\(daemon.output)")
                let metrics = try await HTTP.send("GET", "http://127.0.0.1:\(port)/metrics")
                let line = metrics.body.split(separator: "\n").first { $0.hasPrefix("hearth_pool_connections ") }
                #expect(line.flatMap { Double($0.split(separator: " ")[1]) } == Double(expected), "\(arguments) \(environment): \(line ?? "no gauge")")
                daemon.send(SIGTERM)
                #expect(try await daemon.waitForExit(timeout: 10) == 0)
            }
        }
    }
}
