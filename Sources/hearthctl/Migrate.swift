import ArgumentParser
import HearthCLI
import HearthStore

/// `hearthctl migrate`: applies Migrations/ in order.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending migrations in order; a second run applies nothing.",
        discussion: "Refuses to run if an already-applied migration file was changed."
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = HearthLogging.bootstrap(label: "hearthctl", level: try logging.resolvedLevel())
        let opened = try await HearthDatabase.open(url: database.resolvedURL(), poolSize: 1, applicationName: "hearthctl", setUpFreshDatabase: false, logger: logger)
        do {
            let applied = try await opened.migrate()
            if applied.isEmpty {
                print("database is up to date (\(opened.migrator.migrations.count) migrations applied)")
            } else {
                for name in applied { print("applied \(name)") }
            }
            await opened.close()
        } catch {
            await opened.close()
            throw error
        }
    }
}
