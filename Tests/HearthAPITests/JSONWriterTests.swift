import Foundation
import HearthCore
import HearthStore
import Testing

@testable import HearthAPI

/// The hand-written JSON of the hot response types is byte for byte what `JSONEncoder` (with
/// the API's settings) makes of the same values, so the contract cannot drift.
@Suite("JSON writer")
struct JSONWriterTests {
    private func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try JSONResponse.encoder.encode(value), as: UTF8.self)
    }

    private func written(_ value: some JSONWritable) -> String {
        String(decoding: JSONResponse.data(value), as: UTF8.self)
    }

    private static let created = Date(timeIntervalSince1970: 1_780_000_000.987654)
    private static let updated = Date(timeIntervalSince1970: 946_684_799.5)

    private static func offer(postcode: String?, until: CalendarDate?, urn: String?, distance: Double?, lat: Double, lon: Double) -> Offer {
        Offer(
            id: UUID(), authority: "E10000016", status: .open, version: 3, createdAt: created, updatedAt: updated,
            draft: OfferDraft(
                setting: .secureChildrensHome, capacity: 2, needsSupported: [.autism, .selfHarm], ageMin: 0, ageMax: 17, sexesAccepted: [.female, .male],
                location: Coordinate(lat: lat, lon: lon), postcodeDistrict: postcode, availableFrom: CalendarDate(iso: "2026-01-09")!,
                availableUntil: until, weeklyRatePence: 123_456_789_012, ofstedURN: urn
            ),
            distanceKm: distance
        )
    }

    private static func bid(childRef: String, max: Double?, min: Double?, rate: Int64?) -> Bid {
        Bid(
            id: UUID(), authority: "E06000036", status: .proposed, version: 1, createdAt: created, updatedAt: created,
            draft: BidDraft(
                childRef: childRef, groupSize: 2, age: 9, sex: .female, needs: [], settingsAcceptable: [.foster, .childrensHome],
                home: Coordinate(lat: 51, lon: -0.05), homePostcodeDistrict: nil, maxDistanceKm: max, minDistanceKm: min, urgency: .urgent,
                neededBy: CalendarDate(iso: "2027-12-31")!, maxWeeklyRatePence: rate
            )
        )
    }

    @Test("offers, with and without their optional fields, and a page of them")
    func offers() throws {
        let offers = [
            Self.offer(postcode: "ME14", until: CalendarDate(iso: "2026-06-30"), urn: "SC123456", distance: 12.3456789, lat: 51.27, lon: 0.52),
            Self.offer(postcode: nil, until: nil, urn: nil, distance: nil, lat: 50, lon: -9),
            Self.offer(postcode: "TN1 \"quoted\" back\\slash/slash é\u{1}\t\n", until: nil, urn: "", distance: 30, lat: 60.99, lon: 1e-7),
        ]
        for offer in offers {
            #expect(written(OfferJSON(offer)) == (try encoded(OfferJSON(offer))))
        }
        let full = PageJSON(offers, limit: 3, OfferJSON.init)
        #expect(written(full) == (try encoded(full)))
        let last = PageJSON(offers, limit: 50, OfferJSON.init)
        #expect(written(last) == (try encoded(last)))
        let empty = PageJSON([Offer](), limit: 50, OfferJSON.init)
        #expect(written(empty) == (try encoded(empty)))
    }

    @Test("bids, with and without their optional fields, and a page of them")
    func bids() throws {
        let bids = [
            Self.bid(childRef: "KT-001", max: 40, min: 2.5, rate: 90_000),
            Self.bid(childRef: "ünïcødé 👩‍👧 \u{7f}", max: nil, min: nil, rate: nil),
        ]
        for bid in bids {
            #expect(written(BidJSON(bid)) == (try encoded(BidJSON(bid))))
        }
        let page = PageJSON(bids, limit: 2, BidJSON.init)
        #expect(written(page) == (try encoded(page)))
    }

    @Test("dates and numbers at their edges")
    func edges() throws {
        for seconds in [0, -0.5, 1.999999, 253_402_300_799, 1_000_000_000.000001] {
            var writer = JSONWriter()
            writer.date(Date(timeIntervalSince1970: seconds))
            #expect(String(decoding: writer.bytes, as: UTF8.self) == (try encoded([Date(timeIntervalSince1970: seconds)])).dropFirst().dropLast())
        }
        for number in [0, -0.0, 1, -1, 0.1, 123_456.789, 1e21, 1e-7, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, 51.28, -3.5] {
            var writer = JSONWriter()
            writer.number(number)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == (try encoded([number])).dropFirst().dropLast(), "\(number)")
        }
        for integer in [Int64.min, -1, 0, 7, Int64.max] {
            var writer = JSONWriter()
            writer.integer(integer)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == (try encoded([integer])).dropFirst().dropLast())
        }
    }
}
