import Crypto
import Foundation
import HearthCore
import HearthInsight
import LibPQ

/// Stores one authority's validated SSDA903 return, merged into its history
/// (`EpisodeHistory.merge`): all or nothing, in the caller's transaction, as the schema's owner
/// (`hearthctl import ssda903`; neither hearth_app nor hearth_daemon may write episodes).
public enum SSDA903Import {
    /// What an import did (or, for a dry run, would do).
    public struct Summary: Sendable, Codable, Equatable {
        public let authority: String
        public let returnYear: Int
        /// Episode rows in the return.
        public let episodes: Int
        public let inserted: Int
        public let updated: Int
        /// Stored episodes of earlier returns that overlapping episodes of this one replaced.
        public let replaced: Int
        public let unchanged: Int
        /// Rows a later return already stored supersedes (left as they are).
        public let superseded: Int
        /// Episodes with a distance (both districts known).
        public let withDistance: Int
        public let dryRun: Bool

        /// Whether the import changed nothing.
        public var changedNothing: Bool { inserted == 0 && updated == 0 && replaced == 0 }
    }

    /// Merges `parsed` into `authority`'s stored history. Serialised per authority (advisory
    /// lock); `dryRun` computes the summary and writes nothing. `fileSHA256` identifies the
    /// files in the import log. Throws `StoreError.notFound` for an unknown authority.
    public static func store(
        _ parsed: SSDA903Return, authority: String, fileSHA256: String, districts: PostcodeDistricts, dryRun: Bool,
        on connection: PostgresConnection
    ) throws -> Summary {
        guard try AuthorityRepository.find(code: authority, on: connection) != nil else {
            throw StoreError.notFound("authority \(authority) is not a member (hearthctl authority list)")
        }
        try connection.run("SELECT pg_advisory_xact_lock(hashtext(\("hearth.ssda903:" + authority)))")
        let key = try childKeySecret(on: connection)
        let incoming = parsed.minimised(
            authority: authority, childKey: { childKey(of: $0, authority: authority, secret: key) }, place: districts.place(of:)
        )
        let stored = try EpisodeStore.returned(authority: authority, on: connection)
        let change = EpisodeHistory.merge(stored: stored, incoming: incoming)
        let summary = Summary(
            authority: authority, returnYear: parsed.collectionYear, episodes: incoming.count, inserted: change.inserted.count,
            updated: change.updated.count, replaced: change.removed.count, unchanged: change.unchanged,
            superseded: change.superseded, withDistance: incoming.filter { $0.episode.distanceKm != nil }.count, dryRun: dryRun
        )
        guard !dryRun, !change.isEmpty else { return summary }
        try delete(change.removed, on: connection)
        try upsert(change.inserted + change.updated, on: connection)
        try connection.run(
            """
            INSERT INTO ssda903_imports (authority, return_year, file_sha256, episodes, inserted, updated, replaced)
            VALUES (\(authority), \(parsed.collectionYear), \(fileSHA256), \(incoming.count), \(summary.inserted), \(summary.updated), \(summary.replaced))
            """
        )
        try AuditLog.record(
            connection, actor: .operatorCLI, action: "ssda903.import", entity: "authority", entityID: authority,
            detailJSON: "{\"return_year\": \(parsed.collectionYear), \"episodes\": \(incoming.count), \"inserted\": \(summary.inserted), \"updated\": \(summary.updated), \"replaced\": \(summary.replaced)}"
        )
        return summary
    }

    /// The keyed hash of a return's CHILD id: HMAC-SHA256 under the installation's secret of
    /// `AUTHORITY:CHILD`, hex. The same child of the same authority gets the same key every year.
    public static func childKey(of child: String, authority: String, secret: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(authority):\(child)".utf8), using: secret)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// The installation's child-key secret; readable by the schema's owner only.
    public static func childKeySecret(on connection: PostgresConnection) throws -> SymmetricKey {
        let hex = try connection.one("SELECT encode(secret, 'hex') AS secret FROM insight_secrets WHERE name = 'ssda903_child_key'").string("secret")
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex), let byte = UInt8(hex[index..<next], radix: 16) {
            bytes.append(byte)
            index = next
        }
        return SymmetricKey(data: bytes)
    }

    private static let chunk = 5_000

    private static func delete(_ episodes: [ReturnedEpisode], on connection: PostgresConnection) throws {
        for start in stride(from: 0, to: episodes.count, by: chunk) {
            let part = episodes[start..<min(start + chunk, episodes.count)]
            try connection.run(
                """
                DELETE FROM episodes e USING unnest(\(TextArray(part.map(\.episode.authority)))::text[], \(TextArray(part.map(\.episode.childKey)))::text[],
                    \(TextArray(part.map(\.episode.start.iso)))::date[]) AS gone (authority, child_key, decom)
                WHERE e.authority = gone.authority AND e.child_key = gone.child_key AND e.decom = gone.decom
                """
            )
        }
    }

    private static func upsert(_ episodes: [ReturnedEpisode], on connection: PostgresConnection) throws {
        for start in stride(from: 0, to: episodes.count, by: chunk) {
            let part = episodes[start..<min(start + chunk, episodes.count)]
            func column(_ value: (Episode) -> String?) -> TextArray { TextArray(part.map { value($0.episode) }) }
            try connection.run(
                """
                INSERT INTO episodes (authority, child_key, decom, dec, birth_month, sex, rne, ls, cin, place, place_provider, rec,
                    reason_place_change, home_district, placement_district, distance_km, placement_authority, uasc, return_year)
                SELECT * FROM unnest(
                    \(column { $0.authority })::text[], \(column { $0.childKey })::text[], \(column { $0.start.iso })::date[],
                    \(column { $0.end?.iso })::date[], \(column { $0.birthMonth })::text[], \(column { $0.sex })::text[],
                    \(column { $0.reasonNewEpisode })::text[], \(column { $0.legalStatus })::text[], \(column { $0.categoryOfNeed })::text[],
                    \(column { $0.placement })::text[], \(column { $0.placementProvider })::text[], \(column { $0.reasonCeased })::text[],
                    \(column { $0.reasonPlaceChange })::text[], \(column { $0.homeDistrict })::text[], \(column { $0.placementDistrict })::text[],
                    \(column { $0.distanceKm.map { String($0) } })::float8[], \(column { $0.placementAuthority })::text[],
                    \(column { $0.unaccompanied ? "true" : "false" })::boolean[], \(TextArray(part.map { String($0.returnYear) }))::integer[])
                ON CONFLICT (authority, child_key, decom) DO UPDATE SET
                    dec = excluded.dec, birth_month = excluded.birth_month, sex = excluded.sex, rne = excluded.rne, ls = excluded.ls,
                    cin = excluded.cin, place = excluded.place, place_provider = excluded.place_provider, rec = excluded.rec,
                    reason_place_change = excluded.reason_place_change, home_district = excluded.home_district,
                    placement_district = excluded.placement_district, distance_km = excluded.distance_km,
                    placement_authority = excluded.placement_authority, uasc = excluded.uasc, return_year = excluded.return_year,
                    imported_at = now()
                """
            )
        }
    }
}

/// A PostgreSQL array literal of text (NULL for nil elements), cast in SQL to the column's type.
struct TextArray: PostgresBindable {
    let items: [String?]

    init(_ items: [String?]) { self.items = items }

    var postgresText: String? {
        var text = "{"
        text.reserveCapacity(items.count * 12)
        for (index, item) in items.enumerated() {
            if index > 0 { text += "," }
            guard let item else {
                text += "NULL"
                continue
            }
            text += "\""
            if item.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                for character in item {
                    if character == "\"" || character == "\\" { text += "\\" }
                    text.append(character)
                }
            } else {
                text += item
            }
            text += "\""
        }
        return text + "}"
    }
}
