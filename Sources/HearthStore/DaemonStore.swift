import Foundation
import HearthCore
import LibPQ

/// A hearthd process as recorded in `daemons`.
public struct DaemonRecord: Sendable, Codable, Equatable {
    /// The daemon's id (lower-case UUID).
    public let id: String
    public let host: String
    public let pid: Int
    public let version: String
    public let state: String
    public let workers: Int
    public let startedAt: Date
    public let lastSeen: Date
    /// True while it heartbeats: last seen within `DaemonStore.livenessWindowSeconds`.
    public let live: Bool
}

/// Registration and heartbeats of hearthd processes. Synchronous; `.all` scope.
public enum DaemonStore {
    /// How often a daemon heartbeats.
    public static let heartbeatSeconds = 2
    /// A daemon not seen for this long is shown as stale (not live).
    public static let livenessWindowSeconds = 10

    /// Records a daemon starting (or restarting with the same id).
    public static func register(
        id: UUID, host: String, pid: Int, version: String, workers: Int, on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO daemons (id, host, pid, version, workers, state) VALUES ($1, $2, $3, $4, $5, 'running')
            ON CONFLICT (id) DO UPDATE SET host = $2, pid = $3, version = $4, workers = $5, state = 'running', last_seen = now()
            """,
            [id, host, pid, version, workers]
        )
    }

    /// Records that the daemon is alive, in `state`.
    public static func heartbeat(id: UUID, state: String, on connection: PostgresConnection) throws {
        try connection.query("UPDATE daemons SET last_seen = now(), state = $2 WHERE id = $1", [id, state])
    }

    /// Deletes stored data that has aged out (DESIGN.md, Data protection): idempotency records
    /// past their replay window, web sessions past their idle timeout. Daemons call it with
    /// their heartbeat, in the `.all` scope.
    public static func purgeExpiredData(on connection: PostgresConnection) throws {
        try IdempotencyStore.purgeExpired(on: connection)
        try WebSessionStore.purgeIdle(idleTimeout: WebSessionStore.idleTimeout, on: connection)
    }

    /// Every daemon seen in the last day, most recent first, with liveness; older stopped
    /// daemons are forgotten.
    public static func all(on connection: PostgresConnection) throws -> [DaemonRecord] {
        try connection.query("DELETE FROM daemons WHERE last_seen < now() - interval '1 day'")
        return try connection.query(
            """
            SELECT id, host, pid, version, state, workers, started_at, last_seen,
                   state <> 'stopped' AND last_seen > now() - make_interval(secs => $1) AS live
            FROM daemons ORDER BY last_seen DESC
            """,
            [livenessWindowSeconds]
        ).rows.map { row in
            DaemonRecord(
                id: try row.string("id"), host: try row.string("host"), pid: try row.int("pid"), version: try row.string("version"),
                state: try row.string("state"), workers: try row.int("workers"), startedAt: try row.date("started_at"),
                lastSeen: try row.date("last_seen"), live: try row.bool("live")
            )
        }
    }
}

/// What `hearthctl status` reports.
public struct ExchangeStatus: Sendable, Codable, Equatable {
    public let paused: Bool
    public let daemons: [DaemonRecord]
    public let openBids: Int
    public let openOffers: Int
    public let liveProposals: Int
    public let lastRound: RoundSummary?
    public let lastSettlement: SettlementRunSummary?

    private enum CodingKeys: String, CodingKey {
        case paused, daemons, openBids, openOffers, liveProposals, lastRound, lastSettlement
    }

    /// Encodes every key, with `null` for a round or settlement that never ran (a stable shape
    /// for scripts).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(paused, forKey: .paused)
        try container.encode(daemons, forKey: .daemons)
        try container.encode(openBids, forKey: .openBids)
        try container.encode(openOffers, forKey: .openOffers)
        try container.encode(liveProposals, forKey: .liveProposals)
        try container.encode(lastRound, forKey: .lastRound)
        try container.encode(lastSettlement, forKey: .lastSettlement)
    }

    /// Reads the whole picture in one snapshot.
    public static func read(on connection: PostgresConnection) throws -> ExchangeStatus {
        let counts = try connection.first(
            """
            SELECT (SELECT count(*) FROM bids WHERE status = \(BidStatus.open.rawValue)) AS open_bids,
                   (SELECT count(*) FROM offers WHERE status = \(OfferStatus.open.rawValue)) AS open_offers,
                   (SELECT count(*) FROM proposals WHERE status IN (\(ProposalRepository.liveStatuses))) AS live_proposals
            """
        )
        return ExchangeStatus(
            paused: try RoundStore.isPaused(on: connection), daemons: try DaemonStore.all(on: connection),
            openBids: try counts?.int("open_bids") ?? 0, openOffers: try counts?.int("open_offers") ?? 0,
            liveProposals: try counts?.int("live_proposals") ?? 0, lastRound: try RoundStore.last(on: connection),
            lastSettlement: try SettlementRunSummary.last(on: connection)
        )
    }
}

/// The latest settlement run, as `settlement_runs` records it.
public struct SettlementRunSummary: Sendable, Codable, Equatable {
    public let id: Int64
    public let throughDate: String
    public let status: String
    public let startedAt: Date
    public let finishedAt: Date?
    public let nightsBooked: Int64
    public let entriesBooked: Int64

    /// The most recent run, if any.
    public static func last(on connection: PostgresConnection) throws -> SettlementRunSummary? {
        try connection.query(
            """
            SELECT id, through_date, status, started_at, finished_at, nights_booked, entries_booked
            FROM settlement_runs ORDER BY id DESC LIMIT 1
            """
        ).first.map { row in
            SettlementRunSummary(
                id: try row.int64("id"), throughDate: try row.string("through_date"), status: try row.string("status"),
                startedAt: try row.date("started_at"), finishedAt: try row.optionalDate("finished_at"),
                nightsBooked: try row.int64("nights_booked"), entriesBooked: try row.int64("entries_booked")
            )
        }
    }
}

/// The figures `/metrics` reports about the market, read in one statement.
public struct MarketFigures: Sendable {
    /// Proposals by status, every status present (zero where there are none).
    public let proposalsByStatus: [(status: ProposalStatus, count: Int)]
    /// Bids waiting for a place.
    public let openBids: Int
    /// Offers on the market.
    public let openOffers: Int
    /// The last night a completed settlement run booked, if any.
    public let settledThrough: CalendarDate?

    /// Reads the figures (call in the `.all` scope).
    public static func read(on connection: PostgresConnection) throws -> MarketFigures {
        var counts: [ProposalStatus: Int] = [:]
        for row in try connection.run("SELECT status, count(*) AS n FROM proposals GROUP BY status").rows {
            if let status = ProposalStatus(rawValue: try row.string("status")) { counts[status] = try row.int("n") }
        }
        let market = try connection.one(
            """
            SELECT (SELECT count(*) FROM bids WHERE status = \(BidStatus.open.rawValue)) AS bids,
                   (SELECT count(*) FROM offers WHERE status = \(OfferStatus.open.rawValue)) AS offers,
                   (SELECT max(through_date) FROM settlement_runs WHERE status = 'completed')::text AS settled
            """
        )
        return MarketFigures(
            proposalsByStatus: ProposalStatus.allCases.map { ($0, counts[$0] ?? 0) },
            openBids: try market.int("bids"), openOffers: try market.int("offers"),
            settledThrough: try market.optionalString("settled").flatMap(CalendarDate.init(iso:))
        )
    }
}
