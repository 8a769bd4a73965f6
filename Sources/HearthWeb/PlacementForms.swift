import Foundation
import HearthCore
import HearthStore

/// What a person sent in a form: every value of each field, in the order sent. Checkboxes
/// arrive as the same name repeated.
struct FormInput: Sendable, Equatable {
    private(set) var values: [String: [String]]

    /// A form from its decoded name–value pairs.
    init(_ pairs: [(String, String)]) {
        var values: [String: [String]] = [:]
        for (name, value) in pairs { values[name, default: []].append(value) }
        self.values = values
    }

    /// A form filled in with `values` (an edit form showing what is stored).
    init(values: [String: [String]]) {
        self.values = values
    }

    /// The field's first value with surrounding white space removed ("" when absent).
    func text(_ name: String) -> String {
        values[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// The field's first value exactly as typed ("" when absent): for free text.
    func raw(_ name: String) -> String {
        values[name]?.first ?? ""
    }

    /// Every value of a repeated field (ticked checkboxes), blanks left out.
    func list(_ name: String) -> [String] {
        (values[name] ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// Pounds as people type them, and pence as the domain keeps them.
enum Pounds {
    /// Pence for `text` such as `1234.50`, `£1,234.5` or `850`; nil when it is not an amount of
    /// pounds and pence (negative, more than 2 decimal places, or too large to hold).
    static func pence(from text: String) -> Int64? {
        var compact = text.filter { !$0.isWhitespace && $0 != "," }
        if compact.hasPrefix("£") { compact.removeFirst() }
        let parts = compact.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 15, whole.allSatisfy({ $0.isASCII && $0.isNumber }),
              let pounds = Int64(whole)
        else { return nil }
        var pennies: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(fraction) else { return nil }
            pennies = fraction.count == 1 ? value * 10 : value
        }
        let (scaled, overflowed) = pounds.multipliedReportingOverflow(by: 100)
        guard !overflowed else { return nil }
        let (total, overflowedAgain) = scaled.addingReportingOverflow(pennies)
        return overflowedAgain ? nil : total
    }

    /// Pence as the figure a form shows, e.g. `1234.50`.
    static func formValue(_ pence: Int64) -> String {
        let penny = pence % 100
        return "\(pence / 100).\(penny < 10 ? "0" : "")\(penny)"
    }
}

/// The kind of control a field is drawn with.
enum FieldKind: Sendable {
    case text
    case number
    case decimal
    case date
    case textarea
    case radios
    case checkboxes
    case select
}

/// A field of a form: its name (the API's JSON name where there is one), label and control.
struct FieldSpec: Sendable {
    let name: String
    let label: String
    let hint: String
    let kind: FieldKind
    /// Choices of a radios or checkboxes field: value and label.
    let options: [(value: String, label: String)]

    init(_ name: String, _ label: String, hint: String = "", kind: FieldKind = .text, options: [(value: String, label: String)] = []) {
        self.name = name
        self.label = label
        self.hint = hint
        self.kind = kind
        self.options = options
    }
}

/// One choice of a radios or checkboxes field as a template draws it.
struct OptionView: Sendable {
    let id: String
    let value: String
    let label: String
    let checked: Bool
}

/// One field as a template draws it: label, hint, what the person typed and what is wrong.
struct FieldView: Sendable {
    let name: String
    let label: String
    let hint: String
    let hasHint: Bool
    let value: String
    let error: String
    let hasError: Bool
    /// The ids of the hint and the error message, for `aria-describedby` ("" for none).
    let describedBy: String
    let hasDescribedBy: Bool
    /// `text`, `date` (an `<input type>`); `inputmode` for number fields.
    let inputType: String
    let inputMode: String
    let hasInputMode: Bool
    let widthClass: String
    let isInput: Bool
    let isTextarea: Bool
    let isRadios: Bool
    let isCheckboxes: Bool
    let isSelect: Bool
    let options: [OptionView]
}

/// A link in the error summary to the field at fault.
struct ErrorLink: Sendable, Equatable {
    /// The field's id (the first control's, for a group).
    let field: String
    /// `#` and the field's id.
    let href: String
    let message: String
}

/// A whole form as a template draws it: its fields by name and the error summary.
struct FormView: Sendable {
    let fields: [String: FieldView]
    let errors: [ErrorLink]
    let hasErrors: Bool
}

/// A form's fields in page order, and how the domain's field names map onto them.
struct FormSpec: Sendable {
    let fields: [FieldSpec]
    /// Domain (API JSON) field name → the form's field name, where they differ.
    let renamed: [String: String]
    /// Words for API names that domain messages mention (`age_min` → "the youngest age").
    let phrases: [String: String]

    init(_ fields: [FieldSpec], renamed: [String: String] = [:], phrases: [String: String] = [:]) {
        self.fields = fields
        self.renamed = renamed
        self.phrases = phrases
    }

    /// The field a domain problem is about, in this form's names.
    func formField(for domainField: String) -> String {
        if let name = renamed[domainField] { return name }
        let head = String(domainField.split(separator: ".").first ?? Substring(domainField))
        return renamed[head] ?? head
    }

    /// A domain problem as this form reports it: the form's field, and a sentence that starts
    /// with the field's label ("Number of beds must be from 1 to 8").
    func problem(from domain: FieldProblem) -> FieldProblem {
        let name = formField(for: domain.field)
        var message = domain.message
        for (apiName, words) in phrases.sorted(by: { $0.key.count > $1.key.count }) {
            message = message.replacingOccurrences(of: apiName, with: words)
        }
        let label = fields.first { $0.name == name }?.label ?? name
        return FieldProblem(name, "\(label) \(message)")
    }

    /// The form as a template draws it, filled in with `input` and marked with `problems`
    /// (already in this form's names; the first problem of a field is shown beside it).
    func view(_ input: FormInput, problems: [FieldProblem] = []) -> FormView {
        var firstProblem: [String: String] = [:]
        for problem in problems where firstProblem[problem.field] == nil { firstProblem[problem.field] = problem.message }
        var views: [String: FieldView] = [:]
        for spec in fields {
            let error = firstProblem[spec.name]
            let described = [spec.hint.isEmpty ? nil : "\(spec.name)-hint", error == nil ? nil : "\(spec.name)-error"].compactMap { $0 }
                .joined(separator: " ")
            let chosen = Set(input.list(spec.name))
            let options = spec.options.enumerated().map { index, option in
                OptionView(id: index == 0 ? spec.name : "\(spec.name)-\(index + 1)", value: option.value, label: option.label, checked: chosen.contains(option.value))
            }
            let (type, mode, width): (String, String, String) =
                switch spec.kind {
                case .number: ("text", "numeric", "govuk-input--width-4")
                case .decimal: ("text", "decimal", "govuk-input--width-10")
                // A text box, not `type=date`: browsers draw that in their own locale's order,
                // and people (and scripts) type the ISO date the hint shows.
                case .date: ("text", "", "govuk-input--width-10")
                default: ("text", "", "govuk-input--width-20")
                }
            views[spec.name] = FieldView(
                name: spec.name, label: spec.label, hint: spec.hint, hasHint: !spec.hint.isEmpty,
                value: spec.kind == .textarea ? input.raw(spec.name) : input.text(spec.name), error: error ?? "", hasError: error != nil,
                describedBy: described, hasDescribedBy: !described.isEmpty, inputType: type, inputMode: mode, hasInputMode: !mode.isEmpty,
                widthClass: width, isInput: [.text, .number, .decimal, .date].contains(spec.kind), isTextarea: spec.kind == .textarea,
                isRadios: spec.kind == .radios, isCheckboxes: spec.kind == .checkboxes, isSelect: spec.kind == .select, options: options
            )
        }
        // The summary lists problems in the order of the fields on the page.
        let order = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1.name, $0) })
        let links = problems.enumerated()
            .sorted { (order[$0.element.field] ?? Int.max, $0.offset) < (order[$1.element.field] ?? Int.max, $1.offset) }
            .map { ErrorLink(field: $0.element.field, href: "#\($0.element.field)", message: $0.element.message) }
        return FormView(fields: views, errors: links, hasErrors: !links.isEmpty)
    }
}

/// Reads typed values one field at a time, collecting every problem (not only the first).
struct FormReader {
    let input: FormInput
    let spec: FormSpec
    private(set) var problems: [FieldProblem] = []

    init(_ input: FormInput, spec: FormSpec) {
        self.input = input
        self.spec = spec
    }

    private func label(_ name: String) -> String {
        spec.fields.first { $0.name == name }?.label.lowercased() ?? name
    }

    mutating func fail(_ name: String, _ message: String) {
        problems.append(FieldProblem(name, message))
    }

    /// Whether the field was left blank.
    func isBlank(_ name: String) -> Bool { input.text(name).isEmpty }

    mutating func integer(_ name: String, required: Bool = true, example: String) -> Int? {
        let text = input.text(name)
        if text.isEmpty {
            if required { fail(name, "Enter the \(label(name))") }
            return nil
        }
        guard text.count <= 9, let value = Int(text) else {
            fail(name, "Enter the \(label(name)) as a whole number, like \(example)")
            return nil
        }
        return value
    }

    mutating func decimal(_ name: String, example: String) -> Double? {
        let text = input.text(name)
        guard !text.isEmpty else { return nil }
        guard text.count <= 12, let value = Double(text), value.isFinite else {
            fail(name, "Enter the \(label(name)) as a number, like \(example)")
            return nil
        }
        return value
    }

    mutating func pence(_ name: String, required: Bool = true) -> Int64? {
        let text = input.text(name)
        if text.isEmpty {
            if required { fail(name, "Enter the \(label(name))") }
            return nil
        }
        guard let pence = Pounds.pence(from: text) else {
            fail(name, "Enter the \(label(name)) in pounds and pence, like 1234.50")
            return nil
        }
        return pence
    }

    mutating func date(_ name: String, required: Bool = true) -> CalendarDate? {
        let text = input.text(name)
        if text.isEmpty {
            if required { fail(name, "Enter the \(label(name))") }
            return nil
        }
        guard let date = CalendarDate(iso: text) ?? Self.britishDate(text) else {
            fail(name, "Enter the \(label(name)) as a real date, like 2027-03-14")
            return nil
        }
        return date
    }

    /// A date written the British way, day first: `14/3/2027`.
    static func britishDate(_ text: String) -> CalendarDate? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(\.isASCII) }),
              let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]), parts[2].count == 4
        else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    mutating func choice<Code: RawRepresentable>(_ name: String, as type: Code.Type) -> Code? where Code.RawValue == String {
        let text = input.text(name)
        guard let code = Code(rawValue: text) else {
            fail(name, text.isEmpty ? "Select the \(label(name))" : "Select one of the \(label(name)) choices")
            return nil
        }
        return code
    }

    mutating func choices<Code: RawRepresentable>(_ name: String, as type: Code.Type) -> [Code] where Code.RawValue == String {
        var codes: [Code] = []
        for text in input.list(name) {
            guard let code = Code(rawValue: text) else {
                fail(name, "Select only the \(label(name)) listed")
                return []
            }
            if !codes.contains(where: { $0.rawValue == code.rawValue }) { codes.append(code) }
        }
        return codes
    }

    /// A postcode or postcode district, resolved through the district table.
    mutating func location(_ name: String, postcodes: PostcodeDistricts, required: Bool = true) -> (point: Coordinate, district: String)? {
        let text = input.text(name)
        if text.isEmpty {
            if required { fail(name, "Enter a postcode or postcode district, like RG12 1JD or RG12") }
            return nil
        }
        guard let district = PostcodeDistricts.district(ofPostcode: text) ?? PostcodeDistricts.normalisedDistrict(text) else {
            fail(name, "Enter a real UK postcode or postcode district, like RG12 1JD or RG12")
            return nil
        }
        guard let point = postcodes.location(of: district) else {
            fail(name, "\(district) is not a postcode district in Great Britain: check the postcode")
            return nil
        }
        return (point.rounded(), district)
    }

    /// Free text of at most `limit` characters (Unicode scalars, as the database counts).
    mutating func text(_ name: String, required: Bool, limit: Int) -> String? {
        let raw = input.raw(name)
        if raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            if required { fail(name, "Enter the \(label(name))") }
            return nil
        }
        guard raw.unicodeScalars.count <= limit else {
            fail(name, "The \(label(name)) must be \(limit) characters or fewer")
            return nil
        }
        return raw
    }

    /// Adds the domain's problems with the draft, in this form's names, except for fields that
    /// already have a problem (their placeholder values would only repeat it).
    mutating func add(domainProblems: [FieldProblem]) {
        let failed = Set(problems.map(\.field))
        for domain in domainProblems {
            let problem = spec.problem(from: domain)
            if !failed.contains(problem.field) { problems.append(problem) }
        }
    }
}
