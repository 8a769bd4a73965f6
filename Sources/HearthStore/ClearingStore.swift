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

/// The market as one bid's explanation sees it (`ClearingStore.market(around:today:on:)`).
public struct BidMarket: Sendable {
    /// Every open offer with its beds free from today on.
    public let offers: [ClearingOffer]
    /// Each open offer's beds in all.
    public let capacities: [UUID: Int]
    /// Where the bid's own live proposal holds beds, if anywhere.
    public let proposedOffer: UUID?
    /// Pairs of this bid declined before.
    public let declined: Set<DeclinedPair>
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
    /// Open bids with their children's rankings, open offers with the beds free from `today`
    /// onwards, and declined pairs. Run in a REPEATABLE READ transaction so all come from one moment.
    public static func snapshot(today: CalendarDate, on connection: PostgresConnection) throws -> MarketSnapshot {
        let records = try BidRepository.allOpen(on: connection)
        let rankings = try BidPreferenceRepository.openRankings(on: connection)
        let bids = records.map { record in
            var bid = record.clearingBid
            bid.ranking = rankings[record.id]
            return bid
        }
        let versions = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0.version) })
        let offers = try openOffers(today: today, on: connection).filter { $0.freeBeds > 0 }
        let declinedRows = try connection.run(
            "SELECT d.bid_id, d.offer_id FROM declined_pairs d JOIN bids b ON b.id = d.bid_id WHERE b.status = \(BidStatus.open.rawValue)"
        )
        let declined = Set(try declinedRows.rows.map { DeclinedPair(bidID: try $0.uuid("bid_id"), offerID: try $0.uuid("offer_id")) })
        return MarketSnapshot(instance: ClearingInstance(bids: bids, offers: offers, declined: declined, today: today), bidVersions: versions)
    }

    /// What one bid's explanation weighs: every open offer with its free beds, the offers'
    /// capacities, where the bid's own live proposal holds beds, and the pairs it declined.
    /// Run in a REPEATABLE READ transaction with the bid's owner's scope (it moves to `.all` to
    /// count other children's holds, which it never returns).
    public static func market(around bid: Bid, today: CalendarDate, on connection: PostgresConnection) throws -> BidMarket {
        let declined = Set(
            try connection.run("SELECT offer_id FROM declined_pairs WHERE bid_id = \(bid.id)").rows.map {
                DeclinedPair(bidID: bid.id, offerID: try $0.uuid("offer_id"))
            }
        )
        let proposedOffer = try ProposalRepository.liveOffer(forBid: bid.id, on: connection)
        try connection.enter(.all)
        let offers = try openOffers(today: today, on: connection)
        let capacities = Dictionary(
            uniqueKeysWithValues: try connection.run("SELECT id, capacity FROM offers WHERE status = \(OfferStatus.open.rawValue)").rows.map {
                (try $0.uuid("id"), try $0.int("capacity"))
            }
        )
        return BidMarket(offers: offers, capacities: capacities, proposedOffer: proposedOffer, declined: declined)
    }

    /// Every open offer with its beds free from `today` onwards (possibly none): its capacity
    /// less the beds held or placed from `today` on (see `OfferRepository`).
    public static func openOffers(today: CalendarDate, on connection: PostgresConnection) throws -> [ClearingOffer] {
        let offerRows = try connection.run(
            """
            SELECT o.id, o.authority, o.setting, o.needs_supported, o.age_min, o.age_max, o.sexes_accepted, o.lat, o.lon,
                   o.available_from, o.available_until, o.weekly_rate_pence,
                   greatest(0, o.capacity - (SELECT count(DISTINCT x.bed_no) FROM bed_occupancy x
                                             WHERE x.offer_id = o.id AND x.active AND x.during && daterange(\(today.iso)::date, NULL))) AS free_beds
            FROM offers o WHERE o.status = \(OfferStatus.open.rawValue) ORDER BY o.created_at, o.id
            """
        )
        return try offerRows.rows.map { row in
            ClearingOffer(
                id: try row.uuid("id"), authority: try row.string("authority"),
                setting: try Setting(rawValue: try row.string("setting")).orThrow("setting"),
                needsSupported: Set(try row.stringArray("needs_supported").map { try Need(rawValue: $0).orThrow("needs_supported") }),
                ageMin: try row.int("age_min"), ageMax: try row.int("age_max"),
                sexesAccepted: Set(try row.stringArray("sexes_accepted").map { try Sex(rawValue: $0).orThrow("sexes_accepted") }),
                location: Coordinate(lat: try row.double("lat"), lon: try row.double("lon")), availableFrom: try row.calendarDate("available_from"),
                availableUntil: try row.optionalCalendarDate("available_until"),
                weeklyRatePence: try row.int64("weekly_rate_pence"), freeBeds: try row.int("free_beds")
            )
        }
    }

    /// Writes a round's proposals, each holding its beds and carrying its options from
    /// `alternatives`, after checking that its bid is still open at the snapshot's version and
    /// its offer still has the beds; others are skipped. Then records what became of every
    /// ranked choice whose ranking is still the one the round weighed.
    public static func commit(
        _ proposals: [ClearingProposal], alternatives: [BidAlternatives] = [], snapshot: MarketSnapshot, roundID: Int64, expiresInSeconds: Int,
        on connection: PostgresConnection
    ) throws -> CommittedProposals {
        let bidsByID = Dictionary(uniqueKeysWithValues: snapshot.instance.bids.map { ($0.id, $0) })
        let offersByID = Dictionary(uniqueKeysWithValues: snapshot.instance.offers.map { ($0.id, $0) })
        let optionsByBid = Dictionary(uniqueKeysWithValues: alternatives.map { ($0.bidID, $0.options) })
        let today = snapshot.instance.today
        var placed: [UUID] = []
        var skipped = 0
        for proposal in proposals {
            guard let bid = bidsByID[proposal.bidID], let version = snapshot.bidVersions[proposal.bidID] else {
                skipped += 1
                continue
            }
            let current = try connection.first("SELECT version, status FROM bids WHERE id = \(proposal.bidID) FOR UPDATE")
            guard let current, try current.string("status") == BidStatus.open.rawValue, try current.int("version") == version else {
                skipped += 1
                continue
            }
            guard let offer = try connection.first(
                "SELECT authority, status, capacity FROM offers WHERE id = \(proposal.offerID) FOR UPDATE"
            ), try offer.string("status") == OfferStatus.open.rawValue else {
                skipped += 1
                continue
            }
            let start = max(bid.neededBy, today)
            let taken = try OfferRepository.takenBeds(of: proposal.offerID, today: start, on: connection)
            let beds = try connection.run(
                """
                SELECT b.bed_no FROM beds b
                WHERE b.offer_id = \(proposal.offerID)
                  AND NOT EXISTS (SELECT 1 FROM bed_occupancy x WHERE x.offer_id = b.offer_id AND x.bed_no = b.bed_no
                                    AND x.active AND x.during && daterange(\(start.iso)::date, NULL))
                ORDER BY b.bed_no LIMIT \(bid.groupSize)
                """
            ).rows.map { try $0.int("bed_no") }
            guard try offer.int("capacity") - taken >= bid.groupSize, beds.count == bid.groupSize else {
                skipped += 1
                continue
            }
            let options = try RecordJSON.text((optionsByBid[proposal.bidID] ?? []).compactMap { option in
                offersByID[option.offerID].map { ProposalOptionRecord(option, offer: $0) }
            })
            let proposalID = try connection.one(
                """
                INSERT INTO proposals (round_id, bid_id, offer_id, placing_authority, host_authority, beds, distance_km,
                                       weekly_rate_pence, expires_at, options)
                VALUES (\(roundID), \(proposal.bidID), \(proposal.offerID), \(bid.authority), \(try offer.string("authority")),
                        \(bid.groupSize), \((proposal.distanceKm * 1000).rounded() / 1000), \(proposal.weeklyRatePence),
                        now() + make_interval(secs => \(expiresInSeconds)), \(options)::jsonb)
                RETURNING id
                """
            ).uuid("id")
            for bed in beds {
                try connection.run(
                    """
                    INSERT INTO bed_occupancy (offer_id, bed_no, during, kind, proposal_id)
                    VALUES (\(proposal.offerID), \(bed), daterange(\(start.iso)::date, NULL), 'hold', \(proposalID))
                    """
                )
            }
            try connection.run(
                "UPDATE bids SET status = \(BidStatus.proposed.rawValue), version = version + 1, updated_at = now() WHERE id = \(proposal.bidID)"
            )
            try AuditLog.record(
                connection, actor: .daemon, action: "proposal.create", entity: "proposal", entityID: proposalID.postgresText, after: ProposalStatus.proposed.rawValue,
                detailJSON: #"{"round_id":\#(roundID)}"#
            )
            placed.append(proposal.bidID)
        }
        let rankings = snapshot.instance.bids.reduce(into: [UUID: [UUID]]()) { rankings, bid in
            if let ranking = bid.ranking, !ranking.isEmpty { rankings[bid.id] = ranking }
        }
        try BidPreferenceRepository.recordOutcomes(alternatives, rankings: rankings, roundID: roundID, on: connection)
        return CommittedProposals(placedBidIDs: placed, skipped: skipped)
    }

    /// Lapses live proposals past `expires_at`: releases their beds and reopens their bids,
    /// audited as the daemon's work. Returns how many lapsed.
    public static func lapseExpired(on connection: PostgresConnection) throws -> Int {
        try ProposalRepository.lapseExpired(actor: .daemon, on: connection)
    }
}
