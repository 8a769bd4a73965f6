import Foundation
import HearthCore

/// A member authority of the South East group, as in `Data/se_authorities.csv`.
struct Authority {
    let code: String
    let name: String
    let centre: Coordinate
    /// Share of the region's looked-after children, in percent; nil where the source has none.
    let lacSharePercent: Double?
}

/// South-East-shaped clearing instances: the same seed always gives the same instance.
///
/// Bids and offers belong to member authorities chosen in proportion to their share of
/// looked-after children (Hampshire's missing share is the mean of the others), and lie within
/// 25 km of the authority's centre, rounded to 2 decimal places as the server stores them. Ages,
/// needs, settings, rates, beds and distance limits (up to 200 km, a few minimum distances)
/// follow plausible proportions for children's placements; the figures are illustrative, not
/// statistics.
struct SouthEastInstance {
    /// `Data/se_authorities.csv` (columns ons_code, name, lat, lon, lac_share_pct), as constants.
    static let authorities: [Authority] = [
        Authority(code: "E06000036", name: "Bracknell Forest", centre: Coordinate(lat: 51.4142, lon: -0.7531), lacSharePercent: 1.61),
        Authority(code: "E06000043", name: "Brighton and Hove", centre: Coordinate(lat: 50.8288, lon: -0.1704), lacSharePercent: 4.06),
        Authority(code: "E06000060", name: "Buckinghamshire", centre: Coordinate(lat: 51.8145, lon: -0.8122), lacSharePercent: 5.51),
        Authority(code: "E10000011", name: "East Sussex", centre: Coordinate(lat: 50.8718, lon: 0.0009), lacSharePercent: 6.94),
        Authority(code: "E10000014", name: "Hampshire", centre: Coordinate(lat: 51.0625, lon: -1.3189), lacSharePercent: nil),
        Authority(code: "E06000046", name: "Isle of Wight", centre: Coordinate(lat: 50.7006, lon: -1.2908), lacSharePercent: 3.03),
        Authority(code: "E10000016", name: "Kent", centre: Coordinate(lat: 51.2786, lon: 0.5223), lacSharePercent: 19.68),
        Authority(code: "E06000035", name: "Medway", centre: Coordinate(lat: 51.3891, lon: 0.5240), lacSharePercent: 4.93),
        Authority(code: "E06000042", name: "Milton Keynes", centre: Coordinate(lat: 52.0433, lon: -0.7608), lacSharePercent: 4.06),
        Authority(code: "E10000025", name: "Oxfordshire", centre: Coordinate(lat: 51.7518, lon: -1.2619), lacSharePercent: 9.21),
        Authority(code: "E06000044", name: "Portsmouth", centre: Coordinate(lat: 50.7973, lon: -1.0913), lacSharePercent: 4.22),
        Authority(code: "E06000038", name: "Reading", centre: Coordinate(lat: 51.4528, lon: -0.9736), lacSharePercent: 2.77),
        Authority(code: "E06000039", name: "Slough", centre: Coordinate(lat: 51.5072, lon: -0.5964), lacSharePercent: 2.59),
        Authority(code: "E06000045", name: "Southampton", centre: Coordinate(lat: 50.9077, lon: -1.4070), lacSharePercent: 5.84),
        Authority(code: "E10000030", name: "Surrey", centre: Coordinate(lat: 51.2249, lon: -0.1994), lacSharePercent: 11.18),
        Authority(code: "E06000037", name: "West Berkshire", centre: Coordinate(lat: 51.3984, lon: -1.3247), lacSharePercent: 1.86),
        Authority(code: "E10000032", name: "West Sussex", centre: Coordinate(lat: 50.8379, lon: -0.7828), lacSharePercent: 9.65),
        Authority(code: "E06000040", name: "Windsor and Maidenhead", centre: Coordinate(lat: 51.5220, lon: -0.7187), lacSharePercent: 1.49),
        Authority(code: "E06000041", name: "Wokingham", centre: Coordinate(lat: 51.4118, lon: -0.8390), lacSharePercent: 1.37),
    ]

    /// Each authority's weight: its share, or the mean of the known shares where it has none.
    static let weights: [Double] = {
        let known = authorities.compactMap(\.lacSharePercent)
        let mean = known.reduce(0, +) / Double(known.count)
        return authorities.map { $0.lacSharePercent ?? mean }
    }()

    /// The round's date.
    static let today = CalendarDate(iso: "2026-03-02")!

    private var rng: SplitMix64

    /// Generates the instance for `seed`.
    /// With `preferencesPercent`, that share of the bids (drawn after the rest, so the market is
    /// the same as without) ranks 1 to 3 of its 8 nearest compatible offers.
    static func make(bids: Int, offers: Int, seed: UInt64, groupsPercent: Double, preferencesPercent: Double = 0) -> ClearingInstance {
        var generator = SouthEastInstance(rng: SplitMix64(state: seed))
        var bidList = (0..<bids).map { _ in generator.bid(groupsPercent: groupsPercent) }
        let offerList = (0..<offers).map { _ in generator.offer() }
        for index in bidList.indices where preferencesPercent > 0 && generator.chance(preferencesPercent / 100) {
            let bid = bidList[index]
            let nearest = offerList.compactMap { offer -> (Double, UUID)? in
                guard case .compatible(let km, _) = bid.compatibility(with: offer, today: today, declined: []) else { return nil }
                return (km, offer.id)
            }.sorted { $0.0 < $1.0 }.prefix(8).map(\.1)
            guard !nearest.isEmpty else { continue }
            let count = min(nearest.count, Int.random(in: 1...3, using: &generator.rng))
            bidList[index].ranking = Array(nearest.shuffled(using: &generator.rng).prefix(count))
        }
        return ClearingInstance(bids: bidList, offers: offerList, today: today)
    }

    private mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &rng) < probability
    }

    private mutating func pick<T>(_ options: [(T, Double)]) -> T {
        var remaining = Double.random(in: 0..<options.reduce(0) { $0 + $1.1 }, using: &rng)
        for (value, weight) in options {
            remaining -= weight
            if remaining < 0 { return value }
        }
        return options[options.count - 1].0
    }

    private mutating func id() -> UUID {
        let high = rng.next()
        let low = rng.next()
        let b = withUnsafeBytes(of: (high, low)) { Array($0) }
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    /// A member authority, by share, and a point within 25 km of its centre (uniform on the disc).
    private mutating func place() -> (Authority, Coordinate) {
        let authority = pick(Array(zip(Self.authorities, Self.weights)))
        let radiusKm = 25 * Double.random(in: 0..<1, using: &rng).squareRoot()
        let bearing = Double.random(in: 0..<(2 * .pi), using: &rng)
        let degreesPerKm = 180 / (.pi * Coordinate.earthRadiusKm)
        let lat = authority.centre.lat + radiusKm * cos(bearing) * degreesPerKm
        let lon = authority.centre.lon + radiusKm * sin(bearing) * degreesPerKm / cos(authority.centre.lat * .pi / 180)
        return (authority, Coordinate(lat: lat, lon: lon).rounded())
    }

    private static let needRates: [(Need, Double)] = [
        (.emotionalBehavioural, 0.35), (.autism, 0.08), (.learningDisability, 0.07), (.physicalDisability, 0.02),
        (.complexHealth, 0.02), (.mentalHealth, 0.10), (.selfHarm, 0.06), (.exploitationRisk, 0.06),
        (.missingFromCare, 0.05), (.substanceMisuse, 0.03), (.youthJustice, 0.03), (.uasc, 0.04),
        (.parentAndChild, 0.01), (.deprivationOfLiberty, 0.005),
    ]

    private mutating func bid(groupsPercent: Double) -> ClearingBid {
        let (authority, home) = place()
        let groupSize = chance(groupsPercent / 100) ? pick([(2, 0.7), (3, 0.3)]) : 1
        let age = pick([(Int.random(in: 0...4, using: &rng), 0.15), (Int.random(in: 5...9, using: &rng), 0.2),
                        (Int.random(in: 10...15, using: &rng), 0.4), (Int.random(in: 16...17, using: &rng), 0.25)])
        var needs = Set(Self.needRates.filter { chance($0.1) }.map(\.0))
        if groupSize > 1 { needs.remove(.parentAndChild) }
        var settings: Set<Setting> = [.foster]
        if age >= 10 && chance(0.5) { settings.insert(.childrensHome) }
        if age >= 16 && chance(0.6) { settings.insert(.supportedAccommodation) }
        if needs.contains(.deprivationOfLiberty) { settings = [.secureChildrensHome, .childrensHome] }
        let maxDistanceKm = pick([(20.0, 0.3), (35, 0.3), (50, 0.2), (100, 0.12), (200, 0.08)])
        let minDistanceKm: Double? = needs.contains(.exploitationRisk) && chance(0.5) ? pick([(10.0, 0.5), (25, 0.5)]) : nil
        let urgency = pick([(Urgency.emergency, 0.15), (.urgent, 0.35), (.planned, 0.5)])
        let neededBy = Self.today.adding(days: urgency == .planned ? Int.random(in: 0...28, using: &rng) : Int.random(in: -7...3, using: &rng))
        let budget: Int64? = chance(0.2) ? Int64(Int.random(in: 8...60, using: &rng)) * 10_000 : nil
        let waitingSince = Date(timeIntervalSinceReferenceDate: 793_000_000 - Double(Int.random(in: 0...10_000_000, using: &rng)))
        return ClearingBid(
            id: id(), authority: authority.code, groupSize: groupSize, age: age,
            sex: pick([(Sex.female, 0.47), (.male, 0.51), (.other, 0.02)]), needs: needs, settingsAcceptable: settings,
            home: home, maxDistanceKm: maxDistanceKm, minDistanceKm: minDistanceKm,
            urgency: urgency, neededBy: neededBy, maxWeeklyRatePence: budget, waitingSince: waitingSince
        )
    }

    private mutating func offer() -> ClearingOffer {
        let (authority, location) = place()
        let setting = pick([(Setting.foster, 0.7), (.childrensHome, 0.22), (.supportedAccommodation, 0.06), (.secureChildrensHome, 0.02)])
        var supported = Set(Self.needRates.filter { chance(min(0.9, $0.1 * 4)) }.map(\.0))
        supported.insert(.emotionalBehavioural)
        let ageMin: Int
        let ageMax: Int
        let beds: Int
        let weeklyPounds: Int
        switch setting {
        case .foster:
            (ageMin, ageMax) = pick([((0, 17), 0.5), ((0, 10), 0.25), ((8, 17), 0.25)])
            beds = pick([(1, 0.5), (2, 0.35), (3, 0.15)])
            weeklyPounds = Int.random(in: 450...1_200, using: &rng)
        case .childrensHome:
            (ageMin, ageMax) = (Int.random(in: 8...12, using: &rng), 17)
            beds = pick([(1, 0.5), (2, 0.3), (3, 0.15), (4, 0.05)])
            weeklyPounds = Int.random(in: 3_500...8_000, using: &rng)
        case .supportedAccommodation:
            (ageMin, ageMax) = (16, 17)
            beds = pick([(1, 0.6), (2, 0.3), (4, 0.1)])
            weeklyPounds = Int.random(in: 1_000...2_500, using: &rng)
        case .secureChildrensHome:
            (ageMin, ageMax) = (10, 17)
            beds = 1
            weeklyPounds = Int.random(in: 8_000...12_000, using: &rng)
        }
        return ClearingOffer(
            id: id(), authority: authority.code, setting: setting, needsSupported: supported, ageMin: ageMin, ageMax: ageMax,
            sexesAccepted: chance(0.1) ? [pick([(Sex.female, 0.5), (.male, 0.5)])] : Set(Sex.allCases),
            location: location, availableFrom: Self.today.adding(days: Int.random(in: -30...21, using: &rng)),
            availableUntil: chance(0.1) ? Self.today.adding(days: Int.random(in: 7...90, using: &rng)) : nil,
            weeklyRatePence: Int64(weeklyPounds) * 100, freeBeds: beds
        )
    }
}

/// SplitMix64: a small seeded generator, so every instance can be reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
