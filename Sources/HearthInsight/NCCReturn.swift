import Foundation
import HearthCore

/// A calendar quarter, written `YYYY-QN` (Q1 is January to March).
public struct Quarter: Sendable, Hashable, CustomStringConvertible {
    public let year: Int
    public let number: Int

    /// Parses `YYYY-QN`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.uppercased().split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), (1990...2100).contains(year),
              parts[1].count == 2, parts[1].first == "Q", let number = Int(parts[1].dropFirst()), (1...4).contains(number) else { return nil }
        self.year = year
        self.number = number
    }

    /// The first day.
    public var start: CalendarDate { CalendarDate(year: year, month: number * 3 - 2, day: 1)! }
    /// The last day.
    public var end: CalendarDate {
        number == 4 ? CalendarDate(year: year, month: 12, day: 31)! : CalendarDate(year: year, month: number * 3 + 1, day: 1)!.adding(days: -1)
    }

    public var description: String { "\(year)-Q\(number)" }
}

/// The region's quarterly return to the National Care Cooperative: aggregate counts only,
/// every count of 1 to 4 shown as "fewer than 5" (Docs/insight.md, "NCC return", defines the
/// schema, `hearth.ncc-return/1`). Pure.
public struct NCCReturn: Sendable, Encodable {
    /// `hearth.ncc-return/1`.
    public let schema = "hearth.ncc-return/1"
    public let quarter: String
    public let periodStart: CalendarDate
    public let periodEnd: CalendarDate
    /// The day the figures are for: the quarter's last day, or today for the quarter in progress.
    public let asOf: CalendarDate
    public let members: Int
    public let smallNumberRule = "counts of 1 to 4 are shown as \"fewer than 5\"; shares of suppressed counts are omitted"
    /// Supply, demand and prices by setting.
    public let bySetting: [SufficiencyReport.Row]
    /// Supply and demand by need.
    public let byNeed: [SufficiencyReport.Row]
    /// The region.
    public let total: SufficiencyReport.Row
    /// Unmet demand of children with at least one specialist need, largest first.
    public let unmetSpecialistNeeds: [SufficiencyReport.Unmet]
    /// Distance from home, by band.
    public let distanceBands: [SufficiencyReport.Band]

    /// The return for `quarter` from `input` (whose `asOf` is the return's date).
    public init(quarter: Quarter, input: SufficiencyInput) {
        self.quarter = quarter.description
        periodStart = quarter.start
        periodEnd = quarter.end
        asOf = input.asOf
        members = input.members.count
        let settings = SufficiencyReport(input, by: .setting, for: .published)
        let needs = SufficiencyReport(input, by: .need, for: .published)
        bySetting = settings.rows
        byNeed = needs.rows
        total = settings.total
        unmetSpecialistNeeds = settings.unmetDemand.filter { !$0.needs.isEmpty }
        distanceBands = settings.distanceBands
    }

    /// The return as CSV in long form: `section,key,measure,value`, one figure a line.
    public var csv: String {
        var lines = ["section,key,measure,value"]
        func add(_ section: String, _ key: String, _ measure: String, _ value: String) {
            lines.append([section, key, measure, value].map(Self.cell).joined(separator: ","))
        }
        add("return", "", "schema", schema)
        add("return", "", "quarter", quarter)
        add("return", "", "as_of", asOf.iso)
        add("return", "", "members", String(members))
        func rows(_ section: String, _ rows: [SufficiencyReport.Row]) {
            for row in rows {
                add(section, row.key, "open_offers", String(row.supply.openOffers))
                add(section, row.key, "beds", String(row.supply.beds))
                if let rates = row.supply.weeklyRatePence {
                    add(section, row.key, "weekly_rate_median_pence", String(rates.median))
                    add(section, row.key, "weekly_rate_lower_quartile_pence", String(rates.lowerQuartile))
                    add(section, row.key, "weekly_rate_upper_quartile_pence", String(rates.upperQuartile))
                }
                add(section, row.key, "open_bids", row.demand.openBids.description)
                add(section, row.key, "children_waiting", row.demand.childrenWaiting.description)
                if let perMonth = row.demand.bidsPerMonth { add(section, row.key, "bids_per_month", String(perMonth)) }
                add(section, row.key, "looked_after", row.demand.lookedAfter.description)
                add(section, row.key, "unmet_bids", row.unmet.bids.description)
                add(section, row.key, "unmet_children", row.unmet.children.description)
                add(section, row.key, "exchange_placements", row.distance.exchangePlacements.description)
                if let pct = row.distance.exchangeWithin20MilesPct { add(section, row.key, "exchange_within_20_miles_pct", String(pct)) }
                add(section, row.key, "returns_with_distance", row.distance.returnsWithDistance.description)
                if let pct = row.distance.returnsWithin20MilesPct { add(section, row.key, "returns_within_20_miles_pct", String(pct)) }
                add(section, row.key, "placed_outside_region", row.outsideRegion.placed.description)
            }
        }
        rows("by_setting", bySetting)
        rows("by_need", byNeed)
        rows("total", [total])
        for unmet in unmetSpecialistNeeds {
            let key = (unmet.settings + unmet.needs).joined(separator: "+") + (unmet.maxDistanceKm.map { "<=\($0)km" } ?? "") + ":" + unmet.rule
            add("unmet_specialist_needs", key, "bids", unmet.bids.description)
            add("unmet_specialist_needs", key, "children", unmet.children.description)
        }
        for band in distanceBands {
            add("distance_bands", band.label, "exchange", band.exchange.description)
            add("distance_bands", band.label, "returns", band.returns.description)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func cell(_ text: String) -> String {
        text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
