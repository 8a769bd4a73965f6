import HearthCore

/// One period of care for one child, as Hearth keeps it after an SSDA903 import: minimised
/// (DESIGN.md, Insight). The DfE's episode row becomes this; the child's id is a keyed hash,
/// the date of birth only its month and year, postcodes only their districts.
public struct Episode: Sendable, Hashable {
    /// ONS code of the authority whose return holds the episode.
    public let authority: String
    /// Keyed hash of the return's CHILD id (hex), stable per authority across years.
    public let childKey: String
    /// Month and year of birth (`YYYY-MM`), from the header table when it was imported.
    public let birthMonth: String?
    /// SEX: `1` male, `2` female (header table), when known.
    public let sex: String?
    /// DECOM: the day the episode started.
    public let start: CalendarDate
    /// DEC: the day it ended; nil while it is open.
    public let end: CalendarDate?
    /// RNE: reason for new episode.
    public let reasonNewEpisode: String
    /// LS: legal status.
    public let legalStatus: String
    /// CIN: category of need (`N1` … `N8`).
    public let categoryOfNeed: String
    /// PLACE: placement type, as returned (older codes kept as returned).
    public let placement: String
    /// PLACE_PROVIDER.
    public let placementProvider: String?
    /// REC: reason the episode ceased; nil while open.
    public let reasonCeased: String?
    /// REASON_PLACE_CHANGE: why the placement changed, when it did.
    public let reasonPlaceChange: String?
    /// Postcode district of the child's home (HOME_POST), when given.
    public let homeDistrict: String?
    /// Postcode district of the placement (PL_POST), when given.
    public let placementDistrict: String?
    /// Straight-line distance from home to placement in km, when both districts are known.
    public let distanceKm: Double?
    /// ONS code of the authority the placement lies in, when the district is known.
    public let placementAuthority: String?
    /// Whether the child was an unaccompanied asylum-seeking child (UASC table).
    public let unaccompanied: Bool

    /// Creates an episode.
    public init(
        authority: String, childKey: String, birthMonth: String?, sex: String?, start: CalendarDate, end: CalendarDate?,
        reasonNewEpisode: String, legalStatus: String, categoryOfNeed: String, placement: String,
        placementProvider: String?, reasonCeased: String?, reasonPlaceChange: String? = nil, homeDistrict: String?, placementDistrict: String?,
        distanceKm: Double?, placementAuthority: String?, unaccompanied: Bool
    ) {
        self.authority = authority
        self.childKey = childKey
        self.birthMonth = birthMonth
        self.sex = sex
        self.start = start
        self.end = end
        self.reasonNewEpisode = reasonNewEpisode
        self.legalStatus = legalStatus
        self.categoryOfNeed = categoryOfNeed
        self.placement = placement
        self.placementProvider = placementProvider
        self.reasonCeased = reasonCeased
        self.reasonPlaceChange = reasonPlaceChange
        self.homeDistrict = homeDistrict
        self.placementDistrict = placementDistrict
        self.distanceKm = distanceKm
        self.placementAuthority = placementAuthority
        self.unaccompanied = unaccompanied
    }

    /// Whether the child was looked after in this episode on the given day.
    public func isOpen(on day: CalendarDate) -> Bool {
        start <= day && (end.map { day < $0 } ?? true)
    }

    /// The episode's placement group (INTERFACE.md, Insight).
    public var placementGroup: PlacementGroup { PlacementGroup(placeCode: placement) }
}

/// An episode with the collection year of the return that supplied it (2024 for the 2023/24
/// return, which ends on 31 March 2024): when returns overlap, the later one wins.
public struct ReturnedEpisode: Sendable, Hashable {
    /// The episode.
    public let episode: Episode
    /// The supplying return's collection year.
    public let returnYear: Int

    /// Creates a returned episode.
    public init(episode: Episode, returnYear: Int) {
        self.episode = episode
        self.returnYear = returnYear
    }
}

/// The placement groups the forecast reports (INTERFACE.md, Insight).
public enum PlacementGroup: String, Sendable, CaseIterable, Hashable, Comparable {
    /// PLACE U1–U6.
    case foster
    /// PLACE K2.
    case childrensHome = "childrens_home"
    /// PLACE K3; H5 and P2 in older returns.
    case supported
    /// PLACE P1.
    case withParents = "with_parents"
    /// PLACE A3–A6.
    case adoption
    /// Every other code.
    case other

    /// The group of a PLACE code (2024/25 and 2025/26 lists, older codes mapped).
    public init(placeCode: String) {
        switch placeCode.uppercased() {
        case "U1", "U2", "U3", "U4", "U5", "U6": self = .foster
        case "K2": self = .childrensHome
        case "K3", "H5", "P2": self = .supported
        case "P1": self = .withParents
        case "A3", "A4", "A5", "A6": self = .adoption
        default: self = .other
        }
    }

    public static func < (lhs: PlacementGroup, rhs: PlacementGroup) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
