import Foundation
import HearthCore

/// Great Britain's postcode districts (`Data/postcode_districts.csv`, ONS Postcode Directory),
/// used to turn a postcode or district a person knows into the coarse point Hearth stores.
public final class PostcodeDistricts: Sendable {
    private let locations: [String: Coordinate]
    private let districtCodes: [String: String]

    /// Loads the table compiled into the program (`Data/postcode_districts.csv`).
    public static func load() throws -> PostcodeDistricts {
        try PostcodeDistricts(csv: try HearthResources.text(of: "Data/postcode_districts.csv"))
    }

    /// Parses `district,lat,lon,...` rows after a header line; a seventh field, when present,
    /// is the district's most common local authority district code (`lad_code`).
    public init(csv: String) throws {
        var locations: [String: Coordinate] = [:]
        var districtCodes: [String: String] = [:]
        for (index, line) in csv.split(whereSeparator: \.isNewline).enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 3, let lat = Double(fields[1]), let lon = Double(fields[2]) else {
                throw ResourceError("postcode_districts.csv line \(index + 1) is not district,lat,lon,…")
            }
            locations[String(fields[0])] = Coordinate(lat: lat, lon: lon)
            if fields.count >= 7, !fields[6].isEmpty { districtCodes[String(fields[0])] = String(fields[6]) }
        }
        self.locations = locations
        self.districtCodes = districtCodes
    }

    /// The ONS code of the local authority district most of a postcode district lies in
    /// (`RG12` → `E06000036`), or nil if unknown.
    public func localAuthorityDistrict(of district: String) -> String? {
        districtCodes[district]
    }

    /// How many districts are known.
    public var count: Int { locations.count }

    /// Every known district's code, sorted.
    public var districtNames: [String] { locations.keys.sorted() }

    /// The mean location of a district such as `RG12`, or nil if unknown.
    public func location(of district: String) -> Coordinate? {
        locations[district]
    }

    /// The district of a full UK postcode (`RG12 1JD` → `RG12`), or nil if it is not shaped
    /// like a postcode.
    public static func district(ofPostcode postcode: String) -> String? {
        let compact = postcode.uppercased().filter { !$0.isWhitespace }
        guard compact.range(of: "^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$", options: .regularExpression) != nil else {
            return nil
        }
        return String(compact.dropLast(3))
    }

    /// A district in canonical form (`rg12` → `RG12`), or nil if it is not shaped like one.
    public static func normalisedDistrict(_ district: String) -> String? {
        let compact = district.uppercased().filter { !$0.isWhitespace }
        guard compact.range(of: "^[A-Z]{1,2}[0-9][A-Z0-9]?$", options: .regularExpression) != nil else { return nil }
        return compact
    }
}
