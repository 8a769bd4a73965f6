import Foundation
import LibPQ

/// A signed-in browser: the person, the session's CSRF token and a one-time banner.
public struct WebSession: Sendable, Equatable {
    /// The person, as they are now (a disabled person has no session).
    public let user: UserRecord
    /// The token every form of this session carries (compared in constant time).
    public let csrfToken: String
    /// A success message left by the previous POST, shown once; already cleared in the store.
    public let flash: String?
}

/// Sessions in PostgreSQL, so any daemon serves any session. The cookie's token is stored only
/// as its SHA-256. A session idle for longer than the timeout is refused and purged.
public enum WebSessionStore {
    /// How long a session may stay unused: 30 minutes.
    public static let idleTimeout: TimeInterval = 30 * 60

    /// Starts a session for the person and returns its cookie token. Purges idle sessions
    /// (of everyone) on the way: sign-ins keep the table small.
    public static func start(userID: String, idleTimeout: TimeInterval, on connection: PostgresConnection) throws -> String {
        try purgeIdle(idleTimeout: idleTimeout, on: connection)
        let token = SecretToken.make()
        try connection.run(
            """
            INSERT INTO web_sessions (token_hash, user_id, csrf_token)
            VALUES (decode(\(SecretToken.hashHex(token)), 'hex'), \(userID)::uuid, \(SecretToken.make()))
            """
        )
        return token
    }

    /// The session for a cookie token, if it exists, was used within `idleTimeout` and its person
    /// is not disabled. Marks it used now and takes its banner (shown once).
    public static func resume(token: String, idleTimeout: TimeInterval, on connection: PostgresConnection) throws -> WebSession? {
        guard SecretToken.isWellFormed(token) else { return nil }
        guard let row = try connection.run(
            """
            WITH touched AS (
                UPDATE web_sessions s SET last_seen_at = now(), flash = NULL
                FROM users u
                WHERE s.token_hash = decode(\(SecretToken.hashHex(token)), 'hex') AND u.id = s.user_id AND u.disabled_at IS NULL
                  AND s.last_seen_at > now() - make_interval(secs => \(idleTimeout))
                RETURNING s.user_id, s.csrf_token, (SELECT flash FROM web_sessions o WHERE o.token_hash = s.token_hash) AS flash
            )
            SELECT \(unescaped: UserRepository.columns), t.csrf_token, t.flash FROM touched t JOIN users u ON u.id = t.user_id
            """
        ).first else { return nil }
        return WebSession(user: try UserRepository.decode(row), csrfToken: try row.string("csrf_token"), flash: try row.optionalString("flash"))
    }

    /// Leaves a banner for the session's next page.
    public static func setFlash(_ message: String, token: String, on connection: PostgresConnection) throws {
        guard SecretToken.isWellFormed(token) else { return }
        try connection.run(
            "UPDATE web_sessions SET flash = \(String(message.prefix(500))) WHERE token_hash = decode(\(SecretToken.hashHex(token)), 'hex')"
        )
    }

    /// Ends the session (signing out).
    public static func end(token: String, on connection: PostgresConnection) throws {
        guard SecretToken.isWellFormed(token) else { return }
        try connection.run("DELETE FROM web_sessions WHERE token_hash = decode(\(SecretToken.hashHex(token)), 'hex')")
    }

    /// Deletes every session idle for longer than `idleTimeout`; returns how many.
    @discardableResult
    public static func purgeIdle(idleTimeout: TimeInterval, on connection: PostgresConnection) throws -> Int {
        try connection.run("DELETE FROM web_sessions WHERE last_seen_at <= now() - make_interval(secs => \(idleTimeout))").affectedRows
    }
}

/// Failed sign-ins, counted per email address typed and per client address: after `limit`
/// failures for one account (or `addressLimit` from one address) within `window`, sign-in is
/// refused until the oldest of them leaves the window.
///
/// The address limit is higher than the account's: a council's staff reach the exchange from
/// one office address, and one person's typing must not lock out the office.
public enum SignInThrottle {
    /// Failures allowed for one account within the window.
    public static let limit = 5
    /// Failures allowed from one client address within the window.
    public static let addressLimit = 20
    /// How long failures count.
    public static let window: TimeInterval = 15 * 60

    /// How long until another attempt for this email or from this address is allowed; nil when
    /// it is allowed now.
    public static func wait(email: String, address: String?, on connection: PostgresConnection) throws -> TimeInterval? {
        let row = try connection.one(
            """
            SELECT (SELECT at FROM sign_in_failures WHERE email = \(email.lowercased()) AND at > now() - make_interval(secs => \(window))
                    ORDER BY at DESC OFFSET \(limit - 1) LIMIT 1) AS by_email,
                   (SELECT at FROM sign_in_failures WHERE address = \(address) AND at > now() - make_interval(secs => \(window))
                    ORDER BY at DESC OFFSET \(addressLimit - 1) LIMIT 1) AS by_address,
                   now() AS now
            """
        )
        let now = try row.date("now")
        let blockers = [try row.optionalDate("by_email"), try row.optionalDate("by_address")].compactMap { $0 }
        guard let latest = blockers.max() else { return nil }
        let remaining = latest.addingTimeInterval(window).timeIntervalSince(now)
        return remaining > 0 ? remaining : nil
    }

    /// Records a failure; purges failures older than the window.
    public static func recordFailure(email: String, address: String?, on connection: PostgresConnection) throws {
        try connection.run("DELETE FROM sign_in_failures WHERE at <= now() - make_interval(secs => \(window))")
        try connection.run("INSERT INTO sign_in_failures (email, address) VALUES (\(String(email.lowercased().prefix(254))), \(address))")
    }

    /// Forgets the failures for this email after a successful sign-in.
    public static func clear(email: String, on connection: PostgresConnection) throws {
        try connection.run("DELETE FROM sign_in_failures WHERE email = \(email.lowercased())")
    }
}
