import Crypto
import Foundation
import HearthCore
import LibPQ

/// A person who signs in to the web app: one role at one authority. Never their password hash.
public struct UserRecord: Sendable, Equatable {
    public let id: String
    public let email: String
    public let name: String
    /// ONS code of the person's authority.
    public let authority: String
    /// The authority's name.
    public let authorityName: String
    public let role: KeyRole
    /// False until the person has chosen a password through their set-up link.
    public let hasPassword: Bool
    /// True when signing in also needs a TOTP code.
    public let hasTOTP: Bool
    public let createdAt: Date
    public let disabledAt: Date?

    /// The person as the repositories see them when they act.
    public var caller: Caller { Caller(credential: .person(id), authority: authority, role: role) }
}

/// What signing in needs to check: the person, their bcrypt hash and TOTP secret.
public struct SignInCandidate: Sendable {
    public let user: UserRecord
    /// The bcrypt hash; nil when no password was chosen yet.
    public let passwordHash: String?
    /// The base32 TOTP secret; nil without a second factor.
    public let totpSecret: String?
}

/// People: added, listed and disabled by hearthctl (as the schema's owner); read by hearthd to
/// sign them in. hearthd's login never writes `users`: a password is set only through a valid
/// set-up token (`completeSetup`, a SECURITY DEFINER function in Migrations/0008).
public enum UserRepository {
    /// How long a set-up link is valid.
    public static let setupLifetime: TimeInterval = 72 * 3600

    static let columns = "u.id, u.email, u.name, u.authority, (SELECT a.name FROM authorities a WHERE a.code = u.authority) AS authority_name, u.role, u.password_hash IS NOT NULL AS has_password, u.totp_secret IS NOT NULL AS has_totp, u.created_at, u.disabled_at"

    /// Adds a person to an active authority, audited. With `passwordHash` they can sign in at
    /// once; without, the returned set-up token (shown once) lets them choose a password.
    public static func add(
        email: String, name: String, authority: String, role: KeyRole, passwordHash: String?, actor: Actor, on connection: PostgresConnection
    ) throws -> (user: UserRecord, setupToken: String?) {
        let email = email.trimmingCharacters(in: .whitespaces)
        guard Self.isPlausibleEmail(email) else {
            throw StoreError.conflict("\(email) is not an email address such as jo.bloggs@kent.gov.uk")
        }
        let name = name.trimmingCharacters(in: .whitespaces)
        guard (1...200).contains(name.count) else { throw StoreError.conflict("the name must be 1 to 200 characters") }
        guard let member = try AuthorityRepository.find(code: authority, on: connection) else {
            throw StoreError.notFound("no authority \(authority): add it with hearthctl authority add")
        }
        guard member.active else { throw StoreError.conflict("authority \(authority) is not active") }
        if try connection.run("SELECT 1 FROM users WHERE lower(email) = lower(\(email))").first != nil {
            throw StoreError.conflict("a person with the email address \(email) exists already")
        }
        let row = try connection.one(
            """
            INSERT INTO users (email, name, authority, role, password_hash) VALUES (\(email), \(name), \(authority), \(role.rawValue), \(passwordHash))
            RETURNING id
            """
        )
        let id = try row.string("id")
        var token: String?
        if passwordHash == nil {
            token = try issueSetupToken(userID: id, on: connection)
        }
        try AuditLog.record(
            connection, actor: actor, action: "user.add", entity: "user", entityID: id, after: passwordHash == nil ? "invited" : "active",
            detailJSON: #"{"role":"\#(role.rawValue)","authority":"\#(authority)"}"#
        )
        guard let user = try find(id: id, on: connection) else { throw StoreError.notFound("the new person vanished") }
        return (user, token)
    }

    /// A new one-time set-up token for the person (valid `setupLifetime`); only its hash is kept.
    public static func issueSetupToken(userID: String, on connection: PostgresConnection) throws -> String {
        let token = SecretToken.make()
        try connection.run(
            """
            INSERT INTO user_setup_tokens (token_hash, user_id, expires_at)
            VALUES (decode(\(SecretToken.hashHex(token)), 'hex'), \(userID)::uuid, now() + make_interval(secs => \(setupLifetime)))
            """
        )
        return token
    }

    /// Every person, by authority then email.
    public static func all(on connection: PostgresConnection) throws -> [UserRecord] {
        try connection.run("SELECT \(unescaped: columns) FROM users u ORDER BY u.authority, lower(u.email)").rows.map(decode)
    }

    /// The person with this id, if any.
    public static func find(id: String, on connection: PostgresConnection) throws -> UserRecord? {
        guard UUID(uuidString: id) != nil else { return nil }
        return try connection.run("SELECT \(unescaped: columns) FROM users u WHERE u.id = \(id)::uuid").first.map(decode)
    }

    /// The person with this email address (any case), with what signing in checks.
    public static func candidate(email: String, on connection: PostgresConnection) throws -> SignInCandidate? {
        guard let row = try connection.run(
            "SELECT \(unescaped: columns), u.password_hash, u.totp_secret FROM users u WHERE lower(u.email) = lower(\(email))"
        ).first else { return nil }
        return SignInCandidate(user: try decode(row), passwordHash: try row.optionalString("password_hash"), totpSecret: try row.optionalString("totp_secret"))
    }

    /// The person a valid, unused set-up token belongs to, if any.
    public static func setupCandidate(token: String, on connection: PostgresConnection) throws -> UserRecord? {
        guard SecretToken.isWellFormed(token) else { return nil }
        return try connection.run(
            """
            SELECT \(unescaped: columns) FROM user_setup_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = decode(\(SecretToken.hashHex(token)), 'hex') AND t.used_at IS NULL AND t.expires_at > now() AND u.disabled_at IS NULL
            """
        ).first.map(decode)
    }

    /// Sets the password (a bcrypt hash) and optional TOTP secret of the person whose valid
    /// set-up token this is, using the token up. False when the token is unknown, used or expired.
    public static func completeSetup(token: String, passwordHash: String, totpSecret: String?, on connection: PostgresConnection) throws -> Bool {
        guard SecretToken.isWellFormed(token) else { return false }
        return try connection.one(
            "SELECT hearth_complete_user_setup(decode(\(SecretToken.hashHex(token)), 'hex'), \(passwordHash), \(totpSecret)) AS done"
        ).bool("done")
    }

    /// Disables the person (found by email, any case) and ends every session of theirs at once,
    /// audited. Disabling twice is an error that says so.
    public static func disable(email: String, actor: Actor, on connection: PostgresConnection) throws -> UserRecord {
        guard let row = try connection.run(
            "UPDATE users SET disabled_at = now() WHERE lower(email) = lower(\(email)) AND disabled_at IS NULL RETURNING id"
        ).first else {
            let exists = try connection.run("SELECT 1 FROM users WHERE lower(email) = lower(\(email))").first != nil
            throw exists ? StoreError.conflict("\(email) is already disabled") : StoreError.notFound("no person with the email address \(email)")
        }
        let id = try row.string("id")
        try connection.run("DELETE FROM web_sessions WHERE user_id = \(id)::uuid")
        try connection.run("UPDATE user_setup_tokens SET used_at = now() WHERE user_id = \(id)::uuid AND used_at IS NULL")
        try AuditLog.record(connection, actor: actor, action: "user.disable", entity: "user", entityID: id, before: "active", after: "disabled")
        guard let user = try find(id: id, on: connection) else { throw StoreError.notFound("the person vanished") }
        return user
    }

    /// A light check of an email address: something@something.something, no spaces, at most 254.
    public static func isPlausibleEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            text.count <= 254, !text.contains(where: { $0.isWhitespace || $0.isNewline || !$0.isASCII && !$0.isLetter })
        else { return false }
        return true
    }

    static func decode(_ row: Row) throws -> UserRecord {
        UserRecord(
            id: try row.string("id"), email: try row.string("email"), name: try row.string("name"), authority: try row.string("authority"),
            authorityName: try row.string("authority_name"), role: try KeyRole(rawValue: try row.string("role")).orThrow("role"), hasPassword: try row.bool("has_password"),
            hasTOTP: try row.bool("has_totp"), createdAt: try row.date("created_at"), disabledAt: try row.optionalDate("disabled_at")
        )
    }
}

/// Random secrets handed to browsers and people (session cookies, set-up links, CSRF tokens):
/// 256 random bits as base64url; stored only as their SHA-256.
public enum SecretToken {
    /// A new token: 43 base64url characters.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// True for text shaped like `make()`'s: checked before any hashing or lookup.
    public static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43 && token.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
    }

    /// The SHA-256 of the token, as hex.
    public static func hashHex(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).lowercaseHex
    }
}
