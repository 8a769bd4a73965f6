import Foundation
import HearthCore

/// A realistic multi-year South East history of children looked after, in the DfE's SSDA903
/// format: pure and deterministic (the same configuration gives the same files, byte for byte).
///
/// Every child is simulated day by day from 18 years before the first return, so the first
/// return already holds long-stayers. Entries follow age-at-entry shares like England's, a
/// seasonal pattern, a drift per authority and a slowly wandering rate; each child follows a
/// care path (home soon, home later, special guardianship, adoption, until 18) with placement
/// moves, legal-status changes and re-entries. Docs/insight-forecast.md lists every assumption;
/// Docs/insight.md how REASON_PLACE_CHANGE is filled.
///
/// The region's authorities and districts come in as a `SouthEastGeography` built from Hearth's
/// reference tables (HearthStore's `Synthetic903(_:)` uses the tables compiled into the program).
public struct Synthetic903: Sendable {
    /// What to generate.
    public struct Configuration: Sendable {
        /// Seed of the generator.
        public var seed: UInt64
        /// First collection year (the 2017/18 return is 2018).
        public var fromYear: Int
        /// Last collection year.
        public var toYear: Int
        /// ONS codes of the authorities; nil: every authority of the geography.
        public var authorities: [String]?
        /// Multiplies every authority's number of children (1.0: about 11,500 looked after in the region).
        public var scale: Double

        /// Creates a configuration.
        public init(seed: UInt64, fromYear: Int = 2018, toYear: Int = 2024, authorities: [String]? = nil, scale: Double = 1.0) {
            self.seed = seed
            self.fromYear = fromYear
            self.toYear = toYear
            self.authorities = authorities
            self.scale = scale
        }
    }

    /// One authority's return for one collection year: the three DfE tables as CSV text.
    public struct Return: Sendable {
        /// ONS code.
        public let authority: String
        /// Collection year (the return covers 1 April of the year before to 31 March of this one).
        public let year: Int
        /// The Episodes table (`CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN`).
        public let episodes: String
        /// The Header table (`CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB`).
        public let header: String
        /// The UASC table (`CHILD,SEX,DOB,DUC`).
        public let uasc: String
        /// Number of episode rows.
        public let episodeCount: Int
    }

    /// Why a configuration cannot be generated.
    public struct ConfigurationError: Error, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// The configuration.
    public let configuration: Configuration
    /// The region the history is simulated in.
    public let geography: SouthEastGeography
    private let authorityCodes: [String]
    private let children: [SimulatedChild]
    private let districtIndex: [String: SouthEastGeography.District]

    /// Simulates the history in `geography`. Throws for an unknown authority, a reversed year
    /// range or a bad scale.
    public init(_ configuration: Configuration, geography: SouthEastGeography) throws {
        guard (1990...2100).contains(configuration.fromYear), (1990...2100).contains(configuration.toYear),
              configuration.fromYear <= configuration.toYear
        else { throw ConfigurationError(description: "years must be 1990 to 2100, --from-year not after --to-year") }
        guard configuration.scale > 0, configuration.scale <= 20 else {
            throw ConfigurationError(description: "scale must be above 0 and at most 20")
        }
        let codes = configuration.authorities ?? geography.authorities.map(\.code)
        guard !codes.isEmpty else { throw ConfigurationError(description: "no authorities given") }
        var authorities: [SouthEastGeography.Authority] = []
        for code in codes {
            guard let authority = geography.authority(code: code) else {
                throw ConfigurationError(description: "\(code) is not a South East authority (see Data/se_authorities.csv)")
            }
            if !authorities.contains(authority) { authorities.append(authority) }
        }
        self.configuration = configuration
        self.geography = geography
        authorityCodes = codes
        let totalShare = geography.authorities.reduce(0) { $0 + $1.lookedAfterSharePercent }
        let regionDistricts = geography.regionDistricts
        var all: [SimulatedChild] = []
        for authority in authorities {
            let index = geography.authorities.firstIndex(of: authority)!
            var simulator = AuthoritySimulator(
                authority: authority, regionDistricts: regionDistricts, outsideRegion: geography.outsideRegion, laNumber: 800 + index * 7,
                lookedAfter: Synthetic903.regionLookedAfter * configuration.scale * authority.lookedAfterSharePercent / totalShare,
                random: SeededRandom(seed: configuration.seed &* 1_000_003 &+ UInt64(index) &* 7_919 &+ 17),
                firstDay: CalendarDate(year: configuration.fromYear - 1 - 18, month: 4, day: 1)!,
                lastDay: CalendarDate(year: configuration.toYear, month: 3, day: 31)!)
            all += simulator.run()
        }
        children = all
        var index: [String: SouthEastGeography.District] = [:]
        for district in regionDistricts + geography.outsideRegion { index[district.code] = district }
        districtIndex = index
    }

    /// Children looked after in the region at a time, at scale 1.0 (the South East's order of magnitude).
    public static let regionLookedAfter = 11_500.0

    /// The returns, one per authority per collection year, in authority then year order.
    ///
    /// An episode open at 31 March appears open in that year's return and again, closed, in the
    /// next (as real returns do); the header lists every child with an episode in the return.
    public func returns() -> [Return] {
        var result: [Return] = []
        for code in authorityCodes where !result.contains(where: { $0.authority == code }) {
            let mine = children.filter { $0.authority == code }
            for year in configuration.fromYear...configuration.toYear {
                result.append(makeReturn(authority: code, year: year, children: mine))
            }
        }
        return result
    }

    /// The merged history every return together describes, as the import stores it: each
    /// episode that touches the returns' span once, open when it was still open at the last
    /// return's 31 March. The child key is `CODE:CHILD` (the import uses a keyed hash).
    public func history() -> [Episode] {
        let first = CalendarDate(year: configuration.fromYear - 1, month: 4, day: 1)!
        let last = CalendarDate(year: configuration.toYear, month: 3, day: 31)!
        var result: [Episode] = []
        for child in children {
            for episode in child.episodes where episode.start <= last && (episode.end.map { $0 >= first } ?? true) {
                let closed = episode.end.map { $0 <= last } ?? false
                let home = district(of: episode.homePostcode)
                let placed = district(of: episode.placementPostcode)
                result.append(Episode(
                    authority: child.authority, childKey: "\(child.authority):\(child.id)",
                    birthMonth: String(child.birth.iso.prefix(7)), sex: child.sex, start: episode.start,
                    end: closed ? episode.end : nil, reasonNewEpisode: episode.reasonNew, legalStatus: episode.legalStatus,
                    categoryOfNeed: child.need, placement: episode.place, placementProvider: episode.provider,
                    reasonCeased: closed ? episode.reasonCeased : nil, reasonPlaceChange: closed ? episode.reasonPlaceChange : nil,
                    homeDistrict: home, placementDistrict: placed,
                    distanceKm: distance(home, placed), placementAuthority: placed.flatMap { districtIndex[$0]?.authority },
                    unaccompanied: child.unaccompanied))
            }
        }
        return result
    }

    private func makeReturn(authority: String, year: Int, children: [SimulatedChild]) -> Return {
        let first = CalendarDate(year: year - 1, month: 4, day: 1)!
        let last = CalendarDate(year: year, month: 3, day: 31)!
        var episodes = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        var header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
        var uasc = "CHILD,SEX,DOB,DUC\n"
        var count = 0
        for child in children {
            let rows = child.episodes.filter { $0.start <= last && ($0.end.map { $0 >= first } ?? true) }
            guard !rows.isEmpty else { continue }
            for episode in rows {
                let closed = episode.end.map { $0 <= last } ?? false
                let fields = [
                    child.id, Synthetic903.dmy(episode.start), episode.reasonNew, episode.legalStatus, child.need, episode.place,
                    episode.provider ?? "", closed ? Synthetic903.dmy(episode.end!) : "", closed ? episode.reasonCeased ?? "" : "",
                    closed ? episode.reasonPlaceChange ?? "" : "", episode.homePostcode, episode.placementPostcode, episode.urn,
                ]
                episodes += fields.joined(separator: ",") + "\n"
                count += 1
            }
            let girlAged12 = child.sex == "2" && child.birth.adding(days: 12 * 365) <= last
            let motherBirth = child.motherBirth.flatMap { $0 <= last ? $0 : nil }
            let mother = girlAged12 ? (motherBirth == nil ? "0" : "1") : ""
            header += [child.id, child.sex, Synthetic903.dmy(child.birth), child.ethnicity, child.upn, mother,
                       motherBirth.map(Synthetic903.dmy) ?? ""].joined(separator: ",") + "\n"
            if child.unaccompanied {
                let eighteen = CalendarDate(year: child.birth.year + 18, month: child.birth.month, day: child.birth.day)
                    ?? CalendarDate(year: child.birth.year + 18, month: 3, day: 1)!
                uasc += [child.id, child.sex, Synthetic903.dmy(child.birth), eighteen <= last ? Synthetic903.dmy(eighteen) : ""]
                    .joined(separator: ",") + "\n"
            }
        }
        return Return(authority: authority, year: year, episodes: episodes, header: header, uasc: uasc, episodeCount: count)
    }

    private func district(of postcode: String) -> String? {
        postcode.split(separator: " ").first.map(String.init)
    }

    private func distance(_ home: String?, _ placed: String?) -> Double? {
        guard let home, let placed, let a = districtIndex[home], let b = districtIndex[placed] else { return nil }
        return (a.distanceKm(to: b) * 10).rounded() / 10
    }

    /// `dd/mm/YYYY`.
    static func dmy(_ date: CalendarDate) -> String {
        let iso = date.iso
        return "\(iso.dropFirst(8))/\(iso.dropFirst(5).prefix(2))/\(iso.prefix(4))"
    }
}

/// One simulated child: who they are and every episode of every period of care.
struct SimulatedChild: Sendable {
    let authority: String
    let id: String
    let sex: String
    let birth: CalendarDate
    let ethnicity: String
    let upn: String
    let need: String
    let unaccompanied: Bool
    let motherBirth: CalendarDate?
    var episodes: [SimulatedEpisode]
}

/// One episode as the generator knows it (end and reason even after the last return).
struct SimulatedEpisode: Sendable {
    let start: CalendarDate
    var end: CalendarDate?
    let reasonNew: String
    let legalStatus: String
    let place: String
    let provider: String?
    var reasonCeased: String?
    /// REASON_PLACE_CHANGE: why this episode's placement ended, when the child moved to another
    /// placement within the same period of care (set as the episode ends).
    var reasonPlaceChange: String?
    let homePostcode: String
    let placementPostcode: String
    let urn: String
}
