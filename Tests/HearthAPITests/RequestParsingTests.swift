import Foundation
import Testing

@testable import HearthAPI

@Suite("request parsing")
struct RequestParsingTests {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Data(text.utf8))
    }

    @Test("duplicate keys at any depth are refused, also when spelled with escapes")
    func duplicateKeys() throws {
        for text in [
            #"{"a":1,"a":2}"#, #"{"a":1,"\u0061":2}"#, #"{"x":{"a":1,"a":1}}"#, #"[{"a":[{"b":null,"b":true}]}]"#,
            // Canonically equivalent names are one key to Swift's String, so they count as duplicates.
            #"{"\u00e9":1,"e\u0301":2}"#,
        ] {
            #expect(throws: JSONValue.ParseError.self, "\(text)") { try parse(text) }
        }
    }

    @Test("values parse strictly: integers that fit are integers, the rest doubles; nothing non-finite")
    func values() throws {
        #expect(try parse(#" {"a":[1,-2,3.5,1e2,true,false,null,"x\n\u00e9\ud83d\ude00"]} "#) == .object([
            "a": .array([.integer(1), .integer(-2), .number(3.5), .number(100), .bool(true), .bool(false), .null, .string("x\né😀")])
        ]))
        #expect(try parse("9223372036854775807") == .integer(.max))
        #expect(try parse("9223372036854775808") == .number(9223372036854775808))
        #expect(try parse("-0") == .integer(0))
        for bad in [
            "", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "1e999", "-1e999", "NaN", "Infinity", "tru", "nul",
            "\"\\ud800\"", "\"\\udc00x\"", "\"\\x\"", "\"a\u{1}b\"", "\"open", "{\"a\" 1}", "{1:2}", "[1 2]", "1 2",
            String(repeating: "[", count: 200) + String(repeating: "]", count: 200),
        ] {
            #expect(throws: JSONValue.ParseError.self, "\(bad.prefix(20))") { try parse(bad) }
        }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Data([0x22, 0xff, 0x22])) }
    }

    @Test("string lengths are counted in Unicode scalars, as PostgreSQL's length() counts them; control characters are refused")
    func stringLengths() {
        let accented = String(repeating: "e\u{301}", count: 3)  // 3 characters to Swift, 6 to PostgreSQL
        var reader = BodyReader(fields: ["s": .string(accented), "t": .string("line\nbreak\ttab"), "u": .string("nul\u{0}"), "v": .string("bell\u{7}")])
        #expect(reader.string("s", maxLength: 5) == nil)
        #expect(reader.string("s", maxLength: 6) == accented)
        #expect(reader.string("t", maxLength: 100) == "line\nbreak\ttab")
        #expect(reader.string("u", maxLength: 100) == nil)
        #expect(reader.string("v", maxLength: 100) == nil)
        #expect(reader.errors.map(\.field) == ["s", "u", "v"])
    }

    @Test("only application/json and application/*+json, with any parameters, are JSON")
    func mediaTypes() {
        for accepted in ["application/json", "APPLICATION/JSON", "application/json; charset=utf-8", "application/json;charset=UTF-8", "application/merge-patch+json", "application/vnd.hearth.v1+json ; q=1"] {
            #expect(BodyReader.isJSON(contentType: accepted), "\(accepted)")
        }
        for refused in ["application/jsonx", "application/json-patch", "application/+json", "application/x+jsonx", "text/json", "application", "", "application/json/x", "multipart/form-data+json"] {
            #expect(!BodyReader.isJSON(contentType: refused), "\(refused)")
        }
    }

    @Test("Authorization: the Bearer scheme in any case, then a token")
    func bearerTokens() {
        #expect(AuthenticationMiddleware.bearerToken(in: "Bearer abc") == "abc")
        #expect(AuthenticationMiddleware.bearerToken(in: "bearer abc") == "abc")
        #expect(AuthenticationMiddleware.bearerToken(in: "BEARER   abc ") == "abc")
        for header in ["Bearer", "Bearer ", "Basic abc", "Bearerabc", "abc", "Bearer a b"] {
            #expect(AuthenticationMiddleware.bearerToken(in: header) == nil, "\(header)")
        }
    }

    @Test("Idempotency-Key: 1 to 255 Unicode scalars, no control characters")
    func idempotencyKeys() {
        #expect(IdempotentWrite.isValidKey("bid-KT-0001-v1"))
        #expect(IdempotentWrite.isValidKey(String(repeating: "x", count: 255)))
        #expect(!IdempotentWrite.isValidKey(String(repeating: "x", count: 256)))
        #expect(!IdempotentWrite.isValidKey(String(repeating: "e\u{301}", count: 128)))
        #expect(!IdempotentWrite.isValidKey(""))
        #expect(!IdempotentWrite.isValidKey("a\tb"))
        #expect(!IdempotentWrite.isValidKey("a\u{7f}b"))
        #expect(!IdempotentWrite.isValidKey("a\u{85}b"))
    }
}
