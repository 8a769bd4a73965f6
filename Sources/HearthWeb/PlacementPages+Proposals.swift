import Foundation
import HearthCore
import HearthStore
import LibPQ

/// A transition a person asked for on a proposal's page.
enum ProposalAction: String, Sendable {
    case accept
    case decline
    case signOff = "sign-off"
    case confirm
}

extension PlacementPages {
    /// How a person stands to a proposal: which side, and what their role lets them try.
    struct Standing {
        let placing: Bool
        let hosting: Bool
        let acts: Bool
        let scrutinises: Bool

        init(_ proposal: Proposal, caller: Caller) {
            let everyone = caller.role == .operator
            placing = everyone || caller.authority == proposal.placingAuthority
            hosting = everyone || caller.authority == proposal.hostAuthority
            acts = caller.role == .placement || everyone
            scrutinises = caller.role == .scrutiny || everyone
        }

        /// What this side says in a table.
        var side: String {
            switch (placing, hosting) {
            case (true, true): "Placing and hosting"
            case (true, false): "Placing"
            default: "Hosting"
            }
        }

        /// Whether the proposal waits on this person's next step.
        func awaits(_ proposal: Proposal) -> Bool {
            switch proposal.status {
            case .proposed: placing && acts
            case .accepted: placing && scrutinises
            case .signedOff: hosting && acts
            default: false
            }
        }
    }

    /// `GET /proposals`: every proposal the authority places or hosts, with its deadline; the ones
    /// waiting on this person first (for scrutiny: the sign-off queue).
    func proposals(caller: Caller) async throws -> PageOutcome {
        let (proposals, references) = try await database.transaction(scope: caller.scope) { connection in
            (
                try ProposalRepository.list(authority: caller.ownedAuthority, status: nil, limit: Self.listLimit, after: nil, on: connection),
                try childReferences(caller: caller, on: connection)
            )
        }
        let names = try await authorityNames(scope: caller.scope)
        let now = Date()
        var waiting: [(Date, ProposalRow)] = []
        var others: [ProposalRow] = []
        // Newest first: the repository lists from the oldest.
        for proposal in proposals.reversed() {
            let standing = Standing(proposal, caller: caller)
            let row = ProposalRow(
                href: "/proposals/\(proposal.id.pathText)", title: Self.title(of: proposal, standing: standing, references: references, names: names),
                side: standing.side, status: TagView.of(proposal.status), nextStep: Self.nextStep(of: proposal, names: names, now: now),
                deadline: proposal.isLive ? PlainWords.deadline(proposal.expiresAt, now: now) : "None"
            )
            if standing.awaits(proposal) { waiting.append((proposal.expiresAt, row)) } else { others.append(row) }
        }
        // What waits on this person: the most pressing deadline first.
        let pressing = waiting.sorted { $0.0 < $1.0 }.map(\.1)
        let page = ProposalsPage(
            waiting: pressing, hasWaiting: !pressing.isEmpty, others: others, hasOthers: !others.isEmpty, isScrutiny: caller.role == .scrutiny
        )
        return .page(template: "proposals", title: "Proposals", view: page, status: 200)
    }

    /// `GET /proposals/{id}`: the proposal and the actions open to this person.
    func proposal(_ id: UUID, caller: Caller) async throws -> PageOutcome {
        return try await proposalPage(id, caller: caller, failed: nil, errors: [], status: 200)
    }

    /// `POST /proposals/{id}/{action}`: **Accept**, **Decline**, **Sign off** or **Confirm**,
    /// through the same repository functions (and so the same domain rules) as the API.
    func act(_ action: ProposalAction, on id: UUID, form: FormInput, caller: Caller) async throws -> PageOutcome {
        let spec = Self.spec(of: action)
        let change: @Sendable (Proposal, PostgresConnection) throws -> (Proposal, String, String)
        switch action {
        case .accept:
            return try await accept(id, form: form, caller: caller)
        case .decline:
            switch ProposalForms.reason(from: form) {
            case .failure(let problems): return try await proposalPage(id, caller: caller, failed: (action, form, problems.problems), errors: [], status: 422)
            case .success(let reason):
                change = { proposal, connection in
                    let next = try ProposalRepository.decline(proposal, reason: reason, caller: caller, on: connection)
                    return (next, "/proposals/\(next.id.pathText)", "You declined the proposal. This place will not be proposed for this child again")
                }
            }
        case .signOff:
            switch ProposalForms.note(from: form) {
            case .failure(let problems): return try await proposalPage(id, caller: caller, failed: (action, form, problems.problems), errors: [], status: 422)
            case .success(let note):
                change = { proposal, connection in
                    let next = try ProposalRepository.signOff(proposal, note: note, caller: caller, on: connection)
                    return (next, "/proposals/\(next.id.pathText)", "You signed off the proposal. The host authority confirms the start date next")
                }
            }
        case .confirm:
            switch ProposalForms.date("start_date", of: spec, from: form) {
            case .failure(let problems): return try await proposalPage(id, caller: caller, failed: (action, form, problems.problems), errors: [], status: 422)
            case .success(let start):
                change = { proposal, connection in
                    let (next, placement) = try ProposalRepository.confirm(proposal, startDate: start, caller: caller, on: connection)
                    return (next, "/placements/\(placement.id.pathText)", "The placement is confirmed from \(PlainWords.date(start))")
                }
            }
        }
        do {
            let done = try await database.transaction(scope: caller.scope) { connection -> (String, String)? in
                guard let proposal = try ProposalRepository.find(id, authority: caller.ownedAuthority, lock: true, on: connection) else { return nil }
                let (_, path, notice) = try change(proposal, connection)
                return (path, notice)
            }
            guard case let (path, notice)? = done else { return .notFound }
            return .redirect(path: path, notice: notice)
        } catch let error as DomainError {
            // Refused by the domain: nothing changed; the page says why, with what was typed.
            let first = spec.fields.first?.name ?? "main-content"
            let problems = error.fieldProblems.map { spec.problem(from: $0) }
            let errors = error.fieldProblems.isEmpty ? Self.link(error, to: first, spec: spec) : []
            return try await proposalPage(id, caller: caller, failed: (action, form, problems), errors: errors, status: error.status)
        }
    }

    /// `POST /proposals/{id}/accept` (**Accept**): the child's views and, when the officer ranked
    /// the places, the child's ranking of the proposed place and the proposal's options.
    ///
    /// In one transaction, the ranking is saved as `PUT /v1/bids/{id}/preferences` saves it
    /// (`BidPreferenceRepository.save`: the same checks, the same audit) and the proposal is
    /// accepted as `POST /v1/proposals/{id}/accept` accepts it. When the child's first choice is
    /// another place, saving the ranking releases the proposal (the API's rule) and nothing is
    /// accepted: the bid waits for the next round, which weighs the ranking.
    private func accept(_ id: UUID, form: FormInput, caller: Caller) async throws -> PageOutcome {
        let today = CalendarDate.today()
        do {
            let done = try await database.transaction(scope: caller.scope) { connection -> AcceptOutcome in
                guard let proposal = try ProposalRepository.find(id, authority: caller.ownedAuthority, lock: true, on: connection) else { return .notFound }
                let standing = Standing(proposal, caller: caller)
                let places = standing.placing ? try Self.rankablePlaceIDs(of: proposal, on: connection) : [proposal.offerID]
                let acceptance: Acceptance
                switch ProposalForms.acceptance(from: form, places: places) {
                case .failure(let problems): return .invalid(problems.problems)
                case .success(let read): acceptance = read
                }
                var ranked = false
                if !acceptance.ranking.isEmpty, proposal.status == .proposed, standing.placing, standing.acts,
                    let bid = try BidRepository.find(proposal.bidID, authority: caller.ownedAuthority, lock: true, on: connection)
                {
                    let current = try BidPreferenceRepository.find(bid: bid.id, lock: true, on: connection)
                    let preferences = ChildPreferences(ranking: acceptance.ranking, childViews: acceptance.views)
                    let saved = try BidPreferenceRepository.save(preferences, for: bid, current: current, actor: caller.actor, today: today, on: connection)
                    if saved.released != nil { return .released(bid: bid.id) }
                    // Saving read the market in the `.all` scope: back to the person's own.
                    try connection.enter(caller.scope)
                    ranked = true
                }
                _ = try ProposalRepository.accept(proposal, views: acceptance.views, caller: caller, on: connection)
                return .accepted(ranked: ranked)
            }
            switch done {
            case .notFound: return .notFound
            case .invalid(let problems): return try await proposalPage(id, caller: caller, failed: (.accept, form, problems), errors: [], status: 422)
            case .accepted(let ranked):
                let saved = ranked ? "You saved the child's ranking and accepted the proposal" : "You accepted the proposal"
                return .redirect(path: "/proposals/\(id.pathText)", notice: "\(saved). Someone from scrutiny signs it off next")
            case .released(let bid):
                return .redirect(path: "/bids/\(bid.pathText)", notice: Self.releasedNotice)
            }
        } catch let error as DomainError {
            // Refused by the domain (a ranked place that no longer fits, the proposal's state):
            // nothing changed; the page says why, with what was typed.
            let typed = (form.values["ranking"] ?? []).compactMap { UUID(uuidString: $0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            let problems = error.fieldProblems.map { ProposalForms.rankingProblem($0, ranking: typed) }
            let errors = error.fieldProblems.isEmpty ? Self.link(error, to: "consulted", spec: ProposalForms.accept) : []
            return try await proposalPage(id, caller: caller, failed: (.accept, form, problems), errors: errors, status: error.status)
        }
    }

    /// What the bid page says after the child's first choice released a proposal.
    static let releasedNotice =
        "The child's first choice was another place, so this proposal was released; the next round will try to place the child in their first choice"

    /// The offers the child may rank on the accept form: the proposed offer, then the
    /// proposal's options (nearest first). Placing side only.
    private static func rankablePlaceIDs(of proposal: Proposal, on connection: PostgresConnection) throws -> [UUID] {
        var ids = [proposal.offerID]
        for option in try ProposalOptionStore.options(of: proposal.id, on: connection) {
            if let id = UUID(uuidString: option.offerId), !ids.contains(id) { ids.append(id) }
        }
        return ids
    }

    static func spec(of action: ProposalAction) -> FormSpec {
        switch action {
        case .accept: ProposalForms.accept
        case .decline: ProposalForms.decline
        case .signOff: ProposalForms.signOff
        case .confirm: ProposalForms.confirm
        }
    }

    /// The placing authority's own child references by bid, for titles (empty for the host side).
    private func childReferences(caller: Caller, on connection: PostgresConnection) throws -> [UUID: String] {
        var filter = BidFilter()
        filter.limit = Self.listLimit
        let bids = try BidRepository.list(filter, authority: caller.ownedAuthority, on: connection)
        return Dictionary(bids.map { ($0.id, $0.draft.childRef) }, uniquingKeysWith: { first, _ in first })
    }

    /// The proposal's title: the child's reference for the placing side only.
    static func title(of proposal: Proposal, standing: Standing, references: [UUID: String], names: AuthorityNames) -> String {
        if standing.placing, let reference = references[proposal.bidID] {
            return "Place for \(reference) with \(names.name(proposal.hostAuthority))"
        }
        return "Place for a child of \(names.name(proposal.placingAuthority))"
    }

    /// What happens next, in plain words.
    static func nextStep(of proposal: Proposal, names: AuthorityNames, now: Date) -> String {
        let placing = names.name(proposal.placingAuthority)
        let host = names.name(proposal.hostAuthority)
        let by = PlainWords.dateTime(proposal.expiresAt)
        return switch proposal.status {
        case .proposed: "Waiting for \(placing) to accept, with the child's views, or decline by \(by)."
        case .accepted: "Accepted by \(placing). Waiting for \(placing)'s scrutiny to sign it off by \(by)."
        case .signedOff: "Signed off. Waiting for \(host) to confirm a start date by \(by)."
        case .confirmed: "Confirmed: the placement exists."
        case .declined: "Declined by \(names.name(proposal.declinedBy ?? "")). This place will not be proposed for this child again."
        case .lapsed: "Lapsed: nobody acted before the deadline, and its beds were freed."
        case .withdrawn: "Withdrawn: its bid or its offer was withdrawn, or the child's ranking put another place first."
        }
    }

    private func proposalPage(
        _ id: UUID, caller: Caller, failed: (action: ProposalAction, input: FormInput, problems: [FieldProblem])?, errors: [ErrorLink], status: Int
    ) async throws -> PageOutcome {
        let found = try await database.transaction(scope: caller.scope) { connection -> ProposalReading? in
            guard let proposal = try ProposalRepository.find(id, authority: caller.ownedAuthority, on: connection) else { return nil }
            let offer = try OfferRepository.find(proposal.offerID, on: connection)
            let ownBid = caller.ownedAuthority == nil || caller.authority == proposal.placingAuthority
            var reference: String?
            if ownBid { reference = try BidRepository.find(proposal.bidID, authority: caller.ownedAuthority, on: connection)?.draft.childRef }
            // The options and the child's ranking are the placing side's: never read for the host.
            let placing = Standing(proposal, caller: caller).placing
            let options = placing ? try ProposalOptionStore.options(of: proposal.id, on: connection) : []
            let ranking = placing && proposal.status == .proposed ? try BidPreferenceRepository.find(bid: proposal.bidID, on: connection)?.preferences.ranking : nil
            return ProposalReading(proposal: proposal, offer: offer, reference: reference, options: options, savedRanking: ranking ?? [])
        }
        guard let found else { return .notFound }
        let (proposal, offer, reference) = (found.proposal, found.offer, found.reference)
        let names = try await authorityNames(scope: caller.scope)
        let standing = Standing(proposal, caller: caller)
        let now = Date()
        func form(_ action: ProposalAction) -> FormView {
            let spec = Self.spec(of: action)
            guard let failed, failed.action == action else { return spec.view(FormInput([])) }
            return spec.view(failed.input, problems: failed.problems)
        }
        var summary = [
            SummaryRow(key: "Placing authority", value: names.name(proposal.placingAuthority)),
            SummaryRow(key: "Host authority", value: names.name(proposal.hostAuthority)),
        ]
        if let reference { summary.append(SummaryRow(key: "Your reference for the child", value: reference)) }
        if let offer { summary.append(SummaryRow(key: "Place", value: "\(offer.draft.setting.choiceLabel) in \(offer.draft.postcodeDistrict ?? names.name(offer.authority))")) }
        summary += [
            SummaryRow(key: "Beds", value: String(proposal.beds)),
            SummaryRow(key: "Distance from the child's home", value: PlainWords.km(proposal.distanceKm)),
            SummaryRow(key: "Weekly rate per child", value: PlainWords.pounds(proposal.weeklyRatePence)),
            SummaryRow(key: "Proposed", value: PlainWords.dateTime(proposal.createdAt)),
        ]
        if proposal.isLive { summary.append(SummaryRow(key: "Deadline", value: PlainWords.deadline(proposal.expiresAt, now: now))) }
        if let at = proposal.acceptedAt { summary.append(SummaryRow(key: "Accepted", value: PlainWords.dateTime(at))) }
        if let at = proposal.signedOffAt { summary.append(SummaryRow(key: "Signed off", value: PlainWords.dateTime(at))) }
        if let at = proposal.confirmedAt { summary.append(SummaryRow(key: "Confirmed", value: PlainWords.dateTime(at))) }
        if let at = proposal.declinedAt {
            summary.append(SummaryRow(key: "Declined", value: "\(PlainWords.dateTime(at)) by \(names.name(proposal.declinedBy ?? ""))"))
            if let reason = proposal.declineReason { summary.append(SummaryRow(key: "Reason for declining", value: reason)) }
        }
        var childViews: [SummaryRow] = []
        if standing.placing, let views = proposal.childViews {
            childViews.append(SummaryRow(key: "Was the child consulted?", value: views.consulted ? "Yes" : "No"))
            childViews.append(SummaryRow(key: "What the child said", value: views.summary ?? "Not recorded"))
            if let note = proposal.signOffNote { childViews.append(SummaryRow(key: "Sign-off note", value: note)) }
        }
        var startWindow = ""
        if let offer {
            let window = proposal.startWindow(availableFrom: offer.draft.availableFrom, availableUntil: offer.draft.availableUntil)
            startWindow = "The start date must be from \(PlainWords.date(window.earliest)) to \(PlainWords.date(window.latest))."
        }
        let failedErrors = failed.map { failed in failed.problems.map { ErrorLink(field: $0.field, href: "#\($0.field)", message: $0.message) } } ?? []
        let allErrors = errors + failedErrors
        let title = Self.title(of: proposal, standing: standing, references: reference.map { [proposal.bidID: $0] } ?? [:], names: names)
        let canAccept = proposal.status == .proposed && standing.placing && standing.acts
        var ranking = RankingFormView.none
        if canAccept {
            let places = Self.rankablePlaces(proposal, offer: offer, options: found.options, names: names)
            let typed = failed.flatMap { $0.action == .accept ? $0.input.values["ranking"] ?? [] : nil }
            let saved = found.savedRanking.filter { id in places.contains { $0.offerID == id } }.map(\.pathText)
            let problems = failed.flatMap { $0.action == .accept ? $0.problems : nil } ?? []
            ranking = ProposalForms.rankingView(places: places, chosen: typed ?? saved, problems: problems)
        }
        let page = ProposalPage(
            id: proposal.id.pathText, title: title, status: TagView.of(proposal.status), summary: summary,
            bidHref: reference == nil ? "" : "/bids/\(proposal.bidID.pathText)", hasBidHref: reference != nil,
            offerHref: "/offers/\(proposal.offerID.pathText)", placementHref: proposal.placementID.map { "/placements/\($0.pathText)" } ?? "",
            hasPlacementHref: proposal.placementID != nil, seesChild: standing.placing, childViews: childViews, hasChildViews: !childViews.isEmpty,
            nextStep: Self.nextStep(of: proposal, names: names, now: now),
            canAccept: canAccept, acceptForm: form(.accept),
            canDecline: proposal.isLive && standing.acts, declineForm: form(.decline),
            canSignOff: proposal.status == .accepted && standing.placing && standing.scrutinises, signOffForm: form(.signOff),
            acceptedBySelf: proposal.acceptedBy == caller.agent.credential,
            canConfirm: proposal.status == .signedOff && standing.hosting && standing.acts, confirmForm: form(.confirm), startWindow: startWindow,
            isScrutinyViewer: caller.role == .scrutiny, errors: allErrors, hasErrors: !allErrors.isEmpty,
            showsOptions: standing.placing, options: found.options.map { OptionRow($0, names: names) }, hasOptions: !found.options.isEmpty,
            ranking: ranking
        )
        return .page(template: "proposal", title: title, view: page, status: status)
    }

    /// The places the child may rank, as the accept form's selects name them: the proposed
    /// place first, then the options.
    static func rankablePlaces(_ proposal: Proposal, offer: Offer?, options: [ProposalOptionRecord], names: AuthorityNames) -> [RankablePlace] {
        func label(_ setting: String, _ host: String, _ km: Double, _ pence: Int64) -> String {
            "\(setting) with \(names.name(host)), \(PlainWords.kmAndMiles(km)), \(PlainWords.pounds(pence)) a week"
        }
        let setting = offer?.draft.setting.choiceLabel ?? "Place"
        var places = [
            RankablePlace(
                offerID: proposal.offerID, label: label(setting, proposal.hostAuthority, proposal.distanceKm, proposal.weeklyRatePence) + " (the proposed place)"
            )
        ]
        for option in options {
            guard let id = UUID(uuidString: option.offerId), !places.contains(where: { $0.offerID == id }) else { continue }
            let setting = Setting(rawValue: option.setting)?.choiceLabel ?? option.setting
            places.append(RankablePlace(offerID: id, label: label(setting, option.hostAuthority, option.distanceKm, option.weeklyRatePence)))
        }
        return places
    }
}

/// What the proposal page reads in one transaction.
private struct ProposalReading: Sendable {
    let proposal: Proposal
    let offer: Offer?
    let reference: String?
    /// The round's other places for the child (placing side only; empty for the host).
    let options: [ProposalOptionRecord]
    /// The child's saved ranking, for a proposal the placing side may still accept.
    let savedRanking: [UUID]
}

/// How an **Accept** ended.
private enum AcceptOutcome: Sendable {
    case notFound
    case invalid([FieldProblem])
    case accepted(ranked: Bool)
    case released(bid: UUID)
}
