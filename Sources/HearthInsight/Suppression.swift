/// A count of children (or of bids, placements, episodes: things about children), with whose
/// children it counts, so that it can be shown to each reader as the rules allow.
///
/// Small numbers: a count of 1 to 4 that includes another member's children is shown to a
/// member as "fewer than 5" (`SmallNumber.suppressed`); the operator and scrutiny see it as it is.
public struct ChildCount: Sendable, Hashable {
    /// The count.
    public private(set) var total = 0
    /// How much of it each authority contributes.
    public private(set) var byAuthority: [String: Int] = [:]

    /// An empty count.
    public init() {}

    /// Adds `amount` contributed by `authority`.
    public mutating func add(_ amount: Int = 1, from authority: String) {
        total += amount
        byAuthority[authority, default: 0] += amount
    }

    /// The count as `viewer` may see it.
    public func shown(to viewer: InsightViewer) -> ShownCount {
        switch viewer {
        case .region: return .exact(total)
        case .published: return SmallNumber.published(total)
        case .member(let code):
            if total == 0 || total >= SmallNumber.threshold || byAuthority[code, default: 0] == total { return .exact(total) }
            return .fewerThanFive
        }
    }
}

/// Who reads an insight report.
public enum InsightViewer: Sendable, Hashable {
    /// The operator, scrutiny and hearthctl: the region's figures as they are.
    case region
    /// A member authority (ONS code): the region's aggregates with other members' small numbers
    /// suppressed, and its own detail.
    case member(String)
    /// A published aggregate (the NCC return): every count of 1 to 4 suppressed.
    case published
}

/// The small-number rule.
public enum SmallNumber {
    /// Counts below this (and above zero) are suppressed: 5.
    public static let threshold = 5
    /// The text a suppressed count is shown as.
    public static let suppressed = "fewer than 5"

    /// `count` as shown in a published aggregate (the NCC return): exact when 0 or at least 5.
    public static func published(_ count: Int) -> ShownCount {
        count == 0 || count >= threshold ? .exact(count) : .fewerThanFive
    }
}

/// A count as shown: exact, or "fewer than 5". Encodes as a JSON integer or that string.
public enum ShownCount: Sendable, Hashable, Encodable, CustomStringConvertible {
    case exact(Int)
    case fewerThanFive

    /// The exact value, or nil when suppressed.
    public var value: Int? {
        if case .exact(let value) = self { value } else { nil }
    }

    public var description: String {
        switch self {
        case .exact(let value): String(value)
        case .fewerThanFive: SmallNumber.suppressed
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .exact(let value): try container.encode(value)
        case .fewerThanFive: try container.encode(SmallNumber.suppressed)
        }
    }
}
