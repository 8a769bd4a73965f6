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

/// What the accept form recorded: the child's views and their ranking of the places shown
/// (most preferred first; empty when the officer ranked none).
struct Acceptance: Sendable, Equatable {
    let views: ChildViews
    let ranking: [UUID]
}

extension ProposalForms {
    /// How many choices the accept form offers for `places` places: one per place, at most as
    /// many as a ranking may hold (`ClearingSolver.maximumRankingLength`).
    static func rankingPositions(places: Int) -> Int {
        min(places, ClearingSolver.maximumRankingLength)
    }

    /// The id of the select for the `position`th choice (from 1): `ranking`, `ranking-2`, …
    static func rankingField(_ position: Int) -> String {
        position == 1 ? "ranking" : "ranking-\(position)"
    }

    /// The child's views and ranking from the accept form, or every problem with them.
    ///
    /// The ranking is the `ranking` values in the order posted, one per choice, blank for "Not
    /// ranked". Each must be one of `places` (the proposed offer and the proposal's options,
    /// as the page showed them), no place twice (`ChildPreferences.shapeProblems`, the API's
    /// rule), and no choice may follow a blank one: a gap would silently make a later choice
    /// the first, and a first choice other than the proposed place releases the proposal.
    static func acceptance(from input: FormInput, places: [UUID]) -> Result<Acceptance, FormProblems> {
        var problems: [FieldProblem] = []
        var views: ChildViews?
        switch childViews(from: input) {
        case .success(let read): views = read
        case .failure(let failed): problems += failed.problems
        }
        let texts = (input.values["ranking"] ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let known = Set(places)
        var ranking: [UUID] = []
        var firstBlank: Int?
        for (index, text) in texts.enumerated() {
            let position = index + 1
            let field = rankingField(min(position, rankingPositions(places: max(places.count, 1))))
            if text.isEmpty {
                if firstBlank == nil { firstBlank = position }
                continue
            }
            guard let offer = UUID(uuidString: text), known.contains(offer) else {
                problems.append(FieldProblem(field, "Choose one of the places listed for the child's \(ChildPreferences.ordinal(position)) choice"))
                continue
            }
            if let blank = firstBlank {
                let (earlier, later) = (ChildPreferences.ordinal(blank), ChildPreferences.ordinal(position))
                problems.append(FieldProblem(field, "Choose the child's \(earlier) choice before their \(later), or set the \(later) to Not ranked"))
                continue
            }
            ranking.append(offer)
        }
        if problems.isEmpty {
            // The shape's only problem of one choice is a place named again (too long is `ranking`).
            problems += ChildPreferences.shapeProblems(ranking).map { problem in
                guard let index = choiceIndex(problem.field) else { return rankingProblem(problem) }
                let choice = ChildPreferences.ordinal(index + 1)
                return FieldProblem(rankingField(index + 1), "Choose a different place for the child's \(choice) choice: that place is already an earlier choice")
            }
        }
        guard problems.isEmpty, let views else { return .failure(FormProblems(problems)) }
        return .success(Acceptance(views: views, ranking: ranking))
    }

    /// A problem the domain found with `ranking` (`ranking` or `ranking[i]`, counted from 0) or
    /// with the child's views, as the accept form reports it: the place is "this place", not
    /// its offer id.
    static func rankingProblem(_ domain: FieldProblem, ranking: [UUID] = []) -> FieldProblem {
        guard domain.field.hasPrefix("ranking") else { return accept.problem(from: domain) }
        guard let index = choiceIndex(domain.field) else { return FieldProblem("ranking", "The child's ranking \(domain.message)") }
        var message = domain.message
        if index < ranking.count {
            let id = ranking[index].pathText
            message = message.replacingOccurrences(of: "no open offer \(id)", with: "this place is no longer open")
                .replacingOccurrences(of: "offer \(id)", with: "this place")
        }
        return FieldProblem(rankingField(index + 1), "The child's \(ChildPreferences.ordinal(index + 1)) choice cannot be ranked: \(message)")
    }

    /// The index in `ranking[i]` (from 0), or nil for another field.
    private static func choiceIndex(_ field: String) -> Int? {
        guard field.hasPrefix("ranking["), field.hasSuffix("]") else { return nil }
        return Int(field.dropFirst("ranking[".count).dropLast())
    }

    /// The ranking part of the accept form: one select per choice over `places`, filled in with
    /// `chosen` (what was typed, or the ranking saved before) and marked with `problems`.
    static func rankingView(places: [RankablePlace], chosen: [String], problems: [FieldProblem]) -> RankingFormView {
        let count = rankingPositions(places: places.count)
        guard count > 0 else { return .none }
        var messages: [String: String] = [:]
        for problem in problems where messages[problem.field] == nil { messages[problem.field] = problem.message }
        let positions = (1...count).map { position -> RankPositionView in
            let id = rankingField(position)
            let value = position <= chosen.count ? chosen[position - 1].lowercased() : ""
            let choices = [RankChoiceView(value: "", label: "Not ranked", selected: value.isEmpty)]
                + places.map { RankChoiceView(value: $0.offerID.pathText, label: $0.label, selected: $0.offerID.pathText == value) }
            let error = messages[id]
            return RankPositionView(
                id: id, label: "\(ChildPreferences.ordinal(position)) choice", choices: choices, error: error ?? "", hasError: error != nil
            )
        }
        return RankingFormView(positions: positions, hasPositions: true, hasError: positions.contains(where: \.hasError))
    }
}
