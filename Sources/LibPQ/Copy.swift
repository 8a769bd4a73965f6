import CLibPQ

/// Rows streamed to `COPY … FROM STDIN` in PostgreSQL's text format, buffered and sent in large
/// pieces (`PostgresConnection.copy(into:columns:_:)`).
public struct CopyRows {
    fileprivate let connection: PostgresConnection
    fileprivate let columnCount: Int
    fileprivate var buffer: [UInt8] = []
    fileprivate var count = 0

    /// Bytes gathered before they are handed to libpq.
    fileprivate static let flushSize = 1 << 18

    fileprivate init(connection: PostgresConnection, columnCount: Int) {
        self.connection = connection
        self.columnCount = columnCount
        buffer.reserveCapacity(Self.flushSize + 4096)
    }

    /// Appends one row: one value per column, in the columns' order, as the column's type reads
    /// it from text (nil is SQL NULL). Tabs, line ends and backslashes in a value are escaped, so
    /// any text arrives as it was.
    public mutating func append(_ values: [String?]) throws {
        guard values.count == columnCount else {
            throw PostgresError(code: .invalidInput, sqlState: nil, message: "a COPY row has \(values.count) values for \(columnCount) columns")
        }
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let value else {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "N"))
                continue
            }
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
                case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
        count += 1
        if buffer.count >= Self.flushSize { try flush() }
    }

    /// Hands what is buffered to libpq (which sends it on).
    fileprivate mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(connection.handle, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else { throw connection.copyFailure() }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension PostgresConnection {
    /// Loads rows into `table` with `COPY table (columns) FROM STDIN` in text format: far faster
    /// than `INSERT` for many rows. `write` appends the rows (`CopyRows.append`).
    ///
    /// Works inside a transaction like any other statement (statements deferred until the next
    /// one, such as the transaction's `BEGIN`, are sent first). A value the column's type cannot
    /// read, or a constraint the row breaks, fails the whole `COPY` with the server's error as a
    /// `PostgresError` and aborts the transaction, so none of its rows stay; an error thrown by
    /// `write` cancels the `COPY` (the server discards what it had) and is rethrown.
    ///
    /// - Parameters:
    ///   - table: the table's name (quoted as an identifier, never spliced as SQL).
    ///   - columns: the columns the values are for, in order (quoted as identifiers).
    /// - Returns: the number of rows the server stored.
    @discardableResult
    public func copy(into table: String, columns: [String], _ write: (inout CopyRows) throws -> Void) throws -> Int {
        try sendDeferred()
        let sql = "COPY \(Self.quotedIdentifier(table)) (\(columns.map(Self.quotedIdentifier).joined(separator: ", "))) FROM STDIN"
        guard let started = PQexec(handle, sql) else { throw copyFailure() }
        let start = ResultHandle(started)
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            if PQstatus(handle) != CONNECTION_OK { throw copyFailure() }
            throw start.error()
        }
        var rows = CopyRows(connection: self, columnCount: columns.count)
        do {
            try write(&rows)
            try rows.flush()
        } catch {
            // Cancel: the server answers with an error result, which is drained and dropped.
            if PQputCopyEnd(handle, "the client cancelled the COPY") == 1 { drainResults() }
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw copyFailure() }
        var stored = 0
        var failure: PostgresError?
        while let pointer = PQgetResult(handle) {
            let result = ResultHandle(pointer)
            if PQresultStatus(pointer) == PGRES_COMMAND_OK {
                stored = Int(String(cString: PQcmdTuples(pointer))) ?? rows.count
            } else if failure == nil {
                failure = PQstatus(handle) == CONNECTION_OK ? result.error() : copyFailure()
            }
        }
        if let failure { throw failure }
        if PQstatus(handle) != CONNECTION_OK { throw copyFailure() }
        return stored
    }

    /// libpq's own complaint, or `connectionLost` if the connection broke.
    fileprivate func copyFailure() -> PostgresError {
        let code: PostgresError.Code = PQstatus(handle) == CONNECTION_OK ? .other : .connectionLost
        return PostgresError(code: code, sqlState: nil, message: Self.trimmedMessage(PQerrorMessage(handle)))
    }

    private func drainResults() {
        while let pointer = PQgetResult(handle) { PQclear(pointer) }
    }

    /// `name` as a double-quoted SQL identifier.
    private static func quotedIdentifier(_ name: String) -> String {
        var quoted = "\""
        for character in name {
            if character == "\"" { quoted.append("\"") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
