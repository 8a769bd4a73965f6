import ArgumentParser
import Foundation
import HearthCLI
import HearthStore

extension KeyRole: ExpressibleByArgument {}

/// `hearthctl key issue|list|revoke`.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Issue, list and revoke API keys.",
        subcommands: [Issue.self, List.self, Revoke.self]
    )

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a key. The key is printed once, alone on the last line; only its hash is stored."
        )

        @Option(help: "The authority's ONS code.") var authority: String
        @Option(help: "placement, scrutiny, finance or operator.") var role: KeyRole
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let (authority, role) = (self.authority, self.role)
            let issued = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withTransaction { connection in
                    try APIKeyRepository.issue(authority: authority, role: role, actor: .operatorCLI, on: connection)
                }
            }
            print("issued \(issued.record.role.rawValue) key \(issued.record.prefix) for \(issued.record.authority); it is shown once:")
            print(issued.secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (prefixes only, never secrets).")

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let keys = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withConnection { try APIKeyRepository.all(on: $0) }
            }
            if json {
                struct Listed: Encodable {
                    let prefix: String
                    let authority: String
                    let role: String
                    let createdAt: Date
                    let revokedAt: Date?
                }
                print(try JSONOutput.encode(keys.map { Listed(prefix: $0.prefix, authority: $0.authority, role: $0.role.rawValue, createdAt: $0.createdAt, revokedAt: $0.revokedAt) }))
                return
            }
            let formatter = ISO8601DateFormatter()
            print(Table.render(
                header: ["PREFIX", "AUTHORITY", "ROLE", "CREATED", "REVOKED"],
                rows: keys.map { [$0.prefix, $0.authority, $0.role.rawValue, formatter.string(from: $0.createdAt), $0.revokedAt.map(formatter.string(from:)) ?? "-"] }
            ))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its prefix; it stops working at once.")

        @Argument(help: "The key's prefix as shown by `key list` (hk_ and 12 hex digits), or the whole key.")
        var prefix: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard prefix.range(of: "^hk_[0-9a-f]{12}", options: .regularExpression) != nil else {
                throw ValidationError("a key prefix looks like hk_0123456789ab")
            }
        }

        func run() async throws {
            let prefix = String(self.prefix.prefix(15))
            let revoked = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withTransaction { connection in
                    try APIKeyRepository.revoke(prefix: prefix, actor: .operatorCLI, on: connection)
                }
            }
            print("revoked \(revoked.role.rawValue) key \(revoked.prefix) of \(revoked.authority)")
        }
    }
}
