import Foundation
import LibPQ
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The private PostgreSQL cluster under `./.hearth/` that hearthd and hearthctl use when no
/// database URL is given.
///
/// `start()` creates the cluster with the system's `initdb` on first use, starts it with
/// `pg_ctl` on 127.0.0.1 and a private port (no Unix socket), with a random password kept in
/// `.hearth/password` (mode 0600) for the owner `hearth` (who migrates; hearthctl), creates the
/// `hearth` database and the login role `hearth_daemon` that hearthd works as, with its own
/// random password in `.hearth/daemon-password` (0600), and registers the calling process as a
/// user of it. `release()` deregisters, and stops the server when no other live
/// Hearth process is using it. Running as root, the server runs as the `postgres` user, since
/// PostgreSQL refuses to run as root.
///
/// Layout: `.hearth/pgdata` (the cluster), `.hearth/log/postgres.log`, `.hearth/port`,
/// `.hearth/password`, `.hearth/daemon-password`, `.hearth/clients/<pid>`, `.hearth/lock`.
public final class EmbeddedCluster: Sendable {
    /// The `.hearth` folder.
    public let directory: URL
    private let logger: Logger
    private let environment: [String: String]

    /// The database the programs use inside the cluster.
    public static let databaseName = "hearth"
    private static let superuser = "hearth"
    /// The login role hearthd works as (Migrations/0006 grants its rights).
    public static let daemonRole = "hearth_daemon"

    /// The two ways into the cluster's database.
    public struct Logins: Sendable, Equatable {
        /// The owner (a superuser of the private cluster): migrations and administration.
        public let owner: String
        /// `hearth_daemon`: what hearthd logs in as.
        public let daemon: String
    }

    /// Creates a handle for the cluster in `directory`; nothing happens until `start()`.
    public init(directory: URL, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.directory = directory.standardizedFileURL
        self.logger = logger
        self.environment = environment
    }

    private var dataDirectory: URL { directory.appendingPathComponent("pgdata") }
    private var logDirectory: URL { directory.appendingPathComponent("log") }
    private var clientsDirectory: URL { directory.appendingPathComponent("clients") }
    private var portFile: URL { directory.appendingPathComponent("port") }
    private var passwordFile: URL { directory.appendingPathComponent("password") }
    private var daemonPasswordFile: URL { directory.appendingPathComponent("daemon-password") }

    /// Ensures the cluster and its daemon role exist and the server runs, registers this process
    /// as a user, and returns the database URLs.
    ///
    /// `shouldStop` is asked after a new cluster has been created: when it says yes (the
    /// program was told to stop meanwhile), the server is not started and
    /// `EmbeddedCluster.StartStopped` is thrown; the next start finds the cluster made.
    public func start(shouldStop: @Sendable () -> Bool = { false }) throws -> Logins {
        let binaries = try Self.findBinaries(environment: environment)
        let serverUser = try Self.serverUser()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return try withLock {
            if !FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
                try initialize(binaries: binaries, serverUser: serverUser)
                if shouldStop() { throw StartStopped() }
            }
            let password = try readTrimmed(passwordFile)
            var port = try readPort()
            if try !isRunning(binaries: binaries, serverUser: serverUser, port: port) {
                do {
                    try startServer(binaries: binaries, serverUser: serverUser, port: port)
                } catch {
                    // The saved port may have been taken by something else since; try a fresh one once.
                    guard Self.portIsTaken(port) else { throw error }
                    port = try Self.freePort()
                    try String(port).write(to: portFile, atomically: true, encoding: .utf8)
                    try startServer(binaries: binaries, serverUser: serverUser, port: port)
                }
            }
            try createDatabaseIfMissing(password: password, port: port)
            let daemonPassword = try ensureDaemonRole(ownerPassword: password, port: port)
            try registerClient()
            return Logins(
                owner: Self.url(password: password, port: port, database: Self.databaseName),
                daemon: Self.url(user: Self.daemonRole, password: daemonPassword, port: port, database: Self.databaseName)
            )
        }
    }

    /// Deregisters this process and stops the server if no other live Hearth process uses it.
    /// Returns true if it stopped the server.
    @discardableResult
    public func release() -> Bool {
        (try? withLock {
            try? FileManager.default.removeItem(at: clientsDirectory.appendingPathComponent(String(getpid())))
            guard liveClients().isEmpty else { return false }
            let binaries = try Self.findBinaries(environment: environment)
            let serverUser = try Self.serverUser()
            let outcome = try CommandRunner.run(
                binaries.appendingPathComponent("pg_ctl").path,
                ["-D", dataDirectory.path, "-m", "fast", "-w", "-t", "30", "stop"],
                asUser: serverUser, in: directory
            )
            if outcome.status == 0 {
                logger.info("stopped the embedded PostgreSQL", metadata: ["data": "\(dataDirectory.path)"])
                return true
            }
            logger.warning("could not stop the embedded PostgreSQL", metadata: ["output": "\(outcome.output)"])
            return false
        }) ?? false
    }

    // MARK: - Creating and starting

    private func initialize(binaries: URL, serverUser: String?) throws {
        logger.info("creating the embedded PostgreSQL cluster", metadata: ["data": "\(dataDirectory.path)"])
        let fileManager = FileManager.default
        try? fileManager.removeItem(at: dataDirectory)
        try fileManager.createDirectory(at: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try fileManager.createDirectory(at: logDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let password = Self.randomSecret()
        try write(password, to: passwordFile, mode: 0o600)
        try String(try Self.freePort()).write(to: portFile, atomically: true, encoding: .utf8)
        let passwordForInitdb = directory.appendingPathComponent("initdb-password")
        try write(password, to: passwordForInitdb, mode: 0o600)
        defer { try? fileManager.removeItem(at: passwordForInitdb) }
        if let serverUser {
            try Self.makeReachable(directory, by: serverUser, logger: logger)
            for path in [dataDirectory, logDirectory, passwordForInitdb] {
                try Self.changeOwner(of: path, to: serverUser)
            }
        }
        let outcome = try CommandRunner.run(
            binaries.appendingPathComponent("initdb").path,
            [
                "-D", dataDirectory.path, "-U", Self.superuser, "--pwfile", passwordForInitdb.path,
                "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale",
            ],
            asUser: serverUser, in: directory
        )
        guard outcome.status == 0 else {
            try? fileManager.removeItem(at: dataDirectory)
            throw EmbeddedClusterError("initdb failed: \(outcome.output.split(separator: "\n").last ?? "")")
        }
        let settings = """

            # Hearth embedded cluster: loopback TCP only, on the port in ../port.
            listen_addresses = '127.0.0.1'
            unix_socket_directories = ''
            max_connections = 200
            """
        let configuration = try FileHandle(forWritingTo: dataDirectory.appendingPathComponent("postgresql.conf"))
        try configuration.seekToEnd()
        try configuration.write(contentsOf: Data(settings.utf8))
        try configuration.close()
    }

    private func startServer(binaries: URL, serverUser: String?, port: Int) throws {
        if let serverUser {
            try Self.makeReachable(directory, by: serverUser, logger: logger)
            try Self.changeOwner(of: logDirectory, to: serverUser)
        }
        logger.info("starting the embedded PostgreSQL", metadata: ["port": "\(port)"])
        let outcome = try CommandRunner.run(
            binaries.appendingPathComponent("pg_ctl").path,
            [
                "-D", dataDirectory.path, "-l", logDirectory.appendingPathComponent("postgres.log").path,
                "-w", "-t", "60", "-o", "-p \(port)", "start",
            ],
            asUser: serverUser, in: directory
        )
        guard outcome.status == 0 else {
            throw EmbeddedClusterError(
                "could not start the embedded PostgreSQL (see \(logDirectory.appendingPathComponent("postgres.log").path)): \(outcome.output.split(separator: "\n").last ?? "")"
            )
        }
        try waitUntilReady(binaries: binaries, port: port, seconds: 30)
    }

    private func isRunning(binaries: URL, serverUser: String?, port: Int) throws -> Bool {
        let status = try CommandRunner.run(
            binaries.appendingPathComponent("pg_ctl").path, ["-D", dataDirectory.path, "status"],
            asUser: serverUser, in: directory
        )
        guard status.status == 0 else { return false }
        // A server killed with SIGKILL lingers for a few seconds; wait for it to answer or vanish.
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if try isReady(binaries: binaries, port: port) { return true }
            let again = try CommandRunner.run(
                binaries.appendingPathComponent("pg_ctl").path, ["-D", dataDirectory.path, "status"],
                asUser: serverUser, in: directory
            )
            if again.status != 0 { return false }
            Thread.sleep(forTimeInterval: 0.25)
        }
        throw EmbeddedClusterError("the embedded PostgreSQL in \(dataDirectory.path) is running but does not answer on port \(port)")
    }

    private func isReady(binaries: URL, port: Int) throws -> Bool {
        let outcome = try CommandRunner.run(
            binaries.appendingPathComponent("pg_isready").path, ["-h", "127.0.0.1", "-p", String(port), "-t", "2"]
        )
        return outcome.status == 0
    }

    private func waitUntilReady(binaries: URL, port: Int, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try isReady(binaries: binaries, port: port) { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw EmbeddedClusterError("the embedded PostgreSQL started but does not answer on port \(port)")
    }

    private func createDatabaseIfMissing(password: String, port: Int) throws {
        let connection = try PostgresConnection(url: Self.url(password: password, port: port, database: "postgres"), applicationName: "hearth-setup")
        let existing = try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [Self.databaseName])
        if existing.rows.isEmpty {
            try connection.execute("CREATE DATABASE \(Self.databaseName)")
        }
    }

    /// Creates `hearth_daemon` with the password in `.hearth/daemon-password`, making both when
    /// missing (a cluster made before the role existed gets them on its next start). Returns
    /// the password. Runs under the lock, so two processes never set it at once.
    private func ensureDaemonRole(ownerPassword: String, port: Int) throws -> String {
        let stored = (try? readTrimmed(daemonPasswordFile)) ?? ""
        let isNew = stored.isEmpty
        let password = isNew ? Self.randomSecret() : stored
        let connection = try PostgresConnection(url: Self.url(password: ownerPassword, port: port, database: "postgres"), applicationName: "hearth-setup")
        let exists = try connection.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [Self.daemonRole]).first != nil
        if !exists || isNew {
            let verb = exists ? "ALTER" : "CREATE"
            let statement = try connection.query(
                "SELECT format('\(verb) ROLE %I LOGIN PASSWORD %L', $1::text, $2::text) AS sql", [Self.daemonRole, password]
            ).first?.string("sql") ?? ""
            try connection.execute(statement)
        }
        // Written only once the role has it, so the file never names a password the role lacks.
        if isNew {
            try write(password, to: daemonPasswordFile, mode: 0o600)
        }
        return password
    }

    // MARK: - Users of the cluster

    private func registerClient() throws {
        try FileManager.default.createDirectory(at: clientsDirectory, withIntermediateDirectories: true)
        try Data().write(to: clientsDirectory.appendingPathComponent(String(getpid())))
    }

    private func liveClients() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: clientsDirectory.path)) ?? []
        return names.compactMap { name -> Int32? in
            guard let pid = Int32(name) else { return nil }
            if kill(pid, 0) == 0 || errno == EPERM { return pid }
            try? FileManager.default.removeItem(at: clientsDirectory.appendingPathComponent(name))
            return nil
        }
    }

    // MARK: - Helpers

    /// Serialises setup and teardown between processes sharing `.hearth/` (flock).
    private func withLock<T>(_ body: () throws -> T) throws -> T {
        let lockPath = directory.appendingPathComponent("lock").path
        let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw EmbeddedClusterError("cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else {
            throw EmbeddedClusterError("cannot lock \(lockPath): \(String(cString: strerror(errno)))")
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    private func readTrimmed(_ file: URL) throws -> String {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw EmbeddedClusterError("\(file.path) is missing: remove \(directory.path) to start afresh (this deletes the embedded data)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func readPort() throws -> Int {
        guard let port = Int(try readTrimmed(portFile)), (1024...65535).contains(port) else {
            throw EmbeddedClusterError("\(portFile.path) does not hold a port number")
        }
        return port
    }

    private func write(_ text: String, to file: URL, mode: Int) throws {
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw EmbeddedClusterError("cannot write \(file.path)")
        }
    }

    static func url(user: String = superuser, password: String, port: Int, database: String) -> String {
        "postgresql://\(user):\(password)@127.0.0.1:\(port)/\(database)"
    }

    private static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }.lowercaseHex
    }

    /// The folder with `initdb` and `pg_ctl`: `HEARTH_PG_BINDIR`, the newest
    /// `/usr/lib/postgresql/*/bin`, or the folder of `pg_ctl` on `PATH`.
    static func findBinaries(environment: [String: String]) throws -> URL {
        let fileManager = FileManager.default
        func usable(_ folder: URL) -> Bool {
            ["initdb", "pg_ctl", "pg_isready"].allSatisfy {
                fileManager.isExecutableFile(atPath: folder.appendingPathComponent($0).path)
            }
        }
        if let configured = environment["HEARTH_PG_BINDIR"], !configured.isEmpty {
            let folder = URL(fileURLWithPath: configured)
            guard usable(folder) else {
                throw EmbeddedClusterError("HEARTH_PG_BINDIR=\(configured) does not contain initdb, pg_ctl and pg_isready")
            }
            return folder
        }
        let versions = ((try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap { Int($0) }
            .sorted()
        for version in versions.reversed() {
            let folder = URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin")
            if usable(folder) { return folder }
        }
        for entry in (environment["PATH"] ?? "").split(separator: ":") {
            let folder = URL(fileURLWithPath: String(entry))
            if usable(folder) { return folder }
        }
        throw EmbeddedClusterError(
            "PostgreSQL server programs (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or PATH: install the postgresql package (apt-get install postgresql), set HEARTH_PG_BINDIR, or pass --database-url"
        )
    }

    /// The user the server runs as: `postgres` when we are root, otherwise ourselves (nil).
    private static func serverUser() throws -> String? {
        guard geteuid() == 0 else { return nil }
        guard getpwnam("postgres") != nil else {
            throw EmbeddedClusterError("running as root: PostgreSQL refuses root and there is no 'postgres' user to run it as (install the postgresql package)")
        }
        return "postgres"
    }

    private static func changeOwner(of url: URL, to user: String) throws {
        guard let entry = getpwnam(user) else { return }
        guard chown(url.path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
            throw EmbeddedClusterError("cannot give \(url.path) to \(user): \(String(cString: strerror(errno)))")
        }
    }

    /// The server user must be able to reach `.hearth/`: grant search (x) permission on any
    /// parent folder that lacks it for others (a `mktemp -d` folder is 0700, for instance).
    private static func makeReachable(_ folder: URL, by user: String, logger: Logger) throws {
        var current = folder.standardizedFileURL
        while current.path != "/" {
            var info = stat()
            if stat(current.path, &info) == 0, info.st_mode & S_IXOTH == 0 {
                guard chmod(current.path, (info.st_mode & 0o7777) | S_IXOTH) == 0 else {
                    throw EmbeddedClusterError("the \(user) user cannot reach \(folder.path): \(current.path) is closed to it")
                }
                logger.notice("granted search permission so PostgreSQL can reach its data", metadata: ["folder": "\(current.path)"])
            }
            current = current.deletingLastPathComponent().standardizedFileURL
        }
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw EmbeddedClusterError("cannot open a socket to choose a port") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw EmbeddedClusterError("cannot choose a free port") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw EmbeddedClusterError("cannot choose a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func portIsTaken(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return connected == 0
    }
}

/// The embedded cluster could not be created, started or stopped. The message says why and
/// what to do.
extension EmbeddedCluster {
    /// The program was told to stop while the cluster was being created: nothing was started.
    public struct StartStopped: Error, Sendable {}
}

public struct EmbeddedClusterError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
