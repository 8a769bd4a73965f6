/// An error from PostgreSQL or from libpq itself.
///
/// `description` is safe to show a user: it names the kind of failure and the SQLSTATE but never
/// the SQL text. The server's own message, detail and constraint name are in `debugDescription`
/// and in the stored properties, for logs and for code that maps errors to domain errors.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of failure, derived from the SQLSTATE in one place (`Code.init(sqlState:)`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case connectionFailed = "connection failed"
            case connectionLost = "connection lost"
            case uniqueViolation = "unique violation"
            case exclusionViolation = "exclusion violation"
            case foreignKeyViolation = "foreign key violation"
            case checkViolation = "check violation"
            case notNullViolation = "not-null violation"
            case serializationFailure = "serialization failure"
            case deadlockDetected = "deadlock detected"
            case lockNotAvailable = "lock not available"
            case insufficientPrivilege = "insufficient privilege"
            case raisedException = "raised exception"
            case invalidInput = "invalid input"
            case queryCanceled = "query canceled"
            case other = "database error"
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// The server could not be reached or refused the connection.
        public static let connectionFailed = Code(.connectionFailed)
        /// An established connection broke; what was in flight may or may not have committed.
        public static let connectionLost = Code(.connectionLost)
        /// SQLSTATE 23505.
        public static let uniqueViolation = Code(.uniqueViolation)
        /// SQLSTATE 23P01: an exclusion constraint (e.g. a bed held twice) refused the row.
        public static let exclusionViolation = Code(.exclusionViolation)
        /// SQLSTATE 23503.
        public static let foreignKeyViolation = Code(.foreignKeyViolation)
        /// SQLSTATE 23514.
        public static let checkViolation = Code(.checkViolation)
        /// SQLSTATE 23502.
        public static let notNullViolation = Code(.notNullViolation)
        /// SQLSTATE 40001: retry the whole transaction.
        public static let serializationFailure = Code(.serializationFailure)
        /// SQLSTATE 40P01: retry the whole transaction.
        public static let deadlockDetected = Code(.deadlockDetected)
        /// SQLSTATE 55P03.
        public static let lockNotAvailable = Code(.lockNotAvailable)
        /// SQLSTATE 42501, including row-level security refusals.
        public static let insufficientPrivilege = Code(.insufficientPrivilege)
        /// SQLSTATE P0001: a trigger or function raised an exception on purpose.
        public static let raisedException = Code(.raisedException)
        /// SQLSTATE class 22: a value the server could not accept (bad date, out of range...).
        public static let invalidInput = Code(.invalidInput)
        /// SQLSTATE 57014: statement timeout or cancel request.
        public static let queryCanceled = Code(.queryCanceled)
        /// Anything else.
        public static let other = Code(.other)

        /// Maps a SQLSTATE to a code; this is the only place that knows the numbers.
        public init(sqlState: String) {
            switch sqlState {
            case "23505": self = .uniqueViolation
            case "23P01": self = .exclusionViolation
            case "23503": self = .foreignKeyViolation
            case "23514": self = .checkViolation
            case "23502": self = .notNullViolation
            case "40001": self = .serializationFailure
            case "40P01": self = .deadlockDetected
            case "55P03": self = .lockNotAvailable
            case "42501": self = .insufficientPrivilege
            case "P0001": self = .raisedException
            case "57014": self = .queryCanceled
            case "57P01", "57P02", "57P03": self = .connectionLost
            default:
                if sqlState.hasPrefix("08") {
                    self = .connectionLost
                } else if sqlState.hasPrefix("22") {
                    self = .invalidInput
                } else {
                    self = .other
                }
            }
        }

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// The five-character SQLSTATE, when the server sent one.
    public let sqlState: String?
    /// The server's (or libpq's) primary message. May quote values; keep it out of user output.
    public let message: String
    /// The server's detail line, if any.
    public let detail: String?
    /// The constraint that refused the row, for integrity violations.
    public let constraint: String?

    /// Creates an error; `code` defaults to the mapping of `sqlState`.
    public init(code: Code? = nil, sqlState: String?, message: String, detail: String? = nil, constraint: String? = nil) {
        self.code = code ?? sqlState.map(Code.init(sqlState:)) ?? .other
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.constraint = constraint
    }

    /// True for failures that a fresh attempt of the whole transaction may not hit again.
    public var isRetryable: Bool {
        code == .serializationFailure || code == .deadlockDetected
    }

    /// Whose fault a failure is, which decides how it is answered. The one place that sorts
    /// SQLSTATEs this way; callers map each fault to one response.
    public enum Fault: Sendable, Equatable {
        /// A value the database refused: a CHECK, NOT NULL or foreign key, or a class 22 data
        /// exception (too long, out of range, bad format). The request must change.
        case input
        /// The row clashes with one already there: a unique key or an exclusion constraint.
        case conflict
        /// The database cannot be reached or cannot serve now: connection failures, shutdown,
        /// contention that outlasted the retries, cancelled statements, resource exhaustion
        /// (SQLSTATE class 53). Trying again later may succeed.
        case unavailable
        /// Anything else: a bug or a broken invariant on the server's side.
        case server
    }

    /// How this failure should be answered; see `Fault`.
    public var fault: Fault {
        switch code {
        case .checkViolation, .notNullViolation, .foreignKeyViolation, .invalidInput: .input
        case .uniqueViolation, .exclusionViolation: .conflict
        case .connectionFailed, .connectionLost, .serializationFailure, .deadlockDetected, .lockNotAvailable, .queryCanceled: .unavailable
        default: sqlState?.hasPrefix("53") == true ? .unavailable : .server
        }
    }

    public var description: String {
        if code == .connectionFailed || code == .connectionLost {
            // libpq's own words name the host and the reason; they never contain SQL.
            let reason = message.split(whereSeparator: \.isNewline).joined(separator: "; ")
            return "\(code): \(reason)"
        }
        if let sqlState {
            return "\(code) (SQLSTATE \(sqlState))"
        }
        return "\(code)"
    }

    public var debugDescription: String {
        var text = "\(description): \(message)"
        if let detail { text += " — \(detail)" }
        if let constraint { text += " [constraint \(constraint)]" }
        return text
    }
}
