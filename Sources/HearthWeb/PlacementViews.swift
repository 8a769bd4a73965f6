import Foundation
import HearthCore
import HearthStore

/// Dates, times, distances and money as people in England read them (Europe/London).
enum PlainWords {
    private static let zone = TimeZone(identifier: "Europe/London") ?? TimeZone(secondsFromGMT: 0)!

    private static func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = zone
        formatter.amSymbol = "am"
        formatter.pmSymbol = "pm"
        formatter.dateFormat = format
        return formatter
    }

    /// A calendar date, e.g. "4 December 2026".
    static func date(_ date: CalendarDate) -> String {
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(date.day) \(months[date.month - 1]) \(date.year)"
    }

    /// An instant in London time, e.g. "5:07pm on Friday 4 December 2026".
    static func dateTime(_ instant: Date) -> String {
        formatter("h:mma 'on' EEEE d MMMM yyyy").string(from: instant)
    }

    /// A deadline and how long is left, e.g. "5:07pm on Friday 4 December 2026 (in 2 days)".
    static func deadline(_ instant: Date, now: Date) -> String {
        "\(dateTime(instant)) (\(remaining(until: instant, now: now)))"
    }

    /// How long until `instant`, e.g. "in 2 days", "in 3 hours", "passed".
    static func remaining(until instant: Date, now: Date) -> String {
        let seconds = instant.timeIntervalSince(now)
        guard seconds > 0 else { return "passed" }
        let minutes = Int(seconds / 60)
        func unit(_ count: Int, _ noun: String) -> String { "in \(count) \(noun)\(count == 1 ? "" : "s")" }
        if minutes < 1 { return "in less than a minute" }
        if minutes < 120 { return unit(minutes, "minute") }
        if minutes < 48 * 60 { return unit(minutes / 60, "hour") }
        return unit(minutes / (24 * 60), "day")
    }

    /// Kilometres, e.g. "12.3 km".
    static func km(_ km: Double) -> String { "\(formatKm(km)) km" }

    /// Pence as pounds, e.g. "£1,234.50".
    static func pounds(_ pence: Int64) -> String { formatPounds(pence) }

    /// A list in words: "a, b and c"; `empty` for none.
    static func list(_ items: [String], empty: String) -> String {
        switch items.count {
        case 0: empty
        case 1: items[0]
        default: items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }
}

/// A GOV.UK tag: the words and the colour modifier class.
struct TagView: Sendable {
    let text: String
    let colourClass: String

    init(_ text: String, _ colour: String) {
        self.text = text
        self.colourClass = colour.isEmpty ? "" : "govuk-tag--\(colour)"
    }

    static func of(_ status: OfferStatus) -> TagView {
        switch status {
        case .open: TagView("Open", "green")
        case .full: TagView("Full", "yellow")
        case .withdrawn: TagView("Withdrawn", "grey")
        }
    }

    static func of(_ status: BidStatus) -> TagView {
        switch status {
        case .open: TagView("Open", "blue")
        case .proposed: TagView("Proposed", "yellow")
        case .placed: TagView("Placed", "green")
        case .withdrawn: TagView("Withdrawn", "grey")
        case .expired: TagView("Expired", "grey")
        }
    }

    static func of(_ status: ProposalStatus) -> TagView {
        switch status {
        case .proposed: TagView("Proposed", "blue")
        case .accepted: TagView("Accepted", "light-blue")
        case .signedOff: TagView("Signed off", "purple")
        case .confirmed: TagView("Confirmed", "green")
        case .declined: TagView("Declined", "red")
        case .lapsed: TagView("Lapsed", "grey")
        case .withdrawn: TagView("Withdrawn", "grey")
        }
    }

    static func of(_ status: PlacementStatus) -> TagView {
        switch status {
        case .active: TagView("Active", "green")
        case .ended: TagView("Ended", "grey")
        }
    }
}

/// A row of a GOV.UK summary list.
struct SummaryRow: Sendable {
    let key: String
    let value: String
}

/// Member names by ONS code, falling back to the code.
struct AuthorityNames: Sendable {
    let names: [String: String]

    init(_ authorities: [Authority]) {
        names = Dictionary(authorities.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    func name(_ code: String) -> String { names[code] ?? code }
}

extension UUID {
    /// The id as URLs and the API write it (lower case).
    var pathText: String { uuidString.lowercased() }
}

// MARK: Offers

/// One offer in the market's table.
struct OfferRow: Sendable {
    let href: String
    let host: String
    let setting: String
    let beds: Int
    let ages: String
    let needs: String
    let availableFrom: String
    let weeklyRate: String
    let distance: String
    let hasDistance: Bool

    init(_ offer: Offer, names: AuthorityNames) {
        href = "/offers/\(offer.id.pathText)"
        host = names.name(offer.authority)
        setting = offer.draft.setting.choiceLabel
        beds = offer.draft.capacity
        ages = "\(offer.draft.ageMin) to \(offer.draft.ageMax)"
        needs = PlainWords.list(offer.draft.needsSupported.map(\.choiceLabel), empty: "None listed")
        availableFrom = PlainWords.date(offer.draft.availableFrom)
        weeklyRate = PlainWords.pounds(offer.draft.weeklyRatePence)
        distance = offer.distanceKm.map(PlainWords.km) ?? ""
        hasDistance = offer.distanceKm != nil
    }
}

/// One place on the market map, as the map's table lists it.
struct MapRow: Sendable {
    let place: String
    let openOffers: Int
    let openBids: Int
}

/// `/offers`: the market of open offers, its filters and its map.
struct OffersPage: Sendable {
    let filters: FormView
    let rows: [OfferRow]
    let hasRows: Bool
    let filtered: Bool
    let showsDistance: Bool
    let resultSummary: String
    let map: MarketMapDrawing?
    let hasMap: Bool
    let mapRows: [MapRow]
    let canPost: Bool
}

/// Summary rows describing an offer.
func offerSummary(_ offer: Offer, names: AuthorityNames) -> [SummaryRow] {
    let draft = offer.draft
    var rows = [
        SummaryRow(key: "Host authority", value: names.name(offer.authority)),
        SummaryRow(key: "Setting", value: draft.setting.choiceLabel),
        SummaryRow(key: "Number of beds", value: String(draft.capacity)),
        SummaryRow(key: "Needs the place supports", value: PlainWords.list(draft.needsSupported.map(\.choiceLabel), empty: "None listed")),
        SummaryRow(key: "Sexes accepted", value: PlainWords.list(draft.sexesAccepted.map(\.choiceLabel), empty: "None")),
        SummaryRow(key: "Ages accepted", value: "\(draft.ageMin) to \(draft.ageMax)"),
        SummaryRow(key: "Postcode district", value: draft.postcodeDistrict ?? "Given by coordinates"),
        SummaryRow(key: "Available from", value: PlainWords.date(draft.availableFrom)),
        SummaryRow(key: "Available until", value: draft.availableUntil.map(PlainWords.date) ?? "No end date"),
        SummaryRow(key: "Weekly rate per child", value: PlainWords.pounds(draft.weeklyRatePence)),
    ]
    if let urn = draft.ofstedURN { rows.append(SummaryRow(key: "Ofsted URN", value: urn)) }
    rows.append(SummaryRow(key: "Posted", value: PlainWords.dateTime(offer.createdAt)))
    return rows
}

/// `/offers/{id}`: an offer, and for its own authority the edit form and **Withdraw**.
struct OfferPage: Sendable {
    let id: String
    let heading: String
    let status: TagView
    let summary: [SummaryRow]
    let canChange: Bool
    let form: FormView
    /// The offer's version the edit form was drawn from (its hidden `version`, the web's If-Match).
    let version: Int
    /// A refusal that is about no one field (e.g. the offer changed state), shown in the summary.
    let errors: [ErrorLink]
    let hasErrors: Bool
}

/// `/offers/new` and `/bids/new`: an empty (or re-shown) form.
struct NewRecordPage: Sendable {
    let form: FormView
}

// MARK: Bids

/// One of the authority's bids in its table.
struct BidRow: Sendable {
    let href: String
    let childRef: String
    let urgency: String
    let neededBy: String
    let status: TagView

    init(_ bid: Bid) {
        href = "/bids/\(bid.id.pathText)"
        childRef = bid.draft.childRef
        urgency = bid.draft.urgency.choiceLabel
        neededBy = PlainWords.date(bid.draft.neededBy)
        status = TagView.of(bid.status)
    }
}

/// `/bids`: the authority's own bids.
struct BidsPage: Sendable {
    let rows: [BidRow]
    let hasRows: Bool
}

/// An offer the bid fits, as its explanation lists it.
struct CompatibleRow: Sendable {
    let href: String
    let host: String
    let setting: String
    let distance: String
    let weeklyCost: String
    let note: String
    let taken: Bool
}

/// An offer the bid does not fit, and the first rule that failed, in plain words.
struct IncompatibleRow: Sendable {
    let href: String
    let host: String
    let reason: String
}

/// A proposal made for a bid, linked from the bid's page.
struct ProposalLink: Sendable {
    let href: String
    let text: String
    let status: TagView
}

/// `/bids/{id}`: the bid, **Withdraw**, its proposals and its explanation.
struct BidPage: Sendable {
    let id: String
    let childRef: String
    let status: TagView
    let summary: [SummaryRow]
    let canWithdraw: Bool
    let proposals: [ProposalLink]
    let hasProposals: Bool
    let compatible: [CompatibleRow]
    let hasCompatible: Bool
    let incompatible: [IncompatibleRow]
    let hasIncompatible: Bool
    let explainedOn: String
    let errors: [ErrorLink]
    let hasErrors: Bool
    /// The child's saved views and ranking, and what the last round made of it.
    var ranking = BidRankingView.none
}

/// Summary rows describing a bid (the placing authority's own).
func bidSummary(_ bid: Bid) -> [SummaryRow] {
    let draft = bid.draft
    var rows = [
        SummaryRow(key: "Your reference", value: draft.childRef),
        SummaryRow(key: "Number of children", value: String(draft.groupSize)),
        SummaryRow(key: "Age", value: String(draft.age)),
        SummaryRow(key: "Sex", value: draft.sex.choiceLabel),
        SummaryRow(key: "Assessed needs", value: PlainWords.list(draft.needs.map(\.choiceLabel), empty: "None listed")),
        SummaryRow(key: "Settings acceptable", value: PlainWords.list(draft.settingsAcceptable.map(\.choiceLabel), empty: "None")),
        SummaryRow(key: "Home postcode district", value: draft.homePostcodeDistrict ?? "Given by coordinates"),
        SummaryRow(key: "Furthest distance", value: draft.maxDistanceKm.map(PlainWords.km) ?? "No limit"),
        SummaryRow(key: "Nearest distance", value: draft.minDistanceKm.map(PlainWords.km) ?? "No limit"),
        SummaryRow(key: "Urgency", value: draft.urgency.choiceLabel),
        SummaryRow(key: "Needed from", value: PlainWords.date(draft.neededBy)),
        SummaryRow(key: "Highest weekly rate", value: draft.maxWeeklyRatePence.map(PlainWords.pounds) ?? "No limit"),
    ]
    rows.append(SummaryRow(key: "Posted", value: PlainWords.dateTime(bid.createdAt)))
    return rows
}

// MARK: Proposals and placements

/// One proposal in the inbox.
struct ProposalRow: Sendable {
    let href: String
    let title: String
    let side: String
    let status: TagView
    let nextStep: String
    let deadline: String
}

/// `/proposals`: every proposal where the authority places or hosts, the ones waiting on this
/// person first.
struct ProposalsPage: Sendable {
    let waiting: [ProposalRow]
    let hasWaiting: Bool
    let others: [ProposalRow]
    let hasOthers: Bool
    let isScrutiny: Bool
}

/// `/proposals/{id}`: the proposal and the actions open to this person.
struct ProposalPage: Sendable {
    let id: String
    let title: String
    let status: TagView
    let summary: [SummaryRow]
    let bidHref: String
    let hasBidHref: Bool
    let offerHref: String
    let placementHref: String
    let hasPlacementHref: Bool
    let seesChild: Bool
    let childViews: [SummaryRow]
    let hasChildViews: Bool
    let nextStep: String
    let canAccept: Bool
    let acceptForm: FormView
    let canDecline: Bool
    let declineForm: FormView
    let canSignOff: Bool
    let signOffForm: FormView
    let acceptedBySelf: Bool
    let canConfirm: Bool
    let confirmForm: FormView
    let startWindow: String
    let isScrutinyViewer: Bool
    let errors: [ErrorLink]
    let hasErrors: Bool
    /// The placing side's view of the round's other places for this child (never the host's).
    let showsOptions: Bool
    let options: [OptionRow]
    let hasOptions: Bool
    /// The child's ranking of the proposed place and the options, on the accept form.
    let ranking: RankingFormView
}

/// One placement in the list.
struct PlacementRow: Sendable {
    let href: String
    let title: String
    let side: String
    let startDate: String
    let endDate: String
    let status: TagView
}

/// `/placements`.
struct PlacementsPage: Sendable {
    let rows: [PlacementRow]
    let hasRows: Bool
}

/// `/placements/{id}`: the placement and **End placement**.
struct PlacementPage: Sendable {
    let id: String
    let title: String
    let status: TagView
    let summary: [SummaryRow]
    let canEnd: Bool
    let endForm: FormView
    let errors: [ErrorLink]
    let hasErrors: Bool
}

// MARK: Options and the child's ranking

extension PlainWords {
    /// Kilometres and miles, e.g. "12.3 km (7.6 miles)".
    static func kmAndMiles(_ km: Double) -> String {
        "\(formatKm(km)) km (\(formatKm(km / 1.609344)) miles)"
    }
}

extension OptionEffectRecord {
    /// The stored effect as the solver's value (whose `plainWords` the pages show).
    var solverEffect: OptionEffect {
        OptionEffect(
            kind: OptionEffect.Kind(rawValue: kind) ?? .notEvaluated, fewerPlaced: [emergency ?? 0, urgent ?? 0, planned ?? 0],
            fewerByChoice: byChoice ?? [], extraMetres: Int64(((km ?? 0) * 1000).rounded()), exact: exact
        )
    }
}

/// One of a proposal's options (another place the child could have had in its round), as the
/// proposal page's table lists it.
struct OptionRow: Sendable {
    let host: String
    let setting: String
    let distance: String
    let weeklyRate: String
    let effect: String

    init(_ option: ProposalOptionRecord, names: AuthorityNames) {
        host = names.name(option.hostAuthority)
        setting = Setting(rawValue: option.setting)?.choiceLabel ?? option.setting
        distance = PlainWords.kmAndMiles(option.distanceKm)
        weeklyRate = PlainWords.pounds(option.weeklyRatePence)
        effect = option.effect.solverEffect.plainWords
    }
}

/// A place the child may rank on the accept form: the proposed offer or one of the options.
struct RankablePlace: Sendable, Equatable {
    let offerID: UUID
    /// What the select shows, e.g. "Foster care with Reading, 12.3 km (7.6 miles), £950.00 a week (proposed)".
    let label: String
}

/// One choice of a ranking select.
struct RankChoiceView: Sendable {
    let value: String
    let label: String
    let selected: Bool
}

/// One position of the child's ranking ("1st choice") as the accept form draws it: a select of
/// the places, named `ranking` (the API's JSON name; the positions are posted in order).
struct RankPositionView: Sendable {
    let id: String
    let label: String
    let choices: [RankChoiceView]
    let error: String
    let hasError: Bool
}

/// The ranking part of the accept form.
struct RankingFormView: Sendable {
    let positions: [RankPositionView]
    let hasPositions: Bool
    /// The error of any position, for the fieldset's error state.
    let hasError: Bool

    static let none = RankingFormView(positions: [], hasPositions: false, hasError: false)
}

/// One choice of a saved ranking, with what the last round made of it, on the bid page.
struct RankedChoiceRow: Sendable {
    let choice: String
    let place: String
    let outcome: String
}

/// The child's saved views and ranking on the bid page (`GET /v1/bids/{id}/preferences`).
struct BidRankingView: Sendable {
    let saved: Bool
    let views: [SummaryRow]
    let choices: [RankedChoiceRow]
    let hasChoices: Bool
    /// Which round last weighed the ranking, in words.
    let lastRound: String

    static let none = BidRankingView(saved: false, views: [], choices: [], hasChoices: false, lastRound: "")
}
