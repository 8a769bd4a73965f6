import Foundation

/// The rows a statement returned, copied out of libpq so the C result can be freed at once.
///
/// A `QueryResult` is a plain value: it can cross threads and outlive the connection.
public struct QueryResult: Sendable {
    /// Column names, in order.
    public let columns: [String]
    /// The rows, each a `Row` that reads columns by name.
    public let rows: [Row]
    /// Rows inserted, updated or deleted (`PQcmdTuples`), or the row count for a `SELECT`.
    public let affectedRows: Int

    init(columns: [String], values: [[String?]], affectedRows: Int) {
        self.columns = columns
        var index: [String: Int] = [:]
        for (position, name) in columns.enumerated() where index[name] == nil {
            index[name] = position
        }
        let layout = Row.Layout(columns: index)
        self.rows = values.map { Row(layout: layout, values: $0) }
        self.affectedRows = affectedRows
    }

    /// The first row, if any.
    public var first: Row? { rows.first }
}

/// One row of a `QueryResult`. Typed accessors throw `RowDecodingError` when a column is
/// missing, `NULL` where a value was required, or not in the expected format.
public struct Row: Sendable {
    final class Layout: Sendable {
        let columns: [String: Int]
        init(columns: [String: Int]) { self.columns = columns }
    }

    let layout: Layout
    /// The raw text of each column, `nil` for SQL `NULL`.
    public let values: [String?]

    /// The raw text of a column, `nil` for `NULL` or a column the row does not have.
    public subscript(column: String) -> String? {
        guard let index = layout.columns[column] else { return nil }
        return values[index]
    }

    private func raw(_ column: String) throws -> String? {
        guard let index = layout.columns[column] else {
            throw RowDecodingError(column: column, reason: "no such column")
        }
        return values[index]
    }

    private func required(_ column: String) throws -> String {
        guard let text = try raw(column) else {
            throw RowDecodingError(column: column, reason: "unexpected NULL")
        }
        return text
    }

    private func decode<T>(_ column: String, as type: String, _ parse: (String) -> T?) throws -> T {
        let text = try required(column)
        guard let value = parse(text) else {
            throw RowDecodingError(column: column, reason: "not a \(type)")
        }
        return value
    }

    private func decodeOptional<T>(_ column: String, as type: String, _ parse: (String) -> T?) throws -> T? {
        guard let text = try raw(column) else { return nil }
        guard let value = parse(text) else {
            throw RowDecodingError(column: column, reason: "not a \(type)")
        }
        return value
    }

    /// A non-null text column.
    public func string(_ column: String) throws -> String { try required(column) }
    /// A nullable text column.
    public func optionalString(_ column: String) throws -> String? { try raw(column) }
    /// A non-null integer column (`smallint`, `integer`, `bigint`).
    public func int(_ column: String) throws -> Int { try decode(column, as: "integer") { Int($0) } }
    /// A nullable integer column.
    public func optionalInt(_ column: String) throws -> Int? { try decodeOptional(column, as: "integer") { Int($0) } }
    /// A non-null `bigint` column.
    public func int64(_ column: String) throws -> Int64 { try decode(column, as: "bigint") { Int64($0) } }
    /// A nullable `bigint` column.
    public func optionalInt64(_ column: String) throws -> Int64? { try decodeOptional(column, as: "bigint") { Int64($0) } }
    /// A non-null `double precision` or `numeric` column.
    public func double(_ column: String) throws -> Double { try decode(column, as: "number") { Double($0) } }
    /// A nullable `double precision` or `numeric` column.
    public func optionalDouble(_ column: String) throws -> Double? { try decodeOptional(column, as: "number") { Double($0) } }
    /// A non-null `boolean` column.
    public func bool(_ column: String) throws -> Bool { try decode(column, as: "boolean") { Self.parseBool($0) } }
    /// A nullable `boolean` column.
    public func optionalBool(_ column: String) throws -> Bool? { try decodeOptional(column, as: "boolean") { Self.parseBool($0) } }
    /// A non-null `uuid` column.
    public func uuid(_ column: String) throws -> UUID { try decode(column, as: "uuid") { Self.parseUUID($0) } }
    /// A nullable `uuid` column.
    public func optionalUUID(_ column: String) throws -> UUID? { try decodeOptional(column, as: "uuid") { Self.parseUUID($0) } }
    /// A non-null `timestamptz` column (the connection runs with `TimeZone=UTC`, `DateStyle=ISO`).
    public func date(_ column: String) throws -> Date { try decode(column, as: "timestamp") { PostgresTimestamp.parse($0) } }
    /// A nullable `timestamptz` column.
    public func optionalDate(_ column: String) throws -> Date? { try decodeOptional(column, as: "timestamp") { PostgresTimestamp.parse($0) } }
    /// A non-null `text[]` column of simple (unquoted, comma-free) elements.
    public func stringArray(_ column: String) throws -> [String] {
        try decode(column, as: "text array") { Self.parseSimpleArray($0) }
    }

    private static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "t", "true": return true
        case "f", "false": return false
        default: return nil
        }
    }

    /// Parses `{a,b,c}` — the output of a `text[]` whose elements need no quoting (codes) —
    /// in one pass over the UTF-8 bytes (Foundation's substring search, which `contains` used,
    /// was a tenth of a page of offers' CPU).
    static func parseSimpleArray(_ text: String) -> [String]? {
        var text = text
        return text.withUTF8 { bytes -> [String]? in
            let (open, close, quote, comma) = (UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "\""), UInt8(ascii: ","))
            guard bytes.count >= 2, bytes[0] == open, bytes[bytes.count - 1] == close else { return nil }
            let end = bytes.count - 1
            if end == 1 { return [] }
            var elements: [String] = []
            var start = 1
            for index in 1...end {
                let byte = bytes[index]
                if byte == quote { return nil }
                if byte == comma || index == end {
                    elements.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                    start = index + 1
                }
            }
            return elements
        }
    }

    /// Parses PostgreSQL's `uuid` output, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits
    /// of either case, without Foundation's `sscanf`-based parser.
    static func parseUUID(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { bytes -> UUID? in
            guard bytes.count == 36 else { return nil }
            var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let parsed = withUnsafeMutableBytes(of: &value) { output -> Bool in
                var position = 0
                var index = 0
                while index < 36 {
                    if index == 8 || index == 13 || index == 18 || index == 23 {
                        guard bytes[index] == UInt8(ascii: "-") else { return false }
                        index += 1
                        continue
                    }
                    guard let high = bytes[index].hexDigitValue, let low = bytes[index + 1].hexDigitValue else { return false }
                    output[position] = high << 4 | low
                    position += 1
                    index += 2
                }
                return true
            }
            return parsed ? UUID(uuid: value) : nil
        }
    }

}

/// A column could not be read as the type the caller asked for.
public struct RowDecodingError: Error, Sendable, CustomStringConvertible {
    /// The column's name.
    public let column: String
    /// What was wrong with it.
    public let reason: String

    /// Creates an error for `column`.
    public init(column: String, reason: String) {
        self.column = column
        self.reason = reason
    }

    public var description: String { "column \(column): \(reason)" }
}

extension UInt8 {
    /// The value of an ASCII hex digit (`0`–`9`, `a`–`f`, `A`–`F`), or nil for any other byte.
    public var hexDigitValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
