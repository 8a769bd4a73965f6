import Foundation

/// Where a bid stands. Raw values are the API's and the database's strings.
public enum BidStatus: String, Sendable, Codable, CaseIterable, Hashable {
    /// Waiting for a place; the next round considers it.
    case open
    /// A live proposal holds a place for the child.
    case proposed
    /// Confirmed: the child has a placement.
    case placed
    /// Withdrawn by its authority.
    case withdrawn
    /// No longer needed (past its date).
    case expired

    /// Whether the placing authority may still change the bid's details.
    public var isChangeable: Bool { self == .open }

    /// Whether the placing authority may withdraw the bid (a live proposal is withdrawn with it).
    public var isWithdrawable: Bool { self == .open || self == .proposed }
}

/// What a placing authority says about a child (or sibling group) needing a place. Holds no
/// name, no date of birth and no address: `childRef` is the authority's own pseudonym.
public struct BidDraft: Sendable, Equatable {
    /// The ranges and shapes every bid must keep: the one place these rules are written.
    public enum Limits {
        /// Length of `child_ref`, in Unicode scalars.
        public static let childRefLength = 1...64
        /// Number of children who must live together.
        public static let groupSize = 1...8
        /// The child's age in whole years.
        public static let age = 0...17
        /// `max_distance_km`.
        public static let maxDistanceKm = 0.001...1500.0
        /// `min_distance_km`.
        public static let minDistanceKm = 0.0...1500.0
        /// `max_weekly_rate_pence`.
        public static let maxWeeklyRatePence: ClosedRange<Int64> = 0...10_000_000
    }

    /// The authority's own pseudonymous reference for the child.
    public var childRef: String
    /// Number of children who must be placed together (1 for a single child).
    public var groupSize: Int
    /// The child's age in whole years.
    public var age: Int
    /// The child's recorded sex.
    public var sex: Sex
    /// Every assessed need.
    public var needs: [Need]
    /// Settings the placing authority will accept (at least one).
    public var settingsAcceptable: [Setting]
    /// Rounded to 2 decimal places before it is stored.
    public var home: Coordinate
    /// The postcode district the home location was given as, if it was.
    public var homePostcodeDistrict: String?
    /// Furthest acceptable distance from home in km, if any.
    public var maxDistanceKm: Double?
    /// Nearest acceptable distance from home in km, if any.
    public var minDistanceKm: Double?
    /// How soon the place is needed.
    public var urgency: Urgency
    /// The date the place is needed from.
    public var neededBy: CalendarDate
    /// Highest acceptable weekly rate per child in pence, if any.
    public var maxWeeklyRatePence: Int64?

    /// Creates a draft; the home location is rounded to about 1 km.
    public init(
        childRef: String, groupSize: Int, age: Int, sex: Sex, needs: [Need], settingsAcceptable: [Setting], home: Coordinate,
        homePostcodeDistrict: String?, maxDistanceKm: Double?, minDistanceKm: Double?, urgency: Urgency, neededBy: CalendarDate,
        maxWeeklyRatePence: Int64?
    ) {
        self.childRef = childRef
        self.groupSize = groupSize
        self.age = age
        self.sex = sex
        self.needs = needs
        self.settingsAcceptable = settingsAcceptable
        self.home = home.rounded()
        self.homePostcodeDistrict = homePostcodeDistrict
        self.maxDistanceKm = maxDistanceKm
        self.minDistanceKm = minDistanceKm
        self.urgency = urgency
        self.neededBy = neededBy
        self.maxWeeklyRatePence = maxWeeklyRatePence
    }

    /// What is wrong with a `child_ref`, or nil when it is a usable pseudonym.
    public static func problem(childRef: String) -> FieldProblem? {
        func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
            (48...57).contains(scalar.value) || (65...90).contains(scalar.value) || (97...122).contains(scalar.value)
        }
        let punctuation: Set<Unicode.Scalar> = ["_", ".", "/", "-"]
        guard Limits.childRefLength.contains(childRef.scalarCount), let first = childRef.unicodeScalars.first, isLetterOrDigit(first),
              childRef.unicodeScalars.allSatisfy({ isLetterOrDigit($0) || punctuation.contains($0) })
        else {
            return FieldProblem(
                "child_ref",
                "must be your own pseudonymous reference: 1 to 64 letters, digits and _ . / - only, no spaces (never a name or a date of birth)"
            )
        }
        return nil
    }

    /// Every rule the draft breaks (ranges and rules between fields); empty when it is valid.
    public var problems: [FieldProblem] {
        var problems: [FieldProblem] = []
        if let problem = Self.problem(childRef: childRef) { problems.append(problem) }
        if !Limits.groupSize.contains(groupSize) { problems.append(FieldProblem("group_size", "must be from 1 to 8")) }
        if !Limits.age.contains(age) { problems.append(FieldProblem("age", "must be from 0 to 17")) }
        if settingsAcceptable.isEmpty { problems.append(FieldProblem("settings_acceptable", "must list at least 1")) }
        if let maxDistanceKm, !Limits.maxDistanceKm.contains(maxDistanceKm) {
            problems.append(FieldProblem("max_distance_km", "must be from 0.001 to 1500.0"))
        }
        if let minDistanceKm, !Limits.minDistanceKm.contains(minDistanceKm) {
            problems.append(FieldProblem("min_distance_km", "must be from 0.0 to 1500.0"))
        }
        if let maxWeeklyRatePence, !Limits.maxWeeklyRatePence.contains(maxWeeklyRatePence) {
            problems.append(FieldProblem("max_weekly_rate_pence", "must be from 0 to 10000000"))
        }
        if let minDistanceKm, let maxDistanceKm, minDistanceKm > maxDistanceKm {
            problems.append(FieldProblem("min_distance_km", "must not be more than max_distance_km"))
        }
        return problems
    }
}

/// A bid as stored: a draft with its identity, authority, status and version.
public struct Bid: Sendable, Equatable {
    /// The bid's id.
    public let id: UUID
    /// ONS code of the placing authority.
    public let authority: String
    /// Where the bid stands.
    public let status: BidStatus
    /// Bumped on every change (`If-Match`).
    public let version: Int
    /// When it was posted (the child has waited since then).
    public let createdAt: Date
    /// When it last changed.
    public let updatedAt: Date
    /// What the placing authority said.
    public let draft: BidDraft

    /// Creates a stored bid.
    public init(id: UUID, authority: String, status: BidStatus, version: Int, createdAt: Date, updatedAt: Date, draft: BidDraft) {
        self.id = id
        self.authority = authority
        self.status = status
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.draft = draft
    }

    /// Checks that the bid's details may be changed (only while it is open).
    public func checkChangeable() throws(DomainError) {
        guard status.isChangeable else { throw .conflict("only an open bid can be changed; this one is \(status.rawValue)") }
    }

    /// Checks that the bid may be withdrawn (open or proposed).
    public func checkWithdrawable() throws(DomainError) {
        guard status.isWithdrawable else { throw .conflict("a \(status.rawValue) bid cannot be withdrawn") }
    }

    /// The bid as the clearing rules see it.
    public var clearingBid: ClearingBid {
        ClearingBid(
            id: id, authority: authority, groupSize: draft.groupSize, age: draft.age, sex: draft.sex, needs: Set(draft.needs),
            settingsAcceptable: Set(draft.settingsAcceptable), home: draft.home, maxDistanceKm: draft.maxDistanceKm,
            minDistanceKm: draft.minDistanceKm, urgency: draft.urgency, neededBy: draft.neededBy,
            maxWeeklyRatePence: draft.maxWeeklyRatePence, waitingSince: createdAt
        )
    }
}
