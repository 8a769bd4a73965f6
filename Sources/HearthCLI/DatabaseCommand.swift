import Foundation
import HearthStore
import Logging

/// Opens the database a command works on (bootstrapping logging for `program`), runs `body`,
/// and always closes it — which stops the embedded cluster if this command started it.
public func withDatabase<T>(
    _ database: DatabaseOptions, _ logging: LoggingOptions, program: String, _ body: (HearthDatabase) async throws -> T
) async throws -> T {
    let logger = HearthLogging.bootstrap(label: program, level: try logging.resolvedLevel())
    let opened = try await HearthDatabase.open(url: database.resolvedURL(), poolSize: 2, applicationName: program, logger: logger)
    do {
        let value = try await body(opened)
        await opened.close()
        return value
    } catch {
        await opened.close()
        throw error
    }
}

/// Stable JSON for scripts: snake_case keys, sorted, ISO 8601 dates.
public enum JSONOutput {
    /// Encodes `value` pretty-printed.
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
