// swift-tools-version:6.2
import PackageDescription

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let hummingbirdTesting = Target.Dependency.product(name: "HummingbirdTesting", package: "hummingbird")
let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")
let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let unixSignals = Target.Dependency.product(name: "UnixSignals", package: "swift-service-lifecycle")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let bcrypt = Target.Dependency.product(name: "HummingbirdBcrypt", package: "hummingbird-auth")
let otp = Target.Dependency.product(name: "HummingbirdOTP", package: "hummingbird-auth")
let mustache = Target.Dependency.product(name: "Mustache", package: "swift-mustache")

let package = Package(
    name: "hearth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hearthd", targets: ["hearthd"]),
        .executable(name: "hearthctl", targets: ["hearthctl"]),
        .executable(name: "hearth-settle", targets: ["hearth-settle"]),
        .executable(name: "hearth-bench", targets: ["hearth-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        /// The system C library, libpq, with a shim that re-exports the macros Swift cannot import.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        /// The one Swift wrapper over libpq: connections, results, errors, pool, notifications.
        .target(name: "LibPQ", dependencies: ["CLibPQ", logging]),
        /// Domain types and rules and the clearing solver. Pure: no I/O.
        .target(name: "HearthCore"),
        /// PostgreSQL-backed storage: migrations, the embedded cluster, repositories.
        .target(name: "HearthStore", dependencies: ["LibPQ", "HearthCore", "HearthInsight", logging, crypto], plugins: ["EmbedResources"]),
        /// Compiles Migrations/*.sql, Data/*.csv, Docs/openapi.yaml and the web app's Web/templates
        /// and Web/static into HearthStore, so every program is one self-contained file.
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["EmbedResourcesTool"]),
        .executableTarget(name: "EmbedResourcesTool", path: "Plugins/EmbedResourcesTool"),
        /// Clearing rounds: snapshot, exact solve on the Dispatch worker pool, commit; the daemon's loop.
        .target(name: "HearthClearing", dependencies: ["HearthStore", "HearthCore", logging, metrics, serviceLifecycle]),
        /// Settlement: the nightly run, the double-entry ledger, netting, statements, contributions.
        .target(name: "HearthSettlement", dependencies: ["HearthStore", "HearthCore", logging]),
        /// The HTTP API served by hearthd.
        .target(name: "HearthAPI", dependencies: ["HearthStore", "HearthSettlement", "HearthInsight", hummingbird, httpTypes, nioCore, crypto, logging, metrics, prometheus, serviceLifecycle]),
        /// The web app for people (placement teams, scrutiny, finance, the operator), mounted by
        /// hearthd at `/` beside the API: sessions, pages, templates.
        .target(name: "HearthWeb", dependencies: ["HearthAPI", "HearthStore", "HearthSettlement", "HearthCore", "LibPQ", hummingbird, httpTypes, mustache, bcrypt, otp, logging]),
        /// Configuration shared by the three programs (flags > environment > defaults).
        .target(name: "HearthCLI", dependencies: ["HearthStore", "HearthSettlement", argumentParser, logging]),
        .executableTarget(name: "hearthd", dependencies: ["HearthAPI", "HearthWeb", "HearthClearing", "HearthCLI", argumentParser, logging, serviceLifecycle, unixSignals]),
        .executableTarget(name: "hearthctl", dependencies: ["HearthStore", "LibPQ", bcrypt, "HearthClearing", "HearthSettlement", "HearthInsight", "HearthCLI", argumentParser, logging, crypto]),
        .executableTarget(name: "hearth-settle", dependencies: ["HearthStore", "HearthSettlement", "HearthCLI", argumentParser, logging]),
        /// Regional insight: SSDA903 history, sufficiency, forecast, what-if. Pure: no I/O.
        .target(name: "HearthInsight", dependencies: ["HearthCore"]),
        /// Benchmarks: South-East-shaped clearing instances, timed by worker count; synthetic SSDA903 returns.
        .executableTarget(name: "hearth-bench", dependencies: ["HearthCore", "HearthInsight", "HearthStore", argumentParser]),
        /// Helpers shared by the test targets: the live test database and the built programs.
        .target(name: "HearthTestSupport", dependencies: ["LibPQ"], path: "Tests/HearthTestSupport"),
        .testTarget(name: "HearthCoreTests", dependencies: ["HearthCore"]),
        .testTarget(name: "HearthInsightTests", dependencies: ["HearthInsight"]),
        .testTarget(name: "HearthSettlementTests", dependencies: ["HearthSettlement", "HearthTestSupport"]),
        .testTarget(name: "LibPQTests", dependencies: ["LibPQ", "HearthTestSupport"]),
        .testTarget(name: "HearthStoreTests", dependencies: ["HearthStore", "HearthInsight", "HearthTestSupport"]),
        .testTarget(name: "HearthAPITests", dependencies: ["HearthAPI", "HearthTestSupport", hummingbirdTesting]),
        .testTarget(name: "HearthWebTests", dependencies: ["HearthWeb", "HearthAPI", "HearthStore", "LibPQ", "HearthTestSupport", hummingbird, hummingbirdTesting, httpTypes, nioCore, logging, otp]),
        .testTarget(name: "EndToEndTests", dependencies: ["LibPQ", "HearthStore", "HearthTestSupport"]),
    ]
)
