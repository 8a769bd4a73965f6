extension UnmetDemand {
    /// The blocking rule `rule` (an `Incompatibility.code`) as a heading in plain words, for
    /// grouping unmet demand by what blocks it, e.g. "No offer near enough to home".
    public static func heading(ofRule rule: String) -> String {
        switch rule {
        case "setting_not_acceptable": "No open offer in a setting the child can live in"
        case "age_out_of_range": "No offer takes the child's age"
        case "sex_not_accepted": "No offer accepts the child's sex"
        case "need_not_supported": "No offer supports the child's needs"
        case "not_enough_capacity": "Not enough free beds"
        case "not_available": "Nothing available by the date needed"
        case "too_far": "No offer near enough to home"
        case "too_near": "Every offer is nearer home than allowed"
        case "over_budget": "Every offer is over the budget"
        default: "No compatible offer"
        }
    }
}
