import Foundation
import HearthCore
import HearthInsight
import Testing

extension SouthEastGeography {
    /// The geography built from the repository's `Data/*.csv` (the tables HearthStore embeds and
    /// its `SouthEastGeography.shipped()` reads).
    static func fromRepository() throws -> SouthEastGeography {
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data")
        return try SouthEastGeography(
            authoritiesCSV: String(contentsOf: data.appendingPathComponent("se_authorities.csv"), encoding: .utf8),
            districtsCSV: String(contentsOf: data.appendingPathComponent("postcode_districts.csv"), encoding: .utf8)
        )
    }
}

extension Synthetic903 {
    /// The generator on the repository's geography, as HearthStore's `Synthetic903(_:)` runs it
    /// on the embedded tables.
    init(_ configuration: Configuration) throws {
        try self.init(configuration, geography: SouthEastGeography.fromRepository())
    }
}

@Suite("Synthetic SSDA903 generator")
struct Synthetic903Tests {
    static let small = Synthetic903.Configuration(seed: 7, fromYear: 2021, toYear: 2023, authorities: ["E06000038", "E10000016"], scale: 0.2)

    @Test("the same seed gives the same returns, byte for byte; another seed does not")
    func deterministic() throws {
        let first = try Synthetic903(Synthetic903Tests.small).returns()
        let again = try Synthetic903(Synthetic903Tests.small).returns()
        var other = Synthetic903Tests.small
        other.seed = 8
        let different = try Synthetic903(other).returns()
        #expect(first.map(\.episodes) == again.map(\.episodes))
        #expect(first.map(\.header) == again.map(\.header))
        #expect(first.map(\.episodes) != different.map(\.episodes))
        #expect(first.count == 6)
    }

    @Test("returns carry the DfE columns, dd/mm/YYYY dates and codes from the DfE lists")
    func format() throws {
        let returns = try Synthetic903(Synthetic903Tests.small).returns()
        let places: Set<String> = ["A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1"]
        let reasons: Set<String> = ["X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E9", "E14", "E15", "E16", "E17", "E8"]
        let legal: Set<String> = ["C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"]
        for item in returns {
            let lines = item.episodes.split(separator: "\n").map(String.init)
            #expect(lines[0] == "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN")
            #expect(item.header.hasPrefix("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"))
            #expect(lines.count - 1 == item.episodeCount && item.episodeCount > 50)
            let yearStart = try #require(CalendarDate(year: item.year - 1, month: 4, day: 1))
            let yearEnd = try #require(CalendarDate(year: item.year, month: 3, day: 31))
            for line in lines.dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                #expect(f.count == 13)
                let start = try #require(date(f[1]), "DECOM \(f[1])")
                #expect(start <= yearEnd)
                #expect(["S", "L", "P", "T"].contains(f[2]))
                #expect(legal.contains(f[3]))
                #expect(f[4].count == 2 && f[4].hasPrefix("N"))
                #expect(places.contains(f[5]))
                #expect(f[7].isEmpty == f[8].isEmpty, "DEC and REC both or neither")
                if !f[7].isEmpty {
                    let end = try #require(date(f[7]))
                    #expect(end > start && end >= yearStart && end <= yearEnd)
                    #expect(reasons.contains(f[8]))
                }
                #expect(f[10].contains(" ") && f[11].contains(" "))
            }
        }
    }

    @Test("an episode open at 31 March is repeated, closed or still open, in the next year's return")
    func overlap() throws {
        let returns = try Synthetic903(Synthetic903Tests.small).returns().filter { $0.authority == "E10000016" }
        let open2022 = returns[1].episodes.split(separator: "\n").dropFirst().filter { $0.split(separator: ",", omittingEmptySubsequences: false)[7].isEmpty }
        #expect(!open2022.isEmpty)
        let next = returns[2].episodes
        for row in open2022.prefix(50) {
            let f = row.split(separator: ",", omittingEmptySubsequences: false)
            #expect(next.contains("\n\(f[0]),\(f[1]),"), "\(f[0]) from \(f[1]) is in the 2023 return")
        }
    }

    @Test("the region's mix looks like England's: mostly foster care, then children's homes")
    func shares() throws {
        let generator = try Synthetic903(.init(seed: 3, fromYear: 2022, toYear: 2023, scale: 0.3))
        let day = try #require(CalendarDate(iso: "2023-03-30"))
        let open = generator.history().filter { $0.isOpen(on: day) }
        let share = { (group: PlacementGroup) in Double(open.filter { $0.placementGroup == group }.count) / Double(open.count) }
        #expect((0.62...0.80).contains(share(.foster)))
        #expect((0.07...0.20).contains(share(.childrensHome)))
        #expect((0.03...0.12).contains(share(.supported)))
        #expect((2_500...5_000).contains(open.count))
    }

    @Test("an unknown authority or reversed years are refused")
    func refused() {
        #expect(throws: Synthetic903.ConfigurationError.self) { try Synthetic903(.init(seed: 1, authorities: ["E99999999"])) }
        #expect(throws: Synthetic903.ConfigurationError.self) { try Synthetic903(.init(seed: 1, fromYear: 2024, toYear: 2020)) }
    }

    /// FNV-1a over every return's three tables with the REASON_PLACE_CHANGE field blanked, in
    /// return order (`Tests/scripts/synth903_flows.py` computes the same over synth-903's files).
    static func flowDigest(_ returns: [Synthetic903.Return]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func feed(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
        }
        for item in returns {
            for line in item.episodes.split(separator: "\n", omittingEmptySubsequences: false) {
                var fields = line.split(separator: ",", omittingEmptySubsequences: false)
                if fields.count == 13 { fields[9] = "" }
                feed(fields.joined(separator: ",") + "\n")
            }
            feed(item.header)
            feed(item.uasc)
        }
        return hash
    }

    @Test("filling REASON_PLACE_CHANGE and reading the geography from Data/*.csv left every other field as it was")
    func flowsUnchanged() throws {
        // Digests of the generator's output before REASON_PLACE_CHANGE moved to the episode that
        // ends and before the geography came from the tables (commit e8c1e11).
        #expect(Synthetic903Tests.flowDigest(try Synthetic903(Synthetic903Tests.small).returns()) == 17_842_232_614_511_814_287)
        let wide = Synthetic903.Configuration(seed: 11, fromYear: 2019, toYear: 2024, scale: 0.05)
        #expect(Synthetic903Tests.flowDigest(try Synthetic903(wide).returns()) == 6_932_146_550_822_747_991)
    }

    @Test("REASON_PLACE_CHANGE: on the episode that ends with a move within care (DfE rules 225, 233), from the DfE list, nowhere else")
    func reasonPlaceChange() throws {
        let generator = try Synthetic903(Synthetic903Tests.small)
        var moves = 0
        for item in generator.returns() {
            let rows = item.episodes.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let byChild = Dictionary(grouping: rows, by: { $0[0] })
            for (_, episodes) in byChild {
                let sorted = episodes.sorted { date($0[1])! < date($1[1])! }
                for (index, row) in sorted.enumerated() {
                    let reason = row[9]
                    let next = index + 1 < sorted.count ? sorted[index + 1] : nil
                    let temporary = { (place: String) in place.hasPrefix("T") }
                    if let next, row[8] == "X1", ["P", "T"].contains(next[2]), !temporary(row[5]), !temporary(next[5]) {
                        #expect(SSDA903Codes.reasonPlaceChange.contains(reason), "rule 225: a placement that changed has a reason")
                        moves += 1
                    } else {
                        #expect(reason.isEmpty, "only an episode that ends with a move has a reason (rule 233: never an open one)")
                    }
                }
            }
            // The return is valid as the import reads it.
            _ = try SSDA903Return(episodes: item.episodes, header: item.header, uasc: item.uasc, collectionYear: item.year)
        }
        #expect(moves > 100)
        let history = generator.history()
        let withReason = history.filter { $0.reasonPlaceChange != nil }
        #expect(!withReason.isEmpty && withReason.allSatisfy { $0.end != nil && $0.reasonCeased == "X1" })
        let reasons = Set(withReason.compactMap(\.reasonPlaceChange))
        #expect(reasons.isSubset(of: SSDA903Codes.reasonPlaceChange) && reasons.count >= 8)
    }

    @Test("the geography is the shipped tables': each district in its authority by the import's rule, the sample outside the region")
    func geography() throws {
        let geography = try SouthEastGeography.fromRepository()
        #expect(geography.authorities.count == 19)
        let members = Set(geography.authorities.map(\.code))
        for authority in geography.authorities {
            #expect(!authority.districts.isEmpty)
            #expect(authority.districts.allSatisfy { $0.authority == authority.code })
        }
        #expect(geography.authority(code: "E10000016")?.districts.contains { $0.code == "CT1" } == true)
        #expect(geography.authority(code: "E10000014")?.lookedAfterSharePercent == SouthEastGeography.assumedSharePercent)
        #expect(UpperTierAuthorities.of(localAuthorityDistrict: "E07000110") == "E10000016")
        #expect(geography.outsideRegion.count == SouthEastGeography.outsideRegionSample.count)
        #expect(geography.outsideRegion.allSatisfy { $0.authority.map { !members.contains($0) } ?? true })
        #expect(throws: SouthEastGeography.TableError.self) {
            try SouthEastGeography(authoritiesCSV: "ons_code,name,lat,lon,lac_share_pct\nE06000036,Bracknell Forest,51.4,-0.75,1.61\n", districtsCSV: "district,lat,lon\nRG12,51.4,-0.75\n")
        }
    }

    private func date(_ text: String) -> CalendarDate? {
        let parts = text.split(separator: "/")
        guard parts.count == 3, parts[0].count == 2, parts[1].count == 2, parts[2].count == 4 else { return nil }
        return CalendarDate(iso: "\(parts[2])-\(parts[1])-\(parts[0])")
    }
}
