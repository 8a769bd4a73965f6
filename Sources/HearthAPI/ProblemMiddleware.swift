import HearthCore
import HearthStore
import Hummingbird
import LibPQ

/// Turns every error into an RFC 9457 problem. Errors a client caused keep their 4xx status;
/// anything unexpected is logged with the request id and answered with a generic 500 that
/// leaks nothing.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = HearthRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let violation as DomainError {
            throw Problem(violation)
        } catch let error as StoreError {
            throw Self.problem(for: error)
        } catch let error as PostgresError where error.code == .exclusionViolation {
            throw Problem(status: .conflict, title: "Conflict", detail: "that would book a bed or a child twice for overlapping dates")
        } catch let error as HTTPError {
            throw Problem(status: error.status, title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase.lowercased())
        } catch let error as HTTPResponseError {
            throw Problem(status: error.status, title: error.status.reasonPhrase, detail: error.status.reasonPhrase.lowercased())
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            throw Problem(status: .internalServerError, title: "Internal error", detail: "something went wrong on our side; it has been logged (request \(context.id))")
        }
    }

    static func problem(for error: StoreError) -> Problem {
        switch error {
        case .notFound(let message): Problem(status: .notFound, title: "Not found", detail: message)
        case .conflict(let message): Problem(status: .conflict, title: "Conflict", detail: message)
        }
    }
}
