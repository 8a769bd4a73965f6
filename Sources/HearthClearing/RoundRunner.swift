import Dispatch
import Foundation
import HearthCore
import HearthStore
import LibPQ
import Logging
import Metrics
import Synchronization

/// Runs one clearing round: snapshot the market, solve exactly on the Dispatch worker pool, and
/// commit the proposals, re-checking what changed since the snapshot.
///
/// A session advisory lock, held on the runner's own connection for the whole round, lets only
/// one round run at a time across every daemon and hearthctl; if the process dies, PostgreSQL
/// ends the session and frees the lock. No transaction is open while the solver works, and the
/// solve can be abandoned (the task cancelled, as at shutdown): nothing is then committed.
public struct RoundRunner: Sendable {
    let database: HearthDatabase
    let solver: ClearingSolver
    let proposalLifetimeSeconds: Int
    let daemonID: UUID?
    let logger: Logger
    /// One connection, private to the runner, that holds the round lock.
    private let lockHolder: ConnectionPool

    /// - Parameters:
    ///   - workers: Dispatch workers that solve components in parallel.
    ///   - proposalLifetimeSeconds: how long a proposal holds its beds before it lapses.
    ///   - daemonID: the daemon running rounds, recorded with each round (nil for hearthctl).
    ///   - searchBudget: how long the exact search for sibling groups may run before the round
    ///     settles for the best assignment found (recorded as not proven optimal).
    public init(
        database: HearthDatabase, workers: Int, searchBudget: Duration = .seconds(10), proposalLifetimeSeconds: Int = 72 * 3600,
        daemonID: UUID? = nil, logger: Logger
    ) {
        self.database = database
        self.solver = ClearingSolver(workerCount: workers, searchBudget: searchBudget)
        self.proposalLifetimeSeconds = proposalLifetimeSeconds
        self.daemonID = daemonID
        self.logger = logger
        self.lockHolder = ConnectionPool(url: database.url, size: 1, applicationName: "hearth-round-lock", logger: logger)
    }

    /// Runs a round. If another round is running somewhere, waits for it when `wait` is true,
    /// and otherwise returns nil at once. Cancelling the calling task abandons the round.
    public func run(trigger: RoundTrigger, wait: Bool, today: CalendarDate = .today()) async throws -> RoundSummary? {
        let key = RoundStore.advisoryLockKey
        let locked = try await lockHolder.withConnection { connection -> Bool in
            if wait {
                try connection.query("SELECT pg_advisory_lock($1)", [key])
                return true
            }
            return try connection.query("SELECT pg_try_advisory_lock($1) AS got", [key]).first?.bool("got") == true
        }
        guard locked else { return nil }
        do {
            let summary = try await runLocked(trigger: trigger, today: today)
            try await unlock()
            return summary
        } catch {
            try? await unlock()
            throw error
        }
    }

    /// Closes the runner's lock connection.
    public func close() async {
        await lockHolder.close()
    }

    private func unlock() async throws {
        let key = RoundStore.advisoryLockKey
        _ = try await lockHolder.withConnection { try $0.query("SELECT pg_advisory_unlock($1)", [key]) }
    }

    private func runLocked(trigger: RoundTrigger, today: CalendarDate) async throws -> RoundSummary {
        let started = Date()
        let (daemonID, logger, lifetime) = (self.daemonID, self.logger, proposalLifetimeSeconds)
        let roundID = try await database.transaction(scope: .all) { transaction in
            let lapsed = try ClearingStore.lapseExpired(on: transaction)
            if lapsed > 0 { logger.info("proposals lapsed", metadata: ["count": "\(lapsed)"]) }
            return try RoundStore.begin(trigger: trigger, daemonID: daemonID, on: transaction)
        }
        do {
            let snapshot = try await database.transaction(scope: .all, isolation: .repeatableRead) { transaction in
                try ClearingStore.snapshot(today: today, on: transaction)
            }
            let result = try await solve(snapshot.instance)
            try Task.checkCancellation()
            let (summary, skipped) = try await database.transaction(scope: .all) { transaction in
                let committed = try ClearingStore.commit(
                    result.proposals, alternatives: result.alternatives, snapshot: snapshot, roundID: roundID, expiresInSeconds: lifetime, on: transaction
                )
                let summary = Self.summary(
                    of: result, committed: committed, snapshot: snapshot, roundID: roundID, trigger: trigger, started: started
                )
                try RoundStore.finish(summary, on: transaction)
                // Wakes every daemon's LapseService, so it sleeps until the new expiry.
                if committed.created > 0 { try transaction.notify(LapseService.channel) }
                return (summary, committed.skipped)
            }
            Counter(label: "hearth_rounds_total", dimensions: [("trigger", trigger.rawValue), ("outcome", "committed")]).increment()
            Metrics.Timer(label: "hearth_round_duration_seconds").recordSeconds(Date().timeIntervalSince(started))
            Counter(label: "hearth_children_placed_total", dimensions: [("urgency", "emergency")]).increment(by: summary.childrenPlaced.emergency)
            Counter(label: "hearth_children_placed_total", dimensions: [("urgency", "urgent")]).increment(by: summary.childrenPlaced.urgent)
            Counter(label: "hearth_children_placed_total", dimensions: [("urgency", "planned")]).increment(by: summary.childrenPlaced.planned)
            Counter(label: "hearth_ranked_children_total").increment(by: summary.preferences.rankedChildren)
            for (index, children) in summary.preferences.placedByChoice.enumerated() {
                Counter(label: "hearth_children_placed_by_choice_total", dimensions: [("choice", "\(index + 1)")]).increment(by: children)
            }
            logger.info(
                "clearing round committed",
                metadata: [
                    "round": "\(roundID)", "trigger": "\(trigger.rawValue)", "bids": "\(summary.bidsConsidered)",
                    "offers": "\(summary.offersConsidered)", "proposals": "\(summary.proposals)", "skipped": "\(skipped)",
                    "solver_ms": "\(Int(summary.solverMs))", "proven_optimal": "\(summary.provenOptimal)",
                ]
            )
            if !summary.provenOptimal {
                logger.warning("the search budget ran out: proposals are the best found, not proven optimal", metadata: ["round": "\(roundID)"])
            }
            return summary
        } catch {
            Counter(label: "hearth_rounds_total", dimensions: [("trigger", trigger.rawValue), ("outcome", "failed")]).increment()
            let reason = error is CancellationError ? "abandoned: the process was stopping" : String(describing: type(of: error))
            try? await database.transaction(scope: .all) { transaction in
                try RoundStore.fail(roundID, error: reason, on: transaction)
            }
            throw error
        }
    }

    /// Solves on a Dispatch thread of its own (see `runOnOwnThread`: not a global queue, whose
    /// threads are the concurrency pool's); if the calling task is cancelled, stops waiting at once and
    /// throws `CancellationError` (the abandoned solve's result is discarded).
    private func solve(_ instance: ClearingInstance) async throws -> ClearingResult {
        let solver = self.solver
        let outcome = SolveOutcome()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ClearingResult, any Error>) in
                outcome.install(continuation)
                DispatchQueue(label: "hearth.clearing.solve").async {
                    outcome.finish(Result { try solver.solve(instance) })
                }
            }
        } onCancel: {
            outcome.finish(.failure(CancellationError()))
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
        var byChoice = [Int](repeating: 0, count: ClearingSolver.maximumRankingLength)
        for id in committed.placedBidIDs {
            guard let bid = bids[id], let proposal = proposals[id] else { continue }
            if let choice = bid.ranking?.firstIndex(of: proposal.offerID) { byChoice[choice] += bid.groupSize }
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
            totalDistanceKm: (distance * 1000).rounded() / 1000, totalWeeklyPence: weekly, solverMs: result.summary.solveSeconds * 1000,
            provenOptimal: result.summary.provenOptimal,
            preferences: .init(rankedChildren: result.summary.rankedChildren, placedByChoice: byChoice)
        )
    }
}

/// Delivers a solve's result to its waiting task exactly once, whichever comes first: the
/// result, or cancellation (which may arrive before the continuation is installed).
private final class SolveOutcome: Sendable {
    private enum State {
        case waiting
        case installed(CheckedContinuation<ClearingResult, any Error>)
        case finished(Result<ClearingResult, any Error>)
        case delivered
    }

    private let state = Mutex(State.waiting)

    func install(_ continuation: CheckedContinuation<ClearingResult, any Error>) {
        let early: Result<ClearingResult, any Error>? = state.withLock { state in
            switch state {
            case .finished(let result):
                state = .delivered
                return result
            default:
                state = .installed(continuation)
                return nil
            }
        }
        if let early { continuation.resume(with: early) }
    }

    func finish(_ result: Result<ClearingResult, any Error>) {
        let waiting: CheckedContinuation<ClearingResult, any Error>? = state.withLock { state in
            switch state {
            case .waiting:
                state = .finished(result)
                return nil
            case .installed(let continuation):
                state = .delivered
                return continuation
            case .finished, .delivered:
                return nil
            }
        }
        waiting?.resume(with: result)
    }
}
