/// A settlement operation was refused for a reason the operator can act on.
///
/// `description` is one line, safe to print: it never quotes SQL or child data.
public struct SettlementError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case runInProgress
        case invalidInput
        case notFound
    }

    private let kind: Kind
    /// What went wrong, in one line.
    public let description: String

    private init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// Another settlement run holds the lock (only with `wait: false`).
    public static let runInProgress = SettlementError(
        .runInProgress, "another settlement run is in progress; try again when it has finished (or run without --no-wait to wait for it)"
    )

    /// A value given by the user (a flag, a CSV row) is not acceptable.
    public static func invalidInput(_ message: String) -> SettlementError {
        SettlementError(.invalidInput, message)
    }

    /// Something the user named does not exist.
    public static func notFound(_ message: String) -> SettlementError {
        SettlementError(.notFound, message)
    }

    /// True for `runInProgress`.
    public var isRunInProgress: Bool { kind == .runInProgress }
}
