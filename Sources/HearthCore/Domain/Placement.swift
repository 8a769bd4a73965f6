import Foundation

/// Whether a placement is running. Derived from its `end_date`.
public enum PlacementStatus: String, Sendable, Codable, CaseIterable, Hashable {
    /// The child lives there (no end date yet).
    case active
    /// An end date is set: the last night booked is the night before it.
    case ended
}

/// A confirmed placement: a child living in a host authority's place from `startDate` at the
/// proposal's weekly rate. Settlement books a night for every date from the start to the
/// night before `endDate`.
public struct Placement: Sendable, Equatable {
    /// The placement's id.
    public var id: UUID
    /// The proposal it was confirmed from.
    public var proposalID: UUID
    /// The child's bid.
    public var bidID: UUID
    /// The offer whose beds it takes.
    public var offerID: UUID
    /// ONS code of the authority placing the child (debited).
    public var placingAuthority: String
    /// ONS code of the authority hosting the place (credited).
    public var hostAuthority: String
    /// Beds taken (the group size).
    public var beds: Int
    /// Weekly rate per child in pence.
    public var weeklyRatePence: Int64
    /// The first night.
    public var startDate: CalendarDate
    /// The day the child leaves (the last night booked is the night before), if set.
    public var endDate: CalendarDate?
    /// Bumped on every change (`If-Match`).
    public var version: Int
    /// When it was confirmed.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date

    /// Creates a placement value (as a repository reads it).
    public init(
        id: UUID, proposalID: UUID, bidID: UUID, offerID: UUID, placingAuthority: String, hostAuthority: String, beds: Int,
        weeklyRatePence: Int64, startDate: CalendarDate, endDate: CalendarDate?, version: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.proposalID = proposalID
        self.bidID = bidID
        self.offerID = offerID
        self.placingAuthority = placingAuthority
        self.hostAuthority = hostAuthority
        self.beds = beds
        self.weeklyRatePence = weeklyRatePence
        self.startDate = startDate
        self.endDate = endDate
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Running or ended.
    public var status: PlacementStatus { endDate == nil ? .active : .ended }

    /// Either side's `placement` key ends the placement on `endDate`, the day the child leaves.
    /// It may be back-dated (settlement reverses nights already booked past it), but never to
    /// before the start, and a placement ends once.
    public func ended(on endDate: CalendarDate, by agent: Agent) throws(DomainError) -> Placement {
        if let current = self.endDate { throw .conflict("the placement already ended on \(current.iso)") }
        guard agent.holds(.placement), agent.acts(for: placingAuthority) || agent.acts(for: hostAuthority) else {
            throw .forbidden("only the placing or the host authority ends a placement")
        }
        guard endDate >= startDate else {
            throw .invalid(field: "end_date", "must not be before \(startDate.iso), the day the placement started")
        }
        var next = self
        next.endDate = endDate
        return next
    }
}
