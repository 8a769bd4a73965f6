import Foundation
import HearthCore
import HearthStore
import LibPQ
import Logging
import Metrics

/// Runs one clearing round: snapshot the market, solve exactly on the Dispatch worker pool, and
/// commit the proposals, re-checking what changed since the snapshot.
///
/// The whole round runs on one pooled connection's Dispatch queue, holding a session advisory
/// lock, so only one round runs at a time across every daemon and hearthctl; if the process
/// dies, PostgreSQL ends the session and frees the lock.
public struct RoundRunner: Sendable {
    let database: HearthDatabase
    let solver: ClearingSolver
    let proposalLifetimeSeconds: Int
    let daemonID: UUID?
    let logger: Logger

    /// - Parameters:
    ///   - workers: Dispatch workers that solve components in parallel.
    ///   - proposalLifetimeSeconds: how long a proposal holds its beds before it lapses.
    ///   - daemonID: the daemon running rounds, recorded with each round (nil for hearthctl).
    public init(database: HearthDatabase, workers: Int, proposalLifetimeSeconds: Int = 72 * 3600, daemonID: UUID? = nil, logger: Logger) {
        self.database = database
        self.solver = ClearingSolver(workerCount: workers)
        self.proposalLifetimeSeconds = proposalLifetimeSeconds
        self.daemonID = daemonID
        self.logger = logger
    }

    /// Runs a round. If another round is running somewhere, waits for it when `wait` is true,
    /// and otherwise returns nil at once.
    public func run(trigger: RoundTrigger, wait: Bool, today: CalendarDate = .today()) async throws -> RoundSummary? {
        let runner = self
        return try await database.pool.withConnection { connection in
            try runner.runLocked(trigger: trigger, wait: wait, today: today, on: connection)
        }
    }

    private func runLocked(trigger: RoundTrigger, wait: Bool, today: CalendarDate, on connection: PostgresConnection) throws -> RoundSummary? {
        if wait {
            try connection.query("SELECT pg_advisory_lock($1)", [RoundStore.advisoryLockKey])
        } else {
            guard try connection.query("SELECT pg_try_advisory_lock($1) AS got", [RoundStore.advisoryLockKey]).first?.bool("got") == true else {
                return nil
            }
        }
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [RoundStore.advisoryLockKey]) }

        let started = Date()
        let roundID = try connection.transaction(scope: .all) { transaction in
            let lapsed = try ClearingStore.lapseExpired(on: transaction)
            if lapsed > 0 { logger.info("proposals lapsed", metadata: ["count": "\(lapsed)"]) }
            return try RoundStore.begin(trigger: trigger, daemonID: daemonID, on: transaction)
        }
        do {
            let snapshot = try connection.transaction(scope: .all, isolation: .repeatableRead) { transaction in
                try ClearingStore.snapshot(today: today, on: transaction)
            }
            let result = try solver.solve(snapshot.instance)
            let (summary, skipped) = try connection.transaction(scope: .all) { transaction in
                let committed = try ClearingStore.commit(
                    result.proposals, snapshot: snapshot, roundID: roundID, expiresInSeconds: proposalLifetimeSeconds, on: transaction
                )
                let summary = Self.summary(
                    of: result, committed: committed, snapshot: snapshot, roundID: roundID, trigger: trigger, started: started
                )
                try RoundStore.finish(summary, on: transaction)
                return (summary, committed.skipped)
            }
            Counter(label: "hearth_rounds_total", dimensions: [("trigger", trigger.rawValue), ("outcome", "committed")]).increment()
            Metrics.Timer(label: "hearth_round_duration_seconds").recordSeconds(Date().timeIntervalSince(started))
            Counter(label: "hearth_children_placed_total", dimensions: [("urgency", "emergency")]).increment(by: summary.childrenPlaced.emergency)
            Counter(label: "hearth_children_placed_total", dimensions: [("urgency", "urgent")]).increment(by: summary.childrenPlaced.urgent)
            Counter(label: "hearth_children_placed_total", dimensions: [("urgency", "planned")]).increment(by: summary.childrenPlaced.planned)
            logger.info(
                "clearing round committed",
                metadata: [
                    "round": "\(roundID)", "trigger": "\(trigger.rawValue)", "bids": "\(summary.bidsConsidered)",
                    "offers": "\(summary.offersConsidered)", "proposals": "\(summary.proposals)", "skipped": "\(skipped)",
                    "solver_ms": "\(Int(summary.solverMs))",
                ]
            )
            return summary
        } catch {
            Counter(label: "hearth_rounds_total", dimensions: [("trigger", trigger.rawValue), ("outcome", "failed")]).increment()
            try? connection.transaction(scope: .all) { transaction in
                try RoundStore.fail(roundID, error: String(describing: type(of: error)), on: transaction)
            }
            throw error
        }
    }

    /// The round's figures, counting only the proposals actually committed (one skipped because
    /// its bid changed since the snapshot is not counted).
    static func summary(
        of result: ClearingResult, committed: CommittedProposals, snapshot: MarketSnapshot, roundID: Int64, trigger: RoundTrigger, started: Date
    ) -> RoundSummary {
        let bids = Dictionary(uniqueKeysWithValues: snapshot.instance.bids.map { ($0.id, $0) })
        let proposals = Dictionary(uniqueKeysWithValues: result.proposals.map { ($0.bidID, $0) })
        var placed = RoundSummary.ChildrenPlaced(emergency: 0, urgent: 0, planned: 0)
        var distance = 0.0
        var weekly: Int64 = 0
        for id in committed.placedBidIDs {
            guard let bid = bids[id], let proposal = proposals[id] else { continue }
            switch bid.urgency {
            case .emergency: placed.emergency += bid.groupSize
            case .urgent: placed.urgent += bid.groupSize
            case .planned: placed.planned += bid.groupSize
            }
            distance += proposal.distanceKm * Double(bid.groupSize)
            weekly += proposal.weeklyRatePence * Int64(bid.groupSize)
        }
        return RoundSummary(
            id: roundID, trigger: trigger, status: "committed", startedAt: started, finishedAt: Date(),
            bidsConsidered: snapshot.instance.bids.count, offersConsidered: snapshot.instance.offers.count,
            compatiblePairs: result.summary.compatiblePairCount, proposals: committed.created, childrenPlaced: placed,
            totalDistanceKm: (distance * 1000).rounded() / 1000, totalWeeklyPence: weekly, solverMs: result.summary.solveSeconds * 1000
        )
    }
}
