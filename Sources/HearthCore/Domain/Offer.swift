import Foundation

/// Where an offer stands. Raw values are the API's and the database's strings.
public enum OfferStatus: String, Sendable, Codable, CaseIterable, Hashable {
    /// On the market: rounds may propose its free beds.
    case open
    /// Taken off the market by its authority; its live proposals were released.
    case withdrawn
    /// Every bed is taken.
    case full
}

/// What a member says about a surplus place: the fields a placement team sets.
public struct OfferDraft: Sendable, Equatable {
    /// The ranges and shapes every offer must keep: the one place these rules are written.
    public enum Limits {
        /// Beds in the place.
        public static let capacity = 1...8
        /// `age_min` and `age_max`, in whole years.
        public static let age = 0...17
        /// `weekly_rate_pence`, per child.
        public static let weeklyRatePence: ClosedRange<Int64> = 0...10_000_000
    }

    /// The kind of place.
    public var setting: Setting
    /// Beds in the place.
    public var capacity: Int
    /// Needs the place can support.
    public var needsSupported: [Need]
    /// Youngest age accepted.
    public var ageMin: Int
    /// Oldest age accepted.
    public var ageMax: Int
    /// Sexes accepted (at least one).
    public var sexesAccepted: [Sex]
    /// Rounded to 2 decimal places before it is stored.
    public var location: Coordinate
    /// The postcode district the location was given as, if it was.
    public var postcodeDistrict: String?
    /// First date the place can be used.
    public var availableFrom: CalendarDate
    /// Last date the place can be used, if limited.
    public var availableUntil: CalendarDate?
    /// Weekly rate per child in pence.
    public var weeklyRatePence: Int64
    /// The place's Ofsted unique reference number, if it has one.
    public var ofstedURN: String?

    /// Creates a draft; the location is rounded to about 1 km.
    public init(
        setting: Setting, capacity: Int, needsSupported: [Need], ageMin: Int, ageMax: Int, sexesAccepted: [Sex],
        location: Coordinate, postcodeDistrict: String?, availableFrom: CalendarDate, availableUntil: CalendarDate?,
        weeklyRatePence: Int64, ofstedURN: String?
    ) {
        self.setting = setting
        self.capacity = capacity
        self.needsSupported = needsSupported
        self.ageMin = ageMin
        self.ageMax = ageMax
        self.sexesAccepted = sexesAccepted
        self.location = location.rounded()
        self.postcodeDistrict = postcodeDistrict
        self.availableFrom = availableFrom
        self.availableUntil = availableUntil
        self.weeklyRatePence = weeklyRatePence
        self.ofstedURN = ofstedURN
    }

    /// What is wrong with an Ofsted URN, or nil when it has the right shape.
    public static func problem(ofstedURN urn: String) -> FieldProblem? {
        let shaped = (6...10).contains(urn.scalarCount)
            && urn.unicodeScalars.allSatisfy { (48...57).contains($0.value) || (65...90).contains($0.value) }
        return shaped ? nil : FieldProblem("ofsted_urn", "must be an Ofsted URN: 6 to 10 capital letters and digits")
    }

    /// Every rule the draft breaks (ranges and rules between fields); empty when it is valid.
    public var problems: [FieldProblem] {
        var problems: [FieldProblem] = []
        if !Limits.capacity.contains(capacity) { problems.append(FieldProblem("capacity", "must be from 1 to 8")) }
        if !Limits.age.contains(ageMin) { problems.append(FieldProblem("age_min", "must be from 0 to 17")) }
        if !Limits.age.contains(ageMax) { problems.append(FieldProblem("age_max", "must be from 0 to 17")) }
        if sexesAccepted.isEmpty { problems.append(FieldProblem("sexes_accepted", "must list at least 1")) }
        if !Limits.weeklyRatePence.contains(weeklyRatePence) { problems.append(FieldProblem("weekly_rate_pence", "must be from 0 to 10000000")) }
        if let ofstedURN, let problem = Self.problem(ofstedURN: ofstedURN) { problems.append(problem) }
        if ageMin > ageMax { problems.append(FieldProblem("age_max", "must not be below age_min")) }
        if let availableUntil, availableUntil < availableFrom {
            problems.append(FieldProblem("available_until", "must not be before available_from"))
        }
        return problems
    }
}

/// An offer as stored: a draft with its identity, authority, status and version.
public struct Offer: Sendable, Equatable {
    /// The offer's id.
    public let id: UUID
    /// ONS code of the host authority.
    public let authority: String
    /// Where the offer stands.
    public let status: OfferStatus
    /// Bumped on every change (`If-Match`).
    public let version: Int
    /// When it was posted.
    public let createdAt: Date
    /// When it last changed.
    public let updatedAt: Date
    /// What the host authority said.
    public let draft: OfferDraft
    /// Distance from the `near` point of a market search, when the offer was found by one.
    public let distanceKm: Double?

    /// Creates a stored offer.
    public init(
        id: UUID, authority: String, status: OfferStatus, version: Int, createdAt: Date, updatedAt: Date, draft: OfferDraft,
        distanceKm: Double? = nil
    ) {
        self.id = id
        self.authority = authority
        self.status = status
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.draft = draft
        self.distanceKm = distanceKm
    }

    /// Checks that the offer may be changed to `draft`, with `takenBeds` beds held by live
    /// proposals or placed from today on: a withdrawn offer never changes, and capacity is
    /// never lowered below the beds that are taken.
    public func checkChange(to draft: OfferDraft, takenBeds: Int) throws(DomainError) {
        guard status != .withdrawn else { throw .conflict("a withdrawn offer cannot be changed") }
        if draft.capacity < self.draft.capacity, draft.capacity < takenBeds {
            throw .conflict(
                "\(takenBeds) \(takenBeds == 1 ? "bed is" : "beds are") held or placed on this offer: capacity cannot be lowered below \(takenBeds)"
            )
        }
    }

    /// Checks that the offer may be withdrawn (once).
    public func checkWithdrawable() throws(DomainError) {
        guard status != .withdrawn else { throw .conflict("the offer is already withdrawn") }
    }
}
