import Foundation
import HearthCore
import LibPQ

/// What set a clearing round off.
public enum RoundTrigger: String, Sendable, Codable {
    /// A bid or offer changed (LISTEN/NOTIFY, debounced).
    case notify
    /// The periodic timer.
    case timer
    /// `hearthctl round run`.
    case `operator`
    /// A daemon starting up.
    case startup
}

/// The figures of one clearing round, as recorded in `rounds` and printed by `hearthctl round run`.
public struct RoundSummary: Sendable, Codable, Equatable {
    public var id: Int64
    public var trigger: RoundTrigger
    public var status: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var bidsConsidered: Int
    public var offersConsidered: Int
    public var compatiblePairs: Int
    public var proposals: Int
    public var childrenPlaced: ChildrenPlaced
    public var totalDistanceKm: Double
    public var totalWeeklyPence: Int64
    public var solverMs: Double
    /// False when the solver's search budget ran out before it proved the proposals optimal
    /// (they are then the best found; see `ClearingSolver.searchBudget`).
    public var provenOptimal: Bool
    /// Children with a ranking the round considered, and how many it placed in each choice.
    public var preferences: Preferences

    /// Creates a summary.
    public init(
        id: Int64, trigger: RoundTrigger, status: String, startedAt: Date, finishedAt: Date?, bidsConsidered: Int, offersConsidered: Int,
        compatiblePairs: Int, proposals: Int, childrenPlaced: ChildrenPlaced, totalDistanceKm: Double, totalWeeklyPence: Int64, solverMs: Double,
        provenOptimal: Bool, preferences: Preferences = Preferences(rankedChildren: 0, placedByChoice: [])
    ) {
        self.id = id
        self.trigger = trigger
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.bidsConsidered = bidsConsidered
        self.offersConsidered = offersConsidered
        self.compatiblePairs = compatiblePairs
        self.proposals = proposals
        self.childrenPlaced = childrenPlaced
        self.totalDistanceKm = totalDistanceKm
        self.totalWeeklyPence = totalWeeklyPence
        self.solverMs = solverMs
        self.provenOptimal = provenOptimal
        self.preferences = preferences
    }

    /// The children whose ranking a round weighed (a sibling group counts as its size).
    public struct Preferences: Sendable, Codable, Equatable {
        /// Children with a ranking who had at least one compatible offer in the round.
        public var rankedChildren: Int
        /// Of those, the children proposed their first, second, … choice (five entries).
        public var placedByChoice: [Int]

        public init(rankedChildren: Int, placedByChoice: [Int]) {
            self.rankedChildren = rankedChildren
            let length = ClearingSolver.maximumRankingLength
            self.placedByChoice = Array(placedByChoice.prefix(length)) + Array(repeating: 0, count: max(0, length - placedByChoice.count))
        }
    }

    /// Children placed, by urgency (a sibling group counts as its size).
    public struct ChildrenPlaced: Sendable, Codable, Equatable {
        public var emergency: Int
        public var urgent: Int
        public var planned: Int

        public init(emergency: Int, urgent: Int, planned: Int) {
            self.emergency = emergency
            self.urgent = urgent
            self.planned = planned
        }
    }
}

/// Records clearing rounds. Synchronous; call with the `.all` scope.
public enum RoundStore {
    /// Session advisory lock held for the whole of a round: one round at a time across every
    /// daemon and hearthctl ("HEARTHRD" as a number). Released by PostgreSQL if the holder dies.
    public static let advisoryLockKey: Int64 = 0x4845_4152_5448_5244

    /// Marks rounds left `running` by a process that died as failed (call while holding the
    /// lock, when no round can really be running), then opens a new round.
    public static func begin(trigger: RoundTrigger, daemonID: UUID?, on connection: PostgresConnection) throws -> Int64 {
        try connection.run("UPDATE rounds SET status = 'failed', finished_at = now(), error = 'abandoned by a process that stopped' WHERE status = 'running'")
        return try connection.one("INSERT INTO rounds (trigger, daemon_id) VALUES (\(trigger.rawValue), \(daemonID)) RETURNING id").int64("id")
    }

    /// Records a finished round's figures.
    public static func finish(_ summary: RoundSummary, on connection: PostgresConnection) throws {
        let placed = summary.childrenPlaced
        try connection.run(
            """
            UPDATE rounds SET status = 'committed', finished_at = now(), bids_considered = \(summary.bidsConsidered),
                offers_considered = \(summary.offersConsidered), compatible_pairs = \(summary.compatiblePairs), proposals = \(summary.proposals),
                placed_emergency = \(placed.emergency), placed_urgent = \(placed.urgent), placed_planned = \(placed.planned),
                total_distance_km = \(summary.totalDistanceKm), total_weekly_pence = \(summary.totalWeeklyPence), solver_ms = \(summary.solverMs),
                proven_optimal = \(summary.provenOptimal), ranked_children = \(summary.preferences.rankedChildren),
                placed_by_choice = \(summary.preferences.placedByChoice.map(String.init))::integer[]
            WHERE id = \(summary.id)
            """
        )
    }

    /// Records a round that failed, with a message that holds no child data.
    public static func fail(_ id: Int64, error: String, on connection: PostgresConnection) throws {
        try connection.run("UPDATE rounds SET status = 'failed', finished_at = now(), error = \(error) WHERE id = \(id)")
    }

    /// The most recent finished round, if any.
    public static func last(on connection: PostgresConnection) throws -> RoundSummary? {
        try recent(limit: 1, on: connection).first
    }

    /// The `limit` most recent finished rounds, newest first.
    public static func recent(limit: Int, on connection: PostgresConnection) throws -> [RoundSummary] {
        try connection.run(
            """
            SELECT id, trigger, status, started_at, finished_at, bids_considered, offers_considered, compatible_pairs, proposals,
                   placed_emergency, placed_urgent, placed_planned, total_distance_km, total_weekly_pence, solver_ms, proven_optimal,
                   ranked_children, coalesce(placed_by_choice, '{}') AS placed_by_choice
            FROM rounds WHERE status <> 'running' ORDER BY id DESC LIMIT \(limit)
            """
        ).rows.map { row in
            RoundSummary(
                id: try row.int64("id"), trigger: RoundTrigger(rawValue: try row.string("trigger")) ?? .timer, status: try row.string("status"),
                startedAt: try row.date("started_at"), finishedAt: try row.optionalDate("finished_at"),
                bidsConsidered: try row.optionalInt("bids_considered") ?? 0, offersConsidered: try row.optionalInt("offers_considered") ?? 0,
                compatiblePairs: try row.optionalInt("compatible_pairs") ?? 0, proposals: try row.optionalInt("proposals") ?? 0,
                childrenPlaced: .init(
                    emergency: try row.optionalInt("placed_emergency") ?? 0, urgent: try row.optionalInt("placed_urgent") ?? 0,
                    planned: try row.optionalInt("placed_planned") ?? 0
                ),
                totalDistanceKm: try row.optionalDouble("total_distance_km") ?? 0, totalWeeklyPence: try row.optionalInt64("total_weekly_pence") ?? 0,
                solverMs: try row.optionalDouble("solver_ms") ?? 0, provenOptimal: try row.optionalBool("proven_optimal") ?? true,
                preferences: .init(
                    rankedChildren: try row.optionalInt("ranked_children") ?? 0,
                    placedByChoice: try row.stringArray("placed_by_choice").map { try Int($0).orThrow("placed_by_choice") }
                )
            )
        }
    }

    /// Whether automatic clearing is paused region-wide.
    public static func isPaused(on connection: PostgresConnection) throws -> Bool {
        try connection.first("SELECT clearing_paused FROM control")?.bool("clearing_paused") ?? false
    }
}

/// Region-wide switches in the `control` table.
public enum ControlStore {
    /// Pauses or resumes automatic clearing on every daemon, audited. Daemons check the flag
    /// before every round; resuming also wakes them (NOTIFY) so clearing restarts at once.
    /// Returns false when it was already in that state.
    @discardableResult
    public static func setPaused(_ paused: Bool, actor: Actor, on connection: PostgresConnection) throws -> Bool {
        let changed: Bool
        if let person = actor.userID {
            // A person on the operator's page, in hearthd: its login cannot write `control`; the
            // SECURITY DEFINER function does, for an enabled operator only (Migrations/0008).
            changed = try connection.one("SELECT hearth_set_clearing_paused(\(paused), \(person)::uuid) AS changed").bool("changed")
        } else {
            changed = try connection.run(
                "UPDATE control SET clearing_paused = \(paused), changed_at = now(), changed_by = \(actor.kind) WHERE clearing_paused IS DISTINCT FROM \(paused)"
            ).affectedRows > 0
        }
        if changed {
            try AuditLog.record(
                connection, actor: actor, action: paused ? "clearing.pause" : "clearing.resume", entity: "control", entityID: nil,
                before: paused ? "running" : "paused", after: paused ? "paused" : "running"
            )
            try connection.notify(MarketChanges.channel, payload: paused ? "paused" : "resumed")
        }
        return changed
    }
}
