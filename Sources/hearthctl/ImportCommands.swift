import ArgumentParser
import Crypto
import Foundation
import HearthCLI
import HearthInsight
import HearthStore
import LibPQ

/// `hearthctl import ssda903`.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import statutory returns.",
        subcommands: [SSDA903.self]
    )

    struct SSDA903: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ssda903",
            abstract: "Import one authority's SSDA903 return (children looked after), minimised.",
            discussion: """
                Tables are CSV with the DfE's column names and dd/mm/YYYY dates. Any invalid row is printed as \
                `row N: COLUMN: message (DfE rule R)` (N is the spreadsheet row: the column line is row 1), \
                the command exits 1 and nothing is stored. Returns of successive years merge per child and \
                episode start, the later return winning; importing the same return again changes nothing. \
                See Docs/insight.md.
                """
        )

        @Option(help: "ONS code of the member whose return it is.") var authority: String
        @Option(help: "The episodes table (CSV).") var episodes: String
        @Option(help: "The header table (CSV): sex and date of birth (only its month and year are kept).") var header: String?
        @Option(help: "The UASC table (CSV).") var uasc: String?
        @Option(help: "The collection year (2024 for 2023/24); default: the year whose 31 March follows the latest date.") var year: Int?
        @Flag(help: "Validate and report what would change; store nothing.") var dryRun = false
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            if authority.range(of: "^[EWSN][0-9]{8}$", options: .regularExpression) == nil {
                throw ValidationError("--authority must be an ONS code such as E10000016")
            }
            if let year, !(1992...2100).contains(year) { throw ValidationError("--year must be a collection year such as 2024") }
        }

        func run() async throws {
            let episodeText = try Self.read(episodes, "--episodes")
            let headerText = try header.map { try Self.read($0, "--header") }
            let uascText = try uasc.map { try Self.read($0, "--uasc") }
            let parsed: SSDA903Return
            do {
                parsed = try SSDA903Return(episodes: episodeText, header: headerText, uasc: uascText, collectionYear: year)
            } catch let invalid as SSDA903Invalid {
                if json {
                    print(try JSONOutput.encode(Refusal(authority: authority, problems: invalid.problems)))
                } else {
                    for problem in invalid.problems { print(problem.description) }
                }
                FileHandle.standardError.write(Data("Error: the return has \(invalid.problems.count) problem(s); nothing was stored\n".utf8))
                throw ExitCode.failure
            }
            var digest = SHA256()
            for text in [episodeText, headerText ?? "", uascText ?? ""] { digest.update(data: Data(SHA256.hash(data: Data(text.utf8)))) }
            let sha = digest.finalize().lowercaseHex
            let districts = try PostcodeDistricts.load()
            let authority = self.authority
            let dryRun = self.dryRun
            let summary = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withTransaction { connection in
                    try SSDA903Import.store(parsed, authority: authority, fileSHA256: sha, districts: districts, dryRun: dryRun, on: connection)
                }
            }
            if json {
                print(try JSONOutput.encode(summary))
                return
            }
            let verb = dryRun ? "would import" : "imported"
            print("\(verb) \(summary.episodes) episodes of \(summary.authority)'s \(summary.returnYear - 1)/\(String(summary.returnYear).suffix(2)) return (collection year \(summary.returnYear))")
            print("inserted \(summary.inserted), updated \(summary.updated), replaced \(summary.replaced), unchanged \(summary.unchanged), superseded by a later return \(summary.superseded); \(summary.withDistance) with a distance")
            if summary.changedNothing { print("no change") }
        }

        private struct Refusal: Encodable {
            let authority: String
            let stored = false
            let problems: [SSDA903Problem]
        }

        private static func read(_ path: String, _ flag: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CleanFailure("\(flag) \(path): cannot read the file")
            }
            guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .windowsCP1252) else {
                throw CleanFailure("\(flag) \(path): not a text file")
            }
            return text
        }
    }
}

/// A failure reported to the user as one line.
struct CleanFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
