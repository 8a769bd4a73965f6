import Foundation
import HearthCLI
import Logging
import ServiceLifecycle
import UnixSignals

/// On SIGHUP, re-reads `HEARTH_LOG_LEVEL` from the configuration file named by `HEARTH_CONFIG`
/// (a systemd `EnvironmentFile`) and applies it to every logger, without a restart.
struct LogLevelReloader: Service {
    let configurationFile: String?
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                reload()
            }
        }
    }

    private func reload() {
        guard let configurationFile else {
            logger.notice("SIGHUP: no HEARTH_CONFIG file to re-read; log level unchanged", metadata: ["level": "\(HearthLogging.currentLevel)"])
            return
        }
        do {
            let settings = try EnvironmentFile.read(configurationFile)
            let level = try LoggingOptions.level(from: settings["HEARTH_LOG_LEVEL"], environment: [:])
            HearthLogging.setLevel(level)
            logger.notice("SIGHUP: log level re-read", metadata: ["level": "\(level)", "file": "\(configurationFile)"])
        } catch {
            logger.error("SIGHUP: log level not changed", metadata: ["error": "\(error)"])
        }
    }
}
