import Foundation
import HearthCore
import HearthStore

extension PlacementPages {
    /// The market's filters: about places, never about a child.
    static let marketFilters = FormSpec([
        FieldSpec("setting", "Setting", kind: .select, options: [(value: "", label: "Any setting")] + Setting.allCases.map { (value: $0.rawValue, label: $0.choiceLabel) }),
        FieldSpec("need", "Need supported", kind: .select, options: [(value: "", label: "Any need")] + Need.allCases.map { (value: $0.rawValue, label: $0.choiceLabel) }),
        FieldSpec("postcode", "Distance from a postcode", hint: "A full postcode or a district, like RG12 1JD or RG12"),
        FieldSpec("within_km", "Within (km)", hint: "For example, 30. Needs a postcode.", kind: .decimal),
    ])

    /// How many offers the market page lists at most.
    static let marketLimit = 200

    /// `GET /offers`: the market's open offers (the whole region's, as `GET /v1/offers`), filtered,
    /// with the map of open offers and open bids per postcode district.
    func market(query: FormInput, caller: Caller) async throws -> PageOutcome {
        var reader = FormReader(query, spec: Self.marketFilters)
        var filter = OfferFilter()
        filter.limit = Self.marketLimit
        if !query.text("setting").isEmpty { filter.setting = reader.choice("setting", as: Setting.self) }
        if !query.text("need").isEmpty { filter.need = reader.choice("need", as: Need.self) }
        filter.near = reader.location("postcode", postcodes: postcodes, required: false)?.point
        if let within = reader.decimal("within_km", example: "30") {
            if !(0...2000).contains(within) {
                reader.fail("within_km", "Within (km) must be from 0 to 2000")
            } else if query.text("postcode").isEmpty {
                reader.fail("postcode", "Enter a postcode to find offers within \(formatKm(within)) km of it")
            } else {
                filter.withinKm = within
            }
        }
        let problems = reader.problems
        let searched = filter
        let (offers, names) = try await database.transaction(scope: caller.scope) { connection in
            (try (problems.isEmpty ? OfferRepository.list(searched, on: connection) : []), AuthorityNames(try AuthorityRepository.all(on: connection)))
        }
        // Counts only, of every authority's open offers and bids: the one read of these pages
        // outside the person's own scope (see MarketMapRepository).
        let points = try await database.transaction(scope: .all) { try MarketMapRepository.openCounts(on: $0) }
        let filtered = ["setting", "need", "postcode", "within_km"].contains { !query.text($0).isEmpty }
        let summary: String =
            if !problems.isEmpty { "Correct the filters to see offers." }
            else if offers.isEmpty { filtered ? "No open offer matches these filters." : "There are no open offers on the market." }
            else if offers.count >= Self.marketLimit { "Showing the first \(offers.count) open offers. Filter to narrow them down." }
            else { "\(offers.count) open \(offers.count == 1 ? "offer" : "offers")\(filtered ? " match these filters" : "")." }
        let page = OffersPage(
            filters: Self.marketFilters.view(query, problems: problems), rows: offers.map { OfferRow($0, names: names) }, hasRows: !offers.isEmpty,
            filtered: filtered, showsDistance: filter.near != nil, resultSummary: summary, map: MarketMapDrawing.make(points),
            hasMap: points.contains { $0.openOffers > 0 || $0.openBids > 0 },
            mapRows: points.map { MapRow(place: MarketMapDrawing.label(of: $0), openOffers: $0.openOffers, openBids: $0.openBids) },
            canPost: caller.role == .placement || caller.role == .operator
        )
        return .page(template: "offers", title: "Market of open offers", view: page, status: problems.isEmpty ? 200 : 422)
    }

    /// `GET /offers/new`: an empty offer form.
    func newOffer() -> PageOutcome {
        return .page(template: "offer_new", title: "Post an offer", view: NewRecordPage(form: OfferForm.spec.view(FormInput([]))), status: 200)
    }

    /// `POST /offers/new` (**Post offer**): posts the offer as `POST /v1/offers` does.
    func postOffer(form: FormInput, caller: Caller) async throws -> PageOutcome {
        try await postNew(
            NewRecordForm(template: "offer_new", title: "Post an offer", spec: OfferForm.spec, refusalField: "setting"), form: form,
            draft: OfferForm.draft(from: form, postcodes: postcodes, today: CalendarDate.today()), caller: caller,
            notice: "Your offer is on the market",
            create: { draft, connection in try OfferRepository.create(draft, authority: caller.authority, actor: caller.actor, on: connection).id },
            path: { "/offers/\($0.pathText)" }
        )
    }

    /// `GET /offers/{id}`: an open offer, or one of the person's authority's own in any status.
    func offer(_ id: UUID, caller: Caller) async throws -> PageOutcome {
        guard case let (offer, names)? = try await visibleOffer(id, caller: caller) else { return .notFound }
        return offerPage(offer, names: names, caller: caller, form: OfferForm.input(for: offer.draft), version: offer.version, problems: [], errors: [], status: 200)
    }

    /// `POST /offers/{id}` (the edit form): changes the authority's own offer as `PATCH /v1/offers/{id}`
    /// does. The form carries the `version` it was drawn from, the web's `If-Match`: when the
    /// offer has changed since (checked under the row's lock, as the API checks `If-Match`), nothing
    /// is saved and the page comes back 409 with the current version.
    func changeOffer(_ id: UUID, form: FormInput, caller: Caller) async throws -> PageOutcome {
        let expected = try Self.formVersion(form)
        guard case let (current, names)? = try await visibleOffer(id, caller: caller) else { return .notFound }
        guard caller.ownedAuthority == nil || caller.ownedAuthority == current.authority else { return .notFound }
        let shownVersion = expected ?? current.version
        switch OfferForm.draft(from: form, base: current.draft, postcodes: postcodes, today: CalendarDate.today()) {
        case .failure(let problems):
            return offerPage(current, names: names, caller: caller, form: form, version: shownVersion, problems: problems.problems, errors: [], status: 422)
        case .success(let draft):
            do {
                let saved = try await database.transaction(scope: caller.scope) { connection -> OfferChange in
                    guard let locked = try OfferRepository.lockOwn(id, authority: caller.ownedAuthority, on: connection) else { return .notFound }
                    if let expected, expected != locked.version { return .stale(locked) }
                    return .saved(try OfferRepository.update(locked, to: draft, actor: caller.actor, on: connection))
                }
                switch saved {
                case .notFound:
                    return .notFound
                case .stale(let latest):
                    let errors = [ErrorLink(field: "change", href: "#change", message: Self.changedElsewhere)]
                    return offerPage(latest, names: names, caller: caller, form: OfferForm.input(for: latest.draft), version: latest.version, problems: [], errors: errors, status: 409)
                case .saved(let changed):
                    return .redirect(path: "/offers/\(changed.id.pathText)", notice: "Your changes to the offer are saved")
                }
            } catch let error as DomainError {
                let links = Self.link(error, to: "capacity", spec: OfferForm.spec)
                return offerPage(current, names: names, caller: caller, form: form, version: shownVersion, problems: links.map { FieldProblem($0.field, $0.message) }, errors: [], status: error.status)
            }
        }
    }

    /// What the edit form's save did.
    private enum OfferChange: Sendable {
        case saved(Offer)
        /// The offer is at another version than the form was drawn from: the current one.
        case stale(Offer)
        case notFound
    }

    /// The message of an edit refused because someone else saved the offer first.
    static let changedElsewhere = "This offer was changed by someone else since you opened it; here is the current version. Make your changes again and save"

    /// The `version` an edit form was drawn from; nil when the form carries none (no check, as
    /// a PATCH without `If-Match`). Anything but a positive whole number is a bad request.
    static func formVersion(_ form: FormInput) throws -> Int? {
        let text = form.text("version")
        guard !text.isEmpty else { return nil }
        guard let version = Int(text), version > 0 else { throw WebError.badRequest("The form's version must be a whole number. Open the offer again.") }
        return version
    }

    /// `POST /offers/{id}/withdraw` (**Withdraw**), as `POST /v1/offers/{id}/withdraw`.
    func withdrawOffer(_ id: UUID, caller: Caller) async throws -> PageOutcome {
        do {
            let withdrawn = try await database.transaction(scope: caller.scope) { connection -> Offer? in
                guard let locked = try OfferRepository.lockOwn(id, authority: caller.ownedAuthority, on: connection) else { return nil }
                return try OfferRepository.withdraw(locked, actor: caller.actor, on: connection)
            }
            guard let withdrawn else { return .notFound }
            return .redirect(path: "/offers/\(withdrawn.id.pathText)", notice: "The offer is withdrawn and its live proposals are released")
        } catch let error as DomainError {
            guard case let (offer, names)? = try await visibleOffer(id, caller: caller) else { return .notFound }
            let errors = [ErrorLink(field: "change", href: "#change", message: Self.sentence(error.detail))]
            return offerPage(offer, names: names, caller: caller, form: OfferForm.input(for: offer.draft), version: offer.version, problems: [], errors: errors, status: error.status)
        }
    }

    /// The offer if the person may see it (as `GET /v1/offers/{id}`), with member names.
    private func visibleOffer(_ id: UUID, caller: Caller) async throws -> (Offer, AuthorityNames)? {
        let (offer, names) = try await database.transaction(scope: caller.scope) { connection in
            (try OfferRepository.find(id, on: connection), AuthorityNames(try AuthorityRepository.all(on: connection)))
        }
        guard let offer, offer.status == .open || caller.ownedAuthority == nil || offer.authority == caller.authority else { return nil }
        return (offer, names)
    }

    private func offerPage(
        _ offer: Offer, names: AuthorityNames, caller: Caller, form: FormInput, version: Int, problems: [FieldProblem], errors: [ErrorLink],
        status: Int
    ) -> PageOutcome {
        let formView = OfferForm.spec.view(form, problems: problems)
        let own = caller.ownedAuthority == nil || caller.ownedAuthority == offer.authority
        let heading = "\(offer.draft.setting.choiceLabel) in \(offer.draft.postcodeDistrict ?? names.name(offer.authority))"
        let allErrors = errors + formView.errors
        let page = OfferPage(
            id: offer.id.pathText, heading: heading, status: TagView.of(offer.status), summary: offerSummary(offer, names: names),
            canChange: own && offer.status != .withdrawn, form: formView, version: version, errors: allErrors, hasErrors: !allErrors.isEmpty
        )
        return .page(template: "offer", title: heading, view: page, status: status)
    }
}
