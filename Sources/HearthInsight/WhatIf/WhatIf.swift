import Foundation
import HearthCore

/// Extra capacity to try: `setting=S,needs=N+M,capacity=K,postcode=D`.
public struct WhatIfAddition: Sendable, Hashable, Codable {
    /// The setting of the new place.
    public let setting: Setting
    /// Needs it supports.
    public let needs: Set<Need>
    /// Beds.
    public let capacity: Int
    /// The postcode district it is in.
    public let district: String

    /// Creates an addition.
    public init(setting: Setting, needs: Set<Need>, capacity: Int, district: String) {
        self.setting = setting
        self.needs = needs
        self.capacity = capacity
        self.district = district
    }

    /// The most beds one addition may add.
    public static let maximumCapacity = 100

    /// Parses `setting=S,needs=N+M,capacity=K,postcode=D` strictly: every key once, `setting`,
    /// `capacity` and `postcode` required, `needs` optional; `district` checks and normalises the
    /// postcode (a district or a full postcode), nil when it is unknown.
    public static func parse(_ text: String, district: (String) -> String?) throws -> WhatIfAddition {
        var values: [String: String] = [:]
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw WhatIfError("--add \"\(text)\": \"\(part)\" is not KEY=VALUE") }
            let key = pair[0].trimmingCharacters(in: .whitespaces)
            guard ["setting", "needs", "capacity", "postcode"].contains(key) else {
                throw WhatIfError("--add \"\(text)\": unknown key \"\(key)\" (use setting, needs, capacity, postcode)")
            }
            guard values[key] == nil else { throw WhatIfError("--add \"\(text)\": \(key) is given twice") }
            values[key] = pair[1].trimmingCharacters(in: .whitespaces)
        }
        for key in ["setting", "capacity", "postcode"] where values[key] == nil {
            throw WhatIfError("--add \"\(text)\": \(key)= is required")
        }
        guard let setting = Setting(rawValue: values["setting"]!) else {
            throw WhatIfError("--add: setting \"\(values["setting"]!)\" is not one of \(Setting.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var needs: Set<Need> = []
        if let list = values["needs"], !list.isEmpty {
            for code in list.split(separator: "+", omittingEmptySubsequences: false) {
                guard let need = Need(rawValue: String(code)) else {
                    throw WhatIfError("--add: need \"\(code)\" is not one of \(Need.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                needs.insert(need)
            }
        }
        guard let capacity = Int(values["capacity"]!), (1...maximumCapacity).contains(capacity) else {
            throw WhatIfError("--add: capacity \"\(values["capacity"]!)\" must be a whole number from 1 to \(maximumCapacity)")
        }
        guard let code = district(values["postcode"]!) else {
            throw WhatIfError("--add: postcode \"\(values["postcode"]!)\" is not a known postcode district (e.g. RG12) or postcode")
        }
        return WhatIfAddition(setting: setting, needs: needs, capacity: capacity, district: code)
    }
}

/// Why a what-if cannot be run, for the user.
public struct WhatIfError: Error, CustomStringConvertible, Sendable {
    /// The message.
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A postcode district as the what-if places new capacity in it.
public struct WhatIfDistrict: Sendable, Hashable {
    /// The outward code.
    public let code: String
    /// Its mean location.
    public let location: Coordinate
    /// The upper-tier authority it lies in, when known.
    public let authority: String?

    /// Creates a district.
    public init(code: String, location: Coordinate, authority: String?) {
        self.code = code
        self.location = location
        self.authority = authority
    }
}

/// "The last months' bids cleared again with extra capacity": every bid made in the window,
/// whatever its status now, cleared in one round by the real solver (`ClearingSolver`) against
/// every offer that was open at some time in the window, at its full capacity — first as it
/// was, then with the additions. Pure.
///
/// Definitions (Docs/insight-forecast.md): children placed counts a sibling group as its size;
/// within 20 miles is a distance of at most 32.187 km; the mean distance is per child placed;
/// the weekly cost is the sum of each placed child's weekly rate. A new place accepts ages
/// 0–17 and every sex, is available from the window's start, and costs the median weekly rate
/// of the window's offers of its setting (of all offers when there are none).
public struct WhatIf: Sendable {
    /// One clearing's figures.
    public struct Outcome: Sendable, Codable, Equatable {
        /// Children placed (a sibling group counts as its size).
        public let childrenPlaced: Int
        /// Children placed at most 32.187 km (20 miles) from home.
        public let placedWithin20Miles: Int
        /// Mean distance from home per child placed, km (0 when none).
        public let meanDistanceKm: Double
        /// Sum of the placed children's weekly rates, pence.
        public let weeklyCostPence: Int64
    }

    /// One candidate for "one more bed".
    public struct Candidate: Sendable, Codable, Equatable {
        /// The postcode district.
        public let district: String
        /// The setting.
        public let setting: Setting
        /// Extra children placed with one more bed there.
        public let extraChildrenPlaced: Int
        /// Extra children placed within 20 miles.
        public let extraWithin20Miles: Int
        /// Change in the mean distance, km (negative is nearer).
        public let meanDistanceChangeKm: Double
    }

    /// The what-if's figures.
    public struct Result: Sendable, Codable {
        /// First day of the window.
        public let from: CalendarDate
        /// Last day of the window.
        public let to: CalendarDate
        /// Bids in the window.
        public let bids: Int
        /// Children in them.
        public let children: Int
        /// Offers open in the window.
        public let offers: Int
        /// The additions tried.
        public let additions: [WhatIfAddition]
        /// As it was.
        public let before: Outcome
        /// With the additions.
        public let after: Outcome
        /// Districts × settings ranked by how much one more bed would help, best first.
        public let ranking: [Candidate]
    }

    /// Bids made in the window.
    public let bids: [ClearingBid]
    /// Offers open in the window, with `freeBeds` their capacity.
    public let offers: [ClearingOffer]
    /// Pairs declined (never proposed again).
    public let declined: Set<DeclinedPair>
    /// First day of the window (the round's date).
    public let from: CalendarDate
    /// Last day of the window.
    public let to: CalendarDate
    /// Postcode districts by code.
    public let districts: [String: WhatIfDistrict]
    /// How many of the districts with most unplaced children the ranking tries.
    public var candidateDistricts = 5

    /// Creates a what-if.
    public init(
        bids: [ClearingBid], offers: [ClearingOffer], declined: Set<DeclinedPair>, from: CalendarDate, to: CalendarDate,
        districts: [WhatIfDistrict]
    ) {
        self.bids = bids
        self.offers = offers
        self.declined = declined
        self.from = from
        self.to = to
        self.districts = Dictionary(districts.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Runs the what-if. The solver is deterministic, so the result is too.
    public func run(adding additions: [WhatIfAddition], solver: ClearingSolver = ClearingSolver(workerCount: 1)) throws -> Result {
        let base = ClearingInstance(bids: bids, offers: offers, declined: declined, today: from)
        let beforeResult = try solver.solve(base)
        let before = outcome(beforeResult)
        var extended = base
        for (index, addition) in additions.enumerated() {
            extended.offers.append(try offer(for: addition, number: index))
        }
        let after = additions.isEmpty ? before : outcome(try solver.solve(extended))
        return Result(
            from: from, to: to, bids: bids.count, children: bids.reduce(0) { $0 + $1.groupSize }, offers: offers.count,
            additions: additions, before: before, after: after, ranking: try rank(before: before, placed: beforeResult, solver: solver))
    }

    private func outcome(_ result: ClearingResult) -> Outcome {
        let sizes = Dictionary(uniqueKeysWithValues: bids.map { ($0.id, $0.groupSize) })
        var children = 0, near = 0, cost: Int64 = 0, distance = 0.0
        for proposal in result.proposals {
            let size = sizes[proposal.bidID] ?? 1
            children += size
            if proposal.distanceKm <= 32.187 { near += size }
            distance += proposal.distanceKm * Double(size)
            cost += proposal.weeklyRatePence * Int64(size)
        }
        return Outcome(
            childrenPlaced: children, placedWithin20Miles: near,
            meanDistanceKm: children == 0 ? 0 : (distance / Double(children) * 100).rounded() / 100, weeklyCostPence: cost)
    }

    /// The new place an addition describes.
    func offer(for addition: WhatIfAddition, number: Int) throws -> ClearingOffer {
        guard let district = districts[addition.district] else {
            throw WhatIfError("postcode district \(addition.district) has no known location")
        }
        let rates = offers.filter { $0.setting == addition.setting }.map(\.weeklyRatePence)
        let rate = WhatIf.median(rates.isEmpty ? offers.map(\.weeklyRatePence) : rates) ?? 0
        // A fixed id per addition keeps the solve deterministic.
        let id = UUID(uuid: (0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, UInt8(number / 256 % 256), UInt8(number % 256)))
        return ClearingOffer(
            id: id, authority: district.authority ?? "", setting: addition.setting, needsSupported: addition.needs,
            ageMin: 0, ageMax: 17, sexesAccepted: Set(Sex.allCases), location: district.location, availableFrom: from,
            availableUntil: nil, weeklyRatePence: rate, freeBeds: addition.capacity)
    }

    static func median(_ values: [Int64]) -> Int64? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// One more bed in each of the districts with most unplaced children (by home), in each
    /// setting those children accept, supporting every need of theirs; ranked by extra children
    /// placed, then extra within 20 miles, then the fall in mean distance, then district and setting.
    private func rank(before: Outcome, placed: ClearingResult, solver: ClearingSolver) throws -> [Candidate] {
        let placedIDs = Set(placed.proposals.map(\.bidID))
        let unplaced = bids.filter { !placedIDs.contains($0.id) }
        guard !unplaced.isEmpty else { return [] }
        var byDistrict: [String: [ClearingBid]] = [:]
        let all = districts.values.sorted { $0.code < $1.code }
        for bid in unplaced {
            guard let nearest = all.min(by: { $0.location.distanceKm(to: bid.home) < $1.location.distanceKm(to: bid.home) }) else { continue }
            byDistrict[nearest.code, default: []].append(bid)
        }
        let top = byDistrict.sorted {
            let left = $0.value.reduce(0) { $0 + $1.groupSize }, right = $1.value.reduce(0) { $0 + $1.groupSize }
            return left != right ? left > right : $0.key < $1.key
        }.prefix(candidateDistricts)
        var candidates: [Candidate] = []
        for (district, waiting) in top {
            let settings = Set(waiting.flatMap(\.settingsAcceptable)).sorted { $0.rawValue < $1.rawValue }
            for setting in settings {
                let needs = Set(waiting.filter { $0.settingsAcceptable.contains(setting) }.flatMap(\.needs))
                var instance = ClearingInstance(bids: bids, offers: offers, declined: declined, today: from)
                instance.offers.append(try offer(for: WhatIfAddition(setting: setting, needs: needs, capacity: 1, district: district), number: 0))
                let after = outcome(try solver.solve(instance))
                candidates.append(Candidate(
                    district: district, setting: setting, extraChildrenPlaced: after.childrenPlaced - before.childrenPlaced,
                    extraWithin20Miles: after.placedWithin20Miles - before.placedWithin20Miles,
                    meanDistanceChangeKm: ((after.meanDistanceKm - before.meanDistanceKm) * 100).rounded() / 100))
            }
        }
        return candidates.sorted {
            if $0.extraChildrenPlaced != $1.extraChildrenPlaced { return $0.extraChildrenPlaced > $1.extraChildrenPlaced }
            if $0.extraWithin20Miles != $1.extraWithin20Miles { return $0.extraWithin20Miles > $1.extraWithin20Miles }
            if $0.meanDistanceChangeKm != $1.meanDistanceChangeKm { return $0.meanDistanceChangeKm < $1.meanDistanceChangeKm }
            return ($0.district, $0.setting.rawValue) < ($1.district, $1.setting.rawValue)
        }
    }
}
