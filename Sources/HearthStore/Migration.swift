import Crypto
import Foundation
import LibPQ

/// One numbered SQL file from `Migrations/`, e.g. `0001_core_schema.sql`, compiled into the
/// programs (see `HearthResources`).
public struct Migration: Sendable, Equatable {
    /// The number at the start of the file name; migrations apply in this order.
    public let version: Int
    /// The file name.
    public let name: String
    /// The SQL text, applied as one transaction.
    public let sql: String
    /// SHA-256 of the file's bytes, hex; recorded when applied and compared ever after.
    public let checksum: String

    /// Creates a migration from a file name and its contents.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).lowercaseHex
    }

    /// The migrations compiled into this build (every `Migrations/*.sql` of its source tree),
    /// in version order.
    public static func embedded() throws -> [Migration] {
        try load(files: HearthResources.migrationFiles)
    }

    /// Reads every `NNNN_name.sql` file of a folder, in version order.
    public static func load(from directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError.unreadableDirectory(directory.path)
        }
        var files: [(name: String, text: String)] = []
        for name in names where name.hasSuffix(".sql") {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path),
                let sql = String(data: data, encoding: .utf8)
            else {
                throw MigrationError.unreadableFile(name)
            }
            files.append((name, sql))
        }
        guard !files.isEmpty else {
            throw MigrationError.unreadableDirectory(directory.path)
        }
        return try load(files: files)
    }

    /// Orders `.sql` files (name, text) into migrations.
    ///
    /// Refuses names that do not follow the pattern and two files with one number, so nothing
    /// is silently skipped or applied in a surprising order.
    static func load(files: [(name: String, text: String)]) throws -> [Migration] {
        var migrations: [Migration] = []
        for (name, sql) in files.sorted(by: { $0.name < $1.name }) {
            guard let version = versionNumber(of: name) else {
                throw MigrationError.badFileName(name)
            }
            if let clash = migrations.first(where: { $0.version == version }) {
                throw MigrationError.duplicateVersion(version, clash.name, name)
            }
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        guard !migrations.isEmpty else {
            throw MigrationError.unreadableDirectory("this build")
        }
        return migrations.sorted { $0.version < $1.version }
    }

    /// `0012_add_things.sql` → 12; nil for anything else.
    static func versionNumber(of name: String) -> Int? {
        let stem = name.dropLast(".sql".count)
        let parts = stem.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), version > 0,
            parts[1].allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }), !parts[1].isEmpty
        else { return nil }
        return version
    }
}

/// Why migrations could not be read or applied. Each case says what to do about it.
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableDirectory(String)
    case unreadableFile(String)
    case badFileName(String)
    case duplicateVersion(Int, String, String)
    case changedAfterApply(String, recorded: String, found: String)
    case unknownApplied(version: Int, name: String)
    case failed(String, reason: String)

    public var description: String {
        switch self {
        case .unreadableDirectory(let path):
            "no migrations found in \(path)"
        case .unreadableFile(let name):
            "cannot read migration \(name) as UTF-8 text"
        case .badFileName(let name):
            "migration file \(name) is not named NNNN_lower_case_name.sql"
        case .duplicateVersion(let version, let first, let second):
            "migrations \(first) and \(second) share the number \(version)"
        case .changedAfterApply(let name, let recorded, let found):
            "migration \(name) was changed after it was applied (checksum \(recorded.prefix(12)) in the database, \(found.prefix(12)) in this build): restore the file and add a new migration instead"
        case .unknownApplied(let version, let name):
            "the database has migration \(name) (version \(version)) that this build does not know: upgrade Hearth before using this database"
        case .failed(let name, let reason):
            "migration \(name) failed and was rolled back: \(reason)"
        }
    }
}
