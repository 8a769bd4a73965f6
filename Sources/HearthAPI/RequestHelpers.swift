import Foundation
import HearthStore
import Hummingbird

extension HearthRequestContext {
    /// The `{id}` path parameter as a UUID; a malformed id is a 404 like an unknown one.
    func resourceID(_ noun: String) throws -> UUID {
        guard let text = parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Problem(status: .notFound, title: "Not found", detail: "no such \(noun)")
        }
        return id
    }
}

extension Request {
    /// The version in `If-Match` (`3` or `"3"`), nil when absent; a 400 when unreadable.
    func expectedVersion() throws -> Int? {
        guard let header = headers[.ifMatch] else { return nil }
        let trimmed = header.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/"))
        guard let version = Int(trimmed), version > 0 else {
            throw Problem(status: .badRequest, title: "Bad request", detail: "If-Match must be the resource's version number, e.g. If-Match: 3")
        }
        return version
    }
}

/// Query parameters for lists, checked all at once.
struct QueryReader {
    let query: [String: String]
    private(set) var errors: [Problem.FieldError] = []

    init(_ request: Request) {
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        self.query = query
    }

    mutating func limit() -> Int {
        guard let text = query["limit"] else { return 50 }
        guard let value = Int(text), (1...200).contains(value) else {
            errors.append(.init(field: "limit", message: "must be a whole number from 1 to 200"))
            return 50
        }
        return value
    }

    /// Times a real cursor can carry: rows are created after 2000 and long before 2200. A
    /// forged cursor outside them would overflow the timestamp arithmetic, so it is refused.
    private static let cursorTimes = Date(timeIntervalSince1970: 946_684_800)...Date(timeIntervalSince1970: 7_258_118_400)

    mutating func cursor() -> ListCursor? {
        guard let text = query["cursor"] else { return nil }
        guard let cursor = ListCursor(token: text), Self.cursorTimes.contains(cursor.createdAt) else {
            errors.append(.init(field: "cursor", message: "is not a cursor this server gave out"))
            return nil
        }
        return cursor
    }

    mutating func code<Code: RawRepresentable & CaseIterable>(_ name: String, as type: Code.Type) -> Code? where Code.RawValue == String {
        guard let text = query[name] else { return nil }
        guard let code = Code(rawValue: text) else {
            errors.append(.init(field: name, message: "must be one of \(Code.allCases.map(\.rawValue).joined(separator: ", "))"))
            return nil
        }
        return code
    }

    mutating func oneOf(_ name: String, _ allowed: [String]) -> String? {
        guard let text = query[name] else { return nil }
        guard allowed.contains(text) else {
            errors.append(.init(field: name, message: "must be one of \(allowed.joined(separator: ", "))"))
            return nil
        }
        return text
    }

    mutating func number(_ name: String, in range: ClosedRange<Double>) -> Double? {
        guard let text = query[name] else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            errors.append(.init(field: name, message: "must be a number from \(range.lowerBound) to \(range.upperBound)"))
            return nil
        }
        return value
    }

    mutating func fail(_ field: String, _ message: String) {
        errors.append(.init(field: field, message: message))
    }

    func throwIfInvalid() throws {
        guard !errors.isEmpty else { return }
        throw Problem(status: .badRequest, title: "Invalid query", detail: "\(errors.count) query parameter(s) are invalid", errors: errors)
    }
}
