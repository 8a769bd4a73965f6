import ArgumentParser
import HearthAPI
import Foundation
import HearthCLI
import HearthClearing
import HearthStore
import Logging
import ServiceLifecycle

/// hearthd: serves the REST API and runs clearing rounds until SIGTERM or SIGINT.
@main
struct HearthDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearthd",
        abstract: "The Hearth daemon: serves the REST API and clears bids against offers.",
        discussion: "Serves until SIGTERM or SIGINT, then drains and exits 0. SIGHUP re-reads HEARTH_LOG_LEVEL from the file named by HEARTH_CONFIG. Without a database URL it uses (and creates) an embedded PostgreSQL cluster under ./.hearth/.",
        version: HearthVersion.current
    )

    /// Reads the arguments as people type them: `--lon -0.75` works.
    static func main() async { await mainAsTyped() }

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var pool: PoolOptions
    @OptionGroup var clearing: ClearingOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = HearthLogging.bootstrap(label: "hearthd", level: try logging.resolvedLevel())
        let listening = try server.resolved()
        let poolSize = try pool.resolvedSize()
        let workers = try clearing.resolvedWorkers()
        let searchBudget = try clearing.resolvedSearchBudget(defaultSeconds: 10)
        let resources = try HearthServer.Resources.load()
        let metrics = HearthMetrics.bootstrap()
        let opened = try await HearthDatabase.open(
            url: database.resolvedURL(), embeddedLogin: .daemon, poolSize: poolSize, applicationName: "hearthd", logger: logger
        )
        if let warning = try? await opened.loginPrivilegeWarning() {
            logger.warning("\(warning)")
        }
        let application = HearthServer.makeApplication(
            database: opened,
            resources: resources,
            metrics: metrics,
            settings: .init(host: listening.host, port: listening.port, requestTimeout: .seconds(listening.requestTimeoutSeconds)),
            logger: logger,
            onServerRunning: { port in
                logger.notice(
                    "hearthd is serving",
                    metadata: [
                        "url": "http://\(listening.host):\(port)", "public_url": "\(listening.publicURL)", "pool_size": "\(poolSize)",
                        "embedded_database": "\(opened.isEmbedded)",
                    ]
                )
            }
        )
        let reloader = LogLevelReloader(configurationFile: ProcessInfo.processInfo.environment["HEARTH_CONFIG"], logger: logger)
        let heartbeat = HeartbeatService(database: opened, daemonID: UUID(), workers: workers, version: HearthVersion.current, logger: logger)
        let rounds = ClearingService(
            database: opened, runner: RoundRunner(database: opened, workers: workers, searchBudget: searchBudget, daemonID: heartbeat.daemonID, logger: logger), logger: logger
        )
        // Shut down in reverse order: stop taking requests first, then let a round in progress
        // finish, then record the daemon as stopped.
        let group = ServiceGroup(
            configuration: .init(services: [reloader, heartbeat, rounds, application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
        logger.notice("hearthd stopped")
    }
}
