import Foundation
import HearthStore
import Logging
import ServiceLifecycle

/// Registers this hearthd in `daemons` and heartbeats every `DaemonStore.heartbeatSeconds`;
/// on graceful shutdown records it as stopped. A daemon killed outright simply stops
/// heartbeating and `hearthctl status` shows it as not live after
/// `DaemonStore.livenessWindowSeconds`; what it held is recovered without an operator (its
/// round lock ends with its database session; its proposals lapse as usual).
public final class HeartbeatService: Service {
    /// This daemon's id, recorded with its rounds.
    public let daemonID: UUID
    private let database: HearthDatabase
    private let workers: Int
    private let version: String
    private let logger: Logger

    public init(database: HearthDatabase, daemonID: UUID, workers: Int, version: String, logger: Logger) {
        self.database = database
        self.daemonID = daemonID
        self.workers = workers
        self.version = version
        self.logger = logger
    }

    /// Registers, then heartbeats until graceful shutdown; never fails the process: a database
    /// that is down or not yet migrated is retried.
    public func run() async throws {
        let (id, workers, version) = (daemonID, self.workers, self.version)
        let host = ProcessInfo.processInfo.hostName
        let pid = Int(ProcessInfo.processInfo.processIdentifier)
        await cancelWhenGracefulShutdown {
            // Until the database answers and is migrated, keep trying: the API still serves
            // /health, and /ready says what is missing.
            var registered = false
            var warned = false
            while !registered, !Task.isCancelled {
                do {
                    try await self.database.transaction(scope: .all) { connection in
                        try DaemonStore.register(id: id, host: host, pid: pid, version: version, workers: workers, on: connection)
                    }
                    registered = true
                    self.logger.info("daemon registered", metadata: ["daemon": "\(id)"])
                } catch {
                    if !warned {
                        self.logger.warning("cannot register the daemon yet; retrying", metadata: ["error": "\(error)"])
                        warned = true
                    }
                    try? await Task.sleep(for: .seconds(DaemonStore.heartbeatSeconds))
                }
            }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(DaemonStore.heartbeatSeconds))
                if Task.isCancelled { break }
                do {
                    try await self.database.transaction(scope: .all) { try DaemonStore.heartbeat(id: id, state: "running", on: $0) }
                    try await self.database.transaction(scope: .all) { try DaemonStore.purgeExpiredData(on: $0) }
                } catch {
                    self.logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
                }
            }
        }
        try? await database.transaction(scope: .all) { try DaemonStore.heartbeat(id: id, state: "stopped", on: $0) }
    }
}
