import Crypto
import Foundation
import HearthCore
import LibPQ

/// The four roles a key can carry (see DESIGN.md, API key).
public enum KeyRole: String, Sendable, CaseIterable, Codable {
    case placement
    case scrutiny
    case finance
    case `operator`
}

/// An API key as listed: never the secret, which is shown once when issued.
public struct APIKeyRecord: Sendable, Equatable {
    public let id: String
    /// The public start of the key (`hk_` and 12 hex digits): how operators refer to it.
    public let prefix: String
    public let authority: String
    public let role: KeyRole
    public let createdAt: Date
    public let revokedAt: Date?
}

/// A key that was just issued, with its secret. The only time the secret exists in clear.
public struct IssuedKey: Sendable {
    public let record: APIKeyRecord
    /// The whole key: `hk_<12 hex>_<43 base64url>` (256 random bits of secret).
    public let secret: String
}

/// The caller behind a valid, unrevoked key, or a person signed in to the web app: the
/// repositories treat both alike (row-level security, domain rules, audit).
public struct Caller: Sendable, Equatable {
    /// The key or the person.
    public let credential: Credential
    public let authority: String
    public let role: KeyRole

    /// A caller holding the API key `keyID`.
    public init(keyID: String, authority: String, role: KeyRole) {
        self.init(credential: .apiKey(keyID), authority: authority, role: role)
    }

    /// The key or person `credential` acting for `authority` in `role`.
    public init(credential: Credential, authority: String, role: KeyRole) {
        self.credential = credential
        self.authority = authority
        self.role = role
    }

    /// The API key's id; nil for a person.
    public var keyID: String? { credential.keyID }
}

extension Caller {
    /// How this caller is audited.
    public var actor: Actor {
        switch credential {
        case .apiKey(let id): .apiKey(id: id, authority: authority, role: role.rawValue)
        case .person(let id): .person(id: id, authority: authority, role: role.rawValue)
        }
    }

    /// The database scope of this caller's requests.
    public var scope: AccessScope { role == .operator ? .all : .authority(authority) }

    /// The authority whose resources this caller may change; nil (any) for operators.
    public var ownedAuthority: String? { role == .operator ? nil : authority }
}

/// Issues, lists, revokes and checks API keys. Keys are stored only as SHA-256 hashes.
///
/// Issuing and revoking are the schema owner's (hearthctl): neither `hearth_app` nor
/// `hearth_daemon` may write `api_keys`, so inside a scoped transaction they step back to the
/// login role for their one statement. Under hearthd's login they are refused (42501).
public enum APIKeyRepository {
    /// The channel a revocation notifies (in its transaction), so daemons drop cached keys.
    public static let revocationChannel = "hearth_keys"

    /// Issues a key for an active authority and role, audited.
    public static func issue(authority: String, role: KeyRole, actor: Actor, on connection: PostgresConnection) throws -> IssuedKey {
        guard let member = try AuthorityRepository.find(code: authority, on: connection) else {
            throw StoreError.notFound("no authority \(authority): add it with hearthctl authority add")
        }
        guard member.active else { throw StoreError.conflict("authority \(authority) is not active") }
        var generator = SystemRandomNumberGenerator()
        let prefix = "hk_" + (0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }.lowercaseHex
        let secretBytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = prefix + "_" + Data(secretBytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let row = try asLoginRole(connection) {
            try connection.query(
                "INSERT INTO api_keys (prefix, secret_hash, authority, role) VALUES ($1, decode($2, 'hex'), $3, $4) RETURNING id, created_at",
                [prefix, hashHex(secret), authority, role.rawValue]
            ).first
        }
        let id = try row?.string("id") ?? ""
        try AuditLog.record(connection, actor: actor, action: "key.issue", entity: "api_key", entityID: id, after: "active", detailJSON: #"{"role":"\#(role.rawValue)","authority":"\#(authority)"}"#)
        let record = APIKeyRecord(id: id, prefix: prefix, authority: authority, role: role, createdAt: try row?.date("created_at") ?? Date(), revokedAt: nil)
        return IssuedKey(record: record, secret: secret)
    }

    /// Every key, newest first.
    public static func all(on connection: PostgresConnection) throws -> [APIKeyRecord] {
        try connection.query("SELECT id, prefix, authority, role, created_at, revoked_at FROM api_keys ORDER BY created_at DESC, prefix").rows.map { row in
            APIKeyRecord(
                id: try row.string("id"), prefix: try row.string("prefix"), authority: try row.string("authority"),
                role: KeyRole(rawValue: try row.string("role")) ?? .placement, createdAt: try row.date("created_at"),
                revokedAt: try row.optionalDate("revoked_at")
            )
        }
    }

    /// Revokes the key whose prefix is `prefix` (the `hk_…` part shown by `key list`), audited,
    /// and notifies `revocationChannel` when the transaction commits, so every daemon stops
    /// accepting the key at once.
    public static func revoke(prefix: String, actor: Actor, on connection: PostgresConnection) throws -> APIKeyRecord {
        let updated = try asLoginRole(connection) {
            try connection.query(
                "UPDATE api_keys SET revoked_at = now() WHERE prefix = $1 AND revoked_at IS NULL RETURNING id, prefix, authority, role, created_at, revoked_at",
                [prefix]
            )
        }
        guard let row = updated.first else {
            let exists = try connection.query("SELECT 1 FROM api_keys WHERE prefix = $1", [prefix]).first != nil
            throw exists ? StoreError.conflict("key \(prefix) is already revoked") : StoreError.notFound("no key with prefix \(prefix)")
        }
        let id = try row.string("id")
        try connection.notify(revocationChannel, payload: id)
        try AuditLog.record(connection, actor: actor, action: "key.revoke", entity: "api_key", entityID: id, before: "active", after: "revoked")
        return APIKeyRecord(
            id: id, prefix: try row.string("prefix"), authority: try row.string("authority"),
            role: KeyRole(rawValue: try row.string("role")) ?? .placement, createdAt: try row.date("created_at"), revokedAt: try row.optionalDate("revoked_at")
        )
    }

    /// The caller for a presented key, or nil if it is unknown or revoked.
    public static func authenticate(secret: String, on connection: PostgresConnection) throws -> Caller? {
        guard secret.hasPrefix("hk_"), secret.count < 200 else { return nil }
        guard let row = try connection.query(
            "SELECT id, authority, role FROM api_keys WHERE secret_hash = decode($1, 'hex') AND revoked_at IS NULL",
            [hashHex(secret)]
        ).first else { return nil }
        return Caller(keyID: try row.string("id"), authority: try row.string("authority"), role: KeyRole(rawValue: try row.string("role")) ?? .placement)
    }

    /// Runs `body` as the session's login role (leaving `hearth_app` if a scoped transaction
    /// entered it), then returns to the role it was working as.
    private static func asLoginRole<T>(_ connection: PostgresConnection, _ body: () throws -> T) throws -> T {
        let row = try connection.one("SELECT current_user AS working, session_user AS login")
        let working = try row.string("working")
        guard working != (try row.string("login")) else { return try body() }
        try connection.query("SELECT set_config('role', 'none', true)")
        let result = try body()
        try connection.query("SELECT set_config('role', $1, true)", [working])
        return result
    }

    static func hashHex(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).lowercaseHex
    }
}
