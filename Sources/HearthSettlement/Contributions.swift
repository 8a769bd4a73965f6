import Foundation
import HearthStore

/// The rule that turns a member's share of the region's looked-after children into its yearly
/// membership contribution. Configurable; `southEast` is the default.
public struct ContributionRule: Sendable, Equatable {
    /// A tier: a share strictly over `thresholdMicros` (millionths of the region, so 9 % is
    /// 90,000) pays `annualPence` a year.
    public struct Tier: Sendable, Equatable {
        /// Share threshold in millionths of the region (exclusive).
        public let thresholdMicros: Int64
        /// Yearly amount in pence.
        public let annualPence: Int64

        /// Creates a tier.
        public init(thresholdMicros: Int64, annualPence: Int64) {
            self.thresholdMicros = thresholdMicros
            self.annualPence = annualPence
        }
    }

    /// Tiers from the highest threshold down; tier numbers are 1, 2, … in this order.
    public let tiers: [Tier]
    /// What a member under every threshold pays a year (the last tier, numbered `tiers.count + 1`).
    public let baseAnnualPence: Int64
    /// The share of a full year charged in the first year, in basis points (5,000 = 50 %).
    public let firstYearBasisPoints: Int64

    /// Creates a rule; tiers are sorted from the highest threshold down.
    public init(tiers: [Tier], baseAnnualPence: Int64, firstYearBasisPoints: Int64) {
        self.tiers = tiers.sorted { $0.thresholdMicros > $1.thresholdMicros }
        self.baseAnnualPence = baseAnnualPence
        self.firstYearBasisPoints = firstYearBasisPoints
    }

    /// The South East RCC's rule: over 9 % £250,000; over 6 % £200,000; over 4.5 % £150,000;
    /// over 2.5 % £100,000; otherwise £50,000 a year; the first year at 50 %.
    public static let southEast = ContributionRule(
        tiers: [
            Tier(thresholdMicros: 90_000, annualPence: 25_000_000), Tier(thresholdMicros: 60_000, annualPence: 20_000_000),
            Tier(thresholdMicros: 45_000, annualPence: 15_000_000), Tier(thresholdMicros: 25_000, annualPence: 10_000_000),
        ],
        baseAnnualPence: 5_000_000, firstYearBasisPoints: 5_000
    )

    /// Parses `--tiers`: comma-separated `PERCENT:POUNDS` pairs (e.g. `9:250000,6:200000`), plus
    /// one `otherwise:POUNDS` (or `0:POUNDS`) for members under every threshold.
    public static func parseTiers(_ text: String) throws -> (tiers: [Tier], base: Int64) {
        var tiers: [Tier] = []
        var base: Int64?
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let pence = Self.pence(fromPounds: parts[1]), pence > 0 else {
                throw SettlementError.invalidInput("--tiers: \"\(item)\" is not PERCENT:POUNDS (e.g. 9:250000)")
            }
            if parts[0] == "otherwise" || parts[0] == "0" {
                guard base == nil else { throw SettlementError.invalidInput("--tiers: give the otherwise amount once") }
                base = pence
                continue
            }
            guard let micros = Self.micros(fromPercent: parts[0]), micros > 0, micros < 1_000_000 else {
                throw SettlementError.invalidInput("--tiers: \"\(parts[0])\" is not a percentage between 0 and 100 with at most 4 decimals")
            }
            guard !tiers.contains(where: { $0.thresholdMicros == micros }) else {
                throw SettlementError.invalidInput("--tiers: threshold \(parts[0]) % is given twice")
            }
            tiers.append(Tier(thresholdMicros: micros, annualPence: pence))
        }
        guard let base else { throw SettlementError.invalidInput("--tiers: add otherwise:POUNDS for members under every threshold") }
        return (tiers, base)
    }

    /// Parses a percentage with at most 4 decimals into millionths (e.g. "4.5" → 45,000).
    static func micros(fromPercent text: String) -> Int64? {
        fixedPoint(text, decimals: 4)
    }

    /// Parses whole pounds or pounds and pence ("250000", "250000.00") into pence.
    static func pence(fromPounds text: String) -> Int64? {
        fixedPoint(text, decimals: 2)
    }

    /// Parses a non-negative decimal with at most `decimals` places into an integer scaled by 10^decimals.
    static func fixedPoint(_ text: String, decimals: Int) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.count <= 12,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= decimals, fraction.allSatisfy({ $0.isASCII && $0.isNumber }), parts.count == 1 || !fraction.isEmpty else { return nil }
        fraction += String(repeating: "0", count: decimals - fraction.count)
        guard let wholeValue = Int64(whole), let fractionValue = Int64(fraction.isEmpty ? "0" : fraction) else { return nil }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        return wholeValue * scale + fractionValue
    }
}

/// Looked-after children counts: `code,year,looked_after` rows.
public struct LookedAfterCounts: Sendable, Equatable {
    /// One row of the file.
    public struct Row: Sendable, Equatable {
        /// ONS code.
        public let code: String
        /// The year the count belongs to.
        public let year: Int
        /// Children looked after.
        public let lookedAfter: Int64
    }

    /// The rows, in file order.
    public let rows: [Row]

    /// Parses the CSV text. A header `code,year,looked_after` is required; blank lines are
    /// ignored; every bad row is reported with its line number (`file` names the file in messages).
    public init(csv text: String, file: String = "the file") throws {
        var problems: [String] = []
        var rows: [Row] = []
        var seen: [String: Int] = [:]
        var headerSeen = false
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" })
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            let line = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : String(rawLine)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            if !headerSeen {
                headerSeen = true
                let header = fields.map { $0.lowercased().replacingOccurrences(of: "\u{FEFF}", with: "") }
                guard header == ["code", "year", "looked_after"] else {
                    throw SettlementError.invalidInput("\(file) line \(number): the header must be code,year,looked_after")
                }
                continue
            }
            guard fields.count == 3 else {
                problems.append("line \(number): expected 3 fields (code,year,looked_after), found \(fields.count)")
                continue
            }
            var rowProblems: [String] = []
            let code = fields[0]
            if code.range(of: "^[EWSN][0-9]{8}$", options: .regularExpression) == nil {
                rowProblems.append("code \"\(code)\" is not an ONS code such as E10000016")
            }
            let year = Int(fields[1]).flatMap { (2000...2100).contains($0) ? $0 : nil }
            if year == nil { rowProblems.append("year \"\(fields[1])\" is not a year from 2000 to 2100") }
            let count = Int64(fields[2]).flatMap { $0 >= 0 && $0 <= 10_000_000 ? $0 : nil }
            if count == nil { rowProblems.append("looked_after \"\(fields[2])\" is not a whole number from 0 to 10000000") }
            if let year, rowProblems.isEmpty {
                let key = "\(code)/\(year)"
                if let first = seen[key] {
                    rowProblems.append("\(code) \(year) is already given on line \(first)")
                } else {
                    seen[key] = number
                }
            }
            if rowProblems.isEmpty, let year, let count {
                rows.append(Row(code: code, year: year, lookedAfter: count))
            } else {
                problems.append("line \(number): " + rowProblems.joined(separator: "; "))
            }
        }
        guard headerSeen else { throw SettlementError.invalidInput("\(file) is empty: expected a code,year,looked_after header and rows") }
        if !problems.isEmpty {
            let shown = problems.prefix(5).joined(separator: "; ")
            let more = problems.count > 5 ? " (and \(problems.count - 5) more)" : ""
            throw SettlementError.invalidInput("\(file) \(shown)\(more)")
        }
        guard !rows.isEmpty else { throw SettlementError.invalidInput("\(file) has no rows") }
        self.rows = rows
    }
}

/// One member's line of the contribution table.
public struct MemberContribution: Sendable, Equatable, Codable {
    /// ONS code.
    public let code: String
    /// Name (the code itself when no name is known).
    public let name: String
    /// Share of the region's average looked-after children, in millionths (exact ratio rounded half up).
    public let shareMicros: Int64
    /// The same share in hundredths of a percent (exact ratio rounded half up): 921 is 9.21 %.
    public let shareHundredthsPct: Int64
    /// Tier number: 1 is the highest.
    public let tier: Int
    /// Amounts in pence for years 1, 2 and 3.
    public let yearPence: [Int64]
    /// The three years' total.
    public var totalPence: Int64 { yearPence.reduce(0, +) }
    /// The share as a percentage with two decimals ("9.21").
    public var sharePercentText: String { ContributionTable.percentText(hundredths: shareHundredthsPct) }
}

/// The contribution table: every member's share, tier and three yearly amounts.
public struct ContributionTable: Sendable, Equatable {
    /// The first financial year (starting 1 April of it).
    public let firstYear: Int
    /// The years whose counts were averaged, oldest first.
    public let averagedYears: [Int]
    /// One line per member, by code.
    public let members: [MemberContribution]

    /// Each year's total over all members.
    public var yearTotals: [Int64] {
        (0..<3).map { year in members.reduce(Int64(0)) { $0 + $1.yearPence[year] } }
    }

    /// All three years' total.
    public var total: Int64 { yearTotals.reduce(0, +) }

    /// Computes the table. The averaged years are the three most recent years in `counts` not
    /// after `firstYear` (fewer if the file has fewer); every member (every code in the file)
    /// needs a count for each of them. A member's share is its average over those years divided
    /// by the region's: the same as its total over the region's total, computed exactly. A share
    /// strictly over a tier's threshold puts the member in that tier.
    public init(counts: LookedAfterCounts, firstYear: Int, rule: ContributionRule = .southEast, names: [String: String] = [:]) throws {
        let years = Array(Set(counts.rows.map(\.year)).filter { $0 <= firstYear }.sorted().suffix(3))
        guard !years.isEmpty else {
            throw SettlementError.invalidInput("the file has no counts for \(firstYear) or earlier")
        }
        var totals: [String: Int64] = [:]
        var present: [String: Set<Int>] = [:]
        for row in counts.rows {
            present[row.code, default: []].insert(row.year)
            if years.contains(row.year) { totals[row.code, default: 0] += row.lookedAfter }
        }
        let codes = present.keys.sorted()
        for code in codes {
            let missing = years.filter { !(present[code]?.contains($0) ?? false) }
            if !missing.isEmpty {
                throw SettlementError.invalidInput("\(code) has no looked_after count for \(missing.map(String.init).joined(separator: ", "))")
            }
        }
        let region = codes.reduce(Int64(0)) { $0 + (totals[$1] ?? 0) }
        guard region > 0 else { throw SettlementError.invalidInput("the region has no looked-after children in \(years.map(String.init).joined(separator: ", "))") }
        self.firstYear = firstYear
        self.averagedYears = years
        self.members = codes.map { code in
            let own = totals[code] ?? 0
            // share > threshold ⟺ own / region > micros / 1,000,000 ⟺ own × 1,000,000 > micros × region (exact).
            let tierIndex = rule.tiers.firstIndex { own * 1_000_000 > $0.thresholdMicros * region }
            let annual = tierIndex.map { rule.tiers[$0].annualPence } ?? rule.baseAnnualPence
            let firstYearPence = (annual * rule.firstYearBasisPoints + 5_000) / 10_000
            return MemberContribution(
                code: code, name: names[code] ?? code, shareMicros: (own * 2_000_000 + region) / (2 * region),
                shareHundredthsPct: (own * 20_000 + region) / (2 * region),
                tier: (tierIndex ?? rule.tiers.count) + 1, yearPence: [firstYearPence, annual, annual]
            )
        }
    }

    /// The financial year label of year `index` (0, 1, 2), e.g. "2025/26".
    public func yearLabel(_ index: Int) -> String {
        let year = firstYear + index
        let next = (year + 1) % 100
        return "\(year)/\(next < 10 ? "0" : "")\(next)"
    }

    /// CSV: `code,name,share_pct,tier,year1_pence,year2_pence,year3_pence,total_pence`, one row
    /// per member, then a `TOTAL` row.
    public var csv: String {
        var text = "code,name,share_pct,tier,year1_pence,year2_pence,year3_pence,total_pence\n"
        for member in members {
            text += "\(member.code),\(Statements.csvField(member.name)),\(member.sharePercentText),\(member.tier),"
            text += member.yearPence.map(String.init).joined(separator: ",") + ",\(member.totalPence)\n"
        }
        text += "TOTAL,,100.00,,\(yearTotals.map(String.init).joined(separator: ",")),\(total)\n"
        return text
    }

    /// Hundredths of a percent as a percentage with two decimals ("9.21").
    static func percentText(hundredths: Int64) -> String {
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Pence as pounds with thousands separators, e.g. "£125,000.00".
    public static func pounds(_ pence: Int64) -> String {
        let sign = pence < 0 ? "-" : ""
        let value = abs(pence)
        var whole = String(value / 100)
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole = String(whole.dropLast(3))
        }
        let fraction = value % 100
        return "\(sign)£\(whole)\(grouped).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

extension ContributionRule {
    /// The South East rule changed by the command-line settings: `tiers` as `parseTiers` reads
    /// it, `firstYearPercent` a percentage above 0 and at most 100 (e.g. "50").
    public static func configured(tiers: String?, firstYearPercent: String?) throws -> ContributionRule {
        var rule = ContributionRule.southEast
        if let tiers {
            let parsed = try parseTiers(tiers)
            rule = ContributionRule(tiers: parsed.tiers, baseAnnualPence: parsed.base, firstYearBasisPoints: rule.firstYearBasisPoints)
        }
        if let firstYearPercent {
            guard let basisPoints = fixedPoint(firstYearPercent, decimals: 2), basisPoints > 0, basisPoints <= 10_000 else {
                throw SettlementError.invalidInput("--first-year-rate must be a percentage above 0 and at most 100 (got \"\(firstYearPercent)\")")
            }
            rule = ContributionRule(tiers: rule.tiers, baseAnnualPence: rule.baseAnnualPence, firstYearBasisPoints: basisPoints)
        }
        return rule
    }
}

extension LookedAfterCounts {
    /// Reads and parses a counts file; a missing or unreadable file is a one-line error.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettlementError.invalidInput("cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SettlementError.invalidInput("\(path) is not UTF-8 text")
        }
        try self.init(csv: text, file: (path as NSString).lastPathComponent)
    }
}

/// Members' names for the contribution table.
public enum MemberNames {
    /// Names from the reference file compiled into Hearth (`Data/se_authorities.csv`), by code.
    public static func shipped() -> [String: String] {
        guard let text = try? HearthResources.text(of: "Data/se_authorities.csv") else { return [:] }
        var names: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if fields.count >= 2 { names[String(fields[0])] = String(fields[1]) }
        }
        return names
    }
}
