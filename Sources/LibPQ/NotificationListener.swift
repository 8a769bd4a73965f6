import Dispatch
import Foundation
import Logging
import Synchronization

/// Listens on PostgreSQL channels with a dedicated connection on its own `DispatchQueue`, and
/// delivers what arrives as an `AsyncStream`.
///
/// The connection is re-established (and `LISTEN` re-issued) whenever it breaks; each time it
/// is (re)connected the stream yields `.connected`, because notifications sent while it was
/// down are lost and the consumer should catch up; each time it breaks it yields
/// `.disconnected`, so a consumer that trusts notifications to invalidate a cache can stop
/// trusting them.
public final class NotificationListener: Sendable {
    /// What the stream delivers.
    public enum Event: Sendable, Equatable {
        /// The listener is connected and listening (first time or after a reconnect).
        case connected
        /// The listener's connection broke: nothing is heard until the next `.connected`.
        case disconnected
        /// A notification arrived.
        case notification(PostgresNotification)
    }

    /// Events in arrival order. Finishes after `stop()`.
    public let events: AsyncStream<Event>

    private let continuation: AsyncStream<Event>.Continuation
    private let url: String
    private let channels: [String]
    private let logger: Logger
    private let running = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)
    private let queue = DispatchQueue(label: "hearth.postgres.listener")

    /// Creates a listener; nothing connects until `start()`.
    public init(url: String, channels: [String], logger: Logger) {
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(1024))
        self.url = url
        self.channels = channels
        self.logger = logger
    }

    /// Starts the listening loop on the listener's own queue.
    public func start() {
        guard running.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else { return }
        queue.async { self.loop() }
    }

    /// Stops listening and closes the connection; returns once the loop has ended (≤ ~0.5 s).
    public func stop() async {
        guard running.compareExchange(expected: true, desired: false, ordering: .sequentiallyConsistent).exchanged else { return }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            // A queue of its own, not a global one: on Linux those are the concurrency pool's threads.
            DispatchQueue(label: "hearth.postgres.listener.stop").async {
                self.stopped.wait()
                done.resume()
            }
        }
    }

    private func loop() {
        var connection: PostgresConnection?
        var retryDelay = 0.25
        while running.load(ordering: .sequentiallyConsistent) {
            do {
                if connection == nil {
                    let fresh = try PostgresConnection(url: url, applicationName: "hearth-listener")
                    for channel in channels {
                        try fresh.listen(channel)
                    }
                    connection = fresh
                    retryDelay = 0.25
                    continuation.yield(.connected)
                }
                for notification in try connection?.waitForNotifications(timeout: 0.5) ?? [] {
                    continuation.yield(.notification(notification))
                }
            } catch {
                if connection != nil { continuation.yield(.disconnected) }
                connection = nil
                logger.warning("notification listener lost its connection", metadata: ["error": "\(error)"])
                let deadline = Date().addingTimeInterval(retryDelay)
                while running.load(ordering: .sequentiallyConsistent), Date() < deadline {
                    Thread.sleep(forTimeInterval: 0.05)
                }
                retryDelay = min(retryDelay * 2, 5)
            }
        }
        connection = nil
        continuation.finish()
        stopped.signal()
    }
}
