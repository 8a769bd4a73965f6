import Foundation
import HearthCore
import LibPQ

/// A stored proposal: a bid and an offer paired by a clearing round, holding the beds.
public struct ProposalRecord: Sendable, Equatable {
    public let id: UUID
    public let roundID: Int64?
    public let bidID: UUID
    public let offerID: UUID
    public let placingAuthority: String
    public let hostAuthority: String
    public let beds: Int
    public let distanceKm: Double
    public let weeklyRatePence: Int64
    public let status: String
    public let expiresAt: Date
    public let childConsulted: Bool?
    public let childViewsSummary: String?
    public let acceptedByKey: UUID?
    public let acceptedAt: Date?
    public let signedOffAt: Date?
    public let signOffNote: String?
    public let declinedByAuthority: String?
    public let declineReason: String?
    public let confirmedAt: Date?
    public let placementID: UUID?
    public let version: Int
    public let createdAt: Date
    public let updatedAt: Date

    /// True while the proposal still holds its beds.
    public var isLive: Bool { ["proposed", "accepted", "signed_off"].contains(status) }
}

/// A confirmed placement.
public struct PlacementRecord: Sendable, Equatable {
    public let id: UUID
    public let proposalID: UUID
    public let bidID: UUID
    public let offerID: UUID
    public let placingAuthority: String
    public let hostAuthority: String
    public let beds: Int
    public let weeklyRatePence: Int64
    public let startDate: CalendarDate
    /// The day the child leaves (the last night booked is the night before), if set.
    public let endDate: CalendarDate?
    public let version: Int
    public let createdAt: Date
    public let updatedAt: Date
}

/// Why a proposal transition was refused: each case maps to a clear HTTP answer.
public enum TransitionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The caller's side or role may not do this (403).
    case forbidden(String)
    /// The proposal is not in a state that allows it (409).
    case wrongState(String)

    public var description: String {
        switch self {
        case .forbidden(let message), .wrongState(let message): message
        }
    }
}

/// Reads proposals and placements and moves them through their lifecycle. Synchronous; run
/// inside `HearthDatabase.transaction(scope:)` with the caller's scope: row-level security
/// shows each authority only the proposals it places or hosts.
public enum ProposalRepository {
    static let columns = """
        p.id, p.round_id, p.bid_id, p.offer_id, p.placing_authority, p.host_authority, p.beds, p.distance_km, p.weekly_rate_pence,
        p.status, p.expires_at, p.child_consulted, p.child_views_summary, p.accepted_by_key, p.accepted_at, p.signed_off_at,
        p.sign_off_note, p.declined_by_authority, p.decline_reason, p.confirmed_at, p.version, p.created_at, p.updated_at,
        (SELECT pl.id FROM placements pl WHERE pl.proposal_id = p.id) AS placement_id
        """

    /// Proposals where `authority` places or hosts (all for nil), oldest first.
    public static func list(authority: String?, status: String?, limit: Int, after: ListCursor?, on connection: PostgresConnection) throws -> [ProposalRecord] {
        var parameters: [any PostgresBindable] = [authority, status, limit]
        var cursor = ""
        if let after {
            parameters += [after.createdAt, after.id]
            cursor = " AND (p.created_at, p.id) > ($4::timestamptz, $5::uuid)"
        }
        return try connection.query(
            """
            SELECT \(columns) FROM proposals p
            WHERE ($1::text IS NULL OR $1 IN (p.placing_authority, p.host_authority)) AND ($2::text IS NULL OR p.status = $2)\(cursor)
            ORDER BY p.created_at, p.id LIMIT $3
            """,
            parameters
        ).rows.map(decode)
    }

    /// One proposal the authority is party to (any for nil), optionally locked for change.
    public static func find(_ id: UUID, authority: String?, lock: Bool = false, on connection: PostgresConnection) throws -> ProposalRecord? {
        try connection.query(
            """
            SELECT \(columns) FROM proposals p
            WHERE p.id = $1 AND ($2::text IS NULL OR $2 IN (p.placing_authority, p.host_authority))\(lock ? " FOR UPDATE OF p" : "")
            """,
            [id, authority]
        ).first.map(decode)
    }

    /// The placing authority accepts, recording the child's views (placing side, `placement` role).
    public static func accept(
        _ proposal: ProposalRecord, consulted: Bool, summary: String?, caller: Caller, on connection: PostgresConnection
    ) throws -> ProposalRecord {
        try requireLive(proposal, allowed: ["proposed"], action: "accepted")
        guard caller.role == .operator || caller.authority == proposal.placingAuthority else {
            throw TransitionError.forbidden("only the placing authority accepts a proposal")
        }
        try connection.query(
            """
            UPDATE proposals SET status = 'accepted', child_consulted = $2, child_views_summary = $3, accepted_by_key = $4::uuid,
                accepted_at = now(), version = version + 1, updated_at = now() WHERE id = $1
            """,
            [proposal.id, consulted, summary, caller.keyID]
        )
        return try audited(proposal, action: "proposal.accept", caller: caller, on: connection)
    }

    /// A scrutiny key of the placing authority, not the key that accepted, signs off.
    public static func signOff(_ proposal: ProposalRecord, note: String?, caller: Caller, on connection: PostgresConnection) throws -> ProposalRecord {
        try requireLive(proposal, allowed: ["accepted"], action: "signed off")
        guard caller.role == .operator || caller.authority == proposal.placingAuthority else {
            throw TransitionError.forbidden("only the placing authority's scrutiny key signs off a proposal")
        }
        guard proposal.acceptedByKey?.postgresText != caller.keyID else {
            throw TransitionError.forbidden("the key that accepted a proposal cannot also sign it off")
        }
        try connection.query(
            """
            UPDATE proposals SET status = 'signed_off', signed_off_by_key = $2::uuid, signed_off_at = now(), sign_off_note = $3,
                version = version + 1, updated_at = now() WHERE id = $1
            """,
            [proposal.id, caller.keyID, note]
        )
        return try audited(proposal, action: "proposal.sign_off", caller: caller, on: connection)
    }

    /// Either side declines: the beds are released, the bid returns to the market and the pair
    /// is never proposed again.
    public static func decline(_ proposal: ProposalRecord, reason: String, caller: Caller, on connection: PostgresConnection) throws -> ProposalRecord {
        try requireLive(proposal, allowed: ["proposed", "accepted", "signed_off"], action: "declined")
        try connection.query(
            """
            UPDATE proposals SET status = 'declined', declined_by_authority = $2, declined_at = now(), decline_reason = $3,
                version = version + 1, updated_at = now() WHERE id = $1
            """,
            [proposal.id, caller.authority, reason]
        )
        // The exchange's own consequences touch the other side's rows: done in the `.all` scope
        // once the caller's right to decline has been checked above.
        try connection.enter(.all)
        try connection.query("UPDATE bed_occupancy SET active = false, released_at = now() WHERE proposal_id = $1 AND active", [proposal.id])
        try connection.query(
            "INSERT INTO declined_pairs (bid_id, offer_id, proposal_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [proposal.bidID, proposal.offerID, proposal.id]
        )
        try connection.query(
            "UPDATE bids SET status = 'open', version = version + 1, updated_at = now() WHERE id = $1 AND status = 'proposed'", [proposal.bidID]
        )
        return try audited(proposal, action: "proposal.decline", caller: caller, on: connection)
    }

    /// The host authority confirms from `startDate`: the holds become the placement's beds, the
    /// bid is placed. The database refuses a bed or a child booked twice for overlapping dates.
    /// (A bid withdrawn meanwhile has already withdrawn its proposal, so it cannot get here.)
    public static func confirm(
        _ proposal: ProposalRecord, startDate: CalendarDate, caller: Caller, on connection: PostgresConnection
    ) throws -> (ProposalRecord, PlacementRecord) {
        try requireLive(proposal, allowed: ["signed_off"], action: "confirmed")
        guard caller.role == .operator || caller.authority == proposal.hostAuthority else {
            throw TransitionError.forbidden("only the host authority confirms a proposal")
        }
        try connection.query(
            "UPDATE proposals SET status = 'confirmed', confirmed_at = now(), version = version + 1, updated_at = now() WHERE id = $1",
            [proposal.id]
        )
        try connection.enter(.all)
        guard let placementID = try connection.query(
            """
            INSERT INTO placements (proposal_id, bid_id, offer_id, placing_authority, host_authority, beds, weekly_rate_pence, start_date)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date) RETURNING id
            """,
            [proposal.id, proposal.bidID, proposal.offerID, proposal.placingAuthority, proposal.hostAuthority, proposal.beds,
             proposal.weeklyRatePence, startDate.iso]
        ).first.map({ try $0.uuid("id") }) else {
            throw RowDecodingError(column: "id", reason: "no placement id returned")
        }
        try connection.query(
            """
            UPDATE bed_occupancy SET kind = 'placement', placement_id = $2, during = daterange($3::date, NULL)
            WHERE proposal_id = $1 AND active
            """,
            [proposal.id, placementID, startDate.iso]
        )
        try connection.query("UPDATE bids SET status = 'placed', version = version + 1, updated_at = now() WHERE id = $1", [proposal.bidID])
        try AuditLog.record(connection, actor: caller.actor, action: "placement.create", entity: "placement", entityID: placementID.postgresText, after: "active")
        let updated = try audited(proposal, action: "proposal.confirm", caller: caller, on: connection)
        guard let placement = try PlacementRepository.find(placementID, authority: nil, on: connection) else {
            throw RowDecodingError(column: "id", reason: "placement vanished")
        }
        return (updated, placement)
    }

    private static func requireLive(_ proposal: ProposalRecord, allowed: Set<String>, action: String) throws {
        guard allowed.contains(proposal.status) else {
            throw TransitionError.wrongState("a \(proposal.status.replacingOccurrences(of: "_", with: " ")) proposal cannot be \(action)")
        }
        guard proposal.expiresAt > Date() else {
            throw TransitionError.wrongState("the proposal lapsed at \(ISO8601DateFormatter().string(from: proposal.expiresAt))")
        }
    }

    private static func audited(_ before: ProposalRecord, action: String, caller: Caller, on connection: PostgresConnection) throws -> ProposalRecord {
        guard let after = try find(before.id, authority: nil, on: connection) else {
            throw RowDecodingError(column: "id", reason: "proposal vanished")
        }
        try AuditLog.record(connection, actor: caller.actor, action: action, entity: "proposal", entityID: before.id.postgresText, before: before.status, after: after.status)
        return after
    }

    static func decode(_ row: Row) throws -> ProposalRecord {
        ProposalRecord(
            id: try row.uuid("id"), roundID: try row.optionalInt64("round_id"), bidID: try row.uuid("bid_id"), offerID: try row.uuid("offer_id"),
            placingAuthority: try row.string("placing_authority"), hostAuthority: try row.string("host_authority"), beds: try row.int("beds"),
            distanceKm: try row.double("distance_km"), weeklyRatePence: try row.int64("weekly_rate_pence"), status: try row.string("status"),
            expiresAt: try row.date("expires_at"), childConsulted: try row.optionalBool("child_consulted"),
            childViewsSummary: try row.optionalString("child_views_summary"), acceptedByKey: try row.optionalUUID("accepted_by_key"),
            acceptedAt: try row.optionalDate("accepted_at"), signedOffAt: try row.optionalDate("signed_off_at"),
            signOffNote: try row.optionalString("sign_off_note"), declinedByAuthority: try row.optionalString("declined_by_authority"),
            declineReason: try row.optionalString("decline_reason"), confirmedAt: try row.optionalDate("confirmed_at"),
            placementID: try row.optionalUUID("placement_id"), version: try row.int("version"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at")
        )
    }
}

/// Reads and ends placements.
public enum PlacementRepository {
    static let columns = """
        id, proposal_id, bid_id, offer_id, placing_authority, host_authority, beds, weekly_rate_pence, start_date, end_date,
        version, created_at, updated_at
        """

    /// Placements where `authority` places or hosts (all for nil), oldest first.
    public static func list(authority: String?, limit: Int, after: ListCursor?, on connection: PostgresConnection) throws -> [PlacementRecord] {
        var parameters: [any PostgresBindable] = [authority, limit]
        var cursor = ""
        if let after {
            parameters += [after.createdAt, after.id]
            cursor = " AND (created_at, id) > ($3::timestamptz, $4::uuid)"
        }
        return try connection.query(
            """
            SELECT \(columns) FROM placements WHERE ($1::text IS NULL OR $1 IN (placing_authority, host_authority))\(cursor)
            ORDER BY created_at, id LIMIT $2
            """,
            parameters
        ).rows.map(decode)
    }

    /// One placement the authority is party to (any for nil).
    public static func find(_ id: UUID, authority: String?, lock: Bool = false, on connection: PostgresConnection) throws -> PlacementRecord? {
        try connection.query(
            "SELECT \(columns) FROM placements WHERE id = $1 AND ($2::text IS NULL OR $2 IN (placing_authority, host_authority))\(lock ? " FOR UPDATE" : "")",
            [id, authority]
        ).first.map(decode)
    }

    /// Ends a placement on `endDate` (the day the child leaves; may be in the past): its beds
    /// are free from that day. Settlement reverses any nights already booked from then on.
    public static func end(_ placement: PlacementRecord, on endDate: CalendarDate, caller: Caller, on connection: PostgresConnection) throws -> PlacementRecord {
        guard placement.endDate == nil else {
            throw TransitionError.wrongState("the placement already ended on \(placement.endDate!.iso)")
        }
        guard endDate >= placement.startDate else {
            throw TransitionError.wrongState("a placement cannot end before it started (\(placement.startDate.iso))")
        }
        try connection.query("UPDATE placements SET end_date = $2::date, version = version + 1, updated_at = now() WHERE id = $1", [placement.id, endDate.iso])
        try connection.enter(.all)
        // Ending on the first day means the child never stayed a night: the beds are released.
        try connection.query(
            """
            UPDATE bed_occupancy
            SET during = CASE WHEN $2::date > lower(during) THEN daterange(lower(during), $2::date) ELSE during END,
                active = $2::date > lower(during),
                released_at = CASE WHEN $2::date > lower(during) THEN released_at ELSE now() END
            WHERE placement_id = $1 AND active
            """,
            [placement.id, endDate.iso]
        )
        try AuditLog.record(connection, actor: caller.actor, action: "placement.end", entity: "placement", entityID: placement.id.postgresText, before: "active", after: "ended")
        guard let ended = try find(placement.id, authority: nil, on: connection) else {
            throw RowDecodingError(column: "id", reason: "placement vanished")
        }
        return ended
    }

    static func decode(_ row: Row) throws -> PlacementRecord {
        guard let start = CalendarDate(iso: try row.string("start_date")) else { throw RowDecodingError(column: "start_date", reason: "not a date") }
        return PlacementRecord(
            id: try row.uuid("id"), proposalID: try row.uuid("proposal_id"), bidID: try row.uuid("bid_id"), offerID: try row.uuid("offer_id"),
            placingAuthority: try row.string("placing_authority"), hostAuthority: try row.string("host_authority"), beds: try row.int("beds"),
            weeklyRatePence: try row.int64("weekly_rate_pence"), startDate: start,
            endDate: try row.optionalString("end_date").flatMap(CalendarDate.init(iso:)), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }
}
