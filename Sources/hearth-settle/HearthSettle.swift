import ArgumentParser
import HearthCLI

/// hearth-settle: the nightly settlement batch.
@main
struct HearthSettle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth-settle",
        abstract: "Book inter-authority placement charges into the ledger and write statements.",
        version: HearthVersion.current,
        subcommands: []
    )
}
