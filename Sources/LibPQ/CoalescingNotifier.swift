import Logging
import Synchronization

/// Sends `NOTIFY`s on a connection of its own, coalesced: however many transactions signal a
/// channel within `interval`, the channel is notified once at the end of it.
///
/// A `NOTIFY` inside a writing transaction makes every commit queue on PostgreSQL's
/// notification lock; sent from here, after the writers have committed, it costs one small
/// transaction per channel per interval whatever the write rate. Listeners therefore hear of a
/// change at most `interval` (plus a round trip) after it committed.
public final class CoalescingNotifier: Sendable {
    private struct State {
        var pending: Set<String> = []
        var scheduled = false
        var closed = false
    }

    private let pool: ConnectionPool
    private let interval: Duration
    private let state = Mutex(State())
    private let logger: Logger

    /// Creates a notifier for the database at `url`; its connection opens on first use.
    public init(url: String, applicationName: String, interval: Duration = .milliseconds(50), logger: Logger) {
        self.pool = ConnectionPool(url: url, size: 1, applicationName: applicationName + "-notify", logger: logger)
        self.interval = interval
        self.logger = logger
    }

    /// Asks for `channels` to be notified at the end of the current interval. Never blocks.
    public func signal(_ channels: Set<String>) {
        let start = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.pending.formUnion(channels)
            guard !state.scheduled else { return false }
            state.scheduled = true
            return true
        }
        guard start else { return }
        let interval = self.interval
        Task {
            try? await Task.sleep(for: interval)
            await self.flush()
        }
    }

    /// Sends what is pending now. A failure (the database is down) is logged and the channels
    /// stay pending for the next signal; listeners catch up on reconnection anyway.
    public func flush() async {
        let channels = state.withLock { state -> Set<String> in
            defer {
                state.pending.removeAll()
                state.scheduled = false
            }
            return state.pending
        }
        guard !channels.isEmpty else { return }
        do {
            try await pool.withConnection { connection in
                for channel in channels.sorted() {
                    try connection.notify(channel)
                }
            }
        } catch {
            state.withLock { $0.pending.formUnion(channels) }
            logger.warning("could not send change notifications", metadata: ["error": "\(error)"])
        }
    }

    /// Sends what is pending, then closes the connection; later signals are dropped.
    public func close() async {
        await flush()
        state.withLock { $0.closed = true }
        await pool.close()
    }
}
