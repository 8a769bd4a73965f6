import HearthCLI
import HearthStore
import LibPQ
import Logging

/// Opens the database a hearthctl command works on, runs `body`, and always closes it (which
/// stops the embedded cluster if this command started it).
func withDatabase<T>(
    _ database: DatabaseOptions, _ logging: LoggingOptions, _ body: (HearthDatabase) async throws -> T
) async throws -> T {
    let logger = HearthLogging.bootstrap(label: "hearthctl", level: try logging.resolvedLevel())
    let opened = try await HearthDatabase.open(url: database.resolvedURL(), poolSize: 2, applicationName: "hearthctl", logger: logger)
    do {
        let value = try await body(opened)
        await opened.close()
        return value
    } catch {
        await opened.close()
        throw error
    }
}
