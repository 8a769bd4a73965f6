import Foundation
import HearthCore
import HearthInsight
import LibPQ

/// Reads the members' stored SSDA903 episodes (Migrations/0009). Synchronous: call inside a
/// transaction or `withConnection`.
///
/// Row-level security decides what a reader sees: the schema's owner (hearthctl) and the
/// all-authorities scope see every member's episodes; a member's scope only its own.
public enum EpisodeStore {
    static let columns = """
        authority, child_key, decom, dec, birth_month, sex, rne, ls, cin, place, place_provider, rec,
        reason_place_change, home_district, placement_district, distance_km, placement_authority, uasc, return_year
        """

    /// The stored episodes of one authority (ONS code), or of the whole region when nil, ordered
    /// by authority, child key and start.
    public static func episodes(authority: String?, on connection: PostgresConnection) throws -> [Episode] {
        try returned(authority: authority, on: connection).map(\.episode)
    }

    /// The stored episodes with the collection year of the return that supplied each.
    public static func returned(authority: String?, on connection: PostgresConnection) throws -> [ReturnedEpisode] {
        let condition: PostgresQuery = authority.map { "WHERE authority = \($0)" } ?? ""
        return try connection.run(
            "SELECT \(unescaped: columns) FROM episodes \(condition) ORDER BY authority, child_key, decom"
        ).rows.map(decode)
    }

    static func decode(_ row: Row) throws -> ReturnedEpisode {
        let episode = Episode(
            authority: try row.string("authority"), childKey: try row.string("child_key"),
            birthMonth: try row.optionalString("birth_month"), sex: try row.optionalString("sex"),
            start: try row.calendarDate("decom"), end: try row.optionalCalendarDate("dec"),
            reasonNewEpisode: try row.string("rne"), legalStatus: try row.string("ls"),
            categoryOfNeed: try row.string("cin"), placement: try row.string("place"),
            placementProvider: try row.optionalString("place_provider"), reasonCeased: try row.optionalString("rec"),
            reasonPlaceChange: try row.optionalString("reason_place_change"),
            homeDistrict: try row.optionalString("home_district"), placementDistrict: try row.optionalString("placement_district"),
            distanceKm: try row.optionalDouble("distance_km"), placementAuthority: try row.optionalString("placement_authority"),
            unaccompanied: try row.bool("uasc")
        )
        return ReturnedEpisode(episode: episode, returnYear: try row.int("return_year"))
    }
}
