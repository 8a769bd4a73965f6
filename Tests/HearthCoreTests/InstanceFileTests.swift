import Foundation
import Testing
@testable import HearthCore

@Suite("Clearing instance files")
struct InstanceFileTests {
    @Test("round-trips an instance and its result through JSON")
    func roundTrip() throws {
        let instance = randomInstance(seed: 7)
        let result = try ClearingSolver(workerCount: 1).solve(instance)
        let file = ClearingInstanceFile(instance: instance, result: result)
        let decoded = try ClearingInstanceFile.decode(from: try file.encoded())
        #expect(decoded == file)
        #expect(decoded.format == "hearth-clearing-instance/1")
    }

    @Test("writes the field names the check script reads")
    func fieldNames() throws {
        let file = ClearingInstanceFile(instance: ClearingInstance(bids: [Fixtures.bid()], offers: [Fixtures.offer()], today: Fixtures.today))
        let json = try #require(try JSONSerialization.jsonObject(with: file.encoded()) as? [String: Any])
        let instance = try #require(json["instance"] as? [String: Any])
        let bid = try #require((instance["bids"] as? [[String: Any]])?.first)
        let offer = try #require((instance["offers"] as? [[String: Any]])?.first)
        #expect(instance["today"] as? String == "2026-03-02")
        #expect(Set(bid.keys).isSuperset(of: ["id", "groupSize", "age", "sex", "needs", "settingsAcceptable", "home", "urgency", "neededBy"]))
        #expect(Set(offer.keys).isSuperset(of: ["id", "setting", "needsSupported", "ageMin", "ageMax", "sexesAccepted", "location", "availableFrom", "weeklyRatePence", "freeBeds"]))
        #expect(json["result"] == nil)
    }

    @Test("refuses a file of another format")
    func wrongFormat() throws {
        var file = ClearingInstanceFile(instance: ClearingInstance(bids: [], offers: [], today: Fixtures.today))
        file.format = "something-else/2"
        #expect(throws: DecodingError.self) { try ClearingInstanceFile.decode(from: try file.encoded()) }
    }
}
