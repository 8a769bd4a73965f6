import HearthCore
import HearthInsight

/// The children's services (upper-tier) authority of a local authority district: unitary,
/// metropolitan and London districts are their own; the South East's two-tier districts map to
/// their county (ONS LTLA→UTLA lookup, April 2021, Open Government Licence v3.0). A two-tier
/// district elsewhere keeps its own code: Hearth knows only that it lies outside the region.
public enum UpperTierAuthorities {
    static let southEastCounties: [String: String] = {
        var map: [String: String] = [:]
        func county(_ code: String, _ districts: ClosedRange<Int>) {
            for number in districts { map["E07" + String(number + 1_000_000).dropFirst()] = code }
        }
        county("E10000011", 61...65)  // East Sussex
        county("E10000014", 84...94)  // Hampshire
        county("E10000016", 105...116)  // Kent
        county("E10000025", 177...181)  // Oxfordshire
        county("E10000030", 207...217)  // Surrey
        county("E10000032", 223...229)  // West Sussex
        return map
    }()

    /// The upper-tier code for a local authority district code.
    public static func of(districtCode code: String) -> String {
        southEastCounties[code] ?? code
    }
}

extension PostcodeDistricts {
    /// A district's point and authority as the SSDA903 import uses them, or nil if unknown.
    public func place(of district: String) -> DistrictPlace? {
        guard let location = location(of: district) else { return nil }
        return DistrictPlace(location: location, authority: localAuthorityDistrict(of: district).map(UpperTierAuthorities.of))
    }
}
