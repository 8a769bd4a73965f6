import HearthCore
import HearthInsight
import Testing

let episodeColumns = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"

/// An episodes table: the DfE column line, then `rows`.
func episodesCSV(_ rows: [String]) -> String {
    ([episodeColumns] + rows).joined(separator: "\n") + "\n"
}

/// The problems `SSDA903Return` finds, as `hearthctl import ssda903` prints them.
func problems(episodes: String, header: String? = nil, uasc: String? = nil, year: Int? = nil) -> [String] {
    do {
        _ = try SSDA903Return(episodes: episodes, header: header, uasc: uasc, collectionYear: year)
        return []
    } catch let invalid as SSDA903Invalid {
        return invalid.problems.map(\.description)
    } catch {
        return ["unexpected \(error)"]
    }
}

@Suite("Insight: SSDA903 validation")
struct SSDA903ValidationTests {
    let good = "C1,01/05/2023,S,C2,N1,U1,PR1,10/06/2023,E11,,ME14 1XQ,ME15 6AA,"

    @Test("a valid return is read: districts only, collection year from the latest date")
    func valid() throws {
        let parsed = try SSDA903Return(episodes: episodesCSV([good, "C2,20/03/2024,S,J2,N4,K3,PR4,,,,CT1 2AB,TN23 1AA,"]))
        #expect(parsed.collectionYear == 2024)
        #expect(parsed.episodes.count == 2)
        #expect(parsed.episodes[0].homeDistrict == "ME14")
        #expect(parsed.episodes[0].placementDistrict == "ME15")
        #expect(parsed.episodes[1].end == nil)
        #expect(parsed.episodes[1].placement == "K3")
        let withoutURN = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST\nC1,01/05/2023,S,C2,N1,U1,PR1,,,,,\n"
        #expect(try SSDA903Return(episodes: withoutURN).episodes.count == 1)
    }

    @Test("missing, unknown and repeated columns are named on row 1")
    func columns() {
        let text = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,HOME_POST,PL_POST,URN,UPN\nC1,01/05/2023,S,C2,N1,U1,PR1,,,,ME14,ME15,x\n"
        let found = problems(episodes: text)
        #expect(found.contains("row 1: REASON_PLACE_CHANGE: missing column"))
        #expect(found.contains { $0.hasPrefix("row 1: UPN: not a column of the episodes table") })
        #expect(problems(episodes: "").first?.hasPrefix("row 1: CHILD: the file is empty") == true)
    }

    @Test("each code list and date rule names its DfE rule number")
    func rules() {
        func only(_ row: String) -> [String] { problems(episodes: episodesCSV([row])) }
        #expect(only("C1,31/02/2023,S,C2,N1,U1,PR1,,,,,,") == [#"row 2: DECOM: "31/02/2023" is not a valid dd/mm/YYYY date (DfE rule 141)"#])
        #expect(only("C1,01/05/2023,S,C2,N1,U1,PR1,2023-06-10,E11,,,,") == [#"row 2: DEC: "2023-06-10" is not a valid dd/mm/YYYY date (DfE rule 147)"#])
        #expect(only("C1,01/05/2023,Q,C2,N1,U1,PR1,,,,,,") == [#"row 2: RNE: "Q" is not a valid code (DfE rule 143)"#])
        #expect(only("C1,01/05/2023,S,X9,N1,U1,PR1,,,,,,") == [#"row 2: LS: "X9" is not a valid code (DfE rule 144)"#])
        #expect(only("C1,01/05/2023,S,C2,N9,U1,PR1,,,,,,") == [#"row 2: CIN: "N9" is not a valid code (DfE rule 145)"#])
        #expect(only("C1,01/05/2023,S,C2,N1,U9,PR1,,,,,,") == [#"row 2: PLACE: "U9" is not a valid code (DfE rule 146)"#])
        #expect(only("C1,01/05/2023,S,C2,N1,U1,PR9,,,,,,") == [#"row 2: PLACE_PROVIDER: "PR9" is not a valid code (DfE rule 178)"#])
        #expect(only("C1,01/05/2023,S,C2,N1,U1,PR1,10/06/2023,E99,,,,") == [#"row 2: REC: "E99" is not a valid code (DfE rule 149)"#])
        #expect(only("C1,01/05/2023,S,C2,N1,U1,PR1,,,MOVED,,,") == [#"row 2: REASON_PLACE_CHANGE: "MOVED" is not a valid code (DfE rule 1009)"#])
        #expect(only("C1,01/05/2023,S,C2,N1,U1,PR1,10/06/2023,,,,,") == ["row 2: REC: DEC and REC must both be given or both be blank (DfE rule 148)"])
        #expect(only("C1,01/05/2023,S,C2,N1,U1,PR1,,E11,,,,") == ["row 2: DEC: DEC and REC must both be given or both be blank (DfE rule 148)"])
        #expect(only("C1,01/05/2023,S,C2,N1,U1,PR1,30/04/2023,E11,,,,") == ["row 2: DEC: the episode ends before it starts (DfE rule 356)"])
        #expect(only("C1,01/05/1990,S,C2,N1,U1,PR1,,,,,,") == ["row 2: DECOM: no episode may start before 14 October 1991 (DfE rule 353)"])
        #expect(only("C1,01/05/2023,S,C2,N1,U1,PR1,,,,NOT A POSTCODE,,") == ["row 2: HOME_POST: is not a UK postcode"])
        #expect(only("C1,01/05/2023,,C2,N1,U1,PR1,,,,,,") == ["row 2: RNE: is blank (DfE rule 143)"])
        #expect(problems(episodes: episodesCSV(["C1,01/05/2023,S,C2,N1,U1,PR1,10/05/2024,E11,,,,"]), year: 2024)
            == ["row 2: DEC: must be on or before the end of the collection year (31/03/2024) (DfE rule 385)"])
    }

    @Test("dates are dd/mm/YYYY with a one-digit day or month allowed; anything else is refused (rule 141)")
    func dates() throws {
        #expect(try SSDA903Return(episodes: episodesCSV(["C1,1/5/2023,s,c2,n1,u1,pr1,,,,,,"])).episodes[0].start == CalendarDate(year: 2023, month: 5, day: 1))
        for text in ["01/05/23", "001/05/2023", "01//2023", "01/05/2023/1", "01/05/20234", "1-5-2023", "29/02/2023", "01/13/2023", "00/05/2023", " ", "01/05/2O23"] {
            #expect(problems(episodes: episodesCSV(["C1,\(text),S,C2,N1,U1,PR1,,,,,,"])).first?.hasSuffix("is not a valid dd/mm/YYYY date (DfE rule 141)") == true, "\(text)")
        }
        #expect(problems(episodes: episodesCSV(["C1,29/02/2024,S,C2,N1,U1,PR1,,,,,,"])).isEmpty)
    }

    @Test("the 2024/25 and 2025/26 PLACE lists and older codes are all accepted")
    func placeLists() {
        for code in ["K3", "Z11", "Z12", "Z13", "Z14", "H5", "P2", "Z1", "T4", "S1"] {
            #expect(problems(episodes: episodesCSV(["C1,01/05/2023,S,C2,N1,\(code),,,,,,,"])).isEmpty, "\(code)")
        }
    }

    @Test("a row with the wrong number of fields is refused")
    func fieldCount() {
        #expect(problems(episodes: episodesCSV(["C1,01/05/2023,S,C2,N1,U1"])) == ["row 2: PLACE_PROVIDER: the row has 6 fields; the first line names 13 columns"])
    }

    @Test("one child's episodes may not overlap, and only the last may be open (rules 501, 142)")
    func sequences() {
        let overlapping = problems(episodes: episodesCSV([
            "C1,01/05/2023,S,C2,N1,U1,PR1,10/06/2023,X1,,,,",
            "C1,01/06/2023,P,C2,N1,U2,PR1,,,,,,",
        ]))
        #expect(overlapping == ["row 3: DECOM: starts before the child's previous episode (row 2) ended (DfE rule 501)"])
        let stillOpen = problems(episodes: episodesCSV([
            "C1,01/05/2023,S,C2,N1,U1,PR1,,,,,,",
            "C1,01/06/2023,P,C2,N1,U2,PR1,,,,,,",
        ]))
        #expect(stillOpen == ["row 2: DEC: a later episode of this child (row 3) has started but this one has not ended (DfE rule 142)"])
        let sameDay = problems(episodes: episodesCSV([
            "C1,01/05/2023,S,C2,N1,U1,PR1,01/05/2023,X1,,,,",
            "C1,01/05/2023,P,C2,N1,U2,PR1,,,,,,",
        ]))
        #expect(sameDay == ["row 3: DECOM: another episode of this child (row 2) starts on the same day (DfE rule 501)"])
        // Back to back is fine: one ends the day the next starts.
        #expect(problems(episodes: episodesCSV([
            "C1,01/05/2023,S,C2,N1,U1,PR1,10/06/2023,X1,,,,",
            "C1,10/06/2023,P,C2,N1,U2,PR1,,,,,,",
        ])).isEmpty)
    }

    @Test("header and episodes must agree; the header's codes and dates are checked")
    func header() {
        let header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,X,01/01/2010,WBRI,A1,,\nC1,1,31/13/2010,WBRI,A1,,\n"
        let found = problems(episodes: episodesCSV([good, "C9,01/05/2023,S,C2,N1,U1,PR1,,,,,,"]), header: header)
        #expect(found == [
            "row 3: CHILD: has no row in the header table",
            #"header row 2: SEX: "X" is not a valid code (1, 2, M, F or U) (DfE rule 101)"#,
            "header row 3: CHILD: appears in more than one header row",
            #"header row 3: DOB: "31/13/2010" is not a valid dd/mm/YYYY date (DfE rule 102)"#,
        ])
        let born = "CHILD,SEX,DOB\nC1,F,01/06/2023\n"
        #expect(problems(episodes: episodesCSV([good]), header: born) == ["row 2: DECOM: the episode starts before the child's date of birth (header DOB) (DfE rule 302)"])
    }

    @Test("the header gives month and year of birth and sex; the UASC table flags episodes before DUC")
    func minimised() throws {
        let parsed = try SSDA903Return(
            episodes: episodesCSV([good, "C1,10/06/2023,P,C2,N1,U2,PR1,,,,ME14 1XQ,ME14 2AA,"]),
            header: "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,M,15/07/2008,WBRI,A123,0,\n",
            uasc: "CHILD,SEX,DOB,DUC\nC1,1,15/07/2008,01/06/2023\n"
        )
        let place = DistrictPlace(location: Coordinate(lat: 51.28, lon: 0.52), authority: "E10000016")
        let episodes = parsed.minimised(authority: "E10000016", childKey: { "key-of-" + $0 }, place: { $0 == "ME14" ? place : nil })
        #expect(episodes.map(\.episode.birthMonth) == ["2008-07", "2008-07"])
        #expect(episodes.map(\.episode.sex) == ["1", "1"])
        #expect(episodes.map(\.episode.unaccompanied) == [true, false])
        #expect(episodes.map(\.episode.childKey) == ["key-of-C1", "key-of-C1"])
        #expect(episodes[0].episode.distanceKm == nil)  // ME15 is unknown to this lookup
        #expect(episodes[1].episode.distanceKm == 0)
        #expect(episodes[1].episode.placementAuthority == "E10000016")
        #expect(episodes.allSatisfy { $0.returnYear == 2024 })
    }

    @Test("quoted fields, a byte-order mark, CRLF and blank lines are read")
    func csvShapes() throws {
        let text = "\u{FEFF}" + episodeColumns + "\r\n\r\n\"C1\",\"01/05/2023\",S,C2,N1,U1,PR1,,,,\"ME14 1XQ\",,\r\n"
        let parsed = try SSDA903Return(episodes: text)
        #expect(parsed.episodes.first?.row == 3)
        #expect(parsed.episodes.first?.homeDistrict == "ME14")
    }
}
