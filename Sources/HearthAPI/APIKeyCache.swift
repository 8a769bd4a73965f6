import Crypto
import Foundation
import HearthStore
import LibPQ
import Logging
import ServiceLifecycle
import Synchronization

/// The callers behind recently presented API keys, so that most requests need not ask the
/// database who their key belongs to.
///
/// Revocation reaches every daemon at once: `hearthctl key revoke` sends
/// `NOTIFY hearth_keys` in its transaction, and each daemon's cache, listening, empties itself
/// when it arrives (a few milliseconds after the revoke returns). The cache is trusted only
/// while its listener is connected: from the moment the listener's connection breaks until it
/// is listening again, every request is checked against the database. An entry is used for at
/// most `maximumAge` (a key revoked with plain SQL, which notifies nobody, stops working
/// within that), unknown and revoked keys are never cached, and the cache holds at most
/// `capacity` keys. Only SHA-256 hashes of keys are kept.
final class APIKeyCache: Service {
    private struct Entry {
        let caller: Caller
        let fetched: ContinuousClock.Instant
    }

    private struct State {
        var entries: [SHA256Digest: Entry] = [:]
        /// Bumped on every invalidation, so a lookup that started before one stores nothing.
        var generation: UInt64 = 0
        /// True while the listener is connected and listening.
        var trusted = false
    }

    private let database: HearthDatabase
    private let maximumAge: Duration
    private let capacity: Int
    private let state = Mutex(State())
    private let logger: Logger

    init(database: HearthDatabase, maximumAge: Duration = .seconds(5), capacity: Int = 10_000, logger: Logger) {
        self.database = database
        self.maximumAge = maximumAge
        self.capacity = capacity
        self.logger = logger
    }

    /// The caller for a presented key, or nil if it is unknown or revoked: from the cache when
    /// it may be trusted, else from the database.
    func caller(forSecret secret: String) async throws -> Caller? {
        let fingerprint = SHA256.hash(data: Data(secret.utf8))
        let asked = ContinuousClock.now
        let (cached, generation) = state.withLock { state -> (Caller?, UInt64) in
            guard state.trusted, let entry = state.entries[fingerprint], asked - entry.fetched < maximumAge else {
                return (nil, state.generation)
            }
            return (entry.caller, state.generation)
        }
        if let cached { return cached }
        let caller = try await database.pool.withConnection { connection in
            try APIKeyRepository.authenticate(secret: secret, on: connection)
        }
        if let caller {
            state.withLock { state in
                guard state.trusted, state.generation == generation else { return }
                if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
                state.entries[fingerprint] = Entry(caller: caller, fetched: asked)
            }
        }
        return caller
    }

    /// Listens for revocations until graceful shutdown.
    func run() async throws {
        let listener = NotificationListener(url: database.url, channels: [APIKeyRepository.revocationChannel], logger: logger)
        listener.start()
        await cancelWhenGracefulShutdown {
            for await event in listener.events {
                switch event {
                case .connected: self.invalidate(trusted: true)
                case .disconnected: self.invalidate(trusted: false)
                case .notification: self.invalidate(trusted: nil)
                }
            }
        }
        invalidate(trusted: false)
        await listener.stop()
    }

    /// Forgets every entry; `trusted` (when given) says whether the cache may be used from now.
    private func invalidate(trusted: Bool?) {
        state.withLock { state in
            state.entries.removeAll()
            state.generation &+= 1
            if let trusted { state.trusted = trusted }
        }
    }
}
