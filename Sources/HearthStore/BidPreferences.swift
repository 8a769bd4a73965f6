import Foundation
import HearthCore
import LibPQ

/// A bid's stored preferences: the child's views, their ranking, and what the last round that
/// saw the ranking made of each choice.
public struct BidPreferencesRecord: Sendable, Equatable {
    /// The bid.
    public let bidID: UUID
    /// The views and the ranking.
    public let preferences: ChildPreferences
    /// Bumped by every save (`If-Match`).
    public let version: Int
    public let createdAt: Date
    public let updatedAt: Date
    /// The round that last weighed this ranking, if one has since it was saved.
    public let outcomeRoundID: Int64?
    /// That round's verdict on each ranked offer, in ranking order (empty before a round).
    public let outcome: [RankedChoiceRecord]
}

/// What a round made of one ranked offer, as stored and served (snake_case JSON).
public struct RankedChoiceRecord: Sendable, Equatable, Codable {
    /// The offer (lowercase UUID).
    public let offerId: String
    /// 1 for the first choice.
    public let choice: Int
    /// `RankedChoice.Outcome`'s raw value: `given`, `higher_choice_given`, `not_in_round`,
    /// `incompatible`, `more_urgent_child`, `another_child_unplaced`, `another_childs_choice`,
    /// `not_evaluated`.
    public let outcome: String
    /// For `incompatible`: the failed rule's code.
    public let rule: String?
    /// For outcomes the solver worked out: the effect on the other children of giving it.
    public let effect: OptionEffectRecord?

    /// The record of a round's verdict.
    public init(_ choice: RankedChoice) {
        offerId = choice.offerID.uuidString.lowercased()
        self.choice = choice.choice
        outcome = choice.outcome.rawValue
        rule = choice.rule
        effect = choice.effect.map(OptionEffectRecord.init)
    }
}

/// An option's effect as stored and served: `{"kind": "none"}`, `{"kind": "fewer_placed",
/// "emergency": n, "urgent": n, "planned": n}`, `{"kind": "fewer_preferred", "by_choice": [n, …]}`,
/// `{"kind": "extra_distance", "km": x}` or `{"kind": "not_evaluated"}`, each with `"exact"`.
public struct OptionEffectRecord: Sendable, Equatable, Codable {
    public let kind: String
    public let emergency: Int?
    public let urgent: Int?
    public let planned: Int?
    public let byChoice: [Int]?
    public let km: Double?
    /// False when the alternative's search was cut short by the round's budget.
    public let exact: Bool

    /// The record of a solver's effect.
    public init(_ effect: OptionEffect) {
        kind = effect.kind.rawValue
        let placed = effect.kind == .fewerPlaced ? effect.fewerPlaced : nil
        emergency = placed?[0]
        urgent = placed?[1]
        planned = placed?[2]
        byChoice = effect.kind == .fewerPreferred ? effect.fewerByChoice : nil
        km = effect.kind == .extraDistance ? Double(effect.extraMetres) / 1000 : nil
        exact = effect.exact
    }
}

/// One of a proposal's options, as stored with it and served to the placing side.
public struct ProposalOptionRecord: Sendable, Equatable, Codable {
    public let offerId: String
    public let hostAuthority: String
    public let setting: String
    public let distanceKm: Double
    public let weeklyRatePence: Int64
    public let effect: OptionEffectRecord

    /// The record of a round's option on `offer`.
    public init(_ option: ClearingOption, offer: ClearingOffer) {
        offerId = option.offerID.uuidString.lowercased()
        hostAuthority = offer.authority
        setting = offer.setting.rawValue
        distanceKm = (option.distanceKm * 1000).rounded() / 1000
        weeklyRatePence = option.weeklyRatePence
        effect = OptionEffectRecord(option.effect)
    }
}

/// The snake_case JSON the records are stored as (jsonb).
enum RecordJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    static func text(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Reads and writes the child's preferences for a bid. Synchronous; run inside
/// `HearthDatabase.transaction(scope:)` with the bid owner's scope: row-level security keeps
/// one authority's children's preferences from every other.
public enum BidPreferenceRepository {
    /// The preferences of a bid the caller can see, or nil if none were saved.
    public static func find(bid: UUID, lock: Bool = false, on connection: PostgresConnection) throws -> BidPreferencesRecord? {
        try connection.first(
            """
            SELECT bid_id, ranking, child_consulted, child_views_summary, version, created_at, updated_at, outcome_round_id, outcome
            FROM bid_preferences WHERE bid_id = \(bid)\(unescaped: lock ? " FOR UPDATE" : "")
            """
        ).map(decode)
    }

    /// Saves `preferences` for the locked bid `bid` (open or proposed), audited; `current` is
    /// what was stored before, if anything.
    ///
    /// Refuses (422, nothing changed) a ranking that is too long, repeats an offer, names an offer
    /// that is not open or that breaks a hard rule for this child (naming the rule; a declined
    /// pair stays excluded). If the bid has a live proposal and the ranking's first choice is
    /// another offer, that proposal is withdrawn (audited) and its beds are freed, and the bid
    /// waits for the next round. The bid's version moves on, which wakes the daemons' clearing
    /// (the market-change signal bids use) and makes a round already under way drop any proposal
    /// it computed for this bid from the old ranking. Returns the saved record and the withdrawn
    /// proposal's id, if one was.
    public static func save(
        _ preferences: ChildPreferences, for bid: Bid, current: BidPreferencesRecord?, actor: Actor, today: CalendarDate,
        on connection: PostgresConnection
    ) throws -> (record: BidPreferencesRecord, released: UUID?) {
        guard bid.status == .open || bid.status == .proposed else {
            throw DomainError.conflict("this bid is \(bid.status.rawValue): preferences can be saved only while it is open or proposed")
        }
        let shape = ChildPreferences.shapeProblems(preferences.ranking) + preferences.childViews.problems.map {
            FieldProblem("child_views.\($0.field)", $0.message)
        }
        if !shape.isEmpty { throw DomainError.invalid(shape) }
        // Reads every open offer's free beds (other children's holds included, never returned).
        let market = try ClearingStore.market(around: bid, today: today, on: connection)
        let problems = ChildPreferences.rankingProblems(
            preferences.ranking, for: bid.clearingBid, offers: market.offers, capacities: market.capacities, declined: market.declined,
            today: today
        )
        if !problems.isEmpty { throw DomainError.invalid(problems) }

        let ranking = preferences.ranking.map { $0.uuidString.lowercased() }
        let views = preferences.childViews
        try connection.run(
            """
            INSERT INTO bid_preferences (bid_id, authority, ranking, child_consulted, child_views_summary)
            VALUES (\(bid.id), \(bid.authority), \(ranking)::uuid[], \(views.consulted), \(views.summary))
            ON CONFLICT (bid_id) DO UPDATE SET ranking = excluded.ranking, child_consulted = excluded.child_consulted,
                child_views_summary = excluded.child_views_summary, version = bid_preferences.version + 1, updated_at = now(),
                outcome = NULL, outcome_round_id = NULL
            """
        )
        var released: UUID?
        if let first = preferences.ranking.first, let proposed = market.proposedOffer, proposed != first {
            released = try connection.first(
                "SELECT id FROM proposals WHERE bid_id = \(bid.id) AND status IN (\(ProposalRepository.liveStatuses))"
            )?.uuid("id")
            try ProposalRepository.withdrawLive("p.bid_id = \(bid.id)", reopenBids: true, actor: actor, on: connection)
        }
        // The market changed for this bid: its version moves on (see above).
        try connection.run("UPDATE bids SET version = version + 1, updated_at = now() WHERE id = \(bid.id)")
        connection.marketChanged()
        try AuditLog.record(
            connection, actor: actor, action: current == nil ? "bid.preferences.create" : "bid.preferences.update", entity: "bid",
            entityID: bid.id.postgresText, before: current.map { "version \($0.version)" }, after: released == nil ? "saved" : "saved, proposal withdrawn"
        )
        guard let record = try find(bid: bid.id, on: connection) else {
            throw RowDecodingError(column: "bid_id", reason: "preferences vanished")
        }
        return (record, released)
    }

    /// The rankings of every open bid, for a round's snapshot (`.all` scope).
    static func openRankings(on connection: PostgresConnection) throws -> [UUID: [UUID]] {
        let rows = try connection.run(
            """
            SELECT p.bid_id, p.ranking FROM bid_preferences p JOIN bids b ON b.id = p.bid_id
            WHERE b.status = \(BidStatus.open.rawValue) AND cardinality(p.ranking) > 0
            """
        ).rows
        var rankings: [UUID: [UUID]] = [:]
        for row in rows {
            rankings[try row.uuid("bid_id")] = try row.stringArray("ranking").map { try UUID(uuidString: $0).orThrow("ranking") }
        }
        return rankings
    }

    /// Records a round's verdict on each ranked choice, for the bids whose ranking is still the
    /// one the round weighed (`.all` scope; the preferences' version does not change).
    static func recordOutcomes(_ alternatives: [BidAlternatives], rankings: [UUID: [UUID]], roundID: Int64, on connection: PostgresConnection) throws {
        for bid in alternatives where !bid.ranked.isEmpty {
            guard let ranking = rankings[bid.bidID] else { continue }
            let outcome = try RecordJSON.text(bid.ranked.map(RankedChoiceRecord.init))
            try connection.run(
                """
                UPDATE bid_preferences SET outcome = \(outcome)::jsonb, outcome_round_id = \(roundID)
                WHERE bid_id = \(bid.bidID) AND ranking = \(ranking.map { $0.uuidString.lowercased() })::uuid[]
                """
            )
        }
    }

    private static func decode(_ row: Row) throws -> BidPreferencesRecord {
        let outcome = try row.optionalString("outcome").map {
            try RecordJSON.decoder.decode([RankedChoiceRecord].self, from: Data($0.utf8))
        } ?? []
        return BidPreferencesRecord(
            bidID: try row.uuid("bid_id"),
            preferences: ChildPreferences(
                ranking: try row.stringArray("ranking").map { try UUID(uuidString: $0).orThrow("ranking") },
                childViews: ChildViews(consulted: try row.bool("child_consulted"), summary: try row.optionalString("child_views_summary"))
            ),
            version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"),
            outcomeRoundID: try row.optionalInt64("outcome_round_id"), outcome: outcome
        )
    }
}

/// A proposal's options as its round stored them.
public enum ProposalOptionStore {
    /// The options of a proposal the caller can see, nearest first (empty if none).
    public static func options(of proposal: UUID, on connection: PostgresConnection) throws -> [ProposalOptionRecord] {
        guard let text = try connection.first("SELECT options::text AS options FROM proposals WHERE id = \(proposal)")?.string("options") else {
            return []
        }
        return try RecordJSON.decoder.decode([ProposalOptionRecord].self, from: Data(text.utf8))
    }
}
