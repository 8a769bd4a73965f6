import Foundation
import HearthStore
import LibPQ
import Logging
import ServiceLifecycle

/// hearthd's clearing loop: runs a round when the market changes (`NOTIFY hearth_market`,
/// debounced), on a timer, and once at start-up, unless clearing is paused region-wide.
///
/// Triggers that arrive while a round runs collapse into one. If another daemon holds the round
/// lock the trigger is dropped: that daemon's round sees the same market. On graceful shutdown
/// the loop stops taking triggers; a round still solving is abandoned (nothing of it is
/// committed), and one committing finishes its transaction first.
public final class ClearingService: Service {
    private let database: HearthDatabase
    private let runner: RoundRunner
    private let interval: Duration
    private let debounce: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - interval: how often a round runs without any change (the timer trigger).
    ///   - debounce: how long to wait after a change for more changes before running.
    public init(database: HearthDatabase, runner: RoundRunner, interval: Duration = .seconds(30), debounce: Duration = .milliseconds(500), logger: Logger) {
        self.database = database
        self.runner = runner
        self.interval = interval
        self.debounce = debounce
        self.logger = logger
    }

    public func run() async throws {
        let (triggers, continuation) = AsyncStream.makeStream(of: RoundTrigger.self, bufferingPolicy: .bufferingNewest(1))
        let listener = NotificationListener(url: database.url, channels: [MarketChanges.channel], logger: logger)
        listener.start()
        let (interval, logger) = (self.interval, self.logger)
        let forwarding = Task {
            var first = true
            for await event in listener.events {
                switch event {
                case .connected:
                    // First connection, or a reconnect after which changes may have been missed.
                    continuation.yield(first ? .startup : .notify)
                    first = false
                case .notification:
                    logger.debug("market change notified; a round is due")
                    continuation.yield(.notify)
                case .disconnected:
                    break
                }
            }
        }
        let ticking = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                continuation.yield(.timer)
            }
        }
        await cancelWhenGracefulShutdown {
            for await trigger in triggers {
                if Task.isCancelled { break }
                if trigger == .notify { try? await Task.sleep(for: self.debounce) }
                await self.runRound(trigger)
            }
        }
        ticking.cancel()
        await runner.close()
        await listener.stop()
        forwarding.cancel()
        continuation.finish()
    }

    private func runRound(_ trigger: RoundTrigger) async {
        do {
            let paused = try await database.transaction(scope: .all) { try RoundStore.isPaused(on: $0) }
            if paused {
                logger.debug("clearing is paused; round skipped", metadata: ["trigger": "\(trigger.rawValue)"])
                return
            }
            if try await runner.run(trigger: trigger, wait: false) == nil {
                logger.debug("another process is running a round", metadata: ["trigger": "\(trigger.rawValue)"])
            }
        } catch is CancellationError {
            logger.notice("clearing round abandoned: shutting down", metadata: ["trigger": "\(trigger.rawValue)"])
        } catch {
            logger.error("clearing round failed", metadata: ["trigger": "\(trigger.rawValue)", "error": "\(error)"])
        }
    }
}
