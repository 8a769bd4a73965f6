import HearthStore
import Hummingbird

/// Resolves `Authorization: Bearer <key>` to a `Caller`, or answers 401. Revoked keys stop
/// working on every daemon as soon as the revocation's notification arrives (`APIKeyCache`).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = HearthRequestContext

    let keys: APIKeyCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let secret = request.headers[.authorization].flatMap(Self.bearerToken(in:)) else {
            throw Problem(status: .unauthorized, title: "Unauthorized", detail: "send an API key as Authorization: Bearer <key>")
        }
        guard let caller = try await keys.caller(forSecret: secret) else {
            throw Problem(status: .unauthorized, title: "Unauthorized", detail: "the API key is unknown or revoked")
        }
        var context = context
        context.caller = caller
        context.logger[metadataKey: "authority"] = .string(caller.authority)
        context.logger[metadataKey: "key_role"] = .string(caller.role.rawValue)
        return try await next(request, context)
    }

    /// The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive
    /// (RFC 9110 §11.1). Nil for another scheme or a missing or malformed token.
    static func bearerToken(in header: String) -> String? {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }
}
