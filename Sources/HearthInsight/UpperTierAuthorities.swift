/// The children's services (upper-tier) authority of a local authority district: unitary,
/// metropolitan and London districts are their own; the South East's two-tier districts map to
/// their county (ONS LTLA→UTLA lookup, April 2021, Open Government Licence v3.0). A two-tier
/// district elsewhere keeps its own code: Hearth knows only that it lies outside the region.
///
/// The one rule for a postcode district's authority: the SSDA903 import's placement authority
/// (HearthStore) and the synthetic generator's geography both use it.
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

    /// The upper-tier code for a local authority district code (`E07000110` → Kent's `E10000016`).
    public static func of(localAuthorityDistrict code: String) -> String {
        southEastCounties[code] ?? code
    }
}
