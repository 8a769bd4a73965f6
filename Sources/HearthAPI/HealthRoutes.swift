import HearthStore
import Hummingbird
import Logging

/// `GET /health` (the process is up) and `GET /ready` (the database answers and is fully
/// migrated).
struct HealthRoutes {
    let database: HearthDatabase

    private struct Status: Encodable {
        let status: String
    }

    func register(on router: Router<HearthRequestContext>) {
        router.get("health") { _, _ in
            try JSONResponse.make(Status(status: "ok"))
        }
        router.get("ready") { _, context in
            try await ready(logger: context.logger)
        }
    }

    private func ready(logger: Logger) async throws -> Response {
        let status: Migrator.Status
        do {
            status = try await database.migrationStatus()
        } catch {
            logger.warning("readiness check failed", metadata: ["error": "\(error)"])
            throw Problem(status: .serviceUnavailable, title: "Not ready", detail: "the database cannot be reached")
        }
        guard status.isCurrent else {
            throw Problem(
                status: .serviceUnavailable, title: "Not ready",
                detail: "the database is missing \(status.pending.count) migration(s): run hearthctl migrate"
            )
        }
        return try JSONResponse.make(Status(status: "ready"))
    }
}
