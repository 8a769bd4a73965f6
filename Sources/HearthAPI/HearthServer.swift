import HearthStore
import Hummingbird
import Logging
import NIOCore

/// Routes served beside the API by the same router and process: hearthd mounts the web app
/// (`HearthWeb`) at `/` this way. Mounted after every API route, so the API's routes and
/// middleware are exactly as they would be without it.
public protocol ServerMount: Sendable {
    /// Adds the mount's routes (and any middleware for them) to `router`.
    func mount(on router: Router<HearthRequestContext>)
}

/// Builds hearthd's HTTP application.
public enum HearthServer {
    /// Where and how the server listens.
    public struct Settings: Sendable {
        /// Address to bind.
        public var host: String
        /// Port to bind.
        public var port: Int
        /// How long a client may take to send a request's head, and then its body; also how
        /// long an idle keep-alive connection stays open. Slower clients are disconnected.
        public var requestTimeout: Duration

        public init(host: String, port: Int, requestTimeout: Duration = .seconds(30)) {
            self.host = host
            self.port = port
            self.requestTimeout = requestTimeout
        }
    }

    /// What the server serves besides the database: the postcode table and the API contract.
    public struct Resources: Sendable {
        /// The postcode districts (`Data/postcode_districts.csv`).
        public let postcodes: PostcodeDistricts
        let contract: ContractRoutes

        /// Loads both from the files compiled into the program (`Data/`, `Docs/`).
        public static func load() throws -> Resources {
            Resources(postcodes: try PostcodeDistricts.load(), contract: try ContractRoutes.load())
        }
    }

    /// The Hummingbird application serving Hearth's API over `database`, and then `mounts`. It is a `Service`:
    /// run it in the process's `ServiceGroup`, which stops it gracefully on SIGTERM/SIGINT.
    public static func makeApplication(
        database: HearthDatabase,
        resources: Resources,
        metrics: HearthMetrics,
        settings: Settings,
        mounts: [any ServerMount] = [],
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: HearthRequestContext.self)
        // Outermost first: metrics and the request log see every answer, after ProblemMiddleware
        // has turned errors into problems with their real status; the body is read (or
        // refused) inside ProblemMiddleware, before any route runs.
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: NoStoreMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: RequestBodyMiddleware(timeout: settings.requestTimeout))
        HealthRoutes(database: database).register(on: router)
        MetricsRoutes(metrics: metrics, database: database).register(on: router)
        resources.contract.register(on: router)
        let keys = APIKeyCache(database: database, logger: logger)
        let v1 = router.group("v1").add(middleware: AuthenticationMiddleware(keys: keys))
        AuthorityRoutes(database: database).register(on: v1)
        OfferRoutes(database: database, postcodes: resources.postcodes).register(on: v1)
        BidRoutes(database: database, postcodes: resources.postcodes).register(on: v1)
        ProposalRoutes(database: database).register(on: v1)
        ExplainRoute(database: database).register(on: v1)
        StatementRoutes(database: database).register(on: v1)
        InsightRoutes(database: database).register(on: v1)
        ForecastRoutes(database: database).register(on: v1)
        for mount in mounts { mount.mount(on: router) }
        return Application(
            router: router,
            // The idle timeout closes a connection on which no request part arrived for that
            // long: half a request head, a stalled body, or an idle keep-alive connection.
            server: .http1(configuration: .init(idleTimeout: TimeAmount(settings.requestTimeout))),
            configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "hearthd"),
            services: [keys],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? settings.port) },
            logger: logger
        )
    }
}
