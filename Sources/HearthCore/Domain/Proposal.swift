import Foundation

/// Where a proposal stands. Raw values are the API's and the database's strings.
///
/// ```
/// proposed ──accept──▶ accepted ──sign off──▶ signed_off ──confirm──▶ confirmed
///    │                    │                       │
///    └──── decline / lapse / withdraw (bid or offer withdrawn) ────▶ declined · lapsed · withdrawn
/// ```
public enum ProposalStatus: String, Sendable, Codable, CaseIterable, Hashable {
    /// Made by a round; waiting for the placing authority.
    case proposed
    /// The placing authority accepted, with the child's views.
    case accepted
    /// A scrutiny key of the placing authority signed the decision off.
    case signedOff = "signed_off"
    /// The host authority confirmed: a placement exists.
    case confirmed
    /// Either side declined; the pair is never proposed again.
    case declined
    /// Nobody acted before `expires_at`.
    case lapsed
    /// Its bid or its offer was withdrawn.
    case withdrawn

    /// The statuses that hold beds: proposed, accepted, signed off.
    public static let live: [ProposalStatus] = [.proposed, .accepted, .signedOff]

    /// True while the proposal holds its beds and can still move on.
    public var isLive: Bool { Self.live.contains(self) }

    /// The status in plain English, e.g. "signed off".
    public var plainName: String { rawValue.replacingOccurrences(of: "_", with: " ") }
}

/// What an agent proved to act: an API key, or a person signed in to the web app. Two
/// credentials are the same only when kind and id both match.
public enum Credential: Sendable, Hashable {
    /// An API key, by its id.
    case apiKey(String)
    /// A person (a row of `users`), by their id.
    case person(String)

    /// True for a person.
    public var isPerson: Bool {
        if case .person = self { true } else { false }
    }

    /// The key's or the person's id.
    public var id: String {
        switch self {
        case .apiKey(let id), .person(let id): id
        }
    }
}

/// Who is acting on a proposal or a placement: an API key, or a person in the web app.
public struct Agent: Sendable, Equatable {
    /// ONS code of the authority the agent acts for.
    public let authority: String
    /// The agent's role.
    public let role: Role
    /// The key or the person: the one that accepted a proposal may not sign it off.
    public let credential: Credential

    /// Creates an agent.
    public init(authority: String, role: Role, credential: Credential) {
        self.authority = authority
        self.role = role
        self.credential = credential
    }

    /// Operators may act for every authority in every role.
    public var isOperator: Bool { role == .operator }

    func acts(for authority: String) -> Bool { isOperator || self.authority == authority }

    func holds(_ role: Role) -> Bool { isOperator || self.role == role }
}

/// What the child said about a proposed place, recorded when the placing authority accepts.
public struct ChildViews: Sendable, Equatable, Codable {
    /// Whether the child was consulted.
    public let consulted: Bool
    /// What the child said (required when consulted), at most `Proposal.Limits.text` scalars.
    public let summary: String?

    /// Creates the views.
    public init(consulted: Bool, summary: String?) {
        self.consulted = consulted
        self.summary = summary
    }

    /// Every rule the views break; empty when they are valid.
    public var problems: [FieldProblem] {
        if consulted, summary?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true {
            return [FieldProblem("child_views.summary", "is required when the child was consulted: what the child said")]
        }
        if let summary, summary.scalarCount > Proposal.Limits.text {
            return [FieldProblem("child_views.summary", "must be 1 to \(Proposal.Limits.text) characters")]
        }
        return []
    }
}

/// A bid and an offer paired by a clearing round, holding the beds while both sides decide.
///
/// The lifecycle is a pure state machine: each transition checks, in this order, the status
/// and expiry (409), who may do it (403), that the offer is still open (409) and the rules on
/// its values (422), and returns the next proposal or throws that `DomainError`.
/// Repositories persist the result; the API and the web app call exactly these functions.
public struct Proposal: Sendable, Equatable {
    /// Limits on what people write into a proposal.
    public enum Limits {
        /// Longest child's views summary, sign-off note or decline reason, in Unicode scalars
        /// (as PostgreSQL's `length` counts).
        public static let text = 4000
        /// Latest start of a placement, in days after the earliest allowed start.
        public static let startWindowDays = 90
    }

    /// The proposal's id.
    public var id: UUID
    /// The round that made it (nil for proposals made otherwise).
    public var roundID: Int64?
    /// The child's bid.
    public var bidID: UUID
    /// The offer whose beds it holds.
    public var offerID: UUID
    /// ONS code of the authority placing the child.
    public var placingAuthority: String
    /// ONS code of the authority hosting the place.
    public var hostAuthority: String
    /// Beds held (the group size).
    public var beds: Int
    /// Distance from the child's home, km.
    public var distanceKm: Double
    /// Weekly rate per child in pence.
    public var weeklyRatePence: Int64
    /// Where it stands.
    public var status: ProposalStatus
    /// Not acted on by then, it lapses.
    public var expiresAt: Date
    /// Recorded on acceptance; shown to the placing authority only.
    public var childViews: ChildViews?
    /// Credential that accepted.
    public var acceptedBy: Credential?
    /// When it was accepted.
    public var acceptedAt: Date?
    /// Credential that signed off.
    public var signedOffBy: Credential?
    /// When it was signed off.
    public var signedOffAt: Date?
    /// The scrutiny key's note; shown to the placing authority only.
    public var signOffNote: String?
    /// Authority that declined.
    public var declinedBy: String?
    /// When it was declined.
    public var declinedAt: Date?
    /// Why it was declined.
    public var declineReason: String?
    /// When it was confirmed.
    public var confirmedAt: Date?
    /// The placement made by confirming it.
    public var placementID: UUID?
    /// Bumped on every change (`If-Match`).
    public var version: Int
    /// When the round made it: a placement never starts before this day.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date

    /// Creates a proposal value (as a repository reads it).
    public init(
        id: UUID, roundID: Int64?, bidID: UUID, offerID: UUID, placingAuthority: String, hostAuthority: String, beds: Int,
        distanceKm: Double, weeklyRatePence: Int64, status: ProposalStatus, expiresAt: Date, childViews: ChildViews?,
        acceptedBy: Credential?, acceptedAt: Date?, signedOffBy: Credential?, signedOffAt: Date?, signOffNote: String?,
        declinedBy: String?, declinedAt: Date?, declineReason: String?, confirmedAt: Date?, placementID: UUID?, version: Int,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.roundID = roundID
        self.bidID = bidID
        self.offerID = offerID
        self.placingAuthority = placingAuthority
        self.hostAuthority = hostAuthority
        self.beds = beds
        self.distanceKm = distanceKm
        self.weeklyRatePence = weeklyRatePence
        self.status = status
        self.expiresAt = expiresAt
        self.childViews = childViews
        self.acceptedBy = acceptedBy
        self.acceptedAt = acceptedAt
        self.signedOffBy = signedOffBy
        self.signedOffAt = signedOffAt
        self.signOffNote = signOffNote
        self.declinedBy = declinedBy
        self.declinedAt = declinedAt
        self.declineReason = declineReason
        self.confirmedAt = confirmedAt
        self.placementID = placementID
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// True while the proposal holds its beds.
    public var isLive: Bool { status.isLive }

    /// The day (Europe/London) the proposal was made.
    public var madeOn: CalendarDate { CalendarDate.today(at: createdAt) }

    // MARK: Transitions

    /// The placing authority's `placement` key accepts, recording the child's views. `offer` is
    /// the offer's status as the agent sees it (nil when it cannot see it: it is not open).
    public func accepted(views: ChildViews, by agent: Agent, offer: OfferStatus?, at now: Date) throws(DomainError) -> Proposal {
        try checkMovable(from: [.proposed], to: "accepted", at: now)
        guard agent.holds(.placement), agent.acts(for: placingAuthority) else {
            throw .forbidden("only the placing authority's placement key accepts a proposal")
        }
        try checkOpen(offer, to: "accepted")
        let problems = views.problems
        guard problems.isEmpty else { throw .invalid(problems) }
        var next = self
        next.status = .accepted
        next.childViews = views
        next.acceptedBy = agent.credential
        next.acceptedAt = now
        return next
    }

    /// A `scrutiny` key or person of the placing authority, never the credential that accepted,
    /// signs off.
    public func signedOff(note: String?, by agent: Agent, offer: OfferStatus?, at now: Date) throws(DomainError) -> Proposal {
        try checkMovable(from: [.accepted], to: "signed off", at: now)
        guard agent.holds(.scrutiny), agent.acts(for: placingAuthority) else {
            throw .forbidden("only the placing authority's scrutiny key signs off a proposal")
        }
        guard acceptedBy != agent.credential else {
            throw .forbidden(
                acceptedBy?.isPerson == true
                    ? "the person who accepted a proposal cannot also sign it off: another member of scrutiny must"
                    : "the key that accepted a proposal cannot also sign it off"
            )
        }
        try checkOpen(offer, to: "signed off")
        if let note, note.scalarCount > Limits.text {
            throw .invalid(field: "note", "must be 1 to \(Limits.text) characters")
        }
        var next = self
        next.status = .signedOff
        next.signedOffBy = agent.credential
        next.signedOffAt = now
        next.signOffNote = note
        return next
    }

    /// The host authority's `placement` key confirms from `startDate`: a placement begins.
    ///
    /// `startDate` is never before the day the proposal was made nor before the offer is
    /// available, at most `Limits.startWindowDays` days after the later of the two, and within
    /// the offer's `available_until` (settlement books money from it).
    public func confirmed(startDate: CalendarDate, by agent: Agent, offer: Offer?, at now: Date) throws(DomainError) -> Proposal {
        try checkMovable(from: [.signedOff], to: "confirmed", at: now)
        guard agent.holds(.placement), agent.acts(for: hostAuthority) else {
            throw .forbidden("only the host authority confirms a proposal")
        }
        try checkOpen(offer?.status, to: "confirmed")
        if let offer { try checkStart(startDate, availableFrom: offer.draft.availableFrom, availableUntil: offer.draft.availableUntil) }
        var next = self
        next.status = .confirmed
        next.confirmedAt = now
        return next
    }

    /// Either side's `placement` key declines with a reason: the pair is never proposed again.
    public func declined(reason: String, by agent: Agent, at now: Date) throws(DomainError) -> Proposal {
        try checkMovable(from: ProposalStatus.live, to: "declined", at: now)
        guard agent.holds(.placement), agent.acts(for: placingAuthority) || agent.acts(for: hostAuthority) else {
            throw .forbidden("only the placing or the host authority declines a proposal")
        }
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, reason.scalarCount <= Limits.text else {
            throw .invalid(field: "reason", "must be 1 to \(Limits.text) characters")
        }
        var next = self
        next.status = .declined
        next.declinedBy = agent.authority
        next.declinedAt = now
        next.declineReason = reason
        return next
    }

    /// Its bid or its offer was withdrawn: a live proposal is released.
    public func withdrawn() throws(DomainError) -> Proposal {
        guard isLive else { throw .conflict("a \(status.plainName) proposal cannot be withdrawn") }
        var next = self
        next.status = .withdrawn
        return next
    }

    /// Nobody acted before `expires_at`: a live proposal lapses and frees its beds.
    public func lapsed(at now: Date) throws(DomainError) -> Proposal {
        guard isLive else { throw .conflict("a \(status.plainName) proposal cannot lapse") }
        guard expiresAt <= now else { throw .conflict("the proposal is live until \(Self.timestamp(expiresAt))") }
        var next = self
        next.status = .lapsed
        return next
    }

    /// The earliest and the latest start a confirmation may give.
    public func startWindow(availableFrom: CalendarDate, availableUntil: CalendarDate?) -> (earliest: CalendarDate, latest: CalendarDate) {
        let earliest = max(madeOn, availableFrom)
        let latest = earliest.adding(days: Limits.startWindowDays)
        return (earliest, availableUntil.map { min($0, latest) } ?? latest)
    }

    private func checkStart(_ start: CalendarDate, availableFrom: CalendarDate, availableUntil: CalendarDate?) throws(DomainError) {
        let window = startWindow(availableFrom: availableFrom, availableUntil: availableUntil)
        if start < window.earliest {
            throw .invalid(
                field: "start_date",
                madeOn >= availableFrom
                    ? "must not be before \(madeOn.iso), the day the proposal was made"
                    : "must not be before \(availableFrom.iso), when the place is available"
            )
        }
        if let availableUntil, start > availableUntil {
            throw .invalid(field: "start_date", "must not be after \(availableUntil.iso), the last day the place is available")
        }
        if start > window.latest {
            throw .invalid(
                field: "start_date", "must be at most \(Limits.startWindowDays) days after \(window.earliest.iso), i.e. \(window.latest.iso) or earlier"
            )
        }
    }

    private func checkMovable(from allowed: [ProposalStatus], to action: String, at now: Date) throws(DomainError) {
        guard allowed.contains(status) else { throw .conflict("a \(status.plainName) proposal cannot be \(action)") }
        guard expiresAt > now else { throw .conflict("the proposal lapsed at \(Self.timestamp(expiresAt))") }
    }

    /// `offer` is nil when the agent cannot see the offer: then it is not open either.
    private func checkOpen(_ offer: OfferStatus?, to action: String) throws(DomainError) {
        guard offer == .open else {
            throw .conflict("the offer is \(offer?.rawValue ?? "withdrawn"): the proposal cannot be \(action)")
        }
    }

    private static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
