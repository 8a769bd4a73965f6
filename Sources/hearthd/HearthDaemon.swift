import ArgumentParser
import HearthAPI
import Foundation
import HearthCLI
import HearthClearing
import HearthStore
import HearthWeb
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

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
    static func main() async {
        limitMallocArenas()
        await mainAsTyped()
    }

    /// glibc gives each thread that allocates under contention an arena of its own (up to 8 per
    /// core) and keeps what it freed there: with a Dispatch queue per database connection and
    /// SwiftNIO's and Swift's threads, resident memory grows with concurrency. Two arenas keep
    /// it flat (Docs/performance.md, "API throughput"); `MALLOC_ARENA_MAX` in the environment
    /// still decides when set.
    private static func limitMallocArenas() {
        #if canImport(Glibc)
        // `mallopt` is declared in <malloc.h>, which the Glibc module does not export; -8 is
        // its `M_ARENA_MAX`.
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil,
            let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt")
        else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-8, 2)
        #endif
    }

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var pool: PoolOptions
    @OptionGroup var clearing: ClearingOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        // Trap SIGTERM/SIGINT before anything else: a signal during start-up (initdb of the
        // embedded cluster, migrations) must stop the daemon cleanly, not kill it half-way.
        let stop = StopRequest()
        let stopped = StopFlag()
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let watching = Task {
            for await signal in signals {
                stopped.set()
                await stop.request(signal: "\(signal)")
            }
        }
        defer { watching.cancel() }

        let logger = HearthLogging.bootstrap(label: "hearthd", level: try logging.resolvedLevel())
        let listening = try server.resolved()
        let poolSize = try pool.resolvedSize()
        let workers = try clearing.resolvedWorkers()
        let searchBudget = try clearing.resolvedSearchBudget(defaultSeconds: 10)
        let proposalLifetime = try clearing.resolvedProposalTTL()
        let resources = try HearthServer.Resources.load()
        let metrics = HearthMetrics.bootstrap()
        logger.notice("hearthd is starting: opening the database", metadata: ["embedded_database": "\(database.resolvedURL() == nil)"])
        let opened: HearthDatabase
        do {
            opened = try await HearthDatabase.open(
                url: database.resolvedURL(), embeddedLogin: .daemon, poolSize: poolSize, applicationName: "hearthd",
                shouldStop: { stopped.isSet }, logger: logger
            )
        } catch {
            // Stopped during start-up (a terminal's Ctrl-C also reaches initdb): not a failure.
            if let signal = await stop.signal {
                logger.notice("hearthd stopped during start-up", metadata: ["signal": "\(signal)"])
                return
            }
            throw error
        }
        if let signal = await stop.signal {
            await opened.close()
            logger.notice("hearthd stopped during start-up", metadata: ["signal": "\(signal)"])
            return
        }
        if let warning = try? await opened.loginPrivilegeWarning() {
            logger.warning("\(warning)")
        }
        let heartbeat = HeartbeatService(database: opened, daemonID: UUID(), workers: workers, version: HearthVersion.current, logger: logger)
        let runner = RoundRunner(
            database: opened, workers: workers, searchBudget: searchBudget, proposalLifetimeSeconds: proposalLifetime,
            daemonID: heartbeat.daemonID, logger: logger
        )
        // The web app for people, at `/` in the same router: the operator's **Run a round now**
        // runs a round on this daemon's runner, even while clearing is paused.
        let web = try WebApp(
            database: opened, postcodes: resources.postcodes, settings: WebSettings(publicURL: listening.publicURL),
            runRound: { try await runner.run(trigger: .operator, wait: true) }
        )
        let application = HearthServer.makeApplication(
            database: opened,
            resources: resources,
            metrics: metrics,
            settings: .init(host: listening.host, port: listening.port, requestTimeout: .seconds(listening.requestTimeoutSeconds)),
            mounts: [web],
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
        let rounds = ClearingService(database: opened, runner: runner, logger: logger)
        let lapses = LapseService(database: opened, logger: logger)
        // Shut down in reverse order: stop taking requests first, then let a round in progress
        // finish, then stop lapsing, then record the daemon as stopped. The whole graceful
        // shutdown is bounded, so the process exits within the 10 s promised (INTERFACE.md):
        // 7 s for services to finish, 1 s more for cancelled ones, then the pool and the
        // embedded cluster close.
        var configuration = ServiceGroupConfiguration(
            services: [reloader, heartbeat, lapses, rounds, application], gracefulShutdownSignals: [], logger: logger
        )
        configuration.maximumGracefulShutdownDuration = .seconds(7)
        configuration.maximumCancellationDuration = .seconds(1)
        let group = ServiceGroup(configuration: configuration)
        await stop.attach(group)
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

/// Whether a stop signal has arrived, readable from blocking start-up code.
private final class StopFlag: Sendable {
    private let state = Mutex(false)

    func set() { state.withLock { $0 = true } }

    var isSet: Bool { state.withLock { $0 } }
}

/// Remembers a stop signal that arrives before the service group exists, and passes later ones
/// to the group as a graceful shutdown.
private actor StopRequest {
    private(set) var signal: String?
    private var group: ServiceGroup?

    func request(signal: String) async {
        if self.signal == nil { self.signal = signal }
        await group?.triggerGracefulShutdown()
    }

    /// From now on signals shut `group` down; one that already arrived does so at once.
    func attach(_ group: ServiceGroup) async {
        self.group = group
        if signal != nil { await group.triggerGracefulShutdown() }
    }
}
