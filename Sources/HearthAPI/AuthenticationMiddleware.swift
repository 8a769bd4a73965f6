import HearthStore
import Hummingbird

/// Resolves `Authorization: Bearer <key>` to a `Caller`, or answers 401. Revoked keys stop
/// working at once: every request checks the key against the database.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = HearthRequestContext

    let database: HearthDatabase

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Problem(status: .unauthorized, title: "Unauthorized", detail: "send an API key as Authorization: Bearer <key>")
        }
        let secret = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        let caller = try await database.pool.withConnection { connection in
            try APIKeyRepository.authenticate(secret: secret, on: connection)
        }
        guard let caller else {
            throw Problem(status: .unauthorized, title: "Unauthorized", detail: "the API key is unknown or revoked")
        }
        var context = context
        context.caller = caller
        context.logger[metadataKey: "authority"] = .string(caller.authority)
        context.logger[metadataKey: "key_role"] = .string(caller.role.rawValue)
        return try await next(request, context)
    }
}
