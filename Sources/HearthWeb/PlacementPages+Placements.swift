import Foundation
import HearthCore
import HearthStore
import LibPQ

extension PlacementPages {
    /// `GET /placements`: placements the authority places or hosts (as `GET /v1/placements`).
    func placements(caller: Caller) async throws -> PageOutcome {
        let (placements, references) = try await database.transaction(scope: caller.scope) { connection in
            (
                try PlacementRepository.list(authority: caller.ownedAuthority, limit: Self.listLimit, after: nil, on: connection),
                try ownReferences(caller: caller, on: connection)
            )
        }
        let names = try await authorityNames(scope: caller.scope)
        let rows = placements.reversed().map { placement in
            PlacementRow(
                href: "/placements/\(placement.id.pathText)", title: Self.title(of: placement, caller: caller, references: references, names: names),
                side: Self.side(of: placement, caller: caller), startDate: PlainWords.date(placement.startDate),
                endDate: placement.endDate.map(PlainWords.date) ?? "Not set", status: TagView.of(placement.status)
            )
        }
        return .page(template: "placements", title: "Placements", view: PlacementsPage(rows: rows, hasRows: !rows.isEmpty), status: 200)
    }

    /// `GET /placements/{id}`: the placement and **End placement**.
    func placement(_ id: UUID, caller: Caller) async throws -> PageOutcome {
        return try await placementPage(id, caller: caller, form: FormInput([]), problems: [], status: 200)
    }

    /// `POST /placements/{id}/end` (**End placement**), as `POST /v1/placements/{id}/end`.
    func endPlacement(_ id: UUID, form: FormInput, caller: Caller) async throws -> PageOutcome {
        switch ProposalForms.date("end_date", of: ProposalForms.end, from: form) {
        case .failure(let problems):
            return try await placementPage(id, caller: caller, form: form, problems: problems.problems, status: 422)
        case .success(let end):
            do {
                let ended = try await database.transaction(scope: caller.scope) { connection -> Placement? in
                    guard let placement = try PlacementRepository.find(id, authority: caller.ownedAuthority, lock: true, on: connection) else { return nil }
                    return try PlacementRepository.end(placement, on: end, caller: caller, on: connection)
                }
                guard let ended else { return .notFound }
                return .redirect(path: "/placements/\(ended.id.pathText)", notice: "The placement ends on \(PlainWords.date(end))")
            } catch let error as DomainError {
                let links = Self.link(error, to: "end_date", spec: ProposalForms.end)
                return try await placementPage(id, caller: caller, form: form, problems: links.map { FieldProblem($0.field, $0.message) }, status: error.status)
            }
        }
    }

    private func ownReferences(caller: Caller, on connection: PostgresConnection) throws -> [UUID: String] {
        var filter = BidFilter()
        filter.limit = Self.listLimit
        let bids = try BidRepository.list(filter, authority: caller.ownedAuthority, on: connection)
        return Dictionary(bids.map { ($0.id, $0.draft.childRef) }, uniquingKeysWith: { first, _ in first })
    }

    static func side(of placement: Placement, caller: Caller) -> String {
        if caller.role == .operator { return "Placing and hosting" }
        return caller.authority == placement.placingAuthority ? "Placing" : "Hosting"
    }

    /// The placement's title: the child's reference for the placing side only.
    static func title(of placement: Placement, caller: Caller, references: [UUID: String], names: AuthorityNames) -> String {
        let placing = caller.role == .operator || caller.authority == placement.placingAuthority
        if placing, let reference = references[placement.bidID] {
            return "\(reference) with \(names.name(placement.hostAuthority))"
        }
        return "Child of \(names.name(placement.placingAuthority))"
    }

    private func placementPage(_ id: UUID, caller: Caller, form: FormInput, problems: [FieldProblem], status: Int) async throws -> PageOutcome {
        let found = try await database.transaction(scope: caller.scope) { connection -> (Placement, [UUID: String])? in
            guard let placement = try PlacementRepository.find(id, authority: caller.ownedAuthority, on: connection) else { return nil }
            return (placement, try ownReferences(caller: caller, on: connection))
        }
        guard case let (placement, references)? = found else { return .notFound }
        let names = try await authorityNames(scope: caller.scope)
        var summary = [
            SummaryRow(key: "Placing authority", value: names.name(placement.placingAuthority)),
            SummaryRow(key: "Host authority", value: names.name(placement.hostAuthority)),
            SummaryRow(key: "Beds", value: String(placement.beds)),
            SummaryRow(key: "Weekly rate per child", value: PlainWords.pounds(placement.weeklyRatePence)),
            SummaryRow(key: "Start date", value: PlainWords.date(placement.startDate)),
            SummaryRow(key: "End date", value: placement.endDate.map(PlainWords.date) ?? "Not set"),
        ]
        if placement.placingAuthority == placement.hostAuthority {
            summary.append(SummaryRow(key: "Charges", value: "None: the authority placed the child in its own place"))
        }
        let formView = ProposalForms.end.view(form, problems: problems)
        let title = Self.title(of: placement, caller: caller, references: references, names: names)
        let page = PlacementPage(
            id: placement.id.pathText, title: title, status: TagView.of(placement.status), summary: summary,
            canEnd: placement.endDate == nil, endForm: formView, errors: formView.errors, hasErrors: formView.hasErrors
        )
        return .page(template: "placement", title: title, view: page, status: status)
    }
}
