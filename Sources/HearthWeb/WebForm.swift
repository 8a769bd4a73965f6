import Foundation
import Hummingbird
import LibPQ

/// A decoded `application/x-www-form-urlencoded` body: every field in order, repeated names
/// kept (checkboxes). Strict: at most `maxBytes`, valid percent-escapes and UTF-8, no NUL.
public struct WebForm: Sendable, Equatable {
    /// Largest form body accepted.
    public static let maxBytes = 64 * 1024

    /// Every (name, value) pair, in the order the browser sent them.
    public let fields: [(name: String, value: String)]

    public static func == (lhs: WebForm, rhs: WebForm) -> Bool {
        lhs.fields.map(\.name) == rhs.fields.map(\.name) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }

    /// Reads and decodes the request's body; a body of another type, too large or malformed is
    /// a `WebError` (415, 413 or 400).
    public init(request: Request) async throws {
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/x-www-form-urlencoded" else {
            throw WebError(status: .unsupportedMediaType, title: "Sorry, there is a problem with the request", message: "Forms must be sent as application/x-www-form-urlencoded.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBytes)
        } catch {
            throw WebError(status: .contentTooLarge, title: "The form is too large", message: "Forms may be at most \(Self.maxBytes / 1024) KB. Shorten what you typed and try again.")
        }
        try self.init(body: Array(buffer.readableBytesView))
    }

    /// Decodes an urlencoded body.
    public init(body: [UInt8]) throws(WebError) {
        guard body.count <= Self.maxBytes else {
            throw WebError(status: .contentTooLarge, title: "The form is too large", message: "Forms may be at most \(Self.maxBytes / 1024) KB.")
        }
        var fields: [(String, String)] = []
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(parts[0])
            let value = parts.count > 1 ? try Self.decode(parts[1]) : ""
            fields.append((name, value))
        }
        self.fields = fields
    }

    /// The first value of `name`, or nil when the form has no such field.
    public subscript(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// The first value of `name` with surrounding spaces removed; "" when absent.
    public func text(_ name: String) -> String {
        (self[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every value of `name` (repeated checkboxes), in order, empty ones dropped.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name == name && !$0.value.isEmpty }.map(\.value)
    }

    /// True when the form has a field `name` (a ticked checkbox, a pressed button).
    public func contains(_ name: String) -> Bool {
        fields.contains { $0.name == name }
    }

    /// The values as a template shows them again after a mistake: each name to its first value.
    public var typed: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in fields where result[name] == nil { result[name] = value }
        return result
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) throws(WebError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.endIndex, let high = bytes[index + 1].hexDigitValue, let low = bytes[index + 2].hexDigitValue
                else { throw WebError.badRequest("The form contains a malformed % escape.") }
                output.append(high << 4 | low)
                index += 3
            default:
                output.append(byte)
                index += 1
            }
        }
        guard let text = String(validating: output, as: UTF8.self) else {
            throw WebError.badRequest("The form is not valid UTF-8 text.")
        }
        guard !text.unicodeScalars.contains("\u{0}") else { throw WebError.badRequest("The form contains a NUL character.") }
        return text
    }
}
