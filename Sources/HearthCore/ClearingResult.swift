import Foundation

/// One proposed pairing from a clearing round.
public struct ClearingProposal: Sendable, Hashable, Codable {
    /// The bid placed.
    public var bidID: UUID
    /// The offer it is placed with.
    public var offerID: UUID
    /// Great-circle distance from the child's home, in km.
    public var distanceKm: Double
    /// The offer's weekly rate per child, in pence.
    public var weeklyRatePence: Int64

    /// Creates a proposal.
    public init(bidID: UUID, offerID: UUID, distanceKm: Double, weeklyRatePence: Int64) {
        self.bidID = bidID
        self.offerID = offerID
        self.distanceKm = distanceKm
        self.weeklyRatePence = weeklyRatePence
    }
}

/// Figures describing a clearing round's result.
public struct ClearingSummary: Sendable, Hashable, Codable {
    /// Emergency children placed (a sibling group counts as its size).
    public var emergencyChildrenPlaced: Int
    /// Urgent children placed.
    public var urgentChildrenPlaced: Int
    /// Planned children placed.
    public var plannedChildrenPlaced: Int
    /// Total distance from home per child, each pair's distance rounded to whole metres (the
    /// quantity the solver minimises).
    public var totalDistanceMetres: Int64
    /// Total distance from home per child, in km, unrounded.
    public var totalDistanceKm: Double
    /// Total weekly cost in pence: each proposal's weekly rate times its group size.
    public var totalWeeklyCostPence: Int64
    /// Number of compatible (bid, offer) pairs in the snapshot.
    public var compatiblePairCount: Int
    /// Number of connected components of the compatibility graph that were solved.
    public var componentCount: Int
    /// Wall-clock time the whole round took (compatibility and solve), in seconds.
    public var solveSeconds: Double
    /// The part of `solveSeconds` spent screening every pair for compatibility.
    public var compatibilitySeconds: Double
    /// True when the proposals are proven optimal; false when the search budget
    /// (`ClearingSolver.searchBudget`) ran out first and the best whole-group assignment found
    /// so far was returned.
    public var provenOptimal: Bool
    /// How far the proposals may be from the optimum, when `provenOptimal` is false; nil when
    /// they are proven optimal.
    public var optimalityGap: ClearingGap?

    /// Creates a summary.
    public init(
        emergencyChildrenPlaced: Int, urgentChildrenPlaced: Int, plannedChildrenPlaced: Int,
        totalDistanceMetres: Int64, totalDistanceKm: Double, totalWeeklyCostPence: Int64,
        compatiblePairCount: Int, componentCount: Int, solveSeconds: Double, compatibilitySeconds: Double = 0,
        provenOptimal: Bool = true, optimalityGap: ClearingGap? = nil
    ) {
        self.emergencyChildrenPlaced = emergencyChildrenPlaced
        self.urgentChildrenPlaced = urgentChildrenPlaced
        self.plannedChildrenPlaced = plannedChildrenPlaced
        self.totalDistanceMetres = totalDistanceMetres
        self.totalDistanceKm = totalDistanceKm
        self.totalWeeklyCostPence = totalWeeklyCostPence
        self.compatiblePairCount = compatiblePairCount
        self.componentCount = componentCount
        self.solveSeconds = solveSeconds
        self.compatibilitySeconds = compatibilitySeconds
        self.provenOptimal = provenOptimal
        self.optimalityGap = optimalityGap
    }

    private enum CodingKeys: String, CodingKey {
        case emergencyChildrenPlaced, urgentChildrenPlaced, plannedChildrenPlaced, totalDistanceMetres, totalDistanceKm
        case totalWeeklyCostPence, compatiblePairCount, componentCount, solveSeconds, compatibilitySeconds
        case provenOptimal, optimalityGap
    }

    /// Decodes a summary; one written before `provenOptimal` existed reads as proven optimal.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        emergencyChildrenPlaced = try container.decode(Int.self, forKey: .emergencyChildrenPlaced)
        urgentChildrenPlaced = try container.decode(Int.self, forKey: .urgentChildrenPlaced)
        plannedChildrenPlaced = try container.decode(Int.self, forKey: .plannedChildrenPlaced)
        totalDistanceMetres = try container.decode(Int64.self, forKey: .totalDistanceMetres)
        totalDistanceKm = try container.decode(Double.self, forKey: .totalDistanceKm)
        totalWeeklyCostPence = try container.decode(Int64.self, forKey: .totalWeeklyCostPence)
        compatiblePairCount = try container.decode(Int.self, forKey: .compatiblePairCount)
        componentCount = try container.decode(Int.self, forKey: .componentCount)
        solveSeconds = try container.decode(Double.self, forKey: .solveSeconds)
        compatibilitySeconds = try container.decodeIfPresent(Double.self, forKey: .compatibilitySeconds) ?? 0
        provenOptimal = try container.decodeIfPresent(Bool.self, forKey: .provenOptimal) ?? true
        optimalityGap = try container.decodeIfPresent(ClearingGap.self, forKey: .optimalityGap)
    }

    /// Children placed with the given urgency.
    public func childrenPlaced(_ urgency: Urgency) -> Int {
        switch urgency {
        case .emergency: emergencyChildrenPlaced
        case .urgent: urgentChildrenPlaced
        case .planned: plannedChildrenPlaced
        }
    }
}

/// How far a result that is not proven optimal may be from the optimum, level by level.
///
/// The objective is lexicographic, so the figures are too: the proven bound may place
/// `emergencyChildren` more emergency children than the result; when that is 0, `urgentChildren`
/// more urgent ones; when that is 0 too, `plannedChildren` more planned ones; and when all three
/// are 0, an assignment placing the same children may be up to `distanceMetres` shorter. A level
/// after the first non-zero one carries no information (it may even be negative).
public struct ClearingGap: Sendable, Hashable, Codable {
    /// Emergency children the best possible assignment may place beyond the result.
    public var emergencyChildren: Int
    /// Urgent children beyond the result (meaningful when `emergencyChildren` is 0).
    public var urgentChildren: Int
    /// Planned children beyond the result (meaningful when both gaps above are 0).
    public var plannedChildren: Int
    /// Metres of total distance per child the best possible assignment may save (meaningful
    /// when every children gap is 0).
    public var distanceMetres: Int64

    /// Creates a gap.
    public init(emergencyChildren: Int, urgentChildren: Int, plannedChildren: Int, distanceMetres: Int64) {
        self.emergencyChildren = emergencyChildren
        self.urgentChildren = urgentChildren
        self.plannedChildren = plannedChildren
        self.distanceMetres = distanceMetres
    }
}

/// A clearing round's answer: the proposals, in bid waiting order, and summary figures.
public struct ClearingResult: Sendable, Hashable, Codable {
    /// At most one proposal per bid.
    public var proposals: [ClearingProposal]
    /// Figures for the round.
    public var summary: ClearingSummary

    /// Creates a result.
    public init(proposals: [ClearingProposal], summary: ClearingSummary) {
        self.proposals = proposals
        self.summary = summary
    }
}

/// Why a snapshot cannot be cleared.
public enum ClearingSolverError: Error, Sendable, Hashable {
    /// Two bids, or two offers, share an id.
    case duplicateID(UUID)
    /// A bid's data is out of range (the message says which field).
    case invalidBid(UUID, String)
    /// An offer's data is out of range (the message says which field).
    case invalidOffer(UUID, String)
    /// The instance is too large for the solver's exact 64-bit arithmetic.
    case instanceTooLarge(String)
}
