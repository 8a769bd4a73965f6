import LibPQ

extension EpisodeStore {
    /// A value that changes whenever the stored SSDA903 history the reader sees changes: the
    /// latest changing import's number and the number of episodes. Cheap; for caching what is
    /// computed from the history (the forecast). Synchronous: call inside a transaction.
    public static func historyVersion(on connection: PostgresConnection) throws -> String {
        let row = try connection.one(
            """
            SELECT (SELECT coalesce(max(id), 0) FROM ssda903_imports) AS last_import, (SELECT count(*) FROM episodes) AS episodes
            """
        )
        return "\(try row.int64("last_import"))/\(try row.int64("episodes"))"
    }
}
