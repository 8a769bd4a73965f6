import ArgumentParser
import HearthCLI
import HearthStore

/// `hearthctl pause`: stop automatic clearing on every daemon; the API keeps serving.
struct Pause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop clearing on every daemon (persisted: restarted daemons stay paused). The API keeps serving."
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let changed = try await withDatabase(database, logging, program: "hearthctl") { database in
            try await database.transaction(scope: .all) { try ControlStore.setPaused(true, actor: .operatorCLI, on: $0) }
        }
        print(changed ? "clearing paused on every daemon" : "clearing was already paused")
    }
}

/// `hearthctl resume`: restart automatic clearing on every daemon.
struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Restart clearing on every daemon; they run a round at once.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let changed = try await withDatabase(database, logging, program: "hearthctl") { database in
            try await database.transaction(scope: .all) { try ControlStore.setPaused(false, actor: .operatorCLI, on: $0) }
        }
        print(changed ? "clearing resumed on every daemon" : "clearing was not paused")
    }
}
