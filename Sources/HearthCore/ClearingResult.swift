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

    /// Creates a summary.
    public init(
        emergencyChildrenPlaced: Int, urgentChildrenPlaced: Int, plannedChildrenPlaced: Int,
        totalDistanceMetres: Int64, totalDistanceKm: Double, totalWeeklyCostPence: Int64,
        compatiblePairCount: Int, componentCount: Int, solveSeconds: Double, compatibilitySeconds: Double = 0
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
