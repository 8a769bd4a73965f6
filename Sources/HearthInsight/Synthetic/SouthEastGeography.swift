import Foundation

/// The South East's authorities and postcode districts, as the synthetic SSDA903 generator uses
/// them: built from Hearth's shipped reference tables (`Data/se_authorities.csv` and
/// `Data/postcode_districts.csv`) by the caller, since this target reads no files. HearthStore's
/// `SouthEastGeography.shipped()` builds it from the tables compiled into the programs; tests may
/// build it from the repository's files.
///
/// A district belongs to the authority `UpperTierAuthorities.of(localAuthorityDistrict:)` gives
/// its most common local authority district, the rule the SSDA903 import uses for a placement's
/// authority.
public struct SouthEastGeography: Sendable {
    /// A postcode district, its mean location and its authority.
    public struct District: Sendable, Hashable {
        /// The outward code, e.g. `RG12`.
        public let code: String
        /// Latitude, WGS84.
        public let lat: Double
        /// Longitude, WGS84.
        public let lon: Double
        /// ONS code of the district's children's services (upper-tier) authority, or of its local
        /// authority district outside the South East; nil when the table names none.
        public let authority: String?

        /// Creates a district.
        public init(code: String, lat: Double, lon: Double, authority: String?) {
            self.code = code
            self.lat = lat
            self.lon = lon
            self.authority = authority
        }

        /// Great-circle distance in km (haversine, Earth radius 6371.0088 km).
        public func distanceKm(to other: District) -> Double {
            let radians = Double.pi / 180
            let dLat = (other.lat - lat) * radians
            let dLon = (other.lon - lon) * radians
            let a = pow(sin(dLat / 2), 2) + cos(lat * radians) * cos(other.lat * radians) * pow(sin(dLon / 2), 2)
            return 2 * 6371.0088 * asin(min(1, a.squareRoot()))
        }
    }

    /// A member authority with its share of the region's looked-after children.
    public struct Authority: Sendable, Hashable {
        /// ONS code.
        public let code: String
        /// Name.
        public let name: String
        /// Share of the region's looked-after children, percent (not normalised).
        public let lookedAfterSharePercent: Double
        /// The postcode districts that belong to the authority, in code order.
        public let districts: [District]
    }

    /// The table could not be read.
    public struct TableError: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// The region's authorities, in the order of `Data/se_authorities.csv`.
    public let authorities: [Authority]
    /// English postcode districts outside the region, for placements out of area
    /// (`outsideRegionSample`).
    public let outsideRegion: [District]

    /// The share assumed for an authority the table gives none (Hampshire, which had no figure in
    /// the RCC's funding proposal), percent.
    public static let assumedSharePercent = 15.0

    /// The districts outside the region that out-of-area placements go to: a fixed sample across
    /// England, so the generator's output does not depend on the table's size.
    public static let outsideRegionSample = [
        "AL1", "B44", "BA20", "BD9", "BS14", "CA4", "CM1", "CR7", "DA7", "DL2", "DT6", "EC2M", "FY6", "HD7", "HX7", "KT9",
        "L63", "LE8", "LU4", "M5", "NE15", "NG16", "NR10", "NW9", "PE33", "RM1", "S60", "SE4", "SM4", "SS16", "SW1Y", "TF2",
        "TS19", "W12", "WA4", "WF9", "WV5",
    ]

    /// Builds the geography from the text of `Data/se_authorities.csv`
    /// (`ons_code,name,lat,lon,lac_share_pct`) and `Data/postcode_districts.csv`
    /// (`district,lat,lon,easting,northing,postcodes,lad_code`). Throws `TableError` for a
    /// malformed line, a sample district the table lacks or an authority with no district.
    public init(authoritiesCSV: String, districtsCSV: String) throws {
        var districts: [District] = []
        var byCode: [String: District] = [:]
        for (index, line) in districtsCSV.split(whereSeparator: \.isNewline).enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 7, let lat = Double(fields[1]), let lon = Double(fields[2]) else {
                throw TableError(description: "postcode_districts.csv line \(index + 1) is not district,lat,lon,easting,northing,postcodes,lad_code")
            }
            let district = District(
                code: String(fields[0]), lat: lat, lon: lon,
                authority: fields[6].isEmpty ? nil : UpperTierAuthorities.of(localAuthorityDistrict: String(fields[6]))
            )
            districts.append(district)
            byCode[district.code] = district
        }
        let inAuthority = Dictionary(grouping: districts.filter { $0.authority != nil }, by: { $0.authority! })
        var authorities: [Authority] = []
        for (index, line) in authoritiesCSV.split(whereSeparator: \.isNewline).enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 5, fields[4].isEmpty || Double(fields[4]) != nil else {
                throw TableError(description: "se_authorities.csv line \(index + 1) is not ons_code,name,lat,lon,lac_share_pct")
            }
            let own = (inAuthority[fields[0]] ?? []).sorted { $0.code < $1.code }
            guard !own.isEmpty else { throw TableError(description: "no postcode district belongs to \(fields[0]) (\(fields[1]))") }
            authorities.append(Authority(
                code: fields[0], name: fields[1], lookedAfterSharePercent: Double(fields[4]) ?? Self.assumedSharePercent, districts: own
            ))
        }
        guard !authorities.isEmpty else { throw TableError(description: "se_authorities.csv lists no authority") }
        self.authorities = authorities
        self.outsideRegion = try Self.outsideRegionSample.map { code in
            guard let district = byCode[code] else { throw TableError(description: "postcode_districts.csv has no district \(code)") }
            return district
        }
    }

    /// The authority with this ONS code, if it is one of the region's.
    public func authority(code: String) -> Authority? {
        authorities.first { $0.code == code }
    }

    /// Every district in the region, authority by authority.
    public var regionDistricts: [District] {
        authorities.flatMap(\.districts)
    }
}
