import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs an external program to completion and captures what it printed.
///
/// Uses `posix_spawn` and `waitpid` rather than Foundation's `Process`, whose wait can hang
/// when the child leaves a daemon behind (as `pg_ctl start` does). The child gets /dev/null
/// for input, a temporary file for output; descriptors
/// this process opens are close-on-exec, so a daemon the child leaves behind holds none of them.
enum CommandRunner {
    struct Outcome {
        let status: Int32
        let output: String
    }

    /// Runs `executable` with `arguments`, optionally as another user through `runuser`, in
    /// `directory` (the child's working folder).
    static func run(_ executable: String, _ arguments: [String], asUser user: String? = nil, in directory: URL? = nil) throws -> Outcome {
        var argv = [executable] + arguments
        if let directory {
            // GNU env changes folder before exec; posix_spawn's chdir action is not exported to Swift.
            argv = ["/usr/bin/env", "-C", directory.path] + argv
        }
        if let user {
            argv = [try runuserPath(), "-u", user, "--"] + argv
        }
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: outputURL) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else {
            throw EmbeddedClusterError("cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                throw EmbeddedClusterError("lost track of \(argv[0]): \(String(cString: strerror(errno)))")
            }
        }
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return Outcome(status: exitCode, output: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func runuserPath() throws -> String {
        for candidate in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw EmbeddedClusterError("running as root needs `runuser` (util-linux) to start PostgreSQL as the postgres user")
    }
}
