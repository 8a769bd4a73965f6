import Foundation
import HearthCore
import HearthStore
import Hummingbird
import LibPQ

/// A proposal as the API shows it. The child's views are shown to the placing authority only.
struct ProposalJSON: Encodable, Sendable {
    let id: String
    let roundId: Int64?
    let bidId: String
    let offerId: String
    let placingAuthority: String
    let hostAuthority: String
    let beds: Int
    let distanceKm: Double
    let weeklyRatePence: Int64
    let status: ProposalStatus
    let expiresAt: Date
    let childViews: ChildViews?
    let acceptedAt: Date?
    let signedOffAt: Date?
    let signOffNote: String?
    let declinedBy: String?
    let declineReason: String?
    let confirmedAt: Date?
    let placementId: String?
    let version: Int
    let createdAt: Date
    let updatedAt: Date
    /// The other places the child could have had in the proposal's round, with their effect on
    /// the other children: for the placing side only, and only on `GET /v1/proposals/{id}`.
    let options: [ProposalOptionRecord]?

    /// Whether `viewer` is on the placing side of `record` (placement or scrutiny of the placing
    /// authority, or an operator): only they see the child's views and options.
    static func isPlacingSide(_ viewer: Caller, of record: Proposal) -> Bool {
        viewer.role == .operator || viewer.authority == record.placingAuthority
    }

    init(_ record: Proposal, viewer: Caller, options: [ProposalOptionRecord]? = nil) {
        id = record.id.uuidString.lowercased()
        roundId = record.roundID
        bidId = record.bidID.uuidString.lowercased()
        offerId = record.offerID.uuidString.lowercased()
        placingAuthority = record.placingAuthority
        hostAuthority = record.hostAuthority
        beds = record.beds
        distanceKm = record.distanceKm
        weeklyRatePence = record.weeklyRatePence
        status = record.status
        expiresAt = record.expiresAt
        let seesChild = Self.isPlacingSide(viewer, of: record)
        self.options = seesChild ? options : nil
        childViews = seesChild ? record.childViews : nil
        acceptedAt = record.acceptedAt
        signedOffAt = record.signedOffAt
        signOffNote = seesChild ? record.signOffNote : nil
        declinedBy = record.declinedBy
        declineReason = record.declineReason
        confirmedAt = record.confirmedAt
        placementId = record.placementID?.uuidString.lowercased()
        version = record.version
        createdAt = record.createdAt
        updatedAt = record.updatedAt
    }
}

/// A placement as the API shows it.
struct PlacementJSON: Encodable, Sendable {
    let id: String
    let proposalId: String
    let bidId: String
    let offerId: String
    let placingAuthority: String
    let hostAuthority: String
    let beds: Int
    let weeklyRatePence: Int64
    let startDate: CalendarDate
    let endDate: CalendarDate?
    let version: Int
    let createdAt: Date
    let updatedAt: Date

    init(_ record: Placement) {
        id = record.id.uuidString.lowercased()
        proposalId = record.proposalID.uuidString.lowercased()
        bidId = record.bidID.uuidString.lowercased()
        offerId = record.offerID.uuidString.lowercased()
        placingAuthority = record.placingAuthority
        hostAuthority = record.hostAuthority
        beds = record.beds
        weeklyRatePence = record.weeklyRatePence
        startDate = record.startDate
        endDate = record.endDate
        version = record.version
        createdAt = record.createdAt
        updatedAt = record.updatedAt
    }
}

/// `/v1/proposals` and `/v1/placements`: the lifecycle from a round's proposal to a placement.
struct ProposalRoutes {
    let database: HearthDatabase

    func register(on group: RouterGroup<HearthRequestContext>) {
        group.get("proposals", use: list)
        group.get("proposals/:id", use: show)
        group.post("proposals/:id/accept", use: accept)
        group.post("proposals/:id/decline", use: decline)
        group.post("proposals/:id/sign-off", use: signOff)
        group.post("proposals/:id/confirm", use: confirm)
        group.get("placements", use: listPlacements)
        group.get("placements/:id", use: showPlacement)
        group.post("placements/:id/end", use: endPlacement)
    }

    @Sendable func list(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement, .scrutiny])
        var query = QueryReader(request)
        let limit = query.limit()
        let after = query.cursor()
        let status = query.code("status", as: ProposalStatus.self)
        try query.throwIfInvalid()
        let page = try await database.transaction(scope: caller.scope) { connection in
            try ProposalRepository.list(authority: caller.ownedAuthority, status: status, limit: limit, after: after, on: connection)
        }
        return try JSONResponse.make(PageJSON(page, limit: limit) { ProposalJSON($0, viewer: caller) })
    }

    @Sendable func show(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement, .scrutiny])
        let id = try context.resourceID("proposal")
        let found = try await database.transaction(scope: caller.scope) { connection -> (Proposal, [ProposalOptionRecord])? in
            guard let record = try ProposalRepository.find(id, authority: caller.ownedAuthority, on: connection) else { return nil }
            // The options are the placing side's: never read for the host side.
            let options = ProposalJSON.isPlacingSide(caller, of: record) ? try ProposalOptionStore.options(of: id, on: connection) : []
            return (record, options)
        }
        guard let (record, options) = found else { throw Problem(status: .notFound, title: "Not found", detail: "no such proposal") }
        return try JSONResponse.make(ProposalJSON(record, viewer: caller, options: options))
    }

    @Sendable func accept(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        var reader = try await BodyReader.parse(request, context: context)
        reader.rejectUnknown(allowing: ["child_views"])
        var views: ChildViews?
        if case .object(let fields)? = reader.field("child_views") {
            var inner = BodyReader(fields: fields)
            inner.rejectUnknown(allowing: ["consulted", "summary"])
            let consulted = inner.bool("consulted")
            let summary = inner.string("summary", required: consulted == true, maxLength: Proposal.Limits.text)
            for error in inner.errors { reader.fail("child_views.\(error.field)", error.message) }
            views = consulted.map { ChildViews(consulted: $0, summary: summary) }
        } else {
            reader.fail("child_views", "is required: {\"consulted\": true|false, \"summary\": \"what the child said\"}")
        }
        try reader.throwIfInvalid()
        guard let views else { throw Problem(status: .unprocessableContent, title: "Invalid request", detail: "child_views is required") }
        return try await transition(request, body: reader.rawBody, context: context, caller: caller) { proposal, connection in
            try ProposalRepository.accept(proposal, views: views, caller: caller, on: connection)
        }
    }

    @Sendable func decline(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        var reader = try await BodyReader.parse(request, context: context)
        reader.rejectUnknown(allowing: ["reason"])
        let reason = reader.string("reason", maxLength: Proposal.Limits.text)
        try reader.throwIfInvalid()
        let reasonValue = reason ?? ""
        return try await transition(request, body: reader.rawBody, context: context, caller: caller) { proposal, connection in
            try ProposalRepository.decline(proposal, reason: reasonValue, caller: caller, on: connection)
        }
    }

    @Sendable func signOff(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.scrutiny])
        var reader = try await BodyReader.parse(request, context: context)
        reader.rejectUnknown(allowing: ["note"])
        let note = reader.string("note", required: false, maxLength: Proposal.Limits.text)
        try reader.throwIfInvalid()
        return try await transition(request, body: reader.rawBody, context: context, caller: caller) { proposal, connection in
            try ProposalRepository.signOff(proposal, note: note, caller: caller, on: connection)
        }
    }

    @Sendable func confirm(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        var reader = try await BodyReader.parse(request, context: context)
        reader.rejectUnknown(allowing: ["start_date"])
        let start = reader.date("start_date")
        try reader.throwIfInvalid()
        guard let start else { throw Problem(status: .unprocessableContent, title: "Invalid request", detail: "start_date is required") }
        return try await transition(request, body: reader.rawBody, context: context, caller: caller) { proposal, connection in
            try ProposalRepository.confirm(proposal, startDate: start, caller: caller, on: connection).0
        }
    }

    /// Locks the proposal the caller is party to, applies `change` in one transaction with the
    /// request's idempotency bookkeeping, and answers with the proposal as it now stands.
    private func transition(
        _ request: Request, body: Data, context: HearthRequestContext, caller: Caller,
        _ change: @escaping @Sendable (Proposal, PostgresConnection) throws -> Proposal
    ) async throws -> Response {
        let id = try context.resourceID("proposal")
        let expected = try request.expectedVersion()
        return try await IdempotentWrite.perform(request, body: body, context: context, caller: caller, database: database) { connection in
            guard let proposal = try ProposalRepository.find(id, authority: caller.ownedAuthority, lock: true, on: connection) else {
                throw Problem(status: .notFound, title: "Not found", detail: "no such proposal")
            }
            try OfferRoutes.check(version: expected, of: proposal.version)
            let updated = try change(proposal, connection)
            return StoredResponse(status: 200, body: try JSONResponse.encoder.encode(ProposalJSON(updated, viewer: caller)))
        }
    }

    @Sendable func listPlacements(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        var query = QueryReader(request)
        let limit = query.limit()
        let after = query.cursor()
        try query.throwIfInvalid()
        let page = try await database.transaction(scope: caller.scope) { connection in
            try PlacementRepository.list(authority: caller.ownedAuthority, limit: limit, after: after, on: connection)
        }
        return try JSONResponse.make(PageJSON(page, limit: limit, PlacementJSON.init))
    }

    @Sendable func showPlacement(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("placement")
        let record = try await database.transaction(scope: caller.scope) { connection in
            try PlacementRepository.find(id, authority: caller.ownedAuthority, on: connection)
        }
        guard let record else { throw Problem(status: .notFound, title: "Not found", detail: "no such placement") }
        return try JSONResponse.make(PlacementJSON(record))
    }

    @Sendable func endPlacement(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("placement")
        let expected = try request.expectedVersion()
        var reader = try await BodyReader.parse(request, context: context)
        reader.rejectUnknown(allowing: ["end_date"])
        let end = reader.date("end_date")
        try reader.throwIfInvalid()
        guard let end else { throw Problem(status: .unprocessableContent, title: "Invalid request", detail: "end_date is required") }
        return try await IdempotentWrite.perform(request, body: reader.rawBody, context: context, caller: caller, database: database) { connection in
            guard let placement = try PlacementRepository.find(id, authority: caller.ownedAuthority, lock: true, on: connection) else {
                throw Problem(status: .notFound, title: "Not found", detail: "no such placement")
            }
            try OfferRoutes.check(version: expected, of: placement.version)
            let ended = try PlacementRepository.end(placement, on: end, caller: caller, on: connection)
            return StoredResponse(status: 200, body: try JSONResponse.encoder.encode(PlacementJSON(ended)))
        }
    }
}
