/// The SSDA903 code lists Hearth validates against (DfE, children looked after return), as the
/// open-source data-to-insight validator (csc-validator-be-903) encodes them for 2022/23 to
/// 2025/26. Older returns are accepted: a list is the union of the years' lists.
public enum SSDA903Codes {
    /// RNE, reason for new episode (rule 143).
    public static let reasonNewEpisode: Set<String> = ["S", "P", "L", "T", "U", "B"]
    /// LS, legal status (rule 144).
    public static let legalStatus: Set<String> = ["C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3"]
    /// CIN, category of need (rule 145).
    public static let categoryOfNeed: Set<String> = ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"]
    /// PLACE, placement type (rule 146): the 2024/25 list (with H5, P2 and Z1, which 2025/26
    /// dropped) and the 2025/26 list (K3 and Z11–Z14 added).
    public static let placement: Set<String> = [
        "A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1",
        "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1", "Z11", "Z12", "Z13", "Z14",
    ]
    /// PLACE_PROVIDER (rule 178).
    public static let placementProvider: Set<String> = ["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"]
    /// REC, reason episode ceased (rule 149).
    public static let reasonCeased: Set<String> = [
        "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E8",
        "E9", "E14", "E15", "E16", "E17", "X1",
    ]
    /// REASON_PLACE_CHANGE (rule 1009).
    public static let reasonPlaceChange: Set<String> = [
        "CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE", "CUSTOD", "OTHER",
    ]
    /// SEX (rule 101): `1`/`2` before 2024/25, `M`/`F`/`U` from 2024/25. Stored as `1`, `2` or
    /// unknown.
    public static let sex: [String: String?] = ["1": "1", "2": "2", "M": "1", "F": "2", "U": nil]
}
