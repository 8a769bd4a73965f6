import Foundation
import LibPQ

/// The response first given to a POST carrying an `Idempotency-Key`, replayed to repeats.
public struct StoredResponse: Sendable, Equatable {
    public let status: Int
    public let body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// Remembers responses per API key and `Idempotency-Key`, in the same transaction as the
/// change they describe, so a replay can never disagree with what was stored.
///
/// A record is visible only under its key's authority (row-level security, Migrations/0006)
/// and lives for `replayWindowHours`: older records are never replayed (the key may be used
/// afresh) and `purgeExpired` deletes them.
public enum IdempotencyStore {
    /// How long a response is kept and replayed.
    public static let replayWindowHours = 24

    /// The stored response for this key within the replay window, nil if there is none;
    /// throws `StoreError.conflict` if the key was used for a different request.
    ///
    /// First takes a transaction-scoped lock on the key, so a concurrent request with the same
    /// key waits here until the first commits (then replays it) or rolls back (then runs).
    public static func lookup(apiKeyID: String, key: String, requestHash: Data, on connection: PostgresConnection) throws -> StoredResponse? {
        // Sent with the lookup in one round trip; the lookup, a statement of its own, reads a
        // snapshot taken after the lock was granted.
        try connection.deferUntilNext("SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2::text, 0))", [apiKeyID, key])
        guard let row = try connection.query(
            """
            SELECT response_status, encode(response_body, 'base64') AS body, encode(request_hash, 'hex') AS hash
            FROM idempotency_keys
            WHERE key_id = $1::uuid AND idempotency_key = $2 AND created_at > now() - make_interval(hours => $3)
            """,
            [apiKeyID, key, replayWindowHours]
        ).first else { return nil }
        guard try row.string("hash") == requestHash.lowercaseHex else {
            throw StoreError.conflict("this Idempotency-Key was already used for a different request")
        }
        let body = Data(base64Encoded: try row.string("body").filter { !$0.isWhitespace }) ?? Data()
        return StoredResponse(status: try row.int("response_status"), body: body)
    }

    /// Stores the response for this key, in the transaction that called `lookup` for it,
    /// replacing a record that has outlived the replay window. Both statements travel with
    /// the transaction's `COMMIT`, in one round trip.
    public static func save(
        apiKeyID: String, key: String, method: String, path: String, requestHash: Data, response: StoredResponse, on connection: PostgresConnection
    ) throws {
        try connection.deferUntilNext(
            "DELETE FROM idempotency_keys WHERE key_id = $1::uuid AND idempotency_key = $2 AND created_at <= now() - make_interval(hours => $3)",
            [apiKeyID, key, replayWindowHours]
        )
        try connection.deferUntilNext(
            """
            INSERT INTO idempotency_keys (key_id, idempotency_key, method, path, request_hash, response_status, response_body)
            VALUES ($1::uuid, $2, $3, $4, decode($5, 'hex'), $6, decode($7, 'base64'))
            """,
            [apiKeyID, key, method, path, requestHash.lowercaseHex, response.status, response.body.base64EncodedString()]
        )
    }

    /// Deletes every record older than the replay window (all scopes: call with `.all`);
    /// returns how many went.
    @discardableResult
    public static func purgeExpired(on connection: PostgresConnection) throws -> Int {
        try connection.query(
            "DELETE FROM idempotency_keys WHERE created_at <= now() - make_interval(hours => $1)", [replayWindowHours]
        ).affectedRows
    }
}
