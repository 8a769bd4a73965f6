import Foundation
import HearthCore

/// The small forms on a proposal's and a placement's page, and what each asks of the domain.
/// The rules (who may, from which status, the start-date window) are `Proposal`'s and
/// `Placement`'s; these only read what was typed.
enum ProposalForms {
    static let accept = FormSpec(
        [
            FieldSpec(
                "consulted", "Was the child consulted about this place?", kind: .radios,
                options: [(value: "yes", label: "Yes"), (value: "no", label: "No")]
            ),
            FieldSpec(
                "summary", "What the child said",
                hint: "Needed if the child was consulted. Their views in their own words where you can; no names.", kind: .textarea
            ),
        ],
        renamed: ["child_views.summary": "summary", "child_views": "consulted", "child_views.consulted": "consulted"]
    )

    static let decline = FormSpec([FieldSpec("reason", "Why are you declining this proposal?", hint: "This place will not be proposed for this child again.", kind: .textarea)])

    static let signOff = FormSpec([FieldSpec("note", "Note (optional)", hint: "What you checked, for the record.", kind: .textarea)])

    static let confirm = FormSpec([FieldSpec("start_date", "Start date", hint: "The first night the child stays. For example, 2027-03-14", kind: .date)])

    static let end = FormSpec([
        FieldSpec("end_date", "End date", hint: "The day the child leaves; it may be in the past. For example, 2027-03-14", kind: .date)
    ])

    /// The child's views the placing officer recorded, or the problems with them.
    static func childViews(from input: FormInput) -> Result<ChildViews, FormProblems> {
        var reader = FormReader(input, spec: accept)
        var consulted: Bool?
        switch input.text("consulted").lowercased() {
        case "yes", "true", "on", "1": consulted = true
        case "no", "false", "0": consulted = false
        default: reader.fail("consulted", "Select yes if the child was consulted about this place, or no if they were not")
        }
        let summary = reader.text("summary", required: false, limit: Proposal.Limits.text)
        let views = ChildViews(consulted: consulted ?? false, summary: summary)
        if consulted != nil { reader.add(domainProblems: views.problems) }
        return reader.problems.isEmpty ? .success(views) : .failure(FormProblems(reader.problems))
    }

    /// The reason for declining, or the problem with it.
    static func reason(from input: FormInput) -> Result<String, FormProblems> {
        var reader = FormReader(input, spec: decline)
        let reason = reader.text("reason", required: true, limit: Proposal.Limits.text)
        return reason.map { .success($0) } ?? .failure(FormProblems(reader.problems))
    }

    /// The sign-off note (nil when left blank), or the problem with it.
    static func note(from input: FormInput) -> Result<String?, FormProblems> {
        var reader = FormReader(input, spec: signOff)
        let note = reader.text("note", required: false, limit: Proposal.Limits.text)
        return reader.problems.isEmpty ? .success(note) : .failure(FormProblems(reader.problems))
    }

    /// The date in `field` of `spec`, or the problem with it.
    static func date(_ field: String, of spec: FormSpec, from input: FormInput) -> Result<CalendarDate, FormProblems> {
        var reader = FormReader(input, spec: spec)
        let date = reader.date(field)
        return date.map { .success($0) } ?? .failure(FormProblems(reader.problems))
    }
}
