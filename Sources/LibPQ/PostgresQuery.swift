/// A SQL statement whose values travel as bind parameters, written by string interpolation.
///
/// Every interpolated value becomes a placeholder the query numbers itself (`$1`, `$2`, …) and
/// is sent separately from the text (a bind parameter): never spliced into the SQL.
///
/// ```swift
/// let query: PostgresQuery = "SELECT * FROM bids WHERE id = \(id) AND authority = \(code)"
/// // sql: SELECT * FROM bids WHERE id = $1 AND authority = $2, binds: [id, code]
/// ```
///
/// SQL that is not a value (a column list, a fragment chosen by code) goes in with
/// `\(unescaped: text)`; another query goes in with `\(fragment)`, its binds renumbered.
/// Modelled on postgres-nio's `PostgresQuery`.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    fileprivate enum Piece: Sendable {
        case sql(String)
        case bind(any PostgresBindable)
    }

    private var pieces: [Piece]

    /// A query of plain SQL with no values.
    public init(stringLiteral value: String) {
        pieces = [.sql(value)]
    }

    /// A query written with interpolated values.
    public init(stringInterpolation: StringInterpolation) {
        pieces = stringInterpolation.pieces
    }

    private init(pieces: [Piece]) {
        self.pieces = pieces
    }

    /// The SQL text with `$1`, `$2`, … in place of the values.
    public var sql: String {
        var text = ""
        var number = 0
        for piece in pieces {
            switch piece {
            case .sql(let fragment): text += fragment
            case .bind:
                number += 1
                text += "$\(number)"
            }
        }
        return text
    }

    /// The values, in placeholder order.
    public var binds: [any PostgresBindable] {
        pieces.compactMap { piece in
            if case .bind(let value) = piece { value } else { nil }
        }
    }

    /// The SQL text only (never the values, which may be personal data).
    public var description: String { sql }

    /// This query followed by `other` (its binds renumbered after this one's).
    public static func + (lhs: PostgresQuery, rhs: PostgresQuery) -> PostgresQuery {
        PostgresQuery(pieces: lhs.pieces + rhs.pieces)
    }

    /// `parts` joined by `separator` (e.g. conditions joined by `" AND "`).
    public static func joined(_ parts: [PostgresQuery], separator: String) -> PostgresQuery {
        var pieces: [Piece] = []
        for (index, part) in parts.enumerated() {
            if index > 0 { pieces.append(.sql(separator)) }
            pieces += part.pieces
        }
        return PostgresQuery(pieces: pieces)
    }

    /// Builds a query's pieces as the literal is read.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        fileprivate var pieces: [Piece] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            pieces.reserveCapacity(interpolationCount * 2 + 1)
        }

        /// SQL text as written.
        public mutating func appendLiteral(_ literal: String) {
            guard !literal.isEmpty else { return }
            pieces.append(.sql(literal))
        }

        /// A value, sent as the next bind parameter.
        public mutating func appendInterpolation(_ value: some PostgresBindable) {
            pieces.append(.bind(value))
        }

        /// An optional value, sent as the next bind parameter: `nil` is SQL `NULL`.
        public mutating func appendInterpolation<Value: PostgresBindable>(_ value: Value?) {
            pieces.append(.bind(value))
        }

        /// Another query, with its values as bind parameters in their turn.
        public mutating func appendInterpolation(_ query: PostgresQuery) {
            pieces += query.pieces
        }

        /// SQL written by the program itself, never by a caller: spliced as it is.
        public mutating func appendInterpolation(unescaped sql: String) {
            pieces.append(.sql(sql))
        }
    }
}

/// A query that had to return exactly one row returned another number of rows.
public struct UnexpectedRowCount: Error, Sendable, CustomStringConvertible {
    /// Rows the query returned.
    public let rows: Int

    public var description: String { "expected exactly one row, got \(rows)" }
}

extension PostgresConnection {
    /// Runs `query` with its values bound as parameters.
    ///
    /// Named apart from `query(_:_:)` on purpose: a string literal passed here is always a
    /// `PostgresQuery`, so an interpolated value is always bound, never spliced.
    @discardableResult
    public func run(_ query: PostgresQuery) throws -> QueryResult {
        try self.query(query.sql, query.binds)
    }

    /// Queues `query`, whose result nobody reads, to travel with the next statement
    /// (`deferUntilNext(_:_:)`): inside a transaction, one round trip fewer. Named apart, like
    /// `run`, so that an interpolated value is always bound.
    public func runDeferred(_ query: PostgresQuery) throws {
        try deferUntilNext(query.sql, query.binds)
    }

    /// Runs `query`, which must return exactly one row; throws `UnexpectedRowCount` otherwise.
    public func one(_ query: PostgresQuery) throws -> Row {
        let result = try run(query)
        guard result.rows.count == 1, let row = result.first else { throw UnexpectedRowCount(rows: result.rows.count) }
        return row
    }

    /// Runs `query`, which returns at most one row (the first is taken), or nil for none.
    public func first(_ query: PostgresQuery) throws -> Row? {
        try run(query).first
    }
}
