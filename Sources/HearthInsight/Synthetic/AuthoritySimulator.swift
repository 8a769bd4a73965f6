import Foundation
import HearthCore

/// Simulates one authority's children looked after, from `firstDay` to `lastDay` (the figures are
/// England-like; Docs/insight-forecast.md gives their sources and the simplifications).
struct AuthoritySimulator {
    let authority: SouthEastGeography.Authority
    /// Every district of the region, authority by authority.
    let regionDistricts: [SouthEastGeography.District]
    /// The districts outside the region that out-of-area placements go to.
    let outsideRegion: [SouthEastGeography.District]
    let laNumber: Int
    /// Children looked after at a time that the entry rate aims at (before drift).
    let lookedAfter: Double
    var random: SeededRandom
    let firstDay: CalendarDate
    let lastDay: CalendarDate

    private var usedIDs: Set<String> = []
    /// Cumulative closeness weights of the candidate districts, by area kind and home district.
    private var closeness: [String: [Double]] = [:]
    private var children: [SimulatedChild] = []

    init(
        authority: SouthEastGeography.Authority, regionDistricts: [SouthEastGeography.District], outsideRegion: [SouthEastGeography.District],
        laNumber: Int, lookedAfter: Double, random: SeededRandom, firstDay: CalendarDate, lastDay: CalendarDate
    ) {
        self.authority = authority
        self.regionDistricts = regionDistricts
        self.outsideRegion = outsideRegion
        self.laNumber = laNumber
        self.lookedAfter = lookedAfter
        self.random = random
        self.firstDay = firstDay
        self.lastDay = lastDay
    }

    /// Mean months in care per period that the entry rate assumes (measured on the generator's own output).
    static let meanMonthsInCare = 27.0
    /// Entries by calendar month relative to the average (fewer in August and December).
    static let seasonality: [Double] = [1.05, 1.02, 1.06, 0.98, 1.03, 1.00, 1.04, 0.87, 1.03, 1.07, 1.02, 0.83]
    /// Kent receives most of the region's unaccompanied children.
    var unaccompaniedShare: Double {
        switch authority.code {
        case "E10000016": 0.30
        case "E06000044", "E06000045", "E06000043", "E10000014", "E10000030": 0.09
        default: 0.05
        }
    }

    mutating func run() -> [SimulatedChild] {
        let baseRate = lookedAfter / AuthoritySimulator.meanMonthsInCare
        let drift = 0.015 + 0.025 * random.normal()
        var wander = 0.0
        var year = firstDay.year
        var month = firstDay.month
        var monthIndex = 0
        let totalMonths = (lastDay.year - firstDay.year) * 12 + lastDay.month - firstDay.month + 1
        while monthIndex < totalMonths {
            wander = 0.85 * wander + 0.06 * random.normal()
            let yearsFromEnd = Double(monthIndex - totalMonths) / 12
            let surge = unaccompaniedSurge(year: year, month: month)
            let rate = baseRate * exp(drift * yearsFromEnd + wander) * AuthoritySimulator.seasonality[month - 1]
            let entries = random.poisson(rate * (1 - unaccompaniedShare))
            let unaccompanied = random.poisson(rate * unaccompaniedShare * surge)
            let days = daysIn(year: year, month: month)
            for index in 0..<(entries + unaccompanied) {
                let day = CalendarDate(year: year, month: month, day: random.integer(in: 1...days))!
                admitNewChild(on: day, unaccompanied: index >= entries)
            }
            monthIndex += 1
            month += 1
            if month > 12 {
                month = 1
                year += 1
            }
        }
        return children
    }

    /// Arrivals of unaccompanied children rose sharply in 2021–2023 and peak each summer.
    private func unaccompaniedSurge(year: Int, month: Int) -> Double {
        let summer = (6...9).contains(month) ? 1.4 : 0.85
        let level: Double = switch year {
        case ..<2015: 0.5
        case 2015...2016: 1.3
        case 2017...2020: 0.9
        case 2021...2023: 1.7
        default: 1.2
        }
        return summer * level
    }

    private func daysIn(year: Int, month: Int) -> Int {
        (28...31).last { CalendarDate(year: year, month: month, day: $0) != nil }!
    }

    // MARK: - A child

    private mutating func admitNewChild(on day: CalendarDate, unaccompanied: Bool) {
        let ageDays: Int
        if unaccompanied {
            ageDays = Int((14.5 + 3.4 * random.uniform()) * 365.25)
        } else {
            let band = random.pick([(0.0..<1.0, 19.0), (1.0..<5.0, 14.0), (5.0..<10.0, 15.0), (10.0..<16.0, 32.0), (16.0..<17.9, 20.0)])
            let years = band.lowerBound + (band.upperBound - band.lowerBound) * random.uniform()
            ageDays = max(0, Int(years * 365.25))
        }
        let birth = day.adding(days: -ageDays)
        let sex = random.chance(unaccompanied ? 0.93 : 0.53) ? "1" : "2"
        var id: String
        repeat {
            id = String(random.integer(in: 100_000...9_999_999))
        } while usedIDs.contains(id)
        usedIDs.insert(id)
        let need: String = unaccompanied ? "N8" : random.pick([
            ("N1", 65.0), ("N2", 3.0), ("N3", 3.0), ("N4", 8.0), ("N5", 13.0), ("N6", 1.5), ("N7", 0.2), ("N8", 6.3),
        ])
        let ethnicity: String = unaccompanied
            ? random.pick([("AOTH", 30.0), ("BAFR", 35.0), ("OOTH", 25.0), ("WOTH", 10.0)])
            : random.pick([
                ("WBRI", 72.0), ("WOTH", 6.0), ("WIRT", 0.5), ("WROM", 1.0), ("MWBC", 3.0), ("MWBA", 1.0), ("MWAS", 2.0),
                ("MOTH", 3.5), ("AIND", 0.7), ("APKN", 1.2), ("ABAN", 0.5), ("AOTH", 1.2), ("BCRB", 1.0), ("BAFR", 2.5),
                ("BOTH", 1.0), ("CHNE", 0.2), ("OOTH", 1.5), ("REFU", 0.2), ("NOBT", 1.0),
            ])
        let upn: String
        if unaccompanied {
            upn = "UN4"
        } else if ageDays < 4 * 365 {
            upn = "UN2"
        } else {
            upn = makeUPN()
        }
        var motherBirth: CalendarDate?
        if sex == "2", random.chance(0.04) {
            let motherAge = 15.0 + 2.5 * random.uniform()
            motherBirth = birth.adding(days: Int(motherAge * 365.25))
        }
        let home = authority.districts[random.integer(in: 0...(authority.districts.count - 1))]
        let homePostcode = postcode(in: home)
        var child = SimulatedChild(
            authority: authority.code, id: id, sex: sex, birth: birth, ethnicity: ethnicity, upn: upn, need: need,
            unaccompanied: unaccompanied, motherBirth: motherBirth, episodes: [])
        var entry = day
        var reentries = 0
        while true {
            let exitReason = simulatePeriod(of: &child, from: entry, home: home, homePostcode: homePostcode)
            guard let last = child.episodes.last?.end, last <= lastDay, exitReason.returnedHome, reentries < 2,
                  random.chance(0.12)
            else { break }
            let gap = max(14, Int(random.exponential(mean: 300)))
            entry = last.adding(days: gap)
            guard entry < eighteenthBirthday(birth).adding(days: -30), entry <= lastDay else { break }
            reentries += 1
        }
        children.append(child)
    }

    /// The child's own care path, decided at entry.
    private enum Path {
        case homeSoon, homeLater, guardianship, adoption, untilEighteen, leavesEarly
    }

    private struct Exit {
        let returnedHome: Bool
    }

    /// Simulates one period of care from `entry`, appending its episodes; returns how it ended.
    private mutating func simulatePeriod(
        of child: inout SimulatedChild, from entry: CalendarDate, home: SouthEastGeography.District, homePostcode: String
    ) -> Exit {
        let ageYears = Double(entry.dayNumber - child.birth.dayNumber) / 365.25
        let eighteen = eighteenthBirthday(child.birth)
        let path: Path = if child.unaccompanied {
            random.pick([(.untilEighteen, 85.0), (.leavesEarly, 15.0)])
        } else {
            switch ageYears {
            case ..<1: random.pick([(.adoption, 30.0), (.homeSoon, 12.0), (.homeLater, 18.0), (.guardianship, 25.0), (.untilEighteen, 15.0)])
            case ..<5: random.pick([(.adoption, 18.0), (.homeSoon, 17.0), (.homeLater, 23.0), (.guardianship, 25.0), (.untilEighteen, 17.0)])
            case ..<10: random.pick([(.homeSoon, 22.0), (.homeLater, 23.0), (.guardianship, 15.0), (.untilEighteen, 30.0), (.leavesEarly, 10.0)])
            case ..<16: random.pick([(.homeSoon, 30.0), (.homeLater, 20.0), (.guardianship, 5.0), (.untilEighteen, 30.0), (.leavesEarly, 15.0)])
            default: random.pick([(.homeSoon, 25.0), (.homeLater, 10.0), (.untilEighteen, 60.0), (.leavesEarly, 5.0)])
            }
        }
        var adoptionPlacementDay: CalendarDate?
        var exitDay: CalendarDate
        switch path {
        case .homeSoon: exitDay = entry.adding(days: 1 + Int(random.exponential(mean: 75)))
        case .homeLater: exitDay = entry.adding(days: Int(random.logNormal(median: 420, sigma: 0.6)))
        case .guardianship: exitDay = entry.adding(days: Int(random.logNormal(median: 600, sigma: 0.45)))
        case .adoption:
            let placed = entry.adding(days: Int(random.logNormal(median: 400, sigma: 0.35)))
            adoptionPlacementDay = placed
            exitDay = placed.adding(days: 60 + Int(random.logNormal(median: 240, sigma: 0.4)))
        case .untilEighteen: exitDay = eighteen
        case .leavesEarly: exitDay = entry.adding(days: Int(random.uniform() * Double(max(30, eighteen.dayNumber - entry.dayNumber))))
        }
        if exitDay >= eighteen {
            exitDay = eighteen
            adoptionPlacementDay = adoptionPlacementDay.flatMap { $0 < eighteen ? $0 : nil }
        }
        if exitDay <= entry { exitDay = entry.adding(days: 1) }

        // Legal status: short emergency orders, interim care orders becoming full care orders, section 20.
        var legal: String = if child.unaccompanied {
            "V2"
        } else if ageYears >= 16 {
            random.pick([("V2", 60.0), ("C1", 25.0), ("J2", 4.0), ("J3", 3.0), ("L1", 4.0), ("C2", 4.0)])
        } else {
            random.pick([("C1", 45.0), ("V2", 33.0), ("L1", 8.0), ("L2", 5.0), ("C2", 5.0), ("J2", 1.0), ("E1", 0.0), ("V3", 1.0), ("D1", 0.5), ("J1", 1.5)])
        }
        var legalChanges: [(CalendarDate, String)] = []
        var cursor = entry
        if ["L1", "L2", "J1", "J2", "J3"].contains(legal) {
            cursor = cursor.adding(days: 3 + random.integer(in: 0...25))
            legalChanges.append((cursor, ageYears >= 16 ? "V2" : "C1"))
        }
        let afterEmergency = legalChanges.last?.1 ?? legal
        if afterEmergency == "C1" {
            cursor = cursor.adding(days: Int(random.logNormal(median: 200, sigma: 0.35)))
            legalChanges.append((cursor, "C2"))
        } else if afterEmergency == "V2", ageYears < 14, random.chance(0.15) {
            cursor = cursor.adding(days: Int(random.logNormal(median: 150, sigma: 0.5)))
            legalChanges.append((cursor, "C1"))
            cursor = cursor.adding(days: Int(random.logNormal(median: 200, sigma: 0.35)))
            legalChanges.append((cursor, "C2"))
        }
        if let placed = adoptionPlacementDay {
            legalChanges.removeAll { $0.0 >= placed.adding(days: -60) }
            legalChanges.append((placed.adding(days: -60), "E1"))
        }
        legalChanges.removeAll { $0.0 <= entry || $0.0 >= exitDay }

        var group = initialGroup(age: ageYears, unaccompanied: child.unaccompanied)
        var placement = choosePlacement(group: group, age: ageYears, on: entry, home: home, homePostcode: homePostcode, monthsInCare: 0)
        var current = SimulatedEpisode(
            start: entry, end: nil, reasonNew: "S", legalStatus: legal, place: placement.place, provider: placement.provider,
            reasonCeased: nil, reasonPlaceChange: nil, homePostcode: homePostcode, placementPostcode: placement.postcode, urn: placement.urn)
        var day = entry
        var nextMove = day.adding(days: moveGap(group: group))
        while true {
            let nextLegal = legalChanges.first?.0
            var event = exitDay
            if let placed = adoptionPlacementDay, placed > day { event = min(event, placed) }
            if let nextLegal { event = min(event, nextLegal) }
            if group != .adoption { event = min(event, nextMove) }
            if event >= exitDay {
                current.end = exitDay
                current.reasonCeased = exitReason(path: path, group: group, exitDay: exitDay, eighteen: eighteen, unaccompanied: child.unaccompanied)
                child.episodes.append(current)
                return Exit(returnedHome: ["E4A", "E13"].contains(current.reasonCeased ?? ""))
            }
            var legalChanged = false
            if let nextLegal, nextLegal == event {
                legal = legalChanges.removeFirst().1
                legalChanged = true
            }
            var moved = false
            var reason: String?
            let ageNow = Double(event.dayNumber - child.birth.dayNumber) / 365.25
            if let placed = adoptionPlacementDay, placed == event {
                group = .adoption
                placement = choosePlacement(group: .adoption, age: ageNow, on: event, home: home, homePostcode: homePostcode, monthsInCare: 12)
                moved = true
                reason = "CARPL"
            } else if event == nextMove {
                group = nextGroup(from: group, age: ageNow)
                let months = Double(event.dayNumber - entry.dayNumber) / 30.4
                placement = choosePlacement(group: group, age: ageNow, on: event, home: home, homePostcode: homePostcode, monthsInCare: months)
                nextMove = event.adding(days: moveGap(group: group))
                moved = true
                reason = random.pick([
                    ("CARPL", 22.0), ("CLOSE", 3.0), ("ALLEG", 2.0), ("STAND", 8.0), ("APPRR", 6.0), ("CREQB", 8.0),
                    ("CREQO", 5.0), ("CHILD", 10.0), ("LAREQ", 18.0), ("PLACE", 12.0), ("CUSTOD", 1.0), ("OTHER", 5.0),
                ])
            }
            guard legalChanged || moved else { continue }
            current.end = event
            current.reasonCeased = "X1"
            // The reason the placement changed belongs to the episode whose placement ended (DfE
            // rule 225), never with a temporary placement (T0–T4) either side.
            if moved, !current.place.hasPrefix("T"), !placement.place.hasPrefix("T") { current.reasonPlaceChange = reason }
            child.episodes.append(current)
            let reasonNew = legalChanged && moved ? "T" : (moved ? "P" : "L")
            current = SimulatedEpisode(
                start: event, end: nil, reasonNew: reasonNew, legalStatus: legal, place: placement.place,
                provider: placement.provider, reasonCeased: nil, reasonPlaceChange: nil,
                homePostcode: homePostcode, placementPostcode: placement.postcode, urn: placement.urn)
            day = event
        }
    }

    func eighteenthBirthday(_ birth: CalendarDate) -> CalendarDate {
        CalendarDate(year: birth.year + 18, month: birth.month, day: birth.day)
            ?? CalendarDate(year: birth.year + 18, month: 3, day: 1)!
    }

    private mutating func exitReason(path: Path, group: PlacementGroup, exitDay: CalendarDate, eighteen: CalendarDate, unaccompanied: Bool) -> String {
        if exitDay >= eighteen {
            switch group {
            case .foster: return random.pick([("E17", 30.0), ("E5", 30.0), ("E6", 8.0), ("E8", 32.0)])
            case .supported: return random.pick([("E5", 50.0), ("E6", 20.0), ("E8", 30.0)])
            case .childrensHome: return random.pick([("E5", 40.0), ("E6", 12.0), ("E7", 6.0), ("E8", 42.0)])
            default: return random.pick([("E5", 30.0), ("E8", 60.0), ("E7", 10.0)])
            }
        }
        switch path {
        case .homeSoon, .homeLater: return random.pick([("E4A", 78.0), ("E13", 18.0), ("E3", 3.0), ("E16", 1.0)])
        case .guardianship:
            return group == .foster ? random.pick([("E45", 50.0), ("E46", 30.0), ("E41", 10.0), ("E47", 10.0)])
                : random.pick([("E46", 60.0), ("E47", 25.0), ("E48", 15.0)])
        case .adoption: return group == .adoption ? random.pick([("E11", 60.0), ("E12", 40.0)]) : "E8"
        case .untilEighteen: return "E8"
        case .leavesEarly:
            return unaccompanied ? random.pick([("E15", 40.0), ("E8", 40.0), ("E16", 20.0)])
                : random.pick([("E8", 40.0), ("E4A", 30.0), ("E9", 8.0), ("E3", 12.0), ("E14", 4.0), ("E4B", 5.0), ("E2", 1.0)])
        }
    }

    // MARK: - Placements

    private mutating func initialGroup(age: Double, unaccompanied: Bool) -> PlacementGroup {
        if unaccompanied {
            return age >= 16 ? random.pick([(.supported, 55.0), (.foster, 40.0), (.childrensHome, 5.0)])
                : random.pick([(.foster, 85.0), (.childrensHome, 8.0), (.supported, 7.0)])
        }
        switch age {
        case ..<1: return random.pick([(.foster, 84.0), (.withParents, 7.0), (.other, 9.0)])
        case ..<10: return random.pick([(.foster, 84.0), (.withParents, 10.0), (.childrensHome, 2.0), (.other, 4.0)])
        case ..<16: return random.pick([(.foster, 60.0), (.childrensHome, 25.0), (.withParents, 7.0), (.other, 8.0)])
        default: return random.pick([(.foster, 36.0), (.childrensHome, 18.0), (.supported, 34.0), (.withParents, 4.0), (.other, 8.0)])
        }
    }

    private mutating func nextGroup(from group: PlacementGroup, age: Double) -> PlacementGroup {
        switch age {
        case ..<10: return random.pick([(.foster, 90.0), (.withParents, 5.0), (.childrensHome, 3.0), (.other, 2.0)])
        case ..<16: return random.pick([(.foster, 50.0), (.childrensHome, 37.0), (.withParents, 5.0), (.other, 8.0)])
        default:
            return group == .supported ? random.pick([(.supported, 75.0), (.foster, 8.0), (.childrensHome, 10.0), (.other, 7.0)])
                : random.pick([(.foster, 28.0), (.childrensHome, 20.0), (.supported, 45.0), (.other, 7.0)])
        }
    }

    /// Days until the next placement move (monthly hazards: foster 1.8 %, children's home 4.5 %, …).
    private mutating func moveGap(group: PlacementGroup) -> Int {
        let monthly: Double = switch group {
        case .foster: 0.018
        case .childrensHome: 0.045
        case .supported: 0.03
        case .withParents: 0.012
        case .adoption: 0.0
        case .other: 0.06
        }
        return 1 + Int(random.exponential(mean: 30.4 / monthly))
    }

    private struct Placement {
        let place: String
        let provider: String?
        let postcode: String
        let urn: String
    }

    private mutating func choosePlacement(
        group: PlacementGroup, age: Double, on day: CalendarDate, home: SouthEastGeography.District, homePostcode: String, monthsInCare: Double
    ) -> Placement {
        let supportedCode = day >= CalendarDate(year: 2024, month: 4, day: 1)! ? "K3" : random.pick([("H5", 85.0), ("P2", 15.0)])
        let place: String = switch group {
        case .foster:
            random.chance(0.18) ? (monthsInCare > 12 ? "U1" : "U3")
                : (monthsInCare > 12 && random.chance(0.5) ? "U4" : (age < 2 && random.chance(0.08) ? "U5" : "U6"))
        case .childrensHome: "K2"
        case .supported: supportedCode
        case .withParents: "P1"
        case .adoption: random.pick([("A6", 70.0), ("A5", 12.0), ("A4", 12.0), ("A3", 6.0)])
        case .other:
            age < 1 ? "R3"
                : random.pick([("S1", 28.0), ("R2", 14.0), ("K1", 14.0), ("Z1", 14.0), ("R5", age >= 12 ? 12.0 : 0.0), ("R1", 4.0), ("T0", 8.0), ("P3", age >= 16 ? 4.0 : 0.0)])
        }
        let provider: String = switch place {
        case "P1": "PR0"
        case "U1", "U2", "U3": "PR1"
        case "U4", "U5", "U6": random.pick([("PR1", 62.0), ("PR4", 35.0), ("PR5", 3.0)])
        case "K2": random.pick([("PR4", 78.0), ("PR1", 17.0), ("PR5", 5.0)])
        case "H5", "P2", "K3": random.pick([("PR4", 70.0), ("PR1", 20.0), ("PR5", 10.0)])
        case "A3", "A4", "A5", "A6": random.pick([("PR1", 80.0), ("PR5", 20.0)])
        case "K1": random.pick([("PR2", 60.0), ("PR1", 20.0), ("PR4", 20.0)])
        case "S1": random.pick([("PR4", 60.0), ("PR5", 30.0), ("PR1", 10.0)])
        case "R2", "R5": "PR3"
        case "R3": random.pick([("PR4", 60.0), ("PR5", 40.0)])
        default: "PR1"
        }
        let postcode: String
        if place == "P1" {
            postcode = homePostcode
        } else {
            postcode = self.postcode(in: placementDistrict(place: place, group: group, home: home))
        }
        let regulated = ["K1", "K2", "K3", "S1", "R3"].contains(place) || (["U4", "U5", "U6"].contains(place) && provider != "PR1")
        let urn = regulated ? "SC\(random.integer(in: 100_000...999_999))" : "XXXXXXX"
        return Placement(place: place, provider: provider, postcode: postcode, urn: urn)
    }

    /// Placements near home in the authority's own area where they can be; children's homes,
    /// secure units and schools farther away, some outside the region.
    private mutating func placementDistrict(place: String, group: PlacementGroup, home: SouthEastGeography.District) -> SouthEastGeography.District {
        let (inArea, outOfRegion): (Double, Double) = switch (group, place) {
        case (.foster, "U1"), (.foster, "U3"): (0.8, 0.05)
        case (.foster, _): (0.7, 0.04)
        case (.childrensHome, _): (0.35, 0.22)
        case (.supported, _): (0.65, 0.08)
        case (.adoption, _): (0.5, 0.1)
        case (_, "K1"), (_, "S1"): (0.2, 0.35)
        default: (0.45, 0.12)
        }
        let draw = random.uniform()
        if draw < outOfRegion {
            return outsideRegion[random.integer(in: 0...(outsideRegion.count - 1))]
        }
        let local = draw < outOfRegion + inArea
        let candidates = local ? authority.districts : regionDistricts
        let key = "\(local ? "L" : "R")\(home.code)"
        let cumulative = closeness[key] ?? {
            let reach = local ? 12.0 : 35.0
            var total = 0.0
            let sums = candidates.map { district -> Double in
                total += exp(-district.distanceKm(to: home) / reach) + 1e-6
                return total
            }
            closeness[key] = sums
            return sums
        }()
        let target = random.uniform() * cumulative[cumulative.count - 1]
        var low = 0, high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return candidates[low]
    }

    private mutating func postcode(in district: SouthEastGeography.District) -> String {
        let letters = Array("ABDEFGHJLNPQRSTUWXYZ")
        return "\(district.code) \(random.integer(in: 1...9))\(letters[random.integer(in: 0...19)])\(letters[random.integer(in: 0...19)])"
    }

    /// A 13-character UPN whose first letter is the DfE check letter of the other twelve.
    private mutating func makeUPN() -> String {
        var digits = String(laNumber)
        for _ in 0..<9 { digits += String(random.integer(in: 0...9)) }
        let weights = Array(2...13)
        let sum = zip(digits, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        let letters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")
        return "\(letters[sum % 23])\(digits)"
    }
}
