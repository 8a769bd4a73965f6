import Foundation
import HearthCore

/// A live placement made through the exchange, as sufficiency counts it.
public struct ExchangePlacement: Sendable, Hashable {
    public let placingAuthority: String
    public let hostAuthority: String
    public let setting: Setting
    /// The child's needs (from the bid).
    public let needs: Set<Need>
    /// Children placed together (the bid's group size).
    public let children: Int
    public let distanceKm: Double
    public let weeklyRatePence: Int64

    /// Creates a placement record.
    public init(
        placingAuthority: String, hostAuthority: String, setting: Setting, needs: Set<Need>, children: Int, distanceKm: Double,
        weeklyRatePence: Int64
    ) {
        self.placingAuthority = placingAuthority
        self.hostAuthority = hostAuthority
        self.setting = setting
        self.needs = needs
        self.children = children
        self.distanceKm = distanceKm
        self.weeklyRatePence = weeklyRatePence
    }
}

/// A bid made in the twelve months before the report's date, whatever became of it.
public struct RecentBid: Sendable, Hashable {
    public let authority: String
    public let settings: Set<Setting>
    public let needs: Set<Need>

    /// Creates a record of a bid.
    public init(authority: String, settings: Set<Setting>, needs: Set<Need>) {
        self.authority = authority
        self.settings = settings
        self.needs = needs
    }
}

/// Everything a sufficiency picture is computed from: plain values read by the store.
public struct SufficiencyInput: Sendable {
    /// The day the picture is for.
    public var asOf: CalendarDate
    /// ONS codes of the region's members (a placement elsewhere is outside the region).
    public var members: Set<String>
    /// Open offers with their beds free from `asOf`.
    public var offers: [ClearingOffer]
    /// Open bids.
    public var openBids: [ClearingBid]
    /// Bids made in the twelve months up to `asOf`.
    public var recentBids: [RecentBid]
    /// Exchange placements live on `asOf`.
    public var placements: [ExchangePlacement]
    /// The members' SSDA903 episodes (any period: those open on `asOf` are counted).
    public var episodes: [Episode]

    /// Creates an input.
    public init(
        asOf: CalendarDate, members: Set<String>, offers: [ClearingOffer], openBids: [ClearingBid], recentBids: [RecentBid],
        placements: [ExchangePlacement], episodes: [Episode]
    ) {
        self.asOf = asOf
        self.members = members
        self.offers = offers
        self.openBids = openBids
        self.recentBids = recentBids
        self.placements = placements
        self.episodes = episodes
    }

    /// The same input with demand (bids, placements, returns) narrowed to one authority; the
    /// market's offers stay, since a member's children may be placed in any of them.
    public func demand(of authority: String) -> SufficiencyInput {
        var narrowed = self
        narrowed.openBids = openBids.filter { $0.authority == authority }
        narrowed.recentBids = recentBids.filter { $0.authority == authority }
        narrowed.placements = placements.filter { $0.placingAuthority == authority }
        narrowed.episodes = episodes.filter { $0.authority == authority }
        return narrowed
    }
}

/// How sufficiency rows are grouped.
public enum SufficiencyDimension: String, Sendable, CaseIterable, Codable {
    case setting, need, authority
}

/// "Within 20 miles", as the national statistics count it: 32.187 km or less.
public let twentyMilesKm = 32.187

/// The figures of one row (one setting, need or authority, or the region's total).
public struct SufficiencyFigures: Sendable, Hashable {
    /// The setting, need or authority code; `ALL` for the total; `other` (settings outside
    /// Hearth's four, from the returns) and `none` (no specific need) where they apply.
    public let key: String
    /// Open offers (public market data: never suppressed).
    public var openOffers = 0
    /// Their free beds.
    public var beds = 0
    /// Their weekly rates, one per offer, in pence.
    public var rates: [Int64] = []
    /// Open bids.
    public var openBids = ChildCount()
    /// Children in them (sibling groups count their size).
    public var childrenWaiting = ChildCount()
    /// Bids made in the last twelve months.
    public var bidsLastYear = ChildCount()
    /// Children looked after on the date, from the returns (distinct children).
    public var lookedAfter = ChildCount()
    /// Open bids with no compatible offer.
    public var unmetBids = ChildCount()
    /// Children in them.
    public var unmetChildren = ChildCount()
    /// Live exchange placements.
    public var exchangePlacements = ChildCount()
    /// Of them, within 20 miles of home.
    public var exchangeWithinTwentyMiles = ChildCount()
    /// Children looked after on the date whose return gives both districts.
    public var returnsWithDistance = ChildCount()
    /// Of them, within 20 miles of home.
    public var returnsWithinTwentyMiles = ChildCount()
    /// Children looked after on the date whose placement's authority is known.
    public var returnsWithPlacementArea = ChildCount()
    /// Of them, placed outside the region.
    public var placedOutsideRegion = ChildCount()

    /// Empty figures for `key`.
    public init(key: String) { self.key = key }
}

/// One kind of demand the market cannot meet: open bids alike in settings, needs and distance
/// limit that no open offer is compatible with, and the rule that blocks them.
public struct UnmetDemand: Sendable, Hashable {
    /// The blocking rule (`Incompatibility.code`): the furthest any offer gets through the
    /// explain order (setting, age, sex, needs, capacity, availability, distance, budget), or
    /// `setting_not_acceptable` when the market has no offer at all.
    public let rule: String
    public let settings: [Setting]
    public let needs: [Need]
    public let maxDistanceKm: Double?
    /// The bids.
    public var bids = ChildCount()
    /// The children in them.
    public var children = ChildCount()

    /// The sentence for a board paper, e.g. "14 bids for a children's home supporting autism
    /// within 40 km: no such offer", with the bid count as `viewer` may see it.
    public func message(for viewer: InsightViewer) -> String {
        let count = bids.shown(to: viewer)
        let noun = count == .exact(1) ? "bid" : "bids"
        var text = "\(count) \(noun) for " + settings.map(\.placeDescription).joined(separator: " or ")
        if !needs.isEmpty { text += " supporting " + needs.map(\.plainName).joined(separator: " and ") }
        if let maxDistanceKm { text += " within \(UnmetDemand.km(maxDistanceKm)) km" }
        return text + ": " + reason
    }

    /// Why, in words.
    public var reason: String {
        switch rule {
        case "setting_not_acceptable": "no open offer in this setting"
        case "age_out_of_range": "no such offer takes the child's age"
        case "sex_not_accepted": "no such offer accepts the child's sex"
        case "need_not_supported": "no such offer"
        case "not_enough_capacity": "no such offer has enough free beds"
        case "not_available": "no such offer is available by the date needed"
        case "too_far": "no such offer within the distance"
        case "too_near": "every such offer is nearer home than allowed"
        case "over_budget": "every such offer is over the budget"
        default: "no compatible offer"
        }
    }

    static func km(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// One band of distance from home.
public struct DistanceBand: Sendable, Hashable {
    /// E.g. `5-10 miles`.
    public let label: String
    /// Upper bound in km (inclusive); infinity for the last band.
    public let upToKm: Double
    /// Exchange placements in the band.
    public var exchange = ChildCount()
    /// Children looked after (returns) in the band.
    public var returns = ChildCount()

    /// The bands: up to 5, 10, 20 and 50 miles, and over 50.
    public static func bands() -> [DistanceBand] {
        [
            DistanceBand(label: "up to 5 miles", upToKm: 8.047), DistanceBand(label: "5-10 miles", upToKm: 16.093),
            DistanceBand(label: "10-20 miles", upToKm: twentyMilesKm), DistanceBand(label: "20-50 miles", upToKm: 80.467),
            DistanceBand(label: "over 50 miles", upToKm: .infinity),
        ]
    }
}

/// The region's sufficiency picture: supply, demand, unmet demand and why, distance from home,
/// placements outside the region, per setting, need or authority. Pure.
public struct Sufficiency: Sendable {
    public let asOf: CalendarDate
    public let dimension: SufficiencyDimension
    /// One row per key, in a stable order (settings and needs in Hearth's order, authorities by code).
    public let rows: [SufficiencyFigures]
    /// Every item counted once.
    public let total: SufficiencyFigures
    /// Unmet demand, largest first.
    public let unmet: [UnmetDemand]
    /// Distance from home of live exchange placements and of the returns' children looked after.
    public let distanceBands: [DistanceBand]

    /// Computes the picture of `input` grouped by `dimension`.
    ///
    /// An offer counts under its setting, each need it supports (`none` if it names none) and
    /// its authority; a bid under each setting it accepts, each of its needs (`none`) and its
    /// authority, so rows by setting or need may add up to more than the total. The returns
    /// count under the setting their PLACE code maps to (`other` for the rest), under `uasc`
    /// only by need (the returns do not record Hearth's needs), and under their authority.
    public init(_ input: SufficiencyInput, by dimension: SufficiencyDimension) {
        asOf = input.asOf
        self.dimension = dimension
        var rows: [String: SufficiencyFigures] = [:]
        var total = SufficiencyFigures(key: "ALL")
        func update(_ keys: [String], _ change: (inout SufficiencyFigures) -> Void) {
            for key in Set(keys) { change(&rows[key, default: SufficiencyFigures(key: key)]) }
            change(&total)
        }
        for offer in input.offers where offer.freeBeds > 0 {
            update(Self.keys(dimension, setting: [offer.setting], needs: offer.needsSupported, authority: offer.authority)) {
                $0.openOffers += 1
                $0.beds += offer.freeBeds
                $0.rates.append(offer.weeklyRatePence)
            }
        }
        var unmet: [UnmetKey: UnmetDemand] = [:]
        for bid in input.openBids {
            let keys = Self.keys(dimension, setting: bid.settingsAcceptable, needs: bid.needs, authority: bid.authority)
            let blocking = Self.blockingRule(bid, offers: input.offers, today: input.asOf)
            update(keys) {
                $0.openBids.add(from: bid.authority)
                $0.childrenWaiting.add(bid.groupSize, from: bid.authority)
                if blocking != nil {
                    $0.unmetBids.add(from: bid.authority)
                    $0.unmetChildren.add(bid.groupSize, from: bid.authority)
                }
            }
            if let blocking {
                let key = UnmetKey(
                    rule: blocking, settings: Setting.allCases.filter(bid.settingsAcceptable.contains),
                    needs: Need.allCases.filter(bid.needs.contains), maxDistanceKm: bid.maxDistanceKm
                )
                unmet[key, default: UnmetDemand(rule: key.rule, settings: key.settings, needs: key.needs, maxDistanceKm: key.maxDistanceKm)]
                    .bids.add(from: bid.authority)
                unmet[key]!.children.add(bid.groupSize, from: bid.authority)
            }
        }
        for bid in input.recentBids {
            update(Self.keys(dimension, setting: bid.settings, needs: bid.needs, authority: bid.authority)) {
                $0.bidsLastYear.add(from: bid.authority)
            }
        }
        var bands = DistanceBand.bands()
        func band(_ km: Double) -> Int { bands.firstIndex { km <= $0.upToKm }! }
        for placement in input.placements {
            let near = placement.distanceKm <= twentyMilesKm
            update(Self.keys(dimension, setting: [placement.setting], needs: placement.needs, authority: placement.placingAuthority)) {
                $0.exchangePlacements.add(placement.children, from: placement.placingAuthority)
                if near { $0.exchangeWithinTwentyMiles.add(placement.children, from: placement.placingAuthority) }
            }
            bands[band(placement.distanceKm)].exchange.add(placement.children, from: placement.placingAuthority)
        }
        var counted: Set<String> = []
        for episode in input.episodes where episode.isOpen(on: input.asOf) {
            guard counted.insert(episode.authority + "/" + episode.childKey).inserted else { continue }
            let keys: [String] =
                switch dimension {
                case .setting: [Self.setting(ofPlace: episode.placement)?.rawValue ?? "other"]
                case .need: episode.unaccompanied ? [Need.uasc.rawValue] : []
                case .authority: [episode.authority]
                }
            let authority = episode.authority
            update(keys) { figures in
                figures.lookedAfter.add(from: authority)
                if let km = episode.distanceKm {
                    figures.returnsWithDistance.add(from: authority)
                    if km <= twentyMilesKm { figures.returnsWithinTwentyMiles.add(from: authority) }
                }
                if let area = episode.placementAuthority {
                    figures.returnsWithPlacementArea.add(from: authority)
                    if !input.members.contains(area) { figures.placedOutsideRegion.add(from: authority) }
                }
            }
            if let km = episode.distanceKm { bands[band(km)].returns.add(from: authority) }
        }
        self.rows = Self.orderedKeys(dimension, present: Set(rows.keys), members: input.members).map { rows[$0] ?? SufficiencyFigures(key: $0) }
        self.total = total
        self.unmet = unmet.values.sorted { first, second in
            if first.bids.total != second.bids.total { return first.bids.total > second.bids.total }
            let left = (first.rule, first.settings.map(\.rawValue).joined(separator: ","), first.needs.map(\.rawValue).joined(separator: ","))
            let right = (second.rule, second.settings.map(\.rawValue).joined(separator: ","), second.needs.map(\.rawValue).joined(separator: ","))
            if left != right { return left < right }
            return (first.maxDistanceKm ?? .infinity) < (second.maxDistanceKm ?? .infinity)
        }
        self.distanceBands = bands
    }

    /// The Hearth setting of an SSDA903 PLACE code, or nil for placements outside Hearth's four
    /// (adoption, with parents, custody, …): U1–U6 foster; K2 children's home; K1 secure
    /// children's home; K3 (H5, P2 in older returns) supported accommodation.
    public static func setting(ofPlace code: String) -> Setting? {
        switch code.uppercased() {
        case "U1", "U2", "U3", "U4", "U5", "U6": .foster
        case "K2": .childrensHome
        case "K1": .secureChildrensHome
        case "K3", "H5", "P2": .supportedAccommodation
        default: nil
        }
    }

    /// The rule that blocks a bid no offer is compatible with (nil when one is): the furthest,
    /// in the explain order, that any offer gets.
    public static func blockingRule(_ bid: ClearingBid, offers: [ClearingOffer], today: CalendarDate) -> String? {
        var furthest = -1
        for offer in offers {
            switch bid.compatibility(with: offer, today: today) {
            case .compatible: return nil
            case .incompatible(let failure): furthest = max(furthest, ruleOrder.firstIndex(of: failure.code) ?? 0)
            }
        }
        return ruleOrder[max(furthest, 0)]
    }

    /// The hard rules in the order `ClearingBid.compatibility(with:today:)` checks them.
    public static let ruleOrder = [
        "setting_not_acceptable", "age_out_of_range", "sex_not_accepted", "need_not_supported", "not_enough_capacity",
        "not_available", "too_far", "too_near", "over_budget", "declined_before",
    ]

    private static func keys(_ dimension: SufficiencyDimension, setting: Set<Setting>, needs: Set<Need>, authority: String) -> [String] {
        switch dimension {
        case .setting: setting.map(\.rawValue)
        case .need: needs.isEmpty ? ["none"] : needs.map(\.rawValue)
        case .authority: [authority]
        }
    }

    private static func orderedKeys(_ dimension: SufficiencyDimension, present: Set<String>, members: Set<String>) -> [String] {
        switch dimension {
        case .setting: Setting.allCases.map(\.rawValue) + ["other"]
        case .need: Need.allCases.map(\.rawValue) + ["none"]
        case .authority: present.union(members).sorted()
        }
    }

    private struct UnmetKey: Hashable {
        let rule: String
        let settings: [Setting]
        let needs: [Need]
        let maxDistanceKm: Double?
    }
}

/// Quartiles with linear interpolation between order statistics (R's type 7, numpy's default).
public enum Quantiles {
    /// The `q`-quantile (0…1) of `values`, or nil when empty.
    public static func of(_ values: [Int64], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return Double(sorted[lower]) + (Double(sorted[upper]) - Double(sorted[lower])) * fraction
    }
}
