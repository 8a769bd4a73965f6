import Foundation
import HearthCore
import HearthStore
import Hummingbird

/// Reads a JSON object field by field, collecting every problem rather than stopping at the
/// first, so a client learns all that is wrong with a request in one answer.
struct BodyReader {
    private let fields: [String: JSONValue]
    /// The body's bytes as received (for idempotency hashing).
    let rawBody: Data
    private(set) var errors: [Problem.FieldError] = []

    /// Parses a request body that must be a JSON object; throws a 400/415 problem otherwise.
    static func parse(_ request: Request, context: HearthRequestContext) async throws -> BodyReader {
        guard isJSON(contentType: request.headers[.contentType] ?? "") else {
            throw Problem(status: .unsupportedMediaType, title: "Unsupported media type", detail: "send the body as application/json")
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer: buffer)
        let value: JSONValue
        do {
            value = try JSONValue.parse(data)
        } catch let error as JSONValue.ParseError {
            throw Problem(status: .badRequest, title: "Malformed JSON", detail: "the body is not valid JSON: \(error)")
        }
        guard case .object(let fields) = value else {
            throw Problem(status: .badRequest, title: "Malformed JSON", detail: "the body must be a JSON object, not \(value.typeName)")
        }
        return BodyReader(fields: fields, rawBody: data)
    }

    /// True for `application/json` and `application/<anything>+json` (RFC 6839), in any case,
    /// with or without parameters such as `charset`.
    static func isJSON(contentType: String) -> Bool {
        if contentType == "application/json" { return true }
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first?
            .trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        let parts = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "application" else { return false }
        return parts[1] == "json" || (parts[1].hasSuffix("+json") && parts[1].count > "+json".count)
    }

    init(fields: [String: JSONValue], rawBody: Data = Data()) {
        self.fields = fields
        self.rawBody = rawBody
    }

    /// The raw value of a field, if present.
    func field(_ name: String) -> JSONValue? { fields[name] }

    /// True when the body has the field (even if null).
    func has(_ name: String) -> Bool { fields[name] != nil }

    /// Records a problem with a field.
    mutating func fail(_ field: String, _ message: String) {
        errors.append(.init(field: field, message: message))
    }

    /// Reports every field not in `allowed`.
    mutating func rejectUnknown(allowing allowed: Set<String>) {
        for name in fields.keys.sorted() where !allowed.contains(name) {
            fail(name, "is not a known field")
        }
    }

    /// Records `problems` (cross-field rules), then throws if there are any errors at all.
    mutating func throwIfInvalid(adding problems: [FieldProblem]) throws {
        for problem in problems { fail(problem.field, problem.message) }
        try throwIfInvalid()
    }

    /// Throws a 422 problem listing every error, if there are any.
    func throwIfInvalid() throws {
        guard !errors.isEmpty else { return }
        throw Problem(
            status: .unprocessableContent, title: "Invalid request",
            detail: errors.count == 1 ? "1 field is invalid" : "\(errors.count) fields are invalid", errors: errors
        )
    }

    private mutating func value(_ name: String, required: Bool) -> JSONValue? {
        guard let value = fields[name], value != .null else {
            if required { fail(name, "is required") }
            return nil
        }
        return value
    }

    /// A string of 1 to `maxLength` characters (Unicode scalars, as PostgreSQL counts them),
    /// not blank, with no control characters but tab, CR and LF.
    mutating func string(_ name: String, required: Bool = true, maxLength: Int) -> String? {
        guard let value = value(name, required: required) else { return nil }
        guard case .string(let text) = value else {
            fail(name, "must be a string, not \(value.typeName)")
            return nil
        }
        // PostgreSQL's length() and varchar(n) count Unicode scalars, not Swift's characters:
        // "é" written as e + U+0301 is one Character but two characters to the database.
        guard !text.unicodeScalars.allSatisfy(CharacterSet.whitespacesAndNewlines.contains), text.unicodeScalars.count <= maxLength else {
            fail(name, "must be 1 to \(maxLength) characters")
            return nil
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !["\n", "\r", "\t"].contains($0) }) else {
            fail(name, "must not contain control characters other than tab and line breaks")
            return nil
        }
        return text
    }

    /// A whole number in `range`.
    mutating func integer(_ name: String, required: Bool = true, in range: ClosedRange<Int64>) -> Int64? {
        guard let value = value(name, required: required) else { return nil }
        let number: Int64
        switch value {
        case .integer(let whole): number = whole
        case .number(let real) where real == real.rounded() && abs(real) < 9e15: number = Int64(real)
        default:
            fail(name, "must be a whole number, not \(value.typeName)")
            return nil
        }
        guard range.contains(number) else {
            fail(name, "must be from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    /// A number in `range`.
    mutating func number(_ name: String, required: Bool = true, in range: ClosedRange<Double>) -> Double? {
        guard let value = value(name, required: required) else { return nil }
        let number: Double
        switch value {
        case .integer(let whole): number = Double(whole)
        case .number(let real): number = real
        default:
            fail(name, "must be a number, not \(value.typeName)")
            return nil
        }
        guard number.isFinite, range.contains(number) else {
            fail(name, "must be from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    /// A boolean.
    mutating func bool(_ name: String, required: Bool = true) -> Bool? {
        guard let value = value(name, required: required) else { return nil }
        guard case .bool(let flag) = value else {
            fail(name, "must be true or false, not \(value.typeName)")
            return nil
        }
        return flag
    }

    /// One of an enumeration's raw values.
    mutating func code<Code: RawRepresentable & CaseIterable>(_ name: String, required: Bool = true, as type: Code.Type) -> Code?
    where Code.RawValue == String {
        guard let text = string(name, required: required, maxLength: 64) else { return nil }
        guard let code = Code(rawValue: text) else {
            fail(name, "must be one of \(Code.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return code
    }

    /// An array of distinct codes, with at least `minimum` items.
    mutating func codes<Code: RawRepresentable & CaseIterable & Hashable>(_ name: String, required: Bool = true, as type: Code.Type, minimum: Int = 0) -> [Code]?
    where Code.RawValue == String {
        guard let value = value(name, required: required) else { return nil }
        guard case .array(let items) = value else {
            fail(name, "must be an array of strings, not \(value.typeName)")
            return nil
        }
        var codes: [Code] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item, let code = Code(rawValue: text) else {
                fail("\(name)[\(index)]", "must be one of \(Code.allCases.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
            if codes.contains(code) {
                fail("\(name)[\(index)]", "\(text) appears twice")
                return nil
            }
            codes.append(code)
        }
        guard codes.count >= minimum else {
            fail(name, "must list at least \(minimum)")
            return nil
        }
        return codes
    }

    /// A calendar date `YYYY-MM-DD` between 2000 and 2100.
    mutating func date(_ name: String, required: Bool = true) -> CalendarDate? {
        guard let text = string(name, required: required, maxLength: 10) else { return nil }
        guard let date = CalendarDate(iso: text), (2000...2100).contains(date.year) else {
            fail(name, "must be a date as YYYY-MM-DD")
            return nil
        }
        return date
    }

    /// A location: `{"lat", "lon"}` within the UK, or `{"postcode"}` / `{"postcode_district"}`
    /// resolved through the postcode-district table. Stored coarse (2 decimal places).
    mutating func location(_ name: String, required: Bool = true, postcodes: PostcodeDistricts) -> ResolvedLocation? {
        guard let value = value(name, required: required) else { return nil }
        guard case .object(let parts) = value else {
            fail(name, "must be an object: {\"lat\", \"lon\"}, {\"postcode\"} or {\"postcode_district\"}")
            return nil
        }
        var inner = BodyReader(fields: parts)
        let keys = Set(parts.keys)
        var resolved: ResolvedLocation?
        if keys == ["lat", "lon"] {
            let lat = inner.number("lat", in: 49.8...60.9)
            let lon = inner.number("lon", in: -8.7...1.8)
            if let lat, let lon {
                let point = Coordinate(lat: lat, lon: lon).rounded()
                resolved = ResolvedLocation(point: point, postcodeDistrict: nil)
            }
        } else if keys == ["postcode"] || keys == ["postcode_district"] {
            let isDistrict = keys == ["postcode_district"]
            let field = isDistrict ? "postcode_district" : "postcode"
            if let text = inner.string(field, maxLength: 10) {
                let district = isDistrict ? PostcodeDistricts.normalisedDistrict(text) : PostcodeDistricts.district(ofPostcode: text)
                if let district, let point = postcodes.location(of: district) {
                    resolved = ResolvedLocation(point: point.rounded(), postcodeDistrict: district)
                } else {
                    inner.fail(field, district == nil ? "is not a UK \(isDistrict ? "postcode district" : "postcode")" : "\(district!) is not a known postcode district in Great Britain")
                }
            }
        } else {
            inner.fail("", "give either lat and lon, or postcode, or postcode_district")
        }
        for error in inner.errors {
            fail(error.field.isEmpty ? name : "\(name).\(error.field)", error.message)
        }
        return resolved
    }
}

/// A location after resolution: the coarse point stored, and the postcode district if one was given.
struct ResolvedLocation: Sendable, Equatable {
    let point: Coordinate
    let postcodeDistrict: String?
}
