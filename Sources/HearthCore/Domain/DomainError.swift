/// One field that breaks a rule, and what is wrong with it in words a caller can act on.
public struct FieldProblem: Sendable, Equatable, CustomStringConvertible {
    /// The field's name as the caller wrote it (`age_max`, `location.lat`).
    public let field: String
    /// What is wrong.
    public let message: String

    /// Creates a problem with `field`.
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// A domain rule was broken: what the caller asked for is refused, and nothing changed.
///
/// Every violation knows the HTTP status it stands for (the shape of Hummingbird's
/// `HTTPResponseError`, without depending on it), so the API and the web app answer alike:
/// 422 for values that break a rule (with the fields), 403 for the wrong side or role, 409 for
/// the wrong state, 404 for something the caller cannot see.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case invalid
        case forbidden
        case conflict
        case notFound
    }

    private let kind: Kind
    /// What happened in this case, in words a placement officer can act on.
    public let detail: String
    /// The fields at fault, for a value that breaks a rule (empty otherwise).
    public let fieldProblems: [FieldProblem]

    private init(_ kind: Kind, detail: String, fieldProblems: [FieldProblem] = []) {
        self.kind = kind
        self.detail = detail
        self.fieldProblems = fieldProblems
    }

    /// Values break rules (422); `problems` must not be empty.
    public static func invalid(_ problems: [FieldProblem]) -> DomainError {
        DomainError(.invalid, detail: problems.count == 1 ? "1 field is invalid" : "\(problems.count) fields are invalid", fieldProblems: problems)
    }

    /// One field breaks a rule (422).
    public static func invalid(field: String, _ message: String) -> DomainError {
        invalid([FieldProblem(field, message)])
    }

    /// The caller's side or role may not do this (403).
    public static func forbidden(_ detail: String) -> DomainError { DomainError(.forbidden, detail: detail) }

    /// The thing is not in a state that allows this (409).
    public static func conflict(_ detail: String) -> DomainError { DomainError(.conflict, detail: detail) }

    /// Nothing the caller may see has that identity (404).
    public static func notFound(_ detail: String) -> DomainError { DomainError(.notFound, detail: detail) }

    /// The HTTP status code this violation stands for.
    public var status: Int {
        switch kind {
        case .invalid: 422
        case .forbidden: 403
        case .conflict: 409
        case .notFound: 404
        }
    }

    /// A short, stable title for the kind of violation.
    public var title: String {
        switch kind {
        case .invalid: "Invalid request"
        case .forbidden: "Forbidden"
        case .conflict: "Conflict"
        case .notFound: "Not found"
        }
    }

    public var description: String {
        fieldProblems.isEmpty ? detail : fieldProblems.map(\.description).joined(separator: "; ")
    }
}

extension String {
    /// Length as PostgreSQL's `length(text)` counts it: Unicode scalars, not grapheme clusters.
    var scalarCount: Int { unicodeScalars.count }
}
