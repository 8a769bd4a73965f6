import Foundation

/// Whether a bid and an offer may be paired, and if not, the first hard rule that failed.
public enum Compatibility: Sendable, Hashable {
    /// Every hard rule holds.
    case compatible(distanceKm: Double, weeklyRatePence: Int64)
    /// The first rule, in the order `Incompatibility` lists them, that failed.
    case incompatible(Incompatibility)
}

/// A failed hard rule, in the order the rules are checked.
public enum Incompatibility: Sendable, Hashable {
    /// The offer's setting is not one the bid accepts.
    case settingNotAcceptable(Setting)
    /// The child's age is outside the offer's range.
    case ageOutOfRange(age: Int, ageMin: Int, ageMax: Int)
    /// The offer does not accept the child's sex.
    case sexNotAccepted(Sex)
    /// The offer does not support this need of the child (the first unsupported, in `Need` order).
    case needNotSupported(Need)
    /// The offer has fewer free beds than the group needs.
    case notEnoughCapacity(freeBeds: Int, groupSize: Int)
    /// The offer cannot be used on the start date (the later of `neededBy` and today).
    case notAvailable(start: CalendarDate, availableFrom: CalendarDate, availableUntil: CalendarDate?)
    /// The offer is further from home than the bid allows.
    case tooFar(distanceKm: Double, maxDistanceKm: Double)
    /// The offer is nearer home than the bid allows.
    case tooNear(distanceKm: Double, minDistanceKm: Double)
    /// The offer's weekly rate is above the bid's budget.
    case overBudget(weeklyRatePence: Int64, maxWeeklyRatePence: Int64)
    /// This pair was proposed before and declined.
    case declinedBefore

    /// A stable machine-readable code, e.g. `need_not_supported`.
    public var code: String {
        switch self {
        case .settingNotAcceptable: "setting_not_acceptable"
        case .ageOutOfRange: "age_out_of_range"
        case .sexNotAccepted: "sex_not_accepted"
        case .needNotSupported: "need_not_supported"
        case .notEnoughCapacity: "not_enough_capacity"
        case .notAvailable: "not_available"
        case .tooFar: "too_far"
        case .tooNear: "too_near"
        case .overBudget: "over_budget"
        case .declinedBefore: "declined_before"
        }
    }

    /// The reason in plain English, for a social worker, e.g. "this place does not support autism".
    public var explanation: String {
        switch self {
        case .settingNotAcceptable(let setting):
            "this place is \(setting.placeDescription), which is not a setting acceptable for this child"
        case .ageOutOfRange(let age, let ageMin, let ageMax):
            "this place takes children aged \(ageMin) to \(ageMax), and this child is \(age)"
        case .sexNotAccepted(let sex):
            "this place does not accept \(sex.pluralNoun)"
        case .needNotSupported(let need):
            "this place does not support \(need.plainName)"
        case .notEnoughCapacity(let freeBeds, let groupSize):
            switch (freeBeds, groupSize) {
            case (...0, _): "this place has no free bed"
            case (_, 1): "this place has no free bed"
            case (1, _): "this place has 1 free bed, and these \(groupSize) siblings must live together"
            default: "this place has \(freeBeds) free beds, and these \(groupSize) siblings must live together"
            }
        case .notAvailable(let start, let availableFrom, let availableUntil):
            if availableFrom > start {
                "this place is not available until \(availableFrom.iso), and the child needs it from \(start.iso)"
            } else {
                "this place is only available until \(availableUntil?.iso ?? "-"), and the child needs it from \(start.iso)"
            }
        case .tooFar(let distanceKm, let maxDistanceKm):
            "this place is \(formatKm(distanceKm)) km from the child's home, further than the \(formatKm(maxDistanceKm)) km limit"
        case .tooNear(let distanceKm, let minDistanceKm):
            "this place is \(formatKm(distanceKm)) km from the child's home, and the child must live at least \(formatKm(minDistanceKm)) km away"
        case .overBudget(let weeklyRatePence, let maxWeeklyRatePence):
            "this place costs \(formatPounds(weeklyRatePence)) a week, over the budget of \(formatPounds(maxWeeklyRatePence))"
        case .declinedBefore:
            "this place was proposed for this child before and declined"
        }
    }
}

extension ClearingBid {
    /// Decides whether this bid may be paired with `offer` in a round held on `today`.
    ///
    /// Checks the hard rules in this order and reports the first that fails: setting, age, sex,
    /// needs, free capacity, availability on the start date (the later of `neededBy` and
    /// `today`), maximum distance, minimum distance, budget, declined before. Pure: the solver
    /// applies exactly the same rules.
    public func compatibility(with offer: ClearingOffer, today: CalendarDate, declined: Set<DeclinedPair> = []) -> Compatibility {
        let bidKey = BidKey(self, today: today)
        let offerKey = OfferKey(offer)
        var distanceKm = 0.0
        if let rule = bidKey.firstFailedRule(against: offerKey, distanceKm: &distanceKm) {
            return .incompatible(incompatibility(rule, offer: offer, today: today, distanceKm: distanceKm))
        }
        if declined.contains(DeclinedPair(bidID: id, offerID: offer.id)) {
            return .incompatible(.declinedBefore)
        }
        return .compatible(distanceKm: distanceKm, weeklyRatePence: offer.weeklyRatePence)
    }

    private func incompatibility(_ rule: Rule, offer: ClearingOffer, today: CalendarDate, distanceKm: Double) -> Incompatibility {
        switch rule {
        case .setting: .settingNotAcceptable(offer.setting)
        case .age: .ageOutOfRange(age: age, ageMin: offer.ageMin, ageMax: offer.ageMax)
        case .sex: .sexNotAccepted(sex)
        case .need: .needNotSupported(Need.allCases.first { needs.contains($0) && !offer.needsSupported.contains($0) }!)
        case .capacity: .notEnoughCapacity(freeBeds: offer.freeBeds, groupSize: groupSize)
        case .availability:
            .notAvailable(start: max(neededBy, today), availableFrom: offer.availableFrom, availableUntil: offer.availableUntil)
        case .tooFar: .tooFar(distanceKm: distanceKm, maxDistanceKm: maxDistanceKm ?? .infinity)
        case .tooNear: .tooNear(distanceKm: distanceKm, minDistanceKm: minDistanceKm ?? 0)
        case .budget: .overBudget(weeklyRatePence: offer.weeklyRatePence, maxWeeklyRatePence: maxWeeklyRatePence ?? .max)
        }
    }
}

/// A hard rule checked on flat data (the declined rule is checked by the caller).
enum Rule: Sendable {
    case setting, age, sex, need, capacity, availability, tooFar, tooNear, budget
}

/// A bid reduced to the flat numbers the rules need.
struct BidKey: Sendable {
    var settingsMask: UInt8
    var needsMask: UInt16
    var sexBit: UInt8
    var age: Int
    var groupSize: Int
    var startDay: Int
    var maxDistanceKm: Double
    var minDistanceKm: Double
    /// A squared chord length beyond which the pair is certainly too far (a cheap pre-check).
    var certainlyTooFarChordSquared: Double
    var maxWeeklyRatePence: Int64
    var home: UnitVector

    init(_ bid: ClearingBid, today: CalendarDate) {
        settingsMask = bid.settingsAcceptable.reduce(0) { $0 | $1.bit }
        needsMask = bid.needs.reduce(0) { $0 | $1.bit }
        sexBit = bid.sex.bit
        age = bid.age
        groupSize = bid.groupSize
        startDay = max(bid.neededBy, today).dayNumber
        maxDistanceKm = bid.maxDistanceKm ?? .infinity
        minDistanceKm = bid.minDistanceKm ?? -.infinity
        let halfAngle = maxDistanceKm / (2 * Coordinate.earthRadiusKm)
        if halfAngle >= .pi / 2 {
            certainlyTooFarChordSquared = .infinity
        } else if halfAngle < 0 {
            certainlyTooFarChordSquared = -1
        } else {
            // A relative margin far above floating-point error: the exact check decides near the limit.
            let chord = 2 * sin(halfAngle) * (1 + 1e-9) + 1e-12
            certainlyTooFarChordSquared = chord * chord
        }
        maxWeeklyRatePence = bid.maxWeeklyRatePence ?? .max
        home = UnitVector(bid.home)
    }

    /// The first failed rule against `offer`, or nil; `distanceKm` is set once the distance is known.
    @inline(__always)
    func firstFailedRule(against offer: OfferKey, distanceKm: inout Double) -> Rule? {
        if settingsMask & offer.settingBit == 0 { return .setting }
        if age < offer.ageMin || age > offer.ageMax { return .age }
        if sexBit & offer.sexesMask == 0 { return .sex }
        if needsMask & ~offer.needsMask != 0 { return .need }
        if offer.freeBeds < groupSize { return .capacity }
        if offer.availableFromDay > startDay || offer.availableUntilDay < startDay { return .availability }
        let chordSquared = home.chordSquared(to: offer.location)
        distanceKm = UnitVector.distanceKm(chordSquared: chordSquared)
        if chordSquared > certainlyTooFarChordSquared || distanceKm > maxDistanceKm { return .tooFar }
        if distanceKm < minDistanceKm { return .tooNear }
        if offer.weeklyRatePence > maxWeeklyRatePence { return .budget }
        return nil
    }
}

/// An offer reduced to the flat numbers the rules need.
struct OfferKey: Sendable {
    var settingBit: UInt8
    var needsMask: UInt16
    var sexesMask: UInt8
    var ageMin: Int
    var ageMax: Int
    var freeBeds: Int
    var availableFromDay: Int
    var availableUntilDay: Int
    var weeklyRatePence: Int64
    var location: UnitVector

    init(_ offer: ClearingOffer) {
        settingBit = offer.setting.bit
        needsMask = offer.needsSupported.reduce(0) { $0 | $1.bit }
        sexesMask = offer.sexesAccepted.reduce(0) { $0 | $1.bit }
        ageMin = offer.ageMin
        ageMax = offer.ageMax
        freeBeds = offer.freeBeds
        availableFromDay = offer.availableFrom.dayNumber
        availableUntilDay = offer.availableUntil?.dayNumber ?? .max
        weeklyRatePence = offer.weeklyRatePence
        location = UnitVector(offer.location)
    }
}

extension Setting {
    /// The bit standing for this setting in a setting mask.
    var bit: UInt8 { 1 << UInt8(Setting.allCases.firstIndex(of: self)!) }
}

/// Kilometres with one decimal place, e.g. "32.2".
public func formatKm(_ km: Double) -> String {
    guard km.isFinite else { return "unlimited" }
    let tenths = Int((km * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}

/// Pence as pounds, e.g. "£1,250.00".
public func formatPounds(_ pence: Int64) -> String {
    let sign = pence < 0 ? "-" : ""
    let magnitude = pence.magnitude
    var pounds = String(magnitude / 100)
    var grouped = ""
    while pounds.count > 3 {
        grouped = "," + pounds.suffix(3) + grouped
        pounds.removeLast(3)
    }
    let penny = magnitude % 100
    return "\(sign)£\(pounds)\(grouped).\(penny < 10 ? "0" : "")\(penny)"
}
