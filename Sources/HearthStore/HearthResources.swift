import Foundation

/// Finds the files Hearth ships beside its programs: `Migrations/` and `Data/`.
///
/// Looked up, in order: `HEARTH_HOME` (a folder holding `Migrations/`), then the folders above
/// the running executable (a build tree: `.build/release/hearthd` → the checkout), then the
/// current folder and its parents, then `/usr/local/share/hearth` and `/usr/share/hearth`.
public enum HearthResources {
    /// The folder that holds `Migrations/`.
    public static func home(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        let fileManager = FileManager.default
        var candidates: [URL] = []
        if let configured = environment["HEARTH_HOME"], !configured.isEmpty {
            candidates.append(URL(fileURLWithPath: configured))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        candidates.append(contentsOf: ancestors(of: executable.deletingLastPathComponent()))
        candidates.append(contentsOf: ancestors(of: URL(fileURLWithPath: fileManager.currentDirectoryPath)))
        candidates.append(URL(fileURLWithPath: "/usr/local/share/hearth"))
        candidates.append(URL(fileURLWithPath: "/usr/share/hearth"))
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            let migrations = candidate.appendingPathComponent("Migrations")
            if fileManager.fileExists(atPath: migrations.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate
            }
        }
        throw ResourceError(
            "cannot find Hearth's Migrations/ folder: set HEARTH_HOME to the folder that contains it"
        )
    }

    /// The `Migrations/` folder.
    public static func migrationsDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        try home(environment: environment).appendingPathComponent("Migrations")
    }

    private static func ancestors(of start: URL) -> [URL] {
        var result: [URL] = []
        var current = start.standardizedFileURL
        while true {
            result.append(current)
            let parent = current.deletingLastPathComponent().standardizedFileURL
            if parent.path == current.path { break }
            current = parent
        }
        return result
    }
}

/// A file Hearth needs could not be found.
public struct ResourceError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
