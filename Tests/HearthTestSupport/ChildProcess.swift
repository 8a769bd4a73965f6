import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One of Hearth's real programs, started by a test the way a user starts it.
///
/// Spawned with `posix_spawn`; output and errors go to files the test can read; `waitForExit` polls
/// `waitpid`, so a daemon the program leaves behind cannot make the wait hang.
public final class ChildProcess {
    /// The child's process id.
    public let pid: pid_t
    private let outputURL: URL
    private let errorURL: URL
    private var exitStatus: Int32?

    /// The folder holding the built programs: `HEARTH_BIN_DIR`, else the folder of the running
    /// test binary (SwiftPM puts both in `.build/<configuration>/`).
    public static var binDirectory: URL {
        if let configured = ProcessInfo.processInfo.environment["HEARTH_BIN_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // On Linux the test binary is `.build/debug/hearthPackageTests.xctest`.
        while !FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("hearthd").path), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        return folder
    }

    /// Starts `program` (e.g. "hearthd", or an absolute path to a copy of it) with `arguments`
    /// in `directory`, with extra environment variables layered over the test's own.
    public init(_ program: String, _ arguments: [String] = [], in directory: URL? = nil, environment: [String: String] = [:]) throws {
        let executable = program.hasPrefix("/") ? program : Self.binDirectory.appendingPathComponent(program).path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestDatabaseError("\(executable) is not built: run swift build first")
        }
        let stem = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-test-\(UUID().uuidString)").path
        outputURL = URL(fileURLWithPath: stem + ".out")
        errorURL = URL(fileURLWithPath: stem + ".err")
        var argv = [executable] + arguments
        if let directory {
            argv = ["/usr/bin/env", "-C", directory.path] + argv
        }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let environmentStrings = merged.map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnvironment: [UnsafeMutablePointer<CChar>?] = environmentStrings.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, argv[0], &actions, nil, cArguments, cEnvironment)
        guard result == 0 else {
            throw TestDatabaseError("cannot start \(program): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        try? FileManager.default.removeItem(at: outputURL)
        try? FileManager.default.removeItem(at: errorURL)
    }

    /// What the program printed on standard output so far.
    public var standardOutput: String {
        (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
    }

    /// Everything the program printed so far: standard output, then standard error.
    public var output: String {
        standardOutput + ((try? String(contentsOf: errorURL, encoding: .utf8)) ?? "")
    }

    /// Sends a signal (e.g. `SIGTERM`).
    public func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits up to `timeout` seconds for the program to exit; returns its exit code (128 +
    /// signal when killed), or nil if it is still running.
    public func waitForExit(timeout: Double) async throws -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let exitStatus { return exitStatus }
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                exitStatus = code
                return code
            }
            if Date() >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// What a finished program did.
    public struct Outcome: Sendable {
        /// Exit code (128 + signal when killed).
        public let status: Int32
        /// Standard output, then standard error.
        public let output: String
        /// Standard output alone (for `--json`).
        public let standardOutput: String
    }

    /// Runs a program to completion and returns its exit code and output.
    public static func run(_ program: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:], timeout: Double = 120) async throws -> Outcome {
        let child = try ChildProcess(program, arguments, in: directory, environment: environment)
        guard let status = try await child.waitForExit(timeout: timeout) else {
            child.send(SIGKILL)
            throw TestDatabaseError("\(program) \(arguments.joined(separator: " ")) did not finish within \(timeout) s:\n\(child.output)")
        }
        return Outcome(status: status, output: child.output, standardOutput: child.standardOutput)
    }
}

/// Picks a TCP port on 127.0.0.1 that nothing uses right now, for a test to pass to `--port`.
///
/// The port comes from below the kernel's ephemeral range (`ip_local_port_range`), not from
/// `bind` to port 0: an ephemeral port is also what the kernel gives every outgoing connection
/// (libpq's, the HTTP client's), and on a loaded machine one of those can take it in the seconds
/// before the program binds it. Ports are handed out in turn from a random start, so two tests
/// in this process never get the same one.
public func freeLocalPort() throws -> Int {
    let candidates = testPortRange()
    for _ in 0..<candidates.count {
        let port = nextTestPort.withLock { next in
            defer { next = next + 1 }
            return candidates.lowerBound + next % candidates.count
        }
        if canBind(port) { return port }
    }
    throw TestDatabaseError("no free port in \(candidates)")
}

/// Ports below the ephemeral range: 10,000 of them, or as many as fit above 1024.
private func testPortRange() -> Range<Int> {
    let configured = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
    let ephemeralLow = configured?.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
    let upper = max(ephemeralLow, 2048)
    return max(1025, upper - 10_000)..<upper
}

private let nextTestPort = Mutex(Int.random(in: 0..<10_000))

/// Whether a socket can bind 127.0.0.1:`port` (without `SO_REUSEADDR`, so a port held by any
/// socket, listening or connected, counts as taken).
private func canBind(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return bound == 0
}

/// Makes a new empty folder for a test; the caller removes it.
public func makeTemporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
