import ArgumentParser
import HearthCLI
import HearthStore

/// `hearthctl authority add|list`.
struct AuthorityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authority",
        abstract: "Manage the member authorities.",
        subcommands: [Add.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a member authority.")

        @Option(help: "ONS code, e.g. E10000016.") var code: String
        @Option(help: "Name, e.g. Kent.") var name: String
        @Option(help: "Latitude of its centre (rounded to 2 decimal places).") var lat: Double
        @Option(help: "Longitude of its centre (rounded to 2 decimal places).") var lon: Double
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        var authority: Authority { Authority(code: code, name: name, lat: lat, lon: lon) }

        func validate() throws {
            if let problem = authority.problems.first { throw ValidationError(problem.description) }
        }

        func run() async throws {
            let authority = self.authority
            try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withTransaction { connection in
                    try AuthorityRepository.add(authority, actor: .operatorCLI, on: connection)
                }
            }
            print("added \(authority.code) \(authority.name)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the member authorities.")

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let authorities = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withConnection { try AuthorityRepository.all(on: $0) }
            }
            if json {
                print(try JSONOutput.encode(authorities))
                return
            }
            print(Table.render(
                header: ["CODE", "NAME", "LAT", "LON", "ACTIVE"],
                rows: authorities.map { [$0.code, $0.name, String(format: "%.2f", $0.lat), String(format: "%.2f", $0.lon), $0.active ? "yes" : "no"] }
            ))
        }
    }
}
