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
    /// Children in bids with a ranking that could be placed somewhere (had a compatible offer).
    public var rankedChildren: Int
    /// Of those, the children placed in their first, second, … choice
    /// (`ClearingSolver.maximumRankingLength` entries; a sibling group counts as its size).
    public var childrenByChoice: [Int]
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
        rankedChildren: Int = 0, childrenByChoice: [Int] = [],
        compatiblePairCount: Int, componentCount: Int, solveSeconds: Double, compatibilitySeconds: Double = 0,
        provenOptimal: Bool = true, optimalityGap: ClearingGap? = nil
    ) {
        self.emergencyChildrenPlaced = emergencyChildrenPlaced
        self.urgentChildrenPlaced = urgentChildrenPlaced
        self.plannedChildrenPlaced = plannedChildrenPlaced
        self.totalDistanceMetres = totalDistanceMetres
        self.totalDistanceKm = totalDistanceKm
        self.totalWeeklyCostPence = totalWeeklyCostPence
        self.rankedChildren = rankedChildren
        self.childrenByChoice = ClearingSummary.padded(childrenByChoice)
        self.compatiblePairCount = compatiblePairCount
        self.componentCount = componentCount
        self.solveSeconds = solveSeconds
        self.compatibilitySeconds = compatibilitySeconds
        self.provenOptimal = provenOptimal
        self.optimalityGap = optimalityGap
    }

    private enum CodingKeys: String, CodingKey {
        case emergencyChildrenPlaced, urgentChildrenPlaced, plannedChildrenPlaced, totalDistanceMetres, totalDistanceKm
        case totalWeeklyCostPence, rankedChildren, childrenByChoice, compatiblePairCount, componentCount, solveSeconds, compatibilitySeconds
        case provenOptimal, optimalityGap
    }

    /// Decodes a summary; one written before `provenOptimal` existed reads as proven optimal, one
    /// written before preferences existed as a round with no ranked children.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        emergencyChildrenPlaced = try container.decode(Int.self, forKey: .emergencyChildrenPlaced)
        urgentChildrenPlaced = try container.decode(Int.self, forKey: .urgentChildrenPlaced)
        plannedChildrenPlaced = try container.decode(Int.self, forKey: .plannedChildrenPlaced)
        totalDistanceMetres = try container.decode(Int64.self, forKey: .totalDistanceMetres)
        totalDistanceKm = try container.decode(Double.self, forKey: .totalDistanceKm)
        totalWeeklyCostPence = try container.decode(Int64.self, forKey: .totalWeeklyCostPence)
        rankedChildren = try container.decodeIfPresent(Int.self, forKey: .rankedChildren) ?? 0
        childrenByChoice = Self.padded(try container.decodeIfPresent([Int].self, forKey: .childrenByChoice) ?? [])
        compatiblePairCount = try container.decode(Int.self, forKey: .compatiblePairCount)
        componentCount = try container.decode(Int.self, forKey: .componentCount)
        solveSeconds = try container.decode(Double.self, forKey: .solveSeconds)
        compatibilitySeconds = try container.decodeIfPresent(Double.self, forKey: .compatibilitySeconds) ?? 0
        provenOptimal = try container.decodeIfPresent(Bool.self, forKey: .provenOptimal) ?? true
        optimalityGap = try container.decodeIfPresent(ClearingGap.self, forKey: .optimalityGap)
    }

    /// `counts` cut or padded with zeros to `ClearingSolver.maximumRankingLength` entries.
    static func padded(_ counts: [Int]) -> [Int] {
        let length = ClearingSolver.maximumRankingLength
        return Array(counts.prefix(length)) + Array(repeating: 0, count: max(0, length - counts.count))
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
/// more urgent ones; when that is 0 too, `plannedChildren` more planned ones; when all three are
/// 0, `childrenByChoice` more children in their first choice, then (where that is 0) in their
/// second, and so on; and when all of those are 0, an assignment placing the same children in
/// the same choices may be up to `distanceMetres` shorter. A level
/// after the first non-zero one carries no information (it may even be negative).
public struct ClearingGap: Sendable, Hashable, Codable {
    /// Emergency children the best possible assignment may place beyond the result.
    public var emergencyChildren: Int
    /// Urgent children beyond the result (meaningful when `emergencyChildren` is 0).
    public var urgentChildren: Int
    /// Planned children beyond the result (meaningful when both gaps above are 0).
    public var plannedChildren: Int
    /// Children the best possible assignment may place in their first, second, … choice beyond
    /// the result (each meaningful when every gap before it is 0).
    public var childrenByChoice: [Int]
    /// Metres of total distance per child the best possible assignment may save (meaningful
    /// when every children gap is 0).
    public var distanceMetres: Int64

    /// Creates a gap.
    public init(emergencyChildren: Int, urgentChildren: Int, plannedChildren: Int, childrenByChoice: [Int] = [], distanceMetres: Int64) {
        self.emergencyChildren = emergencyChildren
        self.urgentChildren = urgentChildren
        self.plannedChildren = plannedChildren
        self.childrenByChoice = ClearingSummary.padded(childrenByChoice)
        self.distanceMetres = distanceMetres
    }

    private enum CodingKeys: String, CodingKey {
        case emergencyChildren, urgentChildren, plannedChildren, childrenByChoice, distanceMetres
    }

    /// Decodes a gap; one written before preferences existed has no preference gap.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        emergencyChildren = try container.decode(Int.self, forKey: .emergencyChildren)
        urgentChildren = try container.decode(Int.self, forKey: .urgentChildren)
        plannedChildren = try container.decode(Int.self, forKey: .plannedChildren)
        childrenByChoice = ClearingSummary.padded(try container.decodeIfPresent([Int].self, forKey: .childrenByChoice) ?? [])
        distanceMetres = try container.decode(Int64.self, forKey: .distanceMetres)
    }
}

/// A clearing round's answer: the proposals, in bid waiting order, the alternatives each child
/// had, and summary figures.
public struct ClearingResult: Sendable, Hashable, Codable {
    /// At most one proposal per bid.
    public var proposals: [ClearingProposal]
    /// For every proposed bid and every bid with a ranking, in bid waiting order: its options
    /// and what became of its ranked choices.
    public var alternatives: [BidAlternatives]
    /// Figures for the round.
    public var summary: ClearingSummary

    /// Creates a result.
    public init(proposals: [ClearingProposal], alternatives: [BidAlternatives] = [], summary: ClearingSummary) {
        self.proposals = proposals
        self.alternatives = alternatives
        self.summary = summary
    }

    private enum CodingKeys: String, CodingKey {
        case proposals, alternatives, summary
    }

    /// Decodes a result; one written before options existed has no alternatives.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        proposals = try container.decode([ClearingProposal].self, forKey: .proposals)
        alternatives = try container.decodeIfPresent([BidAlternatives].self, forKey: .alternatives) ?? []
        summary = try container.decode(ClearingSummary.self, forKey: .summary)
    }
}

/// What a round says about one bid beyond its proposal.
public struct BidAlternatives: Sendable, Hashable, Codable {
    /// The bid.
    public var bidID: UUID
    /// For a proposed bid, the other offers it was compatible with in the round, nearest first
    /// (then lowest id), at most `ClearingSolver.maximumOptionCount`; empty for a bid not proposed.
    public var options: [ClearingOption]
    /// For a bid with a ranking, each ranked offer in ranking order and what became of it.
    public var ranked: [RankedChoice]

    /// Creates a bid's alternatives.
    public init(bidID: UUID, options: [ClearingOption], ranked: [RankedChoice]) {
        self.bidID = bidID
        self.options = options
        self.ranked = ranked
    }
}

/// Another place a proposed child could have had in the round, and what choosing it would have
/// done to the other children.
public struct ClearingOption: Sendable, Hashable, Codable {
    /// The offer.
    public var offerID: UUID
    /// Great-circle distance from the child's home, in km.
    public var distanceKm: Double
    /// The offer's weekly rate per child, in pence.
    public var weeklyRatePence: Int64
    /// The effect on the other children of the best assignment that gives the child this offer.
    public var effect: OptionEffect

    /// Creates an option.
    public init(offerID: UUID, distanceKm: Double, weeklyRatePence: Int64, effect: OptionEffect) {
        self.offerID = offerID
        self.distanceKm = distanceKm
        self.weeklyRatePence = weeklyRatePence
        self.effect = effect
    }
}

/// What giving a child a particular offer would do to the *other* children of the round,
/// compared with the round's own result: the first objective level at which the best
/// assignment with the child on that offer is worse for them.
///
/// Computed exactly from the solver's own optimum with the child fixed to the offer (not
/// greedily); `exact` is false only when that search hit the round's budget, and the effect is
/// then measured against the best assignment found (it can only overstate the cost).
public struct OptionEffect: Sendable, Hashable, Codable {
    /// Which level the cost falls on.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The other children are placed as well: the same numbers at every urgency, in the same
        /// ranked choices, and travel no further in total.
        case none
        /// Fewer other children would be placed (`emergency`, `urgent`, `planned`: how many fewer
        /// at each urgency; a level after the first positive one may be negative).
        case fewerPlaced = "fewer_placed"
        /// As many placed, but fewer in their first, second, … ranked choice (`byChoice`).
        case fewerPreferred = "fewer_preferred"
        /// As many placed in the same choices, but `extraMetres` more total distance from home.
        case extraDistance = "extra_distance"
        /// The round ran out of time before the alternative was searched.
        case notEvaluated = "not_evaluated"
    }

    /// The level the cost falls on.
    public var kind: Kind
    /// For `fewerPlaced`: fewer emergency, urgent and planned children placed (per child).
    public var fewerPlaced: [Int]
    /// For `fewerPreferred`: fewer children in their first, second, … choice.
    public var fewerByChoice: [Int]
    /// For `extraDistance`: extra total distance of the other children, in whole metres.
    public var extraMetres: Int64
    /// False when the alternative's search was cut short by the round's budget.
    public var exact: Bool

    /// Creates an effect.
    public init(kind: Kind, fewerPlaced: [Int] = [], fewerByChoice: [Int] = [], extraMetres: Int64 = 0, exact: Bool = true) {
        self.kind = kind
        self.fewerPlaced = fewerPlaced
        self.fewerByChoice = fewerByChoice
        self.extraMetres = extraMetres
        self.exact = exact
    }
}

/// What became of one offer in a child's ranking in a round.
public struct RankedChoice: Sendable, Hashable, Codable {
    /// Why the child has, or has not, this offer.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// The child was proposed this offer.
        case given
        /// The child was proposed an offer ranked higher.
        case higherChoiceGiven = "higher_choice_given"
        /// The offer was not in the round (withdrawn, full, or every bed held or placed).
        case notInRound = "not_in_round"
        /// A hard rule failed (`rule` says which).
        case incompatible
        /// Giving it would have left more urgent children unplaced (the effect says how many).
        case moreUrgentChild = "more_urgent_child"
        /// Giving it would have left another child, as urgent as this one or less, unplaced.
        case anotherChildUnplaced = "another_child_unplaced"
        /// Giving it would have cost other children a higher-ranked choice.
        case anotherChildsChoice = "another_childs_choice"
        /// The round's search was cut short before it settled why (its budget ran out): the
        /// alternative was not searched, or the result is not proven optimal.
        case notEvaluated = "not_evaluated"
    }

    /// The outcome in plain words, for a social worker; `rule` is the failed rule's code for
    /// `incompatible`.
    public static func explanation(of outcome: Outcome, rule: String?) -> String {
        switch outcome {
        case .given: "the round proposed this place to the child"
        case .higherChoiceGiven: "the round proposed a place the child ranked higher"
        case .notInRound: "this place was not in the round: withdrawn, full, or every bed held or placed for other children"
        case .incompatible: "this place breaks a rule for this child (\(rule ?? "a hard rule")), so the round could not propose it"
        case .moreUrgentChild: "a more urgent child needed this place: giving it to this child would have left that child unplaced"
        case .anotherChildUnplaced:
            "another child needed this place: giving it to this child would have left that child unplaced (a child's preference never costs another child a place)"
        case .anotherChildsChoice: "another child ranked this place too: giving it to this child would have cost that child a higher-ranked choice"
        case .notEvaluated: "the round ran out of time before it could work out why"
        }
    }

    /// The offer.
    public var offerID: UUID
    /// 1 for the first choice.
    public var choice: Int
    /// What became of it.
    public var outcome: Outcome
    /// For `incompatible`, the rule's code (`Incompatibility.code`).
    public var rule: String?
    /// For outcomes computed by the solver, the effect on the other children.
    public var effect: OptionEffect?

    /// Creates a ranked choice's outcome.
    public init(offerID: UUID, choice: Int, outcome: Outcome, rule: String? = nil, effect: OptionEffect? = nil) {
        self.offerID = offerID
        self.choice = choice
        self.outcome = outcome
        self.rule = rule
        self.effect = effect
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
