import Foundation
import HearthCore
import LibPQ

#if canImport(Glibc)
import Glibc
#endif

/// A response type that writes its own JSON, byte for byte what `JSONResponse.encoder` makes of
/// it (snake_case keys in sorted order, absent optionals left out, ISO 8601 dates to the
/// second, slashes unescaped), without Foundation's `JSONEncoder`: on the hot paths — bids and
/// offers, one or a page of them — the encoder's key conversion, sorting and boxing were most of
/// hearthd's CPU per request (Docs/performance.md). `JSONWriterTests` checks the bytes against
/// the encoder's.
protocol JSONWritable: Encodable {
    /// Writes the value as one JSON value; an object's fields in sorted key order.
    func write(to writer: inout JSONWriter)
}

/// Builds JSON text in a byte buffer. Commas are placed by the writer: a field or an element
/// after anything but an opening bracket gets one.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private static let hexDigits = Array("0123456789abcdef".utf8)

    init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    /// The bytes as `Data`.
    var data: Data { Data(bytes) }

    // MARK: Structure

    /// An object whose fields `body` writes.
    mutating func object(_ body: (inout JSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        body(&self)
        bytes.append(UInt8(ascii: "}"))
    }

    /// An array of `items`, each written by `write`.
    mutating func array<Item>(_ items: some Sequence<Item>, _ write: (inout JSONWriter, Item) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for item in items {
            separate()
            write(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Starts a field: the separating comma if one is due, the quoted key and the colon.
    /// Keys are the API's own snake_case names and need no escaping.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func separate() {
        if let last = bytes.last, last != UInt8(ascii: "{"), last != UInt8(ascii: "[") {
            bytes.append(UInt8(ascii: ","))
        }
    }

    // MARK: Fields

    mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        integer(Int64(value))
    }

    mutating func field(_ name: StaticString, _ value: Int64) {
        key(name)
        integer(value)
    }

    mutating func field(_ name: StaticString, _ value: Double) {
        key(name)
        number(value)
    }

    mutating func field(_ name: StaticString, _ value: Date) {
        key(name)
        date(value)
    }

    mutating func field(_ name: StaticString, _ value: CalendarDate) {
        key(name)
        string(value.iso)
    }

    mutating func field<Value: RawRepresentable<String>>(_ name: StaticString, _ value: Value) {
        key(name)
        string(value.rawValue)
    }

    mutating func field<Value: RawRepresentable<String>>(_ name: StaticString, _ values: [Value]) {
        key(name)
        array(values) { $0.string($1.rawValue) }
    }

    mutating func field(_ name: StaticString, _ value: some JSONWritable) {
        key(name)
        value.write(to: &self)
    }

    /// Nothing for nil (the encoder leaves absent optionals out), else the field.
    mutating func field(_ name: StaticString, _ value: String?) {
        if let value { field(name, value) }
    }

    mutating func field(_ name: StaticString, _ value: Int64?) {
        if let value { field(name, value) }
    }

    mutating func field(_ name: StaticString, _ value: Double?) {
        if let value { field(name, value) }
    }

    mutating func field(_ name: StaticString, _ value: CalendarDate?) {
        if let value { field(name, value) }
    }

    // MARK: Values

    mutating func integer(_ value: Int64) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A finite double as the encoder writes it: Swift's shortest round-tripping form, without
    /// a trailing `.0`.
    mutating func number(_ value: Double) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC, the fraction of a second dropped.
    mutating func date(_ value: Date) {
        var seconds = time_t(value.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        bytes.append(UInt8(ascii: "\""))
        bytes.appendDigits(Int(parts.tm_year) + 1900, width: 4)
        bytes.append(UInt8(ascii: "-"))
        bytes.appendDigits(Int(parts.tm_mon) + 1, width: 2)
        bytes.append(UInt8(ascii: "-"))
        bytes.appendDigits(Int(parts.tm_mday), width: 2)
        bytes.append(UInt8(ascii: "T"))
        bytes.appendDigits(Int(parts.tm_hour), width: 2)
        bytes.append(UInt8(ascii: ":"))
        bytes.appendDigits(Int(parts.tm_min), width: 2)
        bytes.append(UInt8(ascii: ":"))
        bytes.appendDigits(Int(parts.tm_sec), width: 2)
        bytes.append(UInt8(ascii: "Z"))
        bytes.append(UInt8(ascii: "\""))
    }

    /// A quoted string: `"` and `\` escaped, control characters as the encoder writes them
    /// (`\b \f \n \r \t`, others `\u00XX`), everything else as its UTF-8.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        let utf8 = value.utf8
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            // Nothing to escape (codes, ids, most text): the bytes as they are, at once.
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
