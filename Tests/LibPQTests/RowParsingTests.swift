import Foundation
import Testing

@testable import LibPQ

@Suite("Row: reading uuid and text[] columns without Foundation's parsers")
struct RowParsingTests {
    @Test("a uuid reads as Foundation reads it, in either case, and is written as Foundation writes it in lower case; anything else is refused")
    func uuids() {
        for _ in 0..<500 {
            let id = UUID()
            #expect(Row.parseUUID(id.uuidString.lowercased()) == id)
            #expect(Row.parseUUID(id.uuidString) == id)
            #expect(id.lowercasedText == id.uuidString.lowercased())
        }
        let malformed = [
            "", "0", "7d3c2f0e-5b1a-4c8e-9f21-3a6b5c4d2e1", "7d3c2f0e-5b1a-4c8e-9f21-3a6b5c4d2e1ff", "7d3c2f0e5b1a-4c8e-9f21-3a6b5c4d2e1f0",
            "7d3c2f0e-5b1a-4c8e-9f21-3a6b5c4d2e1g", "7d3c2f0e_5b1a-4c8e-9f21-3a6b5c4d2e1f", "{7d3c2f0e-5b1a-4c8e-9f21-3a6b5c4d2e}",
            "7d3c2f0e-5b1a-4c8e-9f21-3a6b5c4d2é",
        ]
        for text in malformed {
            #expect(Row.parseUUID(text) == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "Foundation disagrees about \(text)")
        }
    }

    @Test("a text[] of codes splits on commas; quoted elements and text without braces are refused")
    func simpleArrays() {
        #expect(Row.parseSimpleArray("{}") == [])
        #expect(Row.parseSimpleArray("{autism}") == ["autism"])
        #expect(Row.parseSimpleArray("{emotional_behavioural,self_harm,autism}") == ["emotional_behavioural", "self_harm", "autism"])
        #expect(Row.parseSimpleArray("{café,naïve}") == ["café", "naïve"])
        #expect(Row.parseSimpleArray("{\"a b\",c}") == nil)
        #expect(Row.parseSimpleArray("autism") == nil)
        #expect(Row.parseSimpleArray("{autism") == nil)
        #expect(Row.parseSimpleArray("}") == nil)
        #expect(Row.parseSimpleArray("") == nil)
    }

    @Test("a text[] parameter quotes every element and escapes quotes and backslashes")
    func arrayLiterals() {
        #expect([String]().postgresText == "{}")
        #expect(["autism", "self_harm"].postgresText == "{\"autism\",\"self_harm\"}")
        #expect(["a\"b", "c\\d", "é, f", ""].postgresText == "{\"a\\\"b\",\"c\\\\d\",\"é, f\",\"\"}")
    }

    @Test("a timestamp parameter is UTC to the microsecond, years padded to four digits")
    func timestamps() {
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 0.5)) == "1970-01-01 00:00:00.500000+00")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 1_764_633_599.000_001)) == "2025-12-01 23:59:59.000001+00")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: PostgresTimestamp.representable.lowerBound)) == "0001-01-01 00:00:00.000000+00")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: PostgresTimestamp.representable.upperBound)) == "9999-12-31 23:59:59.000000+00")
        for _ in 0..<200 {
            let date = Date(timeIntervalSince1970: Double.random(in: 0...4_000_000_000).rounded(.down) + Double(Int.random(in: 0..<1_000_000)) / 1_000_000)
            #expect(PostgresTimestamp.parse(PostgresTimestamp.format(date)).map { abs($0.timeIntervalSince(date)) < 1e-6 } == true)
        }
    }

    @Test("bytes as hex are what %02x writes for each, in order")
    func hex() {
        for count in [0, 1, 32] {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255) }
            #expect(bytes.lowercaseHex == bytes.map { String(format: "%02x", $0) }.joined())
        }
        #expect([0x00, 0x0f, 0xa0, 0xff].lowercaseHex == "000fa0ff")
    }
}
