import HearthCore
import HearthInsight
import Testing

func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

func returned(
    _ child: String, _ start: String, _ end: String?, year: Int, place: String = "U1", authority: String = "E10000016",
    distanceKm: Double? = nil, placementAuthority: String? = nil, unaccompanied: Bool = false
) -> ReturnedEpisode {
    ReturnedEpisode(
        episode: Episode(
            authority: authority, childKey: child, birthMonth: "2010-01", sex: "1", start: day(start), end: end.map(day),
            reasonNewEpisode: "S", legalStatus: "C2", categoryOfNeed: "N1", placement: place, placementProvider: "PR1",
            reasonCeased: end == nil ? nil : "E11", homeDistrict: "ME14", placementDistrict: "ME15", distanceKm: distanceKm,
            placementAuthority: placementAuthority, unaccompanied: unaccompanied
        ),
        returnYear: year
    )
}

@Suite("Insight: merging successive returns")
struct EpisodeHistoryTests {
    @Test("an episode open at 31 March reappears closed next year: one episode, the later return's")
    func openThenClosed() {
        let first = [returned("a", "2023-01-10", "2023-02-01", year: 2023), returned("a", "2023-02-01", nil, year: 2023)]
        let change1 = EpisodeHistory.merge(stored: [], incoming: first)
        #expect(change1.inserted.count == 2)
        let history1 = EpisodeHistory.applying(change1, to: [])
        let second = [returned("a", "2023-02-01", "2023-06-30", year: 2024), returned("a", "2023-06-30", nil, year: 2024, place: "K2")]
        let change2 = EpisodeHistory.merge(stored: history1, incoming: second)
        #expect(change2.updated.map(\.episode.start) == [day("2023-02-01")])
        #expect(change2.inserted.map(\.episode.start) == [day("2023-06-30")])
        #expect(change2.removed.isEmpty)
        let history2 = EpisodeHistory.applying(change2, to: history1)
        #expect(history2.map(\.episode.start) == [day("2023-01-10"), day("2023-02-01"), day("2023-06-30")])
        #expect(history2.map(\.returnYear) == [2023, 2024, 2024])
        #expect(history2[1].episode.end == day("2023-06-30"))
    }

    @Test("importing the same return again changes nothing")
    func sameAgain() {
        let rows = [returned("a", "2023-01-10", nil, year: 2023), returned("b", "2022-05-01", "2022-09-01", year: 2023)]
        let history = EpisodeHistory.applying(EpisodeHistory.merge(stored: [], incoming: rows), to: [])
        let again = EpisodeHistory.merge(stored: history, incoming: rows)
        #expect(again.isEmpty)
        #expect(again.unchanged == 2)
    }

    @Test("a later return that corrects an episode's start replaces the earlier year's overlapping episode")
    func correctedStart() {
        let history = EpisodeHistory.applying(EpisodeHistory.merge(stored: [], incoming: [returned("a", "2023-03-01", nil, year: 2023)]), to: [])
        let change = EpisodeHistory.merge(stored: history, incoming: [returned("a", "2023-03-02", "2023-08-01", year: 2024)])
        #expect(change.removed.map(\.episode.start) == [day("2023-03-01")])
        #expect(change.inserted.map(\.episode.start) == [day("2023-03-02")])
        #expect(EpisodeHistory.applying(change, to: history).map(\.episode.start) == [day("2023-03-02")])
    }

    @Test("an earlier return imported after a later one leaves the later return's episodes alone")
    func earlierAfterLater() {
        let later = EpisodeHistory.applying(
            EpisodeHistory.merge(stored: [], incoming: [returned("a", "2023-02-01", "2023-06-30", year: 2024)]), to: []
        )
        let change = EpisodeHistory.merge(stored: later, incoming: [
            returned("a", "2022-11-01", "2023-02-01", year: 2023), returned("a", "2023-02-01", nil, year: 2023),
        ])
        #expect(change.superseded == 1)
        #expect(change.inserted.map(\.episode.start) == [day("2022-11-01")])
        #expect(change.updated.isEmpty && change.removed.isEmpty)
    }

    @Test("episodes overlap when they share a day; back-to-back ones do not")
    func overlap() {
        let a = returned("a", "2023-01-01", "2023-02-01", year: 2023).episode
        #expect(!EpisodeHistory.overlaps(a, returned("a", "2023-02-01", nil, year: 2023).episode))
        #expect(EpisodeHistory.overlaps(a, returned("a", "2023-01-31", nil, year: 2023).episode))
        #expect(EpisodeHistory.overlaps(returned("a", "2023-01-01", nil, year: 2023).episode, returned("a", "2025-01-01", nil, year: 2023).episode))
    }
}
