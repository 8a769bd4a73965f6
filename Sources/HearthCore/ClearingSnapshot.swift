import Foundation

/// An open bid as a clearing round sees it: one child, or a sibling group who must live together.
public struct ClearingBid: Sendable, Hashable, Codable {
    /// The bid's id.
    public var id: UUID
    /// ONS code of the placing authority.
    public var authority: String
    /// Number of children who must be placed together (1 for a single child).
    public var groupSize: Int
    /// The child's age in whole years (the eldest's for a group is the authority's call).
    public var age: Int
    /// The child's recorded sex.
    public var sex: Sex
    /// Every assessed need; an offer must support all of them.
    public var needs: Set<Need>
    /// Settings the placing authority will accept.
    public var settingsAcceptable: Set<Setting>
    /// The child's home location (rounded to 2 decimal places by the server).
    public var home: Coordinate
    /// Furthest acceptable distance from home in km, if any.
    public var maxDistanceKm: Double?
    /// Nearest acceptable distance from home in km, if any (placing away from home for safety).
    public var minDistanceKm: Double?
    /// How soon the place is needed.
    public var urgency: Urgency
    /// The date the place is needed from.
    public var neededBy: CalendarDate
    /// Highest acceptable weekly rate per child in pence, if any.
    public var maxWeeklyRatePence: Int64?
    /// When the bid started waiting; used only to break ties (longest waiting first).
    public var waitingSince: Date
    /// The child's ranked choice of offers, most preferred first (at most
    /// `ClearingSolver.maximumRankingLength`, no repeats); nil or empty when the child stated none.
    /// Only the clearing objective's level (2) reads it: it never makes a pair compatible.
    public var ranking: [UUID]?

    /// Creates a bid snapshot.
    public init(
        id: UUID, authority: String, groupSize: Int = 1, age: Int, sex: Sex, needs: Set<Need> = [],
        settingsAcceptable: Set<Setting>, home: Coordinate, maxDistanceKm: Double? = nil,
        minDistanceKm: Double? = nil, urgency: Urgency, neededBy: CalendarDate,
        maxWeeklyRatePence: Int64? = nil, waitingSince: Date, ranking: [UUID]? = nil
    ) {
        self.id = id
        self.authority = authority
        self.groupSize = groupSize
        self.age = age
        self.sex = sex
        self.needs = needs
        self.settingsAcceptable = settingsAcceptable
        self.home = home
        self.maxDistanceKm = maxDistanceKm
        self.minDistanceKm = minDistanceKm
        self.urgency = urgency
        self.neededBy = neededBy
        self.maxWeeklyRatePence = maxWeeklyRatePence
        self.waitingSince = waitingSince
        self.ranking = ranking
    }
}

/// An open offer as a clearing round sees it: a surplus in-house place with some free beds.
public struct ClearingOffer: Sendable, Hashable, Codable {
    /// The offer's id.
    public var id: UUID
    /// ONS code of the host authority.
    public var authority: String
    /// The kind of place.
    public var setting: Setting
    /// Needs the place can support.
    public var needsSupported: Set<Need>
    /// Youngest age accepted, in whole years.
    public var ageMin: Int
    /// Oldest age accepted, in whole years.
    public var ageMax: Int
    /// Sexes accepted.
    public var sexesAccepted: Set<Sex>
    /// Where the place is (rounded to 2 decimal places by the server).
    public var location: Coordinate
    /// First date the place can be used.
    public var availableFrom: CalendarDate
    /// Last date the place can be used, if limited.
    public var availableUntil: CalendarDate?
    /// Weekly rate per child in pence.
    public var weeklyRatePence: Int64
    /// Beds free from the snapshot date onwards: capacity minus every live hold and placement
    /// that overlaps any date from the snapshot date on. Deliberately simple: a bed that frees
    /// up later is not counted until a later snapshot, so a proposal never needs a bed that is
    /// taken on some date after its start.
    public var freeBeds: Int

    /// Creates an offer snapshot.
    public init(
        id: UUID, authority: String, setting: Setting, needsSupported: Set<Need> = [], ageMin: Int, ageMax: Int,
        sexesAccepted: Set<Sex>, location: Coordinate, availableFrom: CalendarDate,
        availableUntil: CalendarDate? = nil, weeklyRatePence: Int64, freeBeds: Int
    ) {
        self.id = id
        self.authority = authority
        self.setting = setting
        self.needsSupported = needsSupported
        self.ageMin = ageMin
        self.ageMax = ageMax
        self.sexesAccepted = sexesAccepted
        self.location = location
        self.availableFrom = availableFrom
        self.availableUntil = availableUntil
        self.weeklyRatePence = weeklyRatePence
        self.freeBeds = freeBeds
    }
}

/// A bid and an offer that were proposed together and declined: never proposed again.
public struct DeclinedPair: Sendable, Hashable, Codable {
    /// The bid.
    public var bidID: UUID
    /// The offer.
    public var offerID: UUID

    /// Creates a declined pair.
    public init(bidID: UUID, offerID: UUID) {
        self.bidID = bidID
        self.offerID = offerID
    }
}

/// Everything one clearing round needs: a consistent snapshot of open bids, free capacity,
/// declined pairs and the date of the round.
public struct ClearingInstance: Sendable, Hashable, Codable {
    /// Open bids.
    public var bids: [ClearingBid]
    /// Open offers with their free beds.
    public var offers: [ClearingOffer]
    /// Pairs never to be proposed.
    public var declined: Set<DeclinedPair>
    /// The date of the round (Europe/London).
    public var today: CalendarDate

    /// Creates an instance.
    public init(bids: [ClearingBid], offers: [ClearingOffer], declined: Set<DeclinedPair> = [], today: CalendarDate) {
        self.bids = bids
        self.offers = offers
        self.declined = declined
        self.today = today
    }
}

extension UUID {
    /// Byte-wise order of ids ("lowest id" in tie-breaks); the same order as the uuid strings.
    static func precedes(_ lhs: UUID, _ rhs: UUID) -> Bool {
        withUnsafeBytes(of: lhs.uuid) { left in
            withUnsafeBytes(of: rhs.uuid) { right in
                left.lexicographicallyPrecedes(right)
            }
        }
    }
}
