import Foundation
import HearthCore
import LibPQ

/// Reads proposals and placements and persists their lifecycle: the transitions themselves
/// (who may, from which status, the start-date rule) are `Proposal`'s and `Placement`'s.
/// Synchronous; run inside `HearthDatabase.transaction(scope:)` with the caller's scope:
/// row-level security shows each authority only the proposals it places or hosts.
public enum ProposalRepository {
    static let columns = """
        p.id, p.round_id, p.bid_id, p.offer_id, p.placing_authority, p.host_authority, p.beds, p.distance_km, p.weekly_rate_pence,
        p.status, p.expires_at, p.child_consulted, p.child_views_summary, p.accepted_by_key, p.accepted_by_user, p.accepted_at,
        p.signed_off_by_key, p.signed_off_by_user, p.signed_off_at, p.sign_off_note, p.declined_by_authority, p.declined_at, p.decline_reason, p.confirmed_at, p.version,
        p.created_at, p.updated_at, (SELECT pl.id FROM placements pl WHERE pl.proposal_id = p.id) AS placement_id
        """

    /// The live statuses as a bound SQL list, for `status IN (…)`.
    static var liveStatuses: PostgresQuery {
        PostgresQuery.joined(ProposalStatus.live.map { status -> PostgresQuery in "\(status.rawValue)" }, separator: ", ")
    }

    /// Proposals where `authority` places or hosts (all for nil), oldest first.
    public static func list(
        authority: String?, status: ProposalStatus?, limit: Int, after: ListCursor?, on connection: PostgresConnection
    ) throws -> [Proposal] {
        var conditions: [PostgresQuery] = [
            "(\(authority)::text IS NULL OR \(authority) IN (p.placing_authority, p.host_authority))",
        ]
        if let status { conditions.append("p.status = \(status.rawValue)") }
        if let after { conditions.append("(p.created_at, p.id) > (\(after.createdAt)::timestamptz, \(after.id)::uuid)") }
        return try connection.run(
            """
            SELECT \(unescaped: columns) FROM proposals p WHERE \(PostgresQuery.joined(conditions, separator: " AND "))
            ORDER BY p.created_at, p.id LIMIT \(limit)
            """
        ).rows.map(decode)
    }

    /// One proposal the authority is party to (any for nil), optionally locked for change.
    public static func find(_ id: UUID, authority: String?, lock: Bool = false, on connection: PostgresConnection) throws -> Proposal? {
        try connection.first(
            """
            SELECT \(unescaped: columns) FROM proposals p
            WHERE p.id = \(id) AND (\(authority)::text IS NULL OR \(authority) IN (p.placing_authority, p.host_authority))\
            \(unescaped: lock ? " FOR UPDATE OF p" : "")
            """
        ).map(decode)
    }

    /// The offer's id of `bid`'s live proposal, if it has one.
    public static func liveOffer(forBid bid: UUID, on connection: PostgresConnection) throws -> UUID? {
        try connection.first("SELECT offer_id FROM proposals WHERE bid_id = \(bid) AND status IN (\(liveStatuses))").map { try $0.uuid("offer_id") }
    }

    /// The placing authority accepts, recording the child's views (see `Proposal.accepted`).
    public static func accept(_ proposal: Proposal, views: ChildViews, caller: Caller, on connection: PostgresConnection) throws -> Proposal {
        let offer = try OfferRepository.find(proposal.offerID, on: connection)
        let next = try proposal.accepted(views: views, by: caller.agent, offer: offer?.status, at: Date())
        return try save(next, from: proposal, action: "proposal.accept", actor: caller.actor, on: connection)
    }

    /// A scrutiny key of the placing authority, not the key that accepted, signs off.
    public static func signOff(_ proposal: Proposal, note: String?, caller: Caller, on connection: PostgresConnection) throws -> Proposal {
        let offer = try OfferRepository.find(proposal.offerID, on: connection)
        let next = try proposal.signedOff(note: note, by: caller.agent, offer: offer?.status, at: Date())
        return try save(next, from: proposal, action: "proposal.sign_off", actor: caller.actor, on: connection)
    }

    /// Either side declines: the beds are released, the bid returns to the market and the pair
    /// is never proposed again.
    public static func decline(_ proposal: Proposal, reason: String, caller: Caller, on connection: PostgresConnection) throws -> Proposal {
        let next = try proposal.declined(reason: reason, by: caller.agent, at: Date())
        let saved = try save(next, from: proposal, action: "proposal.decline", actor: caller.actor, on: connection)
        try release(proposal.id, on: connection)
        try connection.run(
            "INSERT INTO declined_pairs (bid_id, offer_id, proposal_id) VALUES (\(proposal.bidID), \(proposal.offerID), \(proposal.id)) ON CONFLICT DO NOTHING"
        )
        try reopenBid(after: proposal.id, on: connection)
        return saved
    }

    /// The host authority confirms from `startDate` (see `Proposal.confirmed` for the rules):
    /// the holds become the placement's beds, the bid is placed. The database refuses a bed or
    /// a child booked twice for overlapping dates.
    public static func confirm(
        _ proposal: Proposal, startDate: CalendarDate, caller: Caller, on connection: PostgresConnection
    ) throws -> (Proposal, Placement) {
        let offer = try OfferRepository.find(proposal.offerID, on: connection)
        let next = try proposal.confirmed(startDate: startDate, by: caller.agent, offer: offer, at: Date())
        try write(next, from: proposal, on: connection)
        let placementID = try connection.one(
            """
            INSERT INTO placements (proposal_id, bid_id, offer_id, placing_authority, host_authority, beds, weekly_rate_pence, start_date)
            VALUES (\(proposal.id), \(proposal.bidID), \(proposal.offerID), \(proposal.placingAuthority), \(proposal.hostAuthority),
                    \(proposal.beds), \(proposal.weeklyRatePence), \(startDate.iso)::date)
            RETURNING id
            """
        ).uuid("id")
        try connection.run(
            """
            UPDATE bed_occupancy SET kind = 'placement', placement_id = \(placementID), during = daterange(\(startDate.iso)::date, NULL)
            WHERE proposal_id = \(proposal.id) AND active
            """
        )
        // The bid is the placing authority's: the database's own function places it, having
        // checked that this scope hosts the confirmed proposal (Migrations/0007).
        try connection.run("SELECT hearth_place_bid_for(\(proposal.id))")
        try AuditLog.record(
            connection, actor: caller.actor, action: "placement.create", entity: "placement", entityID: placementID.postgresText,
            after: PlacementStatus.active.rawValue
        )
        let updated = try reread(proposal, action: "proposal.confirm", actor: caller.actor, on: connection)
        guard let placement = try PlacementRepository.find(placementID, authority: nil, on: connection) else {
            throw RowDecodingError(column: "id", reason: "placement vanished")
        }
        return (updated, placement)
    }

    /// Withdraws every live proposal matching `condition` (`"bid_id = \(id)"`), because its bid
    /// or its offer was withdrawn: each is audited, its beds freed and, with `reopenBids`, its
    /// bid returned to the market. Stays in the caller's scope (the proposals are the caller's).
    static func withdrawLive(_ condition: PostgresQuery, reopenBids: Bool, actor: Actor, on connection: PostgresConnection) throws {
        let live = try connection.run(
            "SELECT \(unescaped: columns) FROM proposals p WHERE \(condition) AND p.status IN (\(liveStatuses)) FOR UPDATE OF p"
        ).rows.map(decode)
        for proposal in live {
            try write(try proposal.withdrawn(), from: proposal, on: connection)
            try release(proposal.id, on: connection)
            if reopenBids { try reopenBid(after: proposal.id, on: connection) }
            try AuditLog.record(
                connection, actor: actor, action: "proposal.withdraw", entity: "proposal", entityID: proposal.id.postgresText,
                before: proposal.status.rawValue, after: ProposalStatus.withdrawn.rawValue
            )
        }
    }

    /// Lapses live proposals past `expires_at`: releases their beds and reopens their bids.
    /// Returns how many lapsed. Expects the `.all` scope.
    static func lapseExpired(actor: Actor, on connection: PostgresConnection) throws -> Int {
        let now = Date()
        let due = try connection.run(
            """
            SELECT \(unescaped: columns) FROM proposals p
            WHERE p.status IN (\(liveStatuses)) AND p.expires_at <= \(now)::timestamptz FOR UPDATE OF p
            """
        ).rows.map(decode)
        for proposal in due {
            try write(try proposal.lapsed(at: now), from: proposal, on: connection)
            try release(proposal.id, on: connection)
            try reopenBid(after: proposal.id, on: connection)
            try AuditLog.record(
                connection, actor: actor, action: "proposal.lapse", entity: "proposal", entityID: proposal.id.postgresText,
                before: proposal.status.rawValue, after: ProposalStatus.lapsed.rawValue
            )
        }
        return due.count
    }

    /// Writes a transition's result and audits it, answering with the proposal as stored.
    private static func save(_ next: Proposal, from current: Proposal, action: String, actor: Actor, on connection: PostgresConnection) throws -> Proposal {
        try write(next, from: current, on: connection)
        return try reread(current, action: action, actor: actor, on: connection)
    }

    /// Writes the lifecycle columns of `next` over `current`, bumping the version.
    private static func write(_ next: Proposal, from current: Proposal, on connection: PostgresConnection) throws {
        try connection.run(
            """
            UPDATE proposals SET status = \(next.status.rawValue), child_consulted = \(next.childViews?.consulted),
                child_views_summary = \(next.childViews?.summary), accepted_by_key = \(next.acceptedBy?.keyID)::uuid,
                accepted_by_user = \(next.acceptedBy?.personID)::uuid, accepted_at = \(next.acceptedAt)::timestamptz,
                signed_off_by_key = \(next.signedOffBy?.keyID)::uuid, signed_off_by_user = \(next.signedOffBy?.personID)::uuid,
                signed_off_at = \(next.signedOffAt)::timestamptz, sign_off_note = \(next.signOffNote),
                declined_by_authority = \(next.declinedBy), declined_at = \(next.declinedAt)::timestamptz,
                decline_reason = \(next.declineReason), confirmed_at = \(next.confirmedAt)::timestamptz,
                version = version + 1, updated_at = now()
            WHERE id = \(current.id)
            """
        )
    }

    /// Frees the beds a proposal holds.
    private static func release(_ proposal: UUID, on connection: PostgresConnection) throws {
        try connection.run("UPDATE bed_occupancy SET active = false, released_at = now() WHERE proposal_id = \(proposal) AND active")
    }

    /// Returns the bid of an ended proposal to the market if it is still `proposed`. The bid may
    /// be the other party's: the database's own function changes it, having checked that this
    /// scope is a party to the proposal and that the proposal has ended (Migrations/0007).
    private static func reopenBid(after proposal: UUID, on connection: PostgresConnection) throws {
        try connection.run("SELECT hearth_reopen_bid_after(\(proposal))")
        connection.marketChanged()
    }

    private static func reread(_ before: Proposal, action: String, actor: Actor, on connection: PostgresConnection) throws -> Proposal {
        guard let after = try find(before.id, authority: nil, on: connection) else {
            throw RowDecodingError(column: "id", reason: "proposal vanished")
        }
        try AuditLog.record(
            connection, actor: actor, action: action, entity: "proposal", entityID: before.id.postgresText, before: before.status.rawValue,
            after: after.status.rawValue
        )
        return after
    }

    static func decode(_ row: Row) throws -> Proposal {
        let consulted = try row.optionalBool("child_consulted")
        return Proposal(
            id: try row.uuid("id"), roundID: try row.optionalInt64("round_id"), bidID: try row.uuid("bid_id"), offerID: try row.uuid("offer_id"),
            placingAuthority: try row.string("placing_authority"), hostAuthority: try row.string("host_authority"), beds: try row.int("beds"),
            distanceKm: try row.double("distance_km"), weeklyRatePence: try row.int64("weekly_rate_pence"),
            status: try ProposalStatus(rawValue: try row.string("status")).orThrow("status"), expiresAt: try row.date("expires_at"),
            childViews: try consulted.map { ChildViews(consulted: $0, summary: try row.optionalString("child_views_summary")) },
            acceptedBy: try credential(row, key: "accepted_by_key", person: "accepted_by_user"), acceptedAt: try row.optionalDate("accepted_at"),
            signedOffBy: try credential(row, key: "signed_off_by_key", person: "signed_off_by_user"),
            signedOffAt: try row.optionalDate("signed_off_at"),
            signOffNote: try row.optionalString("sign_off_note"), declinedBy: try row.optionalString("declined_by_authority"),
            declinedAt: try row.optionalDate("declined_at"), declineReason: try row.optionalString("decline_reason"),
            confirmedAt: try row.optionalDate("confirmed_at"), placementID: try row.optionalUUID("placement_id"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
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
    public static func list(authority: String?, limit: Int, after: ListCursor?, on connection: PostgresConnection) throws -> [Placement] {
        var conditions: [PostgresQuery] = ["(\(authority)::text IS NULL OR \(authority) IN (placing_authority, host_authority))"]
        if let after { conditions.append("(created_at, id) > (\(after.createdAt)::timestamptz, \(after.id)::uuid)") }
        return try connection.run(
            """
            SELECT \(unescaped: columns) FROM placements WHERE \(PostgresQuery.joined(conditions, separator: " AND "))
            ORDER BY created_at, id LIMIT \(limit)
            """
        ).rows.map(decode)
    }

    /// One placement the authority is party to (any for nil).
    public static func find(_ id: UUID, authority: String?, lock: Bool = false, on connection: PostgresConnection) throws -> Placement? {
        try connection.first(
            """
            SELECT \(unescaped: columns) FROM placements
            WHERE id = \(id) AND (\(authority)::text IS NULL OR \(authority) IN (placing_authority, host_authority))\(unescaped: lock ? " FOR UPDATE" : "")
            """
        ).map(decode)
    }

    /// Ends a placement on `endDate` (the day the child leaves; may be in the past; see
    /// `Placement.ended`): its beds are free from that day. Settlement reverses any nights
    /// already booked from then on.
    public static func end(_ placement: Placement, on endDate: CalendarDate, caller: Caller, on connection: PostgresConnection) throws -> Placement {
        let next = try placement.ended(on: endDate, by: caller.agent)
        try connection.run(
            "UPDATE placements SET end_date = \(next.endDate?.iso)::date, version = version + 1, updated_at = now() WHERE id = \(placement.id)"
        )
        // Ending on the first day means the child never stayed a night: the beds are released.
        let end = endDate.iso
        try connection.run(
            """
            UPDATE bed_occupancy
            SET during = CASE WHEN \(end)::date > lower(during) THEN daterange(lower(during), \(end)::date) ELSE during END,
                active = \(end)::date > lower(during),
                released_at = CASE WHEN \(end)::date > lower(during) THEN released_at ELSE now() END
            WHERE placement_id = \(placement.id) AND active
            """
        )
        try AuditLog.record(
            connection, actor: caller.actor, action: "placement.end", entity: "placement", entityID: placement.id.postgresText,
            before: placement.status.rawValue, after: next.status.rawValue
        )
        guard let ended = try find(placement.id, authority: nil, on: connection) else {
            throw RowDecodingError(column: "id", reason: "placement vanished")
        }
        return ended
    }

    static func decode(_ row: Row) throws -> Placement {
        Placement(
            id: try row.uuid("id"), proposalID: try row.uuid("proposal_id"), bidID: try row.uuid("bid_id"), offerID: try row.uuid("offer_id"),
            placingAuthority: try row.string("placing_authority"), hostAuthority: try row.string("host_authority"), beds: try row.int("beds"),
            weeklyRatePence: try row.int64("weekly_rate_pence"), startDate: try row.calendarDate("start_date"),
            endDate: try row.optionalCalendarDate("end_date"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }
}

extension ProposalRepository {
    /// The key or the person in a pair of columns (at most one is set).
    fileprivate static func credential(_ row: Row, key: String, person: String) throws -> Credential? {
        if let id = try row.optionalUUID(key) { return .apiKey(id.uuidString.lowercased()) }
        return try row.optionalUUID(person).map { .person($0.uuidString.lowercased()) }
    }
}

extension Credential {
    /// The key's id, nil for a person.
    public var keyID: String? {
        if case .apiKey(let id) = self { id } else { nil }
    }

    /// The person's id, nil for a key.
    public var personID: String? {
        if case .person(let id) = self { id } else { nil }
    }
}
