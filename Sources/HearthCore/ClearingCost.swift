/// The clearing objective for one child on one pair, as a lexicographically ordered vector.
///
/// Lexicographically ordered integer vectors form an ordered abelian group, so shortest paths,
/// potentials and reduced costs work on them exactly as on integers, with no weighting of one
/// level against another and no rounding. Every field stays far inside `Int64` (see
/// `ClearingSolver.checkBounds`).
struct ClearingCost: Sendable, Hashable, Comparable {
    /// Minus the urgency weight: (C+1)² for emergency, C+1 for urgent, 1 for planned, C being the
    /// number of children in the instance, so one more emergency child outweighs any number of
    /// urgent and planned ones, and likewise one more urgent child any number of planned ones.
    var placement: Int64
    /// Minus the children's preference weight: Q^(K−1−r) per child placed in their (r+1)-th
    /// choice, Q being one more than the children with a ranking and K the longest ranking, so
    /// one more child in a first choice outweighs any number in second and later choices.
    var preference: Int64
    /// Distance from home in whole metres.
    var distance: Int64
    /// Weekly rate in pence.
    var money: Int64
    /// Minus the bid's seniority (bid count minus its waiting rank): places the bids waiting longest.
    var seniority: Int64
    /// Seniority times the offer's id rank: the bids waiting longest get the lowest offer ids.
    var order: Int64

    static let zero = ClearingCost(placement: 0, preference: 0, distance: 0, money: 0, seniority: 0, order: 0)

    /// Above every reachable cost: the bound of a branch that cannot be taken. Never added to.
    static let infeasible = ClearingCost(placement: .max, preference: .max, distance: .max, money: .max, seniority: .max, order: .max)

    static func + (lhs: ClearingCost, rhs: ClearingCost) -> ClearingCost {
        ClearingCost(
            placement: lhs.placement + rhs.placement, preference: lhs.preference + rhs.preference, distance: lhs.distance + rhs.distance,
            money: lhs.money + rhs.money, seniority: lhs.seniority + rhs.seniority, order: lhs.order + rhs.order
        )
    }

    static func - (lhs: ClearingCost, rhs: ClearingCost) -> ClearingCost {
        ClearingCost(
            placement: lhs.placement - rhs.placement, preference: lhs.preference - rhs.preference, distance: lhs.distance - rhs.distance,
            money: lhs.money - rhs.money, seniority: lhs.seniority - rhs.seniority, order: lhs.order - rhs.order
        )
    }

    static prefix func - (cost: ClearingCost) -> ClearingCost {
        .zero - cost
    }

    static func * (cost: ClearingCost, count: Int64) -> ClearingCost {
        ClearingCost(
            placement: cost.placement * count, preference: cost.preference * count, distance: cost.distance * count, money: cost.money * count,
            seniority: cost.seniority * count, order: cost.order * count
        )
    }

    // Field by field rather than as tuples: the same order, much faster in unoptimised builds,
    // where this comparison dominates the shortest-path searches.
    static func < (lhs: ClearingCost, rhs: ClearingCost) -> Bool {
        if lhs.placement != rhs.placement { return lhs.placement < rhs.placement }
        if lhs.preference != rhs.preference { return lhs.preference < rhs.preference }
        if lhs.distance != rhs.distance { return lhs.distance < rhs.distance }
        if lhs.money != rhs.money { return lhs.money < rhs.money }
        if lhs.seniority != rhs.seniority { return lhs.seniority < rhs.seniority }
        return lhs.order < rhs.order
    }
}
