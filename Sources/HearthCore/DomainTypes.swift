/// The kind of place an offer is. Raw values are the API's JSON strings.
public enum Setting: String, Sendable, Codable, CaseIterable, Hashable {
    case foster
    case childrensHome = "childrens_home"
    case secureChildrensHome = "secure_childrens_home"
    case supportedAccommodation = "supported_accommodation"

    /// The setting as a social worker would say it, e.g. "children's home".
    public var plainName: String {
        switch self {
        case .foster: "foster care"
        case .childrensHome: "children's home"
        case .secureChildrensHome: "secure children's home"
        case .supportedAccommodation: "supported accommodation"
        }
    }
}

extension Setting {
    /// The place itself, to follow "this place is", e.g. "a children's home".
    public var placeDescription: String {
        switch self {
        case .foster: "a foster home"
        case .childrensHome: "a children's home"
        case .secureChildrensHome: "a secure children's home"
        case .supportedAccommodation: "supported accommodation"
        }
    }
}

/// An assessed need of a child, which an offer either supports or not. Raw values are the API's JSON strings.
public enum Need: String, Sendable, Codable, CaseIterable, Hashable {
    case emotionalBehavioural = "emotional_behavioural"
    case autism
    case learningDisability = "learning_disability"
    case physicalDisability = "physical_disability"
    case complexHealth = "complex_health"
    case mentalHealth = "mental_health"
    case selfHarm = "self_harm"
    case exploitationRisk = "exploitation_risk"
    case missingFromCare = "missing_from_care"
    case substanceMisuse = "substance_misuse"
    case youthJustice = "youth_justice"
    case uasc
    case parentAndChild = "parent_and_child"
    case deprivationOfLiberty = "deprivation_of_liberty"

    /// The need in plain English, phrased to follow "does not support", e.g. "autism".
    public var plainName: String {
        switch self {
        case .emotionalBehavioural: "emotional and behavioural needs"
        case .autism: "autism"
        case .learningDisability: "learning disability"
        case .physicalDisability: "physical disability"
        case .complexHealth: "complex health needs"
        case .mentalHealth: "mental health needs"
        case .selfHarm: "children who self-harm"
        case .exploitationRisk: "children at risk of exploitation"
        case .missingFromCare: "children who go missing from care"
        case .substanceMisuse: "substance misuse"
        case .youthJustice: "children in the youth justice system"
        case .uasc: "unaccompanied asylum-seeking children"
        case .parentAndChild: "parent and child placements"
        case .deprivationOfLiberty: "children under a deprivation of liberty order"
        }
    }

    /// The bit standing for this need in a 16-bit need mask.
    var bit: UInt16 { 1 << UInt16(Need.allCases.firstIndex(of: self)!) }
}

/// A child's recorded sex, and what an offer accepts. Raw values are the API's JSON strings.
public enum Sex: String, Sendable, Codable, CaseIterable, Hashable {
    case female
    case male
    case other

    /// Children of this sex in plain English, e.g. "boys".
    public var pluralNoun: String {
        switch self {
        case .female: "girls"
        case .male: "boys"
        case .other: "children whose sex is recorded as other"
        }
    }

    /// The bit standing for this sex in a sex mask.
    var bit: UInt8 { 1 << UInt8(Sex.allCases.firstIndex(of: self)!) }
}

/// How soon a child needs a place. Raw values are the API's JSON strings.
///
/// Ordered by priority: `emergency < urgent < planned`, so sorting ascending puts the most
/// urgent first; clearing places emergency children before urgent ones before planned ones.
public enum Urgency: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case emergency
    case urgent
    case planned

    /// Position in the priority order: 0 for emergency (served first), 2 for planned.
    public var priorityRank: Int {
        switch self {
        case .emergency: 0
        case .urgent: 1
        case .planned: 2
        }
    }

    /// True when `lhs` is served before `rhs`.
    public static func < (lhs: Urgency, rhs: Urgency) -> Bool {
        lhs.priorityRank < rhs.priorityRank
    }
}

/// What an API key may do. Raw values are the API's JSON strings.
public enum Role: String, Sendable, Codable, CaseIterable, Hashable {
    /// Posts offers and bids, accepts or declines proposals.
    case placement
    /// Independent sign-off of a placing decision.
    case scrutiny
    /// Reads statements.
    case finance
    /// Everything, for all authorities.
    case `operator`
}
