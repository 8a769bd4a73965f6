import Foundation
import HearthCore
import HearthStore

extension Setting {
    /// The setting as a form's choice shows it, e.g. "Children's home".
    var choiceLabel: String { plainName.prefix(1).uppercased() + plainName.dropFirst() }
}

extension Need {
    /// The need as a form's choice shows it, e.g. "Autism".
    var choiceLabel: String {
        switch self {
        case .emotionalBehavioural: "Emotional and behavioural needs"
        case .autism: "Autism"
        case .learningDisability: "Learning disability"
        case .physicalDisability: "Physical disability"
        case .complexHealth: "Complex health needs"
        case .mentalHealth: "Mental health needs"
        case .selfHarm: "Self-harm"
        case .exploitationRisk: "Risk of exploitation"
        case .missingFromCare: "Goes missing from care"
        case .substanceMisuse: "Substance misuse"
        case .youthJustice: "Youth justice"
        case .uasc: "Unaccompanied asylum-seeking child"
        case .parentAndChild: "Parent and child"
        case .deprivationOfLiberty: "Deprivation of liberty order"
        }
    }
}

extension Sex {
    /// The sex as a form's choice shows it.
    var choiceLabel: String {
        switch self {
        case .female: "Female"
        case .male: "Male"
        case .other: "Other"
        }
    }
}

extension Urgency {
    /// The urgency as a form's choice shows it.
    var choiceLabel: String {
        switch self {
        case .emergency: "Emergency"
        case .urgent: "Urgent"
        case .planned: "Planned"
        }
    }
}

/// The offer form (`/offers/new`, and the edit form on `/offers/{id}`) and its translation into
/// the domain's `OfferDraft`: pounds to pence, postcode to a coarse location. The rules are
/// `OfferDraft.problems`, the same as the API's.
enum OfferForm {
    static let spec = FormSpec(
        [
            FieldSpec("setting", "Setting", kind: .radios, options: Setting.allCases.map { (value: $0.rawValue, label: $0.choiceLabel) }),
            FieldSpec("capacity", "Number of beds", hint: "From 1 to 8", kind: .number),
            FieldSpec(
                "needs_supported", "Needs the place supports", hint: "Select all that apply", kind: .checkboxes,
                options: Need.allCases.map { (value: $0.rawValue, label: $0.choiceLabel) }
            ),
            FieldSpec(
                "sexes_accepted", "Sexes accepted", hint: "Select all that apply", kind: .checkboxes,
                options: Sex.allCases.map { (value: $0.rawValue, label: $0.choiceLabel) }
            ),
            FieldSpec("age_min", "Youngest age accepted", hint: "In whole years, from 0 to 17", kind: .number),
            FieldSpec("age_max", "Oldest age accepted", hint: "In whole years, from 0 to 17", kind: .number),
            FieldSpec("postcode", "Postcode of the place", hint: "A full postcode or a district, like RG12 1JD or RG12. Hearth keeps only the district."),
            FieldSpec("available_from", "Available from", hint: "For example, 2027-03-14", kind: .date),
            FieldSpec("available_until", "Available until (optional)", hint: "Leave blank if the place has no end date", kind: .date),
            FieldSpec("weekly_rate", "Weekly rate per child", hint: "In pounds, for example 1234.50", kind: .decimal),
            FieldSpec("ofsted_urn", "Ofsted unique reference number (optional)", hint: "6 to 10 capital letters and digits"),
        ],
        renamed: ["weekly_rate_pence": "weekly_rate", "location": "postcode"],
        phrases: ["age_min": "the youngest age", "available_from": "the date it is available from"]
    )

    /// The draft the person asked for, or every problem with it in the form's names. With
    /// `base` (an edit), a blank postcode keeps the stored location.
    static func draft(
        from input: FormInput, base: OfferDraft? = nil, postcodes: PostcodeDistricts, today: CalendarDate
    ) -> Result<OfferDraft, FormProblems> {
        var reader = FormReader(input, spec: spec)
        let setting = reader.choice("setting", as: Setting.self)
        let capacity = reader.integer("capacity", example: "2")
        let needs = reader.choices("needs_supported", as: Need.self)
        let sexes = reader.choices("sexes_accepted", as: Sex.self)
        let ageMin = reader.integer("age_min", example: "5")
        let ageMax = reader.integer("age_max", example: "12")
        let keepsLocation = base != nil && reader.isBlank("postcode")
        let location = keepsLocation ? nil : reader.location("postcode", postcodes: postcodes)
        let from = reader.date("available_from")
        let until = reader.date("available_until", required: false)
        let rate = reader.pence("weekly_rate")
        let urnText = reader.input.text("ofsted_urn").uppercased()
        // Placeholders for fields already reported keep the domain from repeating them.
        let draft = OfferDraft(
            setting: setting ?? .foster, capacity: capacity ?? 1, needsSupported: needs, ageMin: ageMin ?? 0, ageMax: ageMax ?? 17,
            sexesAccepted: sexes, location: location?.point ?? base?.location ?? Coordinate(lat: 0, lon: 0),
            postcodeDistrict: location?.district ?? (keepsLocation ? base?.postcodeDistrict : nil), availableFrom: from ?? today,
            availableUntil: from == nil ? nil : until, weeklyRatePence: rate ?? 0, ofstedURN: urnText.isEmpty ? nil : urnText
        )
        reader.add(domainProblems: draft.problems.map { problem in
            problem.field == "weekly_rate_pence" ? FieldProblem(problem.field, "must be from £0.00 to £100,000.00") : problem
        })
        return reader.problems.isEmpty ? .success(draft) : .failure(FormProblems(reader.problems))
    }

    /// The form filled in with a stored offer, for editing.
    static func input(for draft: OfferDraft) -> FormInput {
        FormInput(values: [
            "setting": [draft.setting.rawValue], "capacity": [String(draft.capacity)], "needs_supported": draft.needsSupported.map(\.rawValue),
            "sexes_accepted": draft.sexesAccepted.map(\.rawValue), "age_min": [String(draft.ageMin)], "age_max": [String(draft.ageMax)],
            "postcode": [draft.postcodeDistrict ?? ""], "available_from": [draft.availableFrom.iso],
            "available_until": [draft.availableUntil?.iso ?? ""], "weekly_rate": [Pounds.formValue(draft.weeklyRatePence)],
            "ofsted_urn": [draft.ofstedURN ?? ""],
        ])
    }
}

/// The bid form (`/bids/new`) and its translation into the domain's `BidDraft`. The rules are
/// `BidDraft.problems`, the same as the API's.
enum BidForm {
    static let spec = FormSpec(
        [
            FieldSpec(
                "child_ref", "Your reference for the child",
                hint: "Your own pseudonymous reference, like KT-0001. Never a name or a date of birth."
            ),
            FieldSpec("group_size", "Number of children", hint: "Brothers and sisters who must live together. Leave blank for 1 child.", kind: .number),
            FieldSpec("age", "Age", hint: "In whole years, from 0 to 17. For a group, the eldest child's age.", kind: .number),
            FieldSpec("sex", "Sex", kind: .radios, options: Sex.allCases.map { (value: $0.rawValue, label: $0.choiceLabel) }),
            FieldSpec(
                "needs", "Assessed needs", hint: "Select all that apply. Only places that support every need are matched.", kind: .checkboxes,
                options: Need.allCases.map { (value: $0.rawValue, label: $0.choiceLabel) }
            ),
            FieldSpec(
                "settings_acceptable", "Settings acceptable", hint: "Select all that apply", kind: .checkboxes,
                options: Setting.allCases.map { (value: $0.rawValue, label: $0.choiceLabel) }
            ),
            FieldSpec("postcode", "Postcode of the child's home", hint: "A full postcode or a district, like ME14 1XQ or ME14. Hearth keeps only the district."),
            FieldSpec("max_distance_km", "Furthest distance from home, in km (optional)", hint: "For example, 50", kind: .decimal),
            FieldSpec(
                "min_distance_km", "Nearest distance from home, in km (optional)",
                hint: "Only if the child must live away from home for their safety", kind: .decimal
            ),
            FieldSpec("urgency", "Urgency", kind: .radios, options: Urgency.allCases.map { (value: $0.rawValue, label: $0.choiceLabel) }),
            FieldSpec("needed_by", "Needed from", hint: "For example, 2027-03-14", kind: .date),
            FieldSpec("max_weekly_rate", "Highest weekly rate (optional)", hint: "In pounds, for example 1500.00", kind: .decimal),
        ],
        renamed: ["home_location": "postcode", "max_weekly_rate_pence": "max_weekly_rate"],
        phrases: ["max_distance_km": "the furthest distance"]
    )

    /// The draft the person asked for, or every problem with it in the form's names.
    static func draft(from input: FormInput, postcodes: PostcodeDistricts, today: CalendarDate) -> Result<BidDraft, FormProblems> {
        var reader = FormReader(input, spec: spec)
        let childRef = reader.input.text("child_ref")
        if childRef.isEmpty { reader.fail("child_ref", "Enter your reference for the child") }
        let groupSize = reader.integer("group_size", required: false, example: "2")
        let age = reader.integer("age", example: "9")
        let sex = reader.choice("sex", as: Sex.self)
        let needs = reader.choices("needs", as: Need.self)
        let settings = reader.choices("settings_acceptable", as: Setting.self)
        let home = reader.location("postcode", postcodes: postcodes)
        let maxDistance = reader.decimal("max_distance_km", example: "50")
        let minDistance = reader.decimal("min_distance_km", example: "10")
        let urgency = reader.choice("urgency", as: Urgency.self)
        let neededBy = reader.date("needed_by")
        let maxRate = reader.pence("max_weekly_rate", required: false)
        let draft = BidDraft(
            childRef: childRef.isEmpty ? "placeholder" : childRef, groupSize: groupSize ?? 1, age: age ?? 0, sex: sex ?? .other, needs: needs,
            settingsAcceptable: settings, home: home?.point ?? Coordinate(lat: 0, lon: 0), homePostcodeDistrict: home?.district,
            maxDistanceKm: maxDistance, minDistanceKm: minDistance, urgency: urgency ?? .planned, neededBy: neededBy ?? today,
            maxWeeklyRatePence: maxRate
        )
        reader.add(domainProblems: draft.problems.map { problem in
            switch problem.field {
            case "max_weekly_rate_pence": FieldProblem(problem.field, "must be from £0.00 to £100,000.00")
            case "child_ref": FieldProblem(problem.field, "must be 1 to 64 letters, digits and _ . / - only, with no spaces (never a name or a date of birth)")
            default: problem
            }
        })
        return reader.problems.isEmpty ? .success(draft) : .failure(FormProblems(reader.problems))
    }
}

/// Every problem with what a person typed, in the form's field names, ready to show.
struct FormProblems: Error, Sendable, Equatable {
    let problems: [FieldProblem]

    init(_ problems: [FieldProblem]) {
        self.problems = problems
    }
}
