import HearthCore
import HearthInsight
import Testing

@Suite("Placement groups")
struct PlacementGroupTests {
    @Test("PLACE codes map to the forecast's groups, older codes included")
    func groups() {
        #expect(PlacementGroup(placeCode: "U3") == .foster)
        #expect(PlacementGroup(placeCode: "K2") == .childrensHome)
        #expect(PlacementGroup(placeCode: "H5") == .supported)
        #expect(PlacementGroup(placeCode: "P2") == .supported)
        #expect(PlacementGroup(placeCode: "P1") == .withParents)
        #expect(PlacementGroup(placeCode: "A5") == .adoption)
        #expect(PlacementGroup(placeCode: "R1") == .other)
    }

    @Test("an episode is open from its start up to, not including, its end")
    func openDays() throws {
        let start = try #require(CalendarDate(iso: "2024-01-10"))
        let end = try #require(CalendarDate(iso: "2024-02-01"))
        let episode = Episode(
            authority: "E10000016", childKey: "ab", birthMonth: "2012-03", sex: "1", start: start, end: end,
            reasonNewEpisode: "S", legalStatus: "C2", categoryOfNeed: "N1", placement: "U1", placementProvider: "PR1",
            reasonCeased: "E11", homeDistrict: "ME1", placementDistrict: "ME2", distanceKm: 3.1,
            placementAuthority: "E10000016", unaccompanied: false)
        #expect(episode.isOpen(on: start))
        #expect(!episode.isOpen(on: end))
        #expect(!episode.isOpen(on: try #require(CalendarDate(iso: "2024-01-09"))))
    }
}
