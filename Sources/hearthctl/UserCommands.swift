import ArgumentParser
import Foundation
import HearthCLI
import HearthStore
import HummingbirdBcrypt

/// `hearthctl user add|list|disable`: the people who sign in to the web app.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list and disable the people who sign in to the web app.",
        subcommands: [Add.self, List.self, Disable.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a person with one role at one authority.",
            discussion: "With --password-stdin the password is read from standard input (one line). Without it, a one-time set-up link, valid 72 hours, is printed alone on the last line: <public-url>/setup/<token>."
        )

        @Option(help: "The person's email address (their sign-in name; unique, any case).") var email: String
        @Option(help: "The authority's ONS code.") var authority: String
        @Option(help: "placement, scrutiny, finance or operator.") var role: KeyRole
        @Option(help: "The person's name as pages show it (default: the part of the email before @).") var name: String?
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordStdin = false
        @OptionGroup var server: ServerOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard UserRepository.isPlausibleEmail(email.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--email must be an email address such as jo.bloggs@kent.gov.uk (got \"\(email)\")")
            }
            if let name, name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 200 {
                throw ValidationError("--name must be 1 to 200 characters")
            }
        }

        func run() async throws {
            let publicURL = try server.resolved().publicURL
            var hash: String?
            if passwordStdin {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                    throw ValidationError("--password-stdin: standard input held no password")
                }
                guard line.count >= 10, line.utf8.count <= 72 else {
                    throw ValidationError("the password must be at least 10 characters and at most 72 bytes")
                }
                hash = Bcrypt.hash(line, cost: 12)
            }
            let (email, authority, role, passwordHash) = (self.email, self.authority, self.role, hash)
            let name = self.name ?? String(email.split(separator: "@").first ?? "")
            let added = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withTransaction { connection in
                    try UserRepository.add(
                        email: email, name: name, authority: authority, role: role, passwordHash: passwordHash, actor: .operatorCLI, on: connection
                    )
                }
            }
            print("added \(added.user.role.rawValue) \(added.user.email) for \(added.user.authority)")
            if let token = added.setupToken {
                print("send them this one-time set-up link (valid 72 hours):")
                print("\(publicURL)/setup/\(token)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List people (never their passwords).")

        @Flag(help: "Print JSON: [{email, name, authority, role, state, totp, created_at, disabled_at}].") var json = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let users = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withConnection { try UserRepository.all(on: $0) }
            }
            func state(_ user: UserRecord) -> String { user.disabledAt != nil ? "disabled" : user.hasPassword ? "active" : "invited" }
            if json {
                struct Listed: Encodable {
                    let email: String
                    let name: String
                    let authority: String
                    let role: String
                    let state: String
                    let totp: Bool
                    let createdAt: Date
                    let disabledAt: Date?
                }
                print(try JSONOutput.encode(users.map {
                    Listed(email: $0.email, name: $0.name, authority: $0.authority, role: $0.role.rawValue, state: state($0), totp: $0.hasTOTP, createdAt: $0.createdAt, disabledAt: $0.disabledAt)
                }))
                return
            }
            print(Table.render(
                header: ["EMAIL", "NAME", "AUTHORITY", "ROLE", "STATE", "TOTP"],
                rows: users.map { [$0.email, $0.name, $0.authority, $0.role.rawValue, state($0), $0.hasTOTP ? "yes" : "no"] }
            ))
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a person: their sessions end at once and they cannot sign in.")

        @Argument(help: "The person's email address.") var email: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let email = self.email
            let user = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withTransaction { connection in
                    try UserRepository.disable(email: email, actor: .operatorCLI, on: connection)
                }
            }
            print("disabled \(user.email): their sessions have ended")
        }
    }
}
