import HearthCore
import HearthInsight

extension PostcodeDistricts {
    /// A district's point and authority as the SSDA903 import uses them, or nil if unknown: the
    /// authority is the upper tier (`UpperTierAuthorities`) of the district's most common local
    /// authority district.
    public func place(of district: String) -> DistrictPlace? {
        guard let location = location(of: district) else { return nil }
        return DistrictPlace(location: location, authority: localAuthorityDistrict(of: district).map(UpperTierAuthorities.of(localAuthorityDistrict:)))
    }
}

extension SouthEastGeography {
    /// The region's geography from the tables compiled into the program
    /// (`Data/se_authorities.csv`, `Data/postcode_districts.csv`).
    public static func shipped() throws -> SouthEastGeography {
        try SouthEastGeography(
            authoritiesCSV: try HearthResources.text(of: "Data/se_authorities.csv"),
            districtsCSV: try HearthResources.text(of: "Data/postcode_districts.csv")
        )
    }
}

extension Synthetic903 {
    /// The generator on the shipped geography (`SouthEastGeography.shipped()`).
    public init(_ configuration: Configuration) throws {
        try self.init(configuration, geography: try .shipped())
    }
}
