import Foundation
import PackagePlugin

/// Compiles the files Hearth's programs read at run time into the target it is applied to, so
/// each program is one self-contained file: every `Migrations/*.sql`, every `Data/*.csv` and
/// `Docs/openapi.yaml`, listed afresh on every build (a new migration needs no manifest change).
@main
struct EmbedResources: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let files = try Self.embeddedPaths(in: root)
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) files in \(target.name)",
                executable: try context.tool(named: "EmbedResourcesTool").url,
                arguments: [output.path(percentEncoded: false), root.path(percentEncoded: false)] + files,
                inputFiles: files.map { root.appending(path: $0) },
                outputFiles: [output]
            )
        ]
    }

    /// The embedded files, as paths relative to the package, sorted.
    static func embeddedPaths(in root: URL) throws -> [String] {
        func listing(_ folder: String, suffix: String) throws -> [String] {
            let names = try FileManager.default.contentsOfDirectory(atPath: root.appending(path: folder).path(percentEncoded: false))
            return names.filter { $0.hasSuffix(suffix) }.sorted().map { "\(folder)/\($0)" }
        }
        return try listing("Migrations", suffix: ".sql") + listing("Data", suffix: ".csv") + ["Docs/openapi.yaml"]
    }
}
