import Foundation

/// The South East's authorities and postcode districts, as the synthetic SSDA903 generator uses
/// them (generated from Data/se_authorities.csv and Data/postcode_districts.csv).
public enum SouthEastGeography {
    /// A postcode district and its mean location.
    public struct District: Sendable, Hashable {
        /// The outward code, e.g. `RG12`.
        public let code: String
        /// Latitude, WGS84.
        public let lat: Double
        /// Longitude, WGS84.
        public let lon: Double

        init(_ code: String, _ lat: Double, _ lon: Double) {
            self.code = code
            self.lat = lat
            self.lon = lon
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
        /// The postcode districts that lie mostly in the authority.
        public let districts: [District]
    }

    /// The authority with this ONS code, if it is one of the region's.
    public static func authority(code: String) -> Authority? {
        authorities.first { $0.code == code }
    }

    /// Every district in the region.
    public static var regionDistricts: [District] {
        authorities.flatMap(\.districts)
    }
}
