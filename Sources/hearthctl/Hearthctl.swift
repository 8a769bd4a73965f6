import ArgumentParser
import HearthCLI

/// The operator's command-line tool.
@main
struct Hearthctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearthctl",
        abstract: "Operate a Hearth exchange: migrations, members, keys, clearing and the ledger.",
        discussion: "Exit codes: 0 ok, 1 failure, 64 bad usage.",
        version: HearthVersion.current,
        subcommands: [Migrate.self, AuthorityCommand.self, KeyCommand.self, UserCommand.self, DemoCommand.self, RoundCommand.self, Pause.self, Resume.self, Status.self, LedgerCommand.self, ContributionsCommand.self, ImportCommand.self, Insight.self]
    )

    /// Reads the arguments as people type them: `--lon -0.75` works.
    static func main() async { await mainAsTyped() }
}
