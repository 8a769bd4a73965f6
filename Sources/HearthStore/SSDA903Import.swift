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
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(authority):\(child)".utf8), using: secret)
        return hex(mac)
    }

    /// Lower-case hex of some bytes (a table lookup per nibble: `String(format:)` per byte cost
    /// a third of a large import's time).
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
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

    /// Columns of `episodes` the import writes, in the order the rows are copied.
    private static let storedColumns = [
        "authority", "child_key", "decom", "dec", "birth_month", "sex", "rne", "ls", "cin", "place", "place_provider", "rec",
        "reason_place_change", "home_district", "placement_district", "distance_km", "placement_authority", "uasc", "return_year",
    ]

    /// Removes `episodes`: their keys are copied into a temporary table, then one `DELETE`.
    private static func delete(_ episodes: [ReturnedEpisode], on connection: PostgresConnection) throws {
        guard !episodes.isEmpty else { return }
        try connection.run("CREATE TEMPORARY TABLE episodes_gone (authority text, child_key text, decom date) ON COMMIT DROP")
        try connection.copy(into: "episodes_gone", columns: ["authority", "child_key", "decom"]) { rows in
            for item in episodes { try rows.append([item.episode.authority, item.episode.childKey, item.episode.start.iso]) }
        }
        try connection.run(
            """
            DELETE FROM episodes e USING episodes_gone gone
            WHERE e.authority = gone.authority AND e.child_key = gone.child_key AND e.decom = gone.decom
            """
        )
    }

    /// Inserts or replaces `episodes`: copied into a temporary table (`COPY`), then merged with
    /// one `INSERT … ON CONFLICT`, so the table's constraints check every row.
    private static func upsert(_ episodes: [ReturnedEpisode], on connection: PostgresConnection) throws {
        guard !episodes.isEmpty else { return }
        try connection.run("CREATE TEMPORARY TABLE episodes_incoming (LIKE episodes INCLUDING DEFAULTS) ON COMMIT DROP")
        try connection.copy(into: "episodes_incoming", columns: storedColumns) { rows in
            for item in episodes {
                let e = item.episode
                try rows.append([
                    e.authority, e.childKey, e.start.iso, e.end?.iso, e.birthMonth, e.sex, e.reasonNewEpisode, e.legalStatus,
                    e.categoryOfNeed, e.placement, e.placementProvider, e.reasonCeased, e.reasonPlaceChange, e.homeDistrict,
                    e.placementDistrict, e.distanceKm.map { String($0) }, e.placementAuthority, e.unaccompanied ? "t" : "f",
                    String(item.returnYear),
                ])
            }
        }
        let columns = storedColumns.joined(separator: ", ")
        try connection.run(
            """
            INSERT INTO episodes (\(unescaped: columns)) SELECT \(unescaped: columns) FROM episodes_incoming
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
