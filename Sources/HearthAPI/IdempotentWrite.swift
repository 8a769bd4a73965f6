import Crypto
import Foundation
import HearthStore
import HTTPTypes
import Hummingbird
import LibPQ

/// Runs a POST's change in one transaction with its `Idempotency-Key` bookkeeping: the same key
/// with the same request replays the first response (and changes nothing); the same key with a
/// different request is a 422.
enum IdempotentWrite {
    static func perform(
        _ request: Request, body: Data, context: HearthRequestContext, caller: Caller, database: HearthDatabase,
        _ change: @escaping @Sendable (PostgresConnection) throws -> StoredResponse
    ) async throws -> Response {
        let key = request.headers[.idempotencyKey]
        if let key, !isValidKey(key) {
            throw Problem(status: .badRequest, title: "Bad request", detail: "Idempotency-Key must be 1 to 255 characters, none of them control characters")
        }
        var hasher = SHA256()
        hasher.update(data: Data(request.method.rawValue.utf8))
        hasher.update(data: Data(request.uri.path.utf8))
        hasher.update(data: body)
        let requestHash = Data(hasher.finalize())
        let (method, path) = (request.method.rawValue, request.uri.path)
        let scope: AccessScope = caller.role == .operator ? .all : .authority(caller.authority)
        let stored: StoredResponse
        do {
            // Concurrent requests with the same key queue on its lock in `lookup`: the first
            // runs, the others then replay what it stored (or, for another body, get a 422).
            stored = try await database.transaction(scope: scope) { connection in
                if let key, let keyID = caller.keyID, let stored = try IdempotencyStore.lookup(apiKeyID: keyID, key: key, requestHash: requestHash, on: connection) {
                    return stored
                }
                let response = try change(connection)
                if let key, let keyID = caller.keyID {
                    try IdempotencyStore.save(
                        apiKeyID: keyID, key: key, method: method, path: path, requestHash: requestHash, response: response, on: connection
                    )
                }
                return response
            }
        } catch StoreError.conflict(let message) where message.contains("Idempotency-Key") {
            throw Problem(status: .unprocessableContent, title: "Idempotency key reused", detail: message)
        }
        return Response(
            status: HTTPResponse.Status(code: stored.status),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.body))
        )
    }

    /// 1 to 255 Unicode scalars (the database's `length()` limit) and no control characters.
    static func isValidKey(_ key: String) -> Bool {
        (1...255).contains(key.unicodeScalars.count) && !key.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}

extension HTTPField.Name {
    /// `Idempotency-Key`: repeats of a POST with the same key and body get the first response.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
