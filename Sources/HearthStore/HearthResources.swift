/// The files Hearth's programs read at run time, compiled into them: every `Migrations/*.sql`,
/// every `Data/*.csv`, `Docs/openapi.yaml`, and the web app's `Web/templates/*.mustache` and
/// `Web/static/*`.
///
/// The EmbedResources build-tool plugin turns the files of the source tree into
/// `HearthResources.embedded` on every build, so a program copied alone to another machine
/// needs no folder beside it, and a new file in `Migrations/` is picked up without any change
/// to the manifest. Nothing is read from disk: there is no `HEARTH_HOME`.
public enum HearthResources {
    /// The exact text of a shipped file, by its path in the source tree, e.g.
    /// `Data/postcode_districts.csv`.
    public static func text(of path: String) throws -> String {
        guard let text = embedded[path] else {
            throw ResourceError("this build of Hearth does not contain \(path)")
        }
        return text
    }

    /// Every embedded file under `folder` (e.g. `Web/templates/`), as (name after the folder,
    /// text), in name order.
    public static func files(under folder: String) -> [(name: String, text: String)] {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return embedded.compactMap { path, text in
            path.hasPrefix(prefix) ? (String(path.dropFirst(prefix.count)), text) : nil
        }.sorted { $0.name < $1.name }
    }

    /// Every `Migrations/*.sql` file, as (file name, text), in file name order.
    static var migrationFiles: [(name: String, text: String)] {
        embedded.compactMap { path, text in
            path.hasPrefix("Migrations/") ? (String(path.dropFirst("Migrations/".count)), text) : nil
        }.sorted { $0.name < $1.name }
    }
}

/// A file Hearth needs could not be found.
public struct ResourceError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
