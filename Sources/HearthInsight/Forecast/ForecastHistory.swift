import Foundation
import HearthCore

/// A calendar month as one number (`year * 12 + month - 1`), for month-end series.
public struct Month: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// `year * 12 + month - 1`.
    public let index: Int

    /// The month with this index.
    public init(index: Int) {
        self.index = index
    }

    /// The month a date falls in.
    public init(_ date: CalendarDate) {
        index = date.year * 12 + date.month - 1
    }

    /// Parses `YYYY-MM`.
    public init?(text: String) {
        guard text.count == 7, let date = CalendarDate(iso: text + "-01") else { return nil }
        self.init(date)
    }

    /// The year.
    public var year: Int { index / 12 }
    /// The month of the year, 1 to 12.
    public var month: Int { index % 12 + 1 }
    /// The month's last day.
    public var lastDay: CalendarDate { CalendarDate(year: year, month: month, day: 1)!.adding(days: 40).firstOfMonth.adding(days: -1) }
    /// `YYYY-MM`.
    public var description: String { String(lastDay.iso.prefix(7)) }
    /// The month `count` months later.
    public func adding(_ count: Int) -> Month { Month(index: index + count) }

    public static func < (lhs: Month, rhs: Month) -> Bool { lhs.index < rhs.index }

    /// The last month whose last day is on or before `date`.
    public static func lastEnded(onOrBefore date: CalendarDate) -> Month {
        let month = Month(date)
        return month.lastDay == date ? month : month.adding(-1)
    }

    /// Encodes as `YYYY-MM`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Decodes from `YYYY-MM`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let month = Month(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a YYYY-MM month: \(text)")
        }
        self = month
    }
}

extension CalendarDate {
    /// The first day of the date's month.
    var firstOfMonth: CalendarDate { CalendarDate(year: year, month: month, day: 1)! }
}

/// How a forecast is broken down beside the region's total.
public enum ForecastBreakdown: String, Sendable, CaseIterable, Codable {
    /// The region only.
    case region
    /// Each authority (ONS code).
    case authority
    /// Each category of need (CIN, `N1` … `N8`).
    case need
}

/// One series the forecast reports: a placement group (or all of them) in the region, one
/// authority or one category of need.
public struct SeriesKey: Sendable, Hashable, Comparable {
    /// What the segment is.
    public let breakdown: ForecastBreakdown
    /// The authority's code or the CIN code; empty for the region.
    public let segment: String
    /// The placement group, or nil for every group together (`ALL`).
    public let group: PlacementGroup?

    /// The group's name as the CSV prints it (`ALL` for every group).
    public var groupName: String { group?.rawValue ?? "ALL" }

    public static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        let left = (ForecastBreakdown.allCases.firstIndex(of: lhs.breakdown)!, lhs.segment, lhs.group.map { PlacementGroup.allCases.firstIndex(of: $0)! } ?? 99)
        let right = (ForecastBreakdown.allCases.firstIndex(of: rhs.breakdown)!, rhs.segment, rhs.group.map { PlacementGroup.allCases.firstIndex(of: $0)! } ?? 99)
        return left < right
    }
}

/// The imported history prepared for forecasting: for every month end, each child looked after
/// then, with the facts the model uses. Built once; every cut-off reads only its own past.
///
/// A child's state at a month end does not depend on anything recorded after it, so one table
/// serves forecasts from any cut-off (the backtest's included) without leaking the future.
public struct ForecastHistory: Sendable {
    /// One child looked after at one month end.
    struct ChildMonth: Sendable {
        let authority: Int
        let need: Int
        let group: Int
        /// Age in whole months, or -1 when the birth month is unknown.
        let ageMonths: Int
        /// Whole months since the period of care began.
        let durationMonths: Int
        /// The period of care began during this month.
        let isEntry: Bool
        /// The group at the next month end; `ForecastHistory.exited` when not looked after then,
        /// `ForecastHistory.unknown` when the next month is past the history.
        let nextGroup: Int
    }

    static let exited = -1
    static let unknown = -2

    /// First month end covered in full (the month of the earliest recorded end of an episode).
    public let firstMonth: Month
    /// Last month end covered (the month of the latest recorded date).
    public let lastMonth: Month
    /// Authorities' ONS codes, indexed as `ChildMonth.authority`.
    let authorities: [String]
    /// CIN codes, indexed as `ChildMonth.need`.
    let needs: [String]
    /// Children looked after at each month end, `firstMonth` first.
    let months: [[ChildMonth]]

    /// Prepares episodes (one authority's or the region's) for forecasting.
    public init(episodes: [Episode]) {
        let ends = episodes.compactMap(\.end)
        let latest = episodes.flatMap { [$0.start] + ($0.end.map { [$0] } ?? []) }.max()
        firstMonth = Month(ends.min() ?? episodes.map(\.start).min() ?? CalendarDate(year: 2000, month: 1, day: 1)!)
        lastMonth = latest.map(Month.init) ?? firstMonth
        authorities = Array(Set(episodes.map(\.authority))).sorted()
        needs = Array(Set(episodes.map { $0.categoryOfNeed.uppercased() })).sorted()
        let authorityIndex = Dictionary(uniqueKeysWithValues: authorities.enumerated().map { ($1, $0) })
        let needIndex = Dictionary(uniqueKeysWithValues: needs.enumerated().map { ($1, $0) })
        let count = max(0, lastMonth.index - firstMonth.index + 1)
        var table = [[ChildMonth]](repeating: [], count: count)
        let byChild = Dictionary(grouping: episodes) { "\($0.authority)\u{1}\($0.childKey)" }
        let groups = PlacementGroup.allCases
        for key in byChild.keys.sorted() {
            let own = byChild[key]!.sorted { $0.start < $1.start }
            var periodStart: [CalendarDate] = []
            for (index, episode) in own.enumerated() {
                if index > 0, let previousEnd = own[index - 1].end, episode.start <= previousEnd {
                    periodStart.append(periodStart[index - 1])
                } else {
                    periodStart.append(episode.start)
                }
            }
            let birth = own.compactMap(\.birthMonth).first.flatMap { Month(text: $0) }
            // The state at each month end of the history, from the episode open on its last day.
            var states: [Int: (episode: Int, group: Int)] = [:]
            for (index, episode) in own.enumerated() {
                var month = max(Month(episode.start), firstMonth)
                while month <= lastMonth, episode.isOpen(on: month.lastDay) {
                    states[month.index] = (index, groups.firstIndex(of: episode.placementGroup)!)
                    month = month.adding(1)
                }
            }
            for (monthIndex, state) in states {
                let episode = own[state.episode]
                let start = periodStart[state.episode]
                let month = Month(index: monthIndex)
                let next: Int = monthIndex == lastMonth.index ? ForecastHistory.unknown : (states[monthIndex + 1]?.group ?? ForecastHistory.exited)
                let record = ChildMonth(
                    authority: authorityIndex[episode.authority]!, need: needIndex[episode.categoryOfNeed.uppercased()]!,
                    group: state.group, ageMonths: birth.map { monthIndex - $0.index } ?? -1,
                    durationMonths: max(0, Int(Double(month.lastDay.dayNumber - start.dayNumber) / 30.44)),
                    isEntry: Month(start) == month, nextGroup: next)
                table[monthIndex - firstMonth.index].append(record)
            }
        }
        months = table
        let (authorityList, needList) = (authorities, needs)
        counts = table.map { ForecastHistory.count(records: $0, authorities: authorityList, needs: needList) }
    }

    /// The children looked after at a month end (empty outside the history).
    func records(at month: Month) -> [ChildMonth] {
        let offset = month.index - firstMonth.index
        return offset >= 0 && offset < months.count ? months[offset] : []
    }

    /// The observed count of every series at each month end, `firstMonth` first.
    let counts: [[SeriesKey: Double]]

    /// The observed count of every series at a month end (empty outside the history).
    func observed(at month: Month) -> [SeriesKey: Double] {
        let offset = month.index - firstMonth.index
        return offset >= 0 && offset < counts.count ? counts[offset] : [:]
    }

    private static func count(records: [ChildMonth], authorities: [String], needs: [String]) -> [SeriesKey: Double] {
        let needCount = needs.count
        let groupCount = PlacementGroup.allCases.count
        var cube = [Double](repeating: 0, count: authorities.count * needCount * groupCount)
        for record in records {
            cube[(record.authority * needCount + record.need) * groupCount + record.group] += 1
        }
        var totals: [SeriesKey: Double] = [:]
        for (cell, count) in cube.enumerated() where count > 0 {
            let group = cell % groupCount
            let need = (cell / groupCount) % needCount
            for key in keys(authorities: authorities, needs: needs, authority: cell / groupCount / needCount, need: need, group: group) {
                totals[key, default: 0] += count
            }
        }
        return totals
    }

    /// The series a child counts in: region, authority and need, each by group and for `ALL`.
    func keys(authority: Int, need: Int, group: Int?) -> [SeriesKey] {
        ForecastHistory.keys(authorities: authorities, needs: needs, authority: authority, need: need, group: group)
    }

    private static func keys(authorities: [String], needs: [String], authority: Int, need: Int, group: Int?) -> [SeriesKey] {
        let placement = group.map { PlacementGroup.allCases[$0] }
        var keys: [SeriesKey] = []
        for g in [placement, nil] {
            keys.append(SeriesKey(breakdown: .region, segment: "", group: g))
            keys.append(SeriesKey(breakdown: .authority, segment: authorities[authority], group: g))
            keys.append(SeriesKey(breakdown: .need, segment: needs[need], group: g))
        }
        return keys
    }

    /// Every series key that has a child in it at some month end, plus every group of the region.
    func allKeys() -> [SeriesKey] {
        var keys = Set<SeriesKey>()
        for group in PlacementGroup.allCases.map(Optional.some) + [nil] {
            keys.insert(SeriesKey(breakdown: .region, segment: "", group: group))
            for authority in authorities { keys.insert(SeriesKey(breakdown: .authority, segment: authority, group: group)) }
            for need in needs { keys.insert(SeriesKey(breakdown: .need, segment: need, group: group)) }
        }
        return keys.sorted()
    }
}
