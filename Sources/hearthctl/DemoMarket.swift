import Foundation
import HearthCore
import HearthStore

/// A deterministic, South-East-shaped spread of offers and bids for the demonstration: each
/// member's share of the region's looked-after children weights how many it posts, places sit
/// within about 25 km of the member's centre, and settings, needs, ages and rates follow
/// plausible proportions. The same seed always gives the same market.
struct DemoMarket {
    let offers: [(authority: String, draft: OfferDraft)]
    let bids: [(authority: String, draft: BidDraft)]

    init(members: [Authority], offerCount: Int, bidCount: Int, today: CalendarDate, seed: UInt64 = 2026) {
        var random = SplitMix64(seed: seed)
        let known = members.compactMap(\.lacSharePct)
        let fallbackShare = known.isEmpty ? 1 : known.reduce(0, +) / Double(known.count)
        let weights = members.map { $0.lacSharePct ?? fallbackShare }
        func member() -> Authority {
            var pick = random.nextDouble() * weights.reduce(0, +)
            for (index, weight) in weights.enumerated() {
                pick -= weight
                if pick < 0 { return members[index] }
            }
            return members[members.count - 1]
        }
        func near(_ centre: Authority) -> Coordinate {
            let distance = 25 * random.nextDouble().squareRoot()
            let bearing = 2 * Double.pi * random.nextDouble()
            let lat = centre.lat + distance / 111.2 * cos(bearing)
            let lon = centre.lon + distance / (111.2 * cos(centre.lat * .pi / 180)) * sin(bearing)
            return Coordinate(lat: lat, lon: lon).rounded()
        }
        func needs(_ probability: Double) -> [Need] {
            Need.allCases.filter { _ in random.nextDouble() < probability }
        }
        var offers: [(String, OfferDraft)] = []
        for _ in 0..<offerCount {
            let host = member()
            let roll = random.nextDouble()
            let setting: Setting = roll < 0.55 ? .foster : roll < 0.85 ? .childrensHome : roll < 0.97 ? .supportedAccommodation : .secureChildrensHome
            let (rateLow, rateHigh, ages): (Int64, Int64, ClosedRange<Int>) =
                switch setting {
                case .foster: (60_000, 120_000, 0...17)
                case .childrensHome: (400_000, 800_000, 8...17)
                case .supportedAccommodation: (100_000, 250_000, 16...17)
                case .secureChildrensHome: (800_000, 1_200_000, 10...17)
                }
            let ageMin = min(ages.upperBound, ages.lowerBound + Int(random.nextDouble() * 3))
            let ageMax = max(ageMin, ages.upperBound - Int(random.nextDouble() * 3))
            let rate = (rateLow + Int64(random.nextDouble() * Double(rateHigh - rateLow))) / 100 * 100
            let sexes: [Sex] = random.nextDouble() < 0.8 ? [.female, .male, .other] : [random.nextDouble() < 0.5 ? .female : .male]
            offers.append((host.code, OfferDraft(
                setting: setting, capacity: setting == .foster ? 1 + Int(random.nextDouble() * 3) : 1 + Int(random.nextDouble() * 4),
                needsSupported: needs(setting == .foster ? 0.3 : 0.55), ageMin: ageMin, ageMax: ageMax, sexesAccepted: sexes,
                location: near(host), postcodeDistrict: nil, availableFrom: today.adding(days: Int(random.nextDouble() * 30)),
                availableUntil: nil, weeklyRatePence: rate, ofstedURN: setting == .foster ? nil : "SC\(100_000 + Int(random.nextDouble() * 899_999))"
            )))
        }
        var bids: [(String, BidDraft)] = []
        for index in 0..<bidCount {
            let placing = member()
            let roll = random.nextDouble()
            let urgency: Urgency = roll < 0.15 ? .emergency : roll < 0.5 ? .urgent : .planned
            let age = Int(random.nextDouble() * 18)
            let group = random.nextDouble() < 0.85 ? 1 : random.nextDouble() < 0.7 ? 2 : 3
            let childNeeds = needs(0.08)
            let settings: [Setting] = age >= 16 ? [.foster, .supportedAccommodation, .childrensHome] : age >= 8 ? [.foster, .childrensHome] : [.foster]
            let keepAway = childNeeds.contains(.exploitationRisk) && random.nextDouble() < 0.5
            bids.append((placing.code, BidDraft(
                childRef: "\(placing.code.suffix(4))-DEMO-\(String(format: "%04d", index + 1))", groupSize: group, age: age,
                sex: random.nextDouble() < 0.52 ? .male : random.nextDouble() < 0.97 ? .female : .other, needs: childNeeds,
                settingsAcceptable: settings, home: near(placing), homePostcodeDistrict: nil,
                maxDistanceKm: [30, 50, 80, 120, 150][Int(random.nextDouble() * 5)], minDistanceKm: keepAway ? 20 : nil,
                urgency: urgency, neededBy: today.adding(days: urgency == .emergency ? 0 : Int(random.nextDouble() * 60)),
                maxWeeklyRatePence: random.nextDouble() < 0.3 ? 900_000 : nil
            )))
        }
        self.offers = offers
        self.bids = bids
    }
}

/// A small, fast, seedable random number generator (SplitMix64), so demo data is reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1).
    mutating func nextDouble() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
