import LibPQ

/// Reads the operator's programs (hearthctl, hearth-settle) need, so no SQL lives in them.
extension AuthorityRepository {
    /// Every member's name by its ONS code, active or not.
    public static func namesByCode(on connection: PostgresConnection) throws -> [String: String] {
        Dictionary(try all(on: connection).map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
    }
}
