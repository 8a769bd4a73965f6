import Foundation
import HearthCore
import LibPQ

/// A consistent picture of the market for one clearing round, with what is needed to check at
/// commit time that nothing changed underneath.
public struct MarketSnapshot: Sendable {
    /// The solver's input.
    public let instance: ClearingInstance
    /// Each open bid's version when the snapshot was taken.
    public let bidVersions: [UUID: Int]
}

/// What committing a round's result did.
public struct CommittedProposals: Sendable, Equatable {
    /// The bids proposed, in the order committed.
    public let placedBidIDs: [UUID]
    /// Proposals created.
    public var created: Int { placedBidIDs.count }
    /// Proposals dropped because the bid or offer changed since the snapshot.
    public let skipped: Int
}

/// Reads snapshots and writes proposals for clearing rounds. Synchronous; every call expects
/// the `.all` scope (`HearthDatabase.transaction(scope: .all)`).
public enum ClearingStore {
    /// Open bids, open offers with the beds free from `today` onwards, and declined pairs.
    /// Run in a REPEATABLE READ transaction so all three come from one moment.
    public static func snapshot(today: CalendarDate, on connection: PostgresConnection) throws -> MarketSnapshot {
        let records = try BidRepository.allOpen(on: connection)
        let bids = records.map(\.clearingBid)
        let versions = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0.version) })
        let offers = try openOffers(today: today, on: connection).filter { $0.freeBeds > 0 }
        let declinedRows = try connection.query(
            "SELECT d.bid_id, d.offer_id FROM declined_pairs d JOIN bids b ON b.id = d.bid_id WHERE b.status = 'open'"
        )
        let declined = Set(try declinedRows.rows.map { DeclinedPair(bidID: try $0.uuid("bid_id"), offerID: try $0.uuid("offer_id")) })
        return MarketSnapshot(instance: ClearingInstance(bids: bids, offers: offers, declined: declined, today: today), bidVersions: versions)
    }

    /// Every open offer with its beds free from `today` onwards (possibly none).
    public static func openOffers(today: CalendarDate, on connection: PostgresConnection) throws -> [ClearingOffer] {
        let offerRows = try connection.query(
            """
            SELECT o.id, o.authority, o.setting, o.needs_supported, o.age_min, o.age_max, o.sexes_accepted, o.lat, o.lon,
                   o.available_from, o.available_until, o.weekly_rate_pence,
                   (SELECT count(*) FROM beds b WHERE b.offer_id = o.id AND b.bed_no <= o.capacity
                      AND NOT EXISTS (SELECT 1 FROM bed_occupancy x WHERE x.offer_id = b.offer_id AND x.bed_no = b.bed_no
                                        AND x.active AND x.during && daterange($1::date, NULL))) AS free_beds
            FROM offers o WHERE o.status = 'open' ORDER BY o.created_at, o.id
            """,
            [today.iso]
        )
        return try offerRows.rows.map { row in
            guard let from = CalendarDate(iso: try row.string("available_from")) else {
                throw RowDecodingError(column: "available_from", reason: "not a date")
            }
            return ClearingOffer(
                id: try row.uuid("id"), authority: try row.string("authority"),
                setting: try Setting(rawValue: try row.string("setting")).orThrow("setting"),
                needsSupported: Set(try row.stringArray("needs_supported").map { try Need(rawValue: $0).orThrow("needs_supported") }),
                ageMin: try row.int("age_min"), ageMax: try row.int("age_max"),
                sexesAccepted: Set(try row.stringArray("sexes_accepted").map { try Sex(rawValue: $0).orThrow("sexes_accepted") }),
                location: Coordinate(lat: try row.double("lat"), lon: try row.double("lon")), availableFrom: from,
                availableUntil: try row.optionalString("available_until").flatMap(CalendarDate.init(iso:)),
                weeklyRatePence: try row.int64("weekly_rate_pence"), freeBeds: try row.int("free_beds")
            )
        }
    }

    /// Writes a round's proposals, each holding its beds, after checking that its bid is still
    /// open at the snapshot's version and its offer still has the beds; others are skipped.
    public static func commit(
        _ proposals: [ClearingProposal], snapshot: MarketSnapshot, roundID: Int64, expiresInSeconds: Int, on connection: PostgresConnection
    ) throws -> CommittedProposals {
        let bidsByID = Dictionary(uniqueKeysWithValues: snapshot.instance.bids.map { ($0.id, $0) })
        let today = snapshot.instance.today
        var placed: [UUID] = []
        var skipped = 0
        for proposal in proposals {
            guard let bid = bidsByID[proposal.bidID], let version = snapshot.bidVersions[proposal.bidID] else {
                skipped += 1
                continue
            }
            let current = try connection.query(
                "SELECT version, status FROM bids WHERE id = $1 FOR UPDATE", [proposal.bidID]
            ).first
            guard let current, try current.string("status") == "open", try current.int("version") == version else {
                skipped += 1
                continue
            }
            guard let offer = try connection.query(
                "SELECT authority, status FROM offers WHERE id = $1 FOR UPDATE", [proposal.offerID]
            ).first, try offer.string("status") == "open" else {
                skipped += 1
                continue
            }
            let start = max(bid.neededBy, today)
            let beds = try connection.query(
                """
                SELECT b.bed_no FROM beds b JOIN offers o ON o.id = b.offer_id
                WHERE b.offer_id = $1 AND b.bed_no <= o.capacity
                  AND NOT EXISTS (SELECT 1 FROM bed_occupancy x WHERE x.offer_id = b.offer_id AND x.bed_no = b.bed_no
                                    AND x.active AND x.during && daterange($2::date, NULL))
                ORDER BY b.bed_no LIMIT $3
                """,
                [proposal.offerID, start.iso, bid.groupSize]
            ).rows.map { try $0.int("bed_no") }
            guard beds.count == bid.groupSize else {
                skipped += 1
                continue
            }
            let proposalID = try connection.query(
                """
                INSERT INTO proposals (round_id, bid_id, offer_id, placing_authority, host_authority, beds, distance_km,
                                       weekly_rate_pence, expires_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9))
                RETURNING id
                """,
                [
                    roundID, proposal.bidID, proposal.offerID, bid.authority, try offer.string("authority"), bid.groupSize,
                    (proposal.distanceKm * 1000).rounded() / 1000, proposal.weeklyRatePence, expiresInSeconds,
                ]
            ).first.map { try $0.string("id") }
            for bed in beds {
                try connection.query(
                    "INSERT INTO bed_occupancy (offer_id, bed_no, during, kind, proposal_id) VALUES ($1, $2, daterange($3::date, NULL), 'hold', $4)",
                    [proposal.offerID, bed, start.iso, proposalID]
                )
            }
            try connection.query("UPDATE bids SET status = 'proposed', version = version + 1, updated_at = now() WHERE id = $1", [proposal.bidID])
            try AuditLog.record(
                connection, actor: .daemon, action: "proposal.create", entity: "proposal", entityID: proposalID, after: "proposed",
                detailJSON: #"{"round_id":\#(roundID)}"#
            )
            placed.append(proposal.bidID)
        }
        return CommittedProposals(placedBidIDs: placed, skipped: skipped)
    }

    /// Lapses live proposals past `expires_at`: releases their beds and reopens their bids.
    /// Returns how many lapsed.
    public static func lapseExpired(on connection: PostgresConnection) throws -> Int {
        let lapsed = try connection.query(
            """
            WITH due AS (
                SELECT id, status FROM proposals
                WHERE status IN ('proposed', 'accepted', 'signed_off') AND expires_at <= now() FOR UPDATE
            )
            UPDATE proposals p SET status = 'lapsed', version = p.version + 1, updated_at = now()
            FROM due WHERE p.id = due.id
            RETURNING p.id, p.bid_id, due.status AS previous
            """
        )
        for row in lapsed.rows {
            let id = try row.string("id")
            try connection.query("UPDATE bed_occupancy SET active = false, released_at = now() WHERE proposal_id = $1::uuid AND active", [id])
            try connection.query(
                "UPDATE bids SET status = 'open', version = version + 1, updated_at = now() WHERE id = $1::uuid AND status = 'proposed'",
                [try row.string("bid_id")]
            )
            try AuditLog.record(connection, actor: .daemon, action: "proposal.lapse", entity: "proposal", entityID: id, before: try row.string("previous"), after: "lapsed")
        }
        return lapsed.rows.count
    }
}
