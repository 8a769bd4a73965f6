import HearthCore
import HearthStore
import Hummingbird
import LibPQ
import Logging

/// Turns every error into an RFC 9457 problem response, in this one place. Errors a client
/// caused keep their 4xx status, and every SQLSTATE caused by input becomes a 422 or 409 (see
/// `PostgresError.fault`), so no route maps database errors itself. A database that cannot be
/// reached is a 503 with `Retry-After`. Anything else is logged with the request id, the
/// SQLSTATE and the constraint (never the server's message or detail, which can quote a row's
/// values) and answered with a generic 500 that leaks nothing.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = HearthRequestContext

    /// Seconds a client is asked to wait while the database is unavailable.
    static let retryAfterSeconds = 5

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try problem(for: error, context: context).response(from: request, context: context)
        }
    }

    private func problem(for error: any Error, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let violation as DomainError:
            return Problem(violation)
        case let error as StoreError:
            return Self.problem(for: error)
        case let error as PostgresError:
            return problem(for: error, context: context)
        case is PoolClosedError, is PoolTimeoutError:
            return Self.unavailable
        case let error as HTTPError:
            return Problem(status: error.status, title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase.lowercased())
        case let error as any HTTPResponseError:
            return Problem(status: error.status, title: error.status.reasonPhrase, detail: error.status.reasonPhrase.lowercased())
        default:
            context.logger.error("request failed", metadata: ["error_type": "\(type(of: error))", "error": "\(error)"])
            return Self.internalError(context)
        }
    }

    private func problem(for error: PostgresError, context: Context) -> Problem {
        let constraint = error.constraint.map { " (rule \($0))" } ?? ""
        var metadata: Logger.Metadata = ["sqlstate": "\(error.sqlState ?? "none")", "code": "\(error.code)"]
        if let name = error.constraint { metadata["constraint"] = "\(name)" }
        switch error.fault {
        case .input:
            context.logger.info("the database refused a value", metadata: metadata)
            let detail =
                switch error.code {
                case .notNullViolation: "a required value is missing\(constraint)"
                case .foreignKeyViolation: "a value refers to something that does not exist\(constraint)"
                case .invalidInput: "a value is too long, out of range or badly formed for the database"
                default: "a value breaks a rule of the database\(constraint)"
                }
            return Problem(status: .unprocessableContent, title: "Invalid request", detail: detail)
        case .conflict:
            context.logger.info("the database refused a clash", metadata: metadata)
            if error.code == .exclusionViolation {
                return Problem(status: .conflict, title: "Conflict", detail: "that would book a bed or a child twice for overlapping dates")
            }
            return Problem(status: .conflict, title: "Conflict", detail: "that already exists\(constraint)")
        case .unavailable:
            // libpq's own words (no SQLSTATE) name the host and the reason, never a row; the
            // server's words might, so they stay out.
            if error.sqlState == nil { metadata["reason"] = "\(error)" }
            context.logger.warning("database unavailable", metadata: metadata)
            return Self.unavailable
        case .server:
            context.logger.error("request failed in the database", metadata: metadata)
            return Self.internalError(context)
        }
    }

    private static let unavailable = Problem(
        status: .serviceUnavailable, title: "Service unavailable",
        detail: "the database cannot be reached just now; try again in \(retryAfterSeconds) seconds",
        headers: [.retryAfter: "\(retryAfterSeconds)"]
    )

    private static func internalError(_ context: Context) -> Problem {
        Problem(status: .internalServerError, title: "Internal error", detail: "something went wrong on our side; it has been logged (request \(context.id))")
    }

    static func problem(for error: StoreError) -> Problem {
        switch error {
        case .notFound(let message): Problem(status: .notFound, title: "Not found", detail: message)
        case .conflict(let message): Problem(status: .conflict, title: "Conflict", detail: message)
        }
    }
}
