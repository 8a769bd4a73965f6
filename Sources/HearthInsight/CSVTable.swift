/// A comma-separated table as the DfE's SSDA903 files are written: a first line of column
/// names, then one record per line. Fields may be quoted (`"a, b"`, `""` for a quote); a UTF-8
/// byte-order mark and CRLF line ends are accepted; blank lines are skipped.
public struct CSVTable: Sendable {
    /// The column names of the first line, trimmed and upper-cased.
    public let columns: [String]
    /// The records after the first line, each with its spreadsheet row number (the column
    /// line is row 1, so the first record is row 2 unless blank lines come before it).
    public let records: [(row: Int, fields: [String])]

    /// Parses `text`; a table with no first line has no columns.
    public init(parsing text: String) {
        var lines: [(row: Int, fields: [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var row = 1
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var index = 0
        func endField() {
            var lower = 0
            var upper = field.count
            while lower < upper, field[lower] == UInt8(ascii: " ") || field[lower] == UInt8(ascii: "\t") { lower += 1 }
            while upper > lower, field[upper - 1] == UInt8(ascii: " ") || field[upper - 1] == UInt8(ascii: "\t") { upper -= 1 }
            fields.append(String(decoding: field[lower..<upper], as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endLine() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { lines.append((row, fields)) }
            fields.removeAll(keepingCapacity: true)
            row += 1
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inQuotes = true
                case UInt8(ascii: ","): endField()
                case UInt8(ascii: "\n"): endLine()
                case UInt8(ascii: "\r"):
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
                    endLine()
                default: field.append(byte)
                }
            }
            index += 1
        }
        if !field.isEmpty || !fields.isEmpty { endLine() }
        if let first = lines.first {
            columns = first.fields.map { $0.uppercased() }
            records = Array(lines.dropFirst())
        } else {
            columns = []
            records = []
        }
    }
}
