import Foundation
import PackagePlugin

/// Compiles the files Hearth's programs read at run time into the target it is applied to, so
/// each program is one self-contained file: every `Migrations/*.sql`, every `Data/*.csv`,
/// `Docs/openapi.yaml`, and the web app's `Web/templates/*.mustache` and every `Web/static/`
/// file (text only: CSS, SVG, JavaScript).
///
/// SwiftPM evaluates a plugin only when it re-plans the build, which adding or editing a file
/// in `Migrations/` does not cause, so the file list the plugin sees can be stale. Instead the
/// command runs on every build (one of its inputs is a stamp the tool rewrites each time), the
/// tool lists the folders itself, and it rewrites the Swift source only when its text changes:
/// a new or edited migration is embedded by the next build with no manifest change, and an
/// unchanged tree recompiles nothing.
@main
struct EmbedResources: BuildToolPlugin {
    /// Folders whose files with the suffix are embedded, then single files.
    static let folders = [("Migrations", ".sql"), ("Data", ".csv"), ("Web/templates", ".mustache"), ("Web/static", "")]
    static let files = ["Docs/openapi.yaml"]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        let stamp = context.pluginWorkDirectoryURL.appending(path: "last-run")
        if !FileManager.default.fileExists(atPath: stamp.path(percentEncoded: false)) {
            try Data().write(to: stamp)
        }
        return [
            .buildCommand(
                displayName: "Embedding the migrations, data, API contract and web templates in \(target.name)",
                executable: try context.tool(named: "EmbedResourcesTool").url,
                arguments: [output.path(percentEncoded: false), stamp.path(percentEncoded: false), root.path(percentEncoded: false)]
                    + Self.folders.map { "\($0.0)/*\($0.1)" } + Self.files,
                inputFiles: [stamp],
                outputFiles: [output]
            )
        ]
    }
}
