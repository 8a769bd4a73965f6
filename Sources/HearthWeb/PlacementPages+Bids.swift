import Foundation
import HearthCore
import HearthStore

extension PlacementPages {
    /// How many bids and proposals the lists show at most.
    static let listLimit = 500

    /// `GET /bids`: the authority's own bids (as `GET /v1/bids`).
    func bids(caller: Caller) async throws -> PageOutcome {
        var filter = BidFilter()
        filter.limit = Self.listLimit
        let query = filter
        let bids = try await database.transaction(scope: caller.scope) { connection in
            try BidRepository.list(query, authority: caller.ownedAuthority, on: connection)
        }
        return .page(template: "bids", title: "Your bids", view: BidsPage(rows: bids.map(BidRow.init), hasRows: !bids.isEmpty), status: 200)
    }

    /// `GET /bids/new`: an empty bid form.
    func newBid() -> PageOutcome {
        return .page(template: "bid_new", title: "Post a bid", view: NewRecordPage(form: BidForm.spec.view(FormInput([]))), status: 200)
    }

    /// `POST /bids/new` (**Post bid**): posts the bid as `POST /v1/bids` does.
    func postBid(form: FormInput, caller: Caller) async throws -> PageOutcome {
        try await postNew(
            NewRecordForm(template: "bid_new", title: "Post a bid", spec: BidForm.spec, refusalField: "child_ref"), form: form,
            draft: BidForm.draft(from: form, postcodes: postcodes, today: CalendarDate.today()), caller: caller,
            notice: "The bid is posted: the next clearing round considers it",
            create: { draft, connection in try BidRepository.create(draft, authority: caller.authority, actor: caller.actor, on: connection).id },
            path: { "/bids/\($0.pathText)" }
        )
    }

    /// `GET /bids/{id}`: one of the authority's own bids with its explanation (the same as
    /// `GET /v1/bids/{id}/explain`). Another authority's bid is not found, as in the API.
    func bid(_ id: UUID, caller: Caller) async throws -> PageOutcome {
        return try await bidPage(id, caller: caller, errors: [], status: 200)
    }

    /// `POST /bids/{id}/withdraw` (**Withdraw**), as `POST /v1/bids/{id}/withdraw`.
    func withdrawBid(_ id: UUID, caller: Caller) async throws -> PageOutcome {
        do {
            let withdrawn = try await database.transaction(scope: caller.scope) { connection -> Bid? in
                guard let locked = try BidRepository.find(id, authority: caller.ownedAuthority, lock: true, on: connection) else { return nil }
                return try BidRepository.withdraw(locked, actor: caller.actor, on: connection)
            }
            guard let withdrawn else { return .notFound }
            return .redirect(path: "/bids/\(withdrawn.id.pathText)", notice: "The bid is withdrawn")
        } catch let error as DomainError {
            let errors = [ErrorLink(field: "explanation", href: "#explanation", message: Self.sentence(error.detail))]
            return try await bidPage(id, caller: caller, errors: errors, status: error.status)
        }
    }

    private func bidPage(_ id: UUID, caller: Caller, errors: [ErrorLink], status: Int) async throws -> PageOutcome {
        let today = CalendarDate.today()
        let found = try await database.transaction(scope: caller.scope, isolation: .repeatableRead) { connection -> (Bid, BidExplanation, [Proposal])? in
            guard let bid = try BidRepository.find(id, authority: caller.ownedAuthority, on: connection) else { return nil }
            let proposals = try ProposalRepository.list(authority: caller.ownedAuthority, status: nil, limit: Self.listLimit, after: nil, on: connection)
            // Last: the explanation counts other children's holds in the `.all` scope.
            guard let explanation = try ClearingStore.explanation(ofBid: id, authority: caller.ownedAuthority, today: today, on: connection) else {
                return nil
            }
            return (bid, explanation, proposals.filter { $0.bidID == id })
        }
        guard case let (bid, explanation, proposals)? = found else { return .notFound }
        let names = try await authorityNames(scope: caller.scope)
        let compatible = explanation.compatible.map { offer in
            CompatibleRow(
                href: "/offers/\(offer.offerId)", host: names.name(offer.authority), setting: offer.setting.choiceLabel,
                distance: PlainWords.km(offer.distanceKm), weeklyCost: PlainWords.pounds(offer.weeklyRatePence) + " a week",
                note: Self.sentence(offer.note), taken: offer.taken
            )
        }
        let incompatible = explanation.incompatible.map { offer in
            IncompatibleRow(href: "/offers/\(offer.offerId)", host: names.name(offer.authority), reason: offer.reason)
        }
        let links = proposals.map { proposal in
            ProposalLink(
                href: "/proposals/\(proposal.id.pathText)", text: "Proposal of \(PlainWords.date(proposal.madeOn)) with \(names.name(proposal.hostAuthority))",
                status: TagView.of(proposal.status)
            )
        }
        var page = BidPage(
            id: bid.id.pathText, childRef: bid.draft.childRef, status: TagView.of(bid.status), summary: bidSummary(bid),
            canWithdraw: bid.status.isWithdrawable, proposals: links, hasProposals: !links.isEmpty, compatible: compatible,
            hasCompatible: !compatible.isEmpty, incompatible: incompatible, hasIncompatible: !incompatible.isEmpty,
            explainedOn: PlainWords.date(explanation.today), errors: errors, hasErrors: !errors.isEmpty
        )
        page.ranking = try await rankingSummary(ofBid: bid.id, caller: caller, names: names)
        return .page(template: "bid", title: "Bid \(bid.draft.childRef)", view: page, status: status)
    }
}
