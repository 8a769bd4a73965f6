import Foundation
import HearthStore
import LibPQ
import Logging
import Metrics
import ServiceLifecycle

/// hearthd's proposal clock: lapses every live proposal whose `expires_at` has passed, on time,
/// whether or not clearing is paused, freeing its beds and reopening its bid (audited as
/// `proposal.lapse`).
///
/// It sleeps until the earliest `expires_at` of a live proposal, at most `maximumSleep`, and
/// wakes early when a round creates proposals (`NOTIFY hearth_proposals`) or the listener
/// reconnects. Several daemons may run it against one database: a pass takes a transaction
/// advisory lock and a daemon that finds it taken leaves the pass to its holder. A pass that
/// fails (the database is down) is retried after `retryDelay`.
public final class LapseService: Service {
    /// The transaction advisory lock that lets one daemon at a time lapse proposals.
    public static let advisoryLockKey: Int64 = 0x4845_4152_5448_4C50
    /// The channel a round notifies when it creates proposals.
    public static let channel = "hearth_proposals"

    private let database: HearthDatabase
    private let maximumSleep: Duration
    private let retryDelay: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - maximumSleep: the longest the service sleeps between passes, whatever it knows.
    ///   - retryDelay: the pause after a pass that failed or found another daemon lapsing.
    public init(database: HearthDatabase, maximumSleep: Duration = .seconds(30), retryDelay: Duration = .seconds(1), logger: Logger) {
        self.database = database
        self.maximumSleep = maximumSleep
        self.retryDelay = retryDelay
        self.logger = logger
    }

    /// Lapses what is due, then sleeps until the next expiry or a wake-up, until graceful
    /// shutdown. Never fails the process.
    public func run() async throws {
        let (wakes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let listener = NotificationListener(url: database.url, channels: [Self.channel], logger: logger)
        listener.start()
        let forwarding = Task {
            // Connected (first time or again, when notifications may have been missed) or a
            // new proposal: either way, look again.
            for await _ in listener.events {
                continuation.yield()
            }
        }
        continuation.yield()
        await cancelWhenGracefulShutdown {
            var timer: Task<Void, Never>?
            defer { timer?.cancel() }
            for await _ in wakes {
                if Task.isCancelled { break }
                let delay = await self.pass()
                timer?.cancel()
                timer = Task {
                    try? await Task.sleep(for: delay)
                    if !Task.isCancelled { continuation.yield() }
                }
            }
        }
        await listener.stop()
        forwarding.cancel()
        continuation.finish()
    }

    /// Lapses what is due (unless another daemon is doing it) and returns how long to sleep.
    private func pass() async -> Duration {
        let key = Self.advisoryLockKey
        do {
            let (locked, lapsed, nextSeconds) = try await database.transaction(scope: .all) { transaction -> (Bool, Int, Double?) in
                let locked = try transaction.query("SELECT pg_try_advisory_xact_lock($1) AS got", [key]).first?.bool("got") == true
                let lapsed = locked ? try ClearingStore.lapseExpired(on: transaction) : 0
                let next = try transaction.query(
                    """
                    SELECT extract(epoch FROM min(expires_at) - clock_timestamp())::float8 AS seconds
                    FROM proposals WHERE status IN ('proposed', 'accepted', 'signed_off')
                    """
                ).first?.optionalDouble("seconds")
                return (locked, lapsed, next)
            }
            if lapsed > 0 {
                logger.info("proposals lapsed", metadata: ["count": "\(lapsed)"])
                Counter(label: "hearth_proposals_lapsed_total").increment(by: lapsed)
            }
            guard locked else { return retryDelay }
            guard let nextSeconds else { return maximumSleep }
            // A few milliseconds late rather than early, so the next pass finds it due.
            let untilNext = Duration.milliseconds(Int64((max(0, nextSeconds) * 1000).rounded(.up)) + 5)
            return min(untilNext, maximumSleep)
        } catch {
            logger.warning("lapsing proposals failed; retrying", metadata: ["error": "\(error)"])
            return retryDelay
        }
    }
}
