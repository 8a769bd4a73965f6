import Foundation

/// A Swift value that can be sent to PostgreSQL as a query parameter, in text format.
///
/// Parameters always travel separately from the SQL text (bind parameters), so no value can
/// change the meaning of a statement. `nil` text is SQL `NULL`.
public protocol PostgresBindable: Sendable {
    /// The value in PostgreSQL's text input format, or `nil` for `NULL`.
    var postgresText: String? { get }
}

extension String: PostgresBindable {
    public var postgresText: String? { self }
}

extension Substring: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Double: PostgresBindable {
    public var postgresText: String? { isFinite ? String(self) : nil }
}

extension Bool: PostgresBindable {
    public var postgresText: String? { self ? "true" : "false" }
}

extension UUID: PostgresBindable {
    public var postgresText: String? { lowercasedText }

    /// The UUID in PostgreSQL's output form, lower-case hex digits in 8-4-4-4-12 groups
    /// (`uuidString.lowercased()` without building two strings).
    public var lowercasedText: String {
        withUnsafeBytes(of: uuid) { value in
            var text: [UInt8] = []
            text.reserveCapacity(36)
            for (index, byte) in value.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
                text.appendHex(byte)
            }
            return String(decoding: text, as: UTF8.self)
        }
    }
}

extension Sequence<UInt8> {
    /// The bytes as lower-case hex digits, two per byte (a digest, a random token).
    public var lowercaseHex: String {
        var text: [UInt8] = []
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self { text.appendHex(byte) }
        return String(decoding: text, as: UTF8.self)
    }
}

extension [UInt8] {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `byte` as two lower-case hex digits.
    @inline(__always)
    mutating func appendHex(_ byte: UInt8) {
        append(Self.hexDigits[Int(byte >> 4)])
        append(Self.hexDigits[Int(byte & 0x0F)])
    }

    /// Appends the decimal digits of `value` (0 or more), left-padded with zeros to `width`, as
    /// `%0*d` would write them.
    public mutating func appendDigits(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}

extension Date: PostgresBindable {
    /// A timestamp with time zone, to the microsecond, in UTC.
    public var postgresText: String? {
        PostgresTimestamp.format(self)
    }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresText: String? { self?.postgresText }
}

extension Array: PostgresBindable where Element == String {
    /// A `text[]` literal with every element quoted and escaped.
    /// Built in one pass over the elements' UTF-8 (a backslash before each `"` and `\\`).
    public var postgresText: String? {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(2 + reduce(0) { $0 + $1.utf8.count + 3 })
        for (index, element) in enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Conversions between `Date` and PostgreSQL's `timestamptz` text format.
enum PostgresTimestamp {
    /// Seconds since 1970 of 0001-01-01 00:00:00 and of 9999-12-31 23:59:59 UTC: beyond them a
    /// date is sent as PostgreSQL's `-infinity` / `infinity`, never converted (which would trap).
    static let representable: ClosedRange<Double> = -62_135_596_800...253_402_300_799

    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        guard !interval.isNaN else { return "infinity" }
        if interval < representable.lowerBound { return "-infinity" }
        if interval > representable.upperBound { return "infinity" }
        let micros = (interval * 1_000_000).rounded()
        let seconds = Int64((micros / 1_000_000).rounded(.down))
        let fraction = Int64(micros) - seconds * 1_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        // `%04d-%02d-%02d %02d:%02d:%02d.%06d+00`, written digit by digit (`String(format:)`
        // was a visible part of a request's CPU).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(30)
        let fields: [(value: Int, width: Int, then: Character)] = [
            (Int(parts.tm_year) + 1900, 4, "-"), (Int(parts.tm_mon) + 1, 2, "-"), (Int(parts.tm_mday), 2, " "),
            (Int(parts.tm_hour), 2, ":"), (Int(parts.tm_min), 2, ":"), (Int(parts.tm_sec), 2, "."),
        ]
        for field in fields {
            bytes.appendDigits(field.value, width: field.width)
            bytes.append(field.then.asciiValue!)
        }
        bytes.appendDigits(Int(fraction), width: 6)
        bytes.append(contentsOf: "+00".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses the server's output for `timestamptz` with `DateStyle=ISO` and `TimeZone=UTC`,
    /// e.g. `2026-11-23 16:21:00.123456+00`.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard let hours = number((index + 1)..<(index + 3)) else { return nil }
            var minutes = 0
            if index + 5 < bytes.count + 1, index + 3 < bytes.count, bytes[index + 3] == UInt8(ascii: ":") {
                minutes = number((index + 4)..<(index + 6)) ?? 0
            }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = timegm(&parts)
        return Date(timeIntervalSince1970: Double(epoch - offsetSeconds) + fraction)
    }
}
