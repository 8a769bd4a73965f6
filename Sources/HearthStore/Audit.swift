import LibPQ

/// Who made a change, for the append-only audit log.
public struct Actor: Sendable, Equatable {
    /// `api_key`, `person` (signed in to the web app), `operator` (hearthctl), `daemon` or
    /// `settlement`.
    public let kind: String
    /// The authority the actor acts for, if any.
    public let authority: String?
    /// The API key used, if any.
    public let keyID: String?
    /// The key's or the person's role, if any.
    public let role: String?
    /// The person signed in to the web app, if any (a `users` id).
    public var userID: String? = nil

    /// The operator at the command line (hearthctl).
    public static let operatorCLI = Actor(kind: "operator", authority: nil, keyID: nil, role: "operator")

    /// hearthd's own work (clearing rounds, lapsing proposals).
    public static let daemon = Actor(kind: "daemon", authority: nil, keyID: nil, role: nil)

    /// hearth-settle's own work (settlement runs, contributions).
    public static let settlement = Actor(kind: "settlement", authority: nil, keyID: nil, role: nil)

    /// A caller holding an API key.
    public static func apiKey(id: String, authority: String, role: String) -> Actor {
        Actor(kind: "api_key", authority: authority, keyID: id, role: role)
    }

    /// A person signed in to the web app, by their `users` id.
    public static func person(id: String, authority: String, role: String) -> Actor {
        Actor(kind: "person", authority: authority, keyID: nil, role: role, userID: id)
    }
}

/// Writes audit records. Always call inside the transaction that makes the change, so the
/// change and its record commit or roll back together. A record travels with the
/// transaction's next statement (or its `COMMIT`), in the same round trip.
public enum AuditLog {
    /// Appends one record: who did what to which entity, and the status before and after.
    public static func record(
        _ connection: PostgresConnection, actor: Actor, action: String, entity: String, entityID: String?,
        before: String? = nil, after: String? = nil, detailJSON: String = "{}"
    ) throws {
        try connection.runDeferred(
            """
            INSERT INTO audit_log (actor_kind, actor_authority, actor_key_id, actor_user_id, actor_role, action, entity, entity_id, before_status, after_status, detail)
            VALUES (\(actor.kind), \(actor.authority), \(actor.keyID)::uuid, \(actor.userID)::uuid, \(actor.role), \(action), \(entity), \(entityID), \(before), \(after),
                    \(detailJSON)::jsonb)
            """
        )
    }
}
