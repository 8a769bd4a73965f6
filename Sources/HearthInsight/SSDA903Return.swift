import HearthCore

/// Which table of a return a problem is in.
public enum SSDA903Table: String, Sendable, Hashable, Codable {
    case episodes, header, uasc
}

/// One thing wrong with a row of a return, named the way `hearthctl import ssda903` prints it:
/// `row N: COLUMN: message (DfE rule R)` (prefixed `header` or `uasc` for those tables).
///
/// `row` is the spreadsheet row: the column line is row 1. Messages never repeat a CHILD id or
/// a postcode.
public struct SSDA903Problem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The table.
    public let table: SSDA903Table
    /// The spreadsheet row (1 = the column line).
    public let row: Int
    /// The DfE column name.
    public let column: String
    /// What is wrong.
    public let message: String
    /// The DfE validation rule number, where the DfE has one.
    public let rule: String?

    /// Creates a problem.
    public init(_ table: SSDA903Table, row: Int, column: String, _ message: String, rule: String? = nil) {
        self.table = table
        self.row = row
        self.column = column
        self.message = message
        self.rule = rule
    }

    public var description: String {
        let prefix = table == .episodes ? "" : "\(table.rawValue) "
        return "\(prefix)row \(row): \(column): \(message)" + (rule.map { " (DfE rule \($0))" } ?? "")
    }
}

/// A return that broke at least one rule: nothing of it may be stored.
public struct SSDA903Invalid: Error, Sendable, CustomStringConvertible {
    /// Every problem, in table and row order.
    public let problems: [SSDA903Problem]

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// One validated episode row, before it is minimised (the CHILD id is still the return's own).
public struct SSDA903EpisodeRow: Sendable, Hashable {
    /// The spreadsheet row it came from.
    public let row: Int
    /// CHILD as returned.
    public let child: String
    public let start: CalendarDate
    public let end: CalendarDate?
    public let reasonNewEpisode: String
    public let legalStatus: String
    public let categoryOfNeed: String
    public let placement: String
    public let placementProvider: String?
    public let reasonCeased: String?
    public let reasonPlaceChange: String?
    /// The district of HOME_POST (never the full postcode).
    public let homeDistrict: String?
    /// The district of PL_POST.
    public let placementDistrict: String?
}

/// What the header and UASC tables say about one child, minimised.
public struct SSDA903Child: Sendable, Hashable {
    /// `1`, `2`, or nil when unknown.
    public let sex: String?
    /// Date of birth (used to check episodes, never stored: only `birthMonth` is).
    public let birthDate: CalendarDate?
    /// Whether the UASC table lists the child.
    public let unaccompanied: Bool
    /// DUC, the day the child ceased to be UASC, when given.
    public let unaccompaniedUntil: CalendarDate?

    /// `YYYY-MM` of the date of birth.
    public var birthMonth: String? {
        birthDate.map { String($0.iso.prefix(7)) }
    }
}

/// The district a postcode lies in, with its point and its authority: what the import derives
/// distance and placement authority from.
public struct DistrictPlace: Sendable, Hashable {
    /// The district's mean location.
    public let location: Coordinate
    /// ONS code of the district's upper-tier (children's services) authority, or of its local
    /// authority district where the upper tier is not known to Hearth (outside the South East).
    public let authority: String?

    /// Creates a district place.
    public init(location: Coordinate, authority: String?) {
        self.location = location
        self.authority = authority
    }
}

/// One authority's validated SSDA903 return: its episodes and what the header and UASC tables
/// say about the children. Pure: reading and checking only.
public struct SSDA903Return: Sendable {
    /// The episodes, in file order.
    public let episodes: [SSDA903EpisodeRow]
    /// The header and UASC facts by CHILD.
    public let children: [String: SSDA903Child]
    /// The collection year (2024 for 2023/24, which ends on 31 March 2024).
    public let collectionYear: Int

    /// Columns of the episodes table (DfE names), all required but URN (absent from returns
    /// before 2019/20, and never stored).
    public static let episodeColumns = [
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE", "HOME_POST",
        "PL_POST", "URN",
    ]
    /// Columns of the header table: CHILD, SEX and DOB required; the rest are read past (never stored).
    public static let headerColumns = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
    /// Columns of the UASC table: CHILD required; DUC read; SEX and DOB read past.
    public static let uascColumns = ["CHILD", "SEX", "DOB", "DUC"]

    /// Reads and checks a return's tables (CSV text). `collectionYear`, when given, also checks
    /// that nothing ends after its 31 March; otherwise the year is the one whose 31 March
    /// follows the latest date in the episodes.
    ///
    /// Throws `SSDA903Invalid` with every problem found.
    public init(episodes: String, header: String? = nil, uasc: String? = nil, collectionYear: Int? = nil) throws {
        var problems: [SSDA903Problem] = []
        let episodeTable = CSVTable(parsing: episodes)
        problems += Self.checkColumns(
            episodeTable, .episodes, required: Self.episodeColumns.filter { $0 != "URN" }, allowed: Self.episodeColumns
        )

        var children: [String: SSDA903Child] = [:]
        var headerChildren: Set<String>?
        var birthDates: [String: CalendarDate] = [:]
        var sexes: [String: String?] = [:]
        if let header {
            let table = CSVTable(parsing: header)
            let columnProblems = Self.checkColumns(table, .header, required: ["CHILD", "SEX", "DOB"], allowed: Self.headerColumns)
            problems += columnProblems
            if columnProblems.isEmpty {
                var seen: Set<String> = []
                let at = Self.indexes(table)
                for record in table.records {
                    guard let fields = Self.fields(record, table, .header, &problems) else { continue }
                    let child = fields[at["CHILD"]!]
                    if child.isEmpty {
                        problems.append(SSDA903Problem(.header, row: record.row, column: "CHILD", "is blank"))
                        continue
                    }
                    if !seen.insert(child).inserted {
                        problems.append(SSDA903Problem(.header, row: record.row, column: "CHILD", "appears in more than one header row"))
                    }
                    let sex = fields[at["SEX"]!].uppercased()
                    if let mapped = SSDA903Codes.sex[sex] {
                        sexes[child] = mapped
                    } else {
                        problems.append(SSDA903Problem(.header, row: record.row, column: "SEX", "\(Self.quoted(sex)) is not a valid code (1, 2, M, F or U)", rule: "101"))
                    }
                    if let dob = Self.date(fields[at["DOB"]!]) {
                        birthDates[child] = dob
                        if let year = collectionYear, dob > CalendarDate(year: year, month: 3, day: 31)! {
                            problems.append(SSDA903Problem(.header, row: record.row, column: "DOB", "falls after the collection year ended", rule: "301"))
                        }
                    } else {
                        problems.append(SSDA903Problem(.header, row: record.row, column: "DOB", "\(Self.quoted(fields[at["DOB"]!])) is not a valid dd/mm/YYYY date", rule: "102"))
                    }
                }
                headerChildren = seen
            }
        }

        var uascUntil: [String: CalendarDate?] = [:]
        if let uasc {
            let table = CSVTable(parsing: uasc)
            let columnProblems = Self.checkColumns(table, .uasc, required: ["CHILD"], allowed: Self.uascColumns)
            problems += columnProblems
            if columnProblems.isEmpty {
                let at = Self.indexes(table)
                for record in table.records {
                    guard let fields = Self.fields(record, table, .uasc, &problems) else { continue }
                    let child = fields[at["CHILD"]!]
                    if child.isEmpty {
                        problems.append(SSDA903Problem(.uasc, row: record.row, column: "CHILD", "is blank"))
                        continue
                    }
                    var until: CalendarDate?
                    if let index = at["DUC"], !fields[index].isEmpty {
                        until = Self.date(fields[index])
                        if until == nil {
                            problems.append(SSDA903Problem(.uasc, row: record.row, column: "DUC", "\(Self.quoted(fields[index])) is not a valid dd/mm/YYYY date", rule: "104"))
                        }
                    }
                    uascUntil[child] = until
                }
            }
        }

        var rows: [SSDA903EpisodeRow] = []
        if problems.filter({ $0.table == .episodes }).isEmpty {
            let at = Self.indexes(episodeTable)
            rows.reserveCapacity(episodeTable.records.count)
            for record in episodeTable.records {
                guard let fields = Self.fields(record, episodeTable, .episodes, &problems) else { continue }
                if let row = Self.episode(record.row, fields, at, collectionYear: collectionYear, &problems) { rows.append(row) }
            }
            problems += Self.checkSequences(rows)
            for row in rows {
                if let headerChildren, !headerChildren.contains(row.child) {
                    problems.append(SSDA903Problem(.episodes, row: row.row, column: "CHILD", "has no row in the header table"))
                }
            }
            problems += Self.checkBirthDates(rows, birthDates)
        }
        if episodeTable.records.isEmpty && problems.isEmpty {
            problems.append(SSDA903Problem(.episodes, row: 2, column: "CHILD", "the episodes table has no rows"))
        }
        guard problems.isEmpty else {
            let ordered = problems.enumerated().sorted { ($0.element.table.order, $0.element.row, $0.offset) < ($1.element.table.order, $1.element.row, $1.offset) }
            throw SSDA903Invalid(problems: ordered.map(\.element))
        }

        for child in Set(rows.map(\.child)) {
            let until = uascUntil[child]
            children[child] = SSDA903Child(
                sex: sexes[child] ?? nil, birthDate: birthDates[child], unaccompanied: until != nil, unaccompaniedUntil: until ?? nil
            )
        }
        self.episodes = rows
        self.children = children
        if let collectionYear {
            self.collectionYear = collectionYear
        } else {
            let latest = rows.map { max($0.start, $0.end ?? $0.start) }.max()!
            self.collectionYear = latest.month >= 4 ? latest.year + 1 : latest.year
        }
    }

    /// The return's episodes minimised: `childKey` turns a CHILD id into its keyed hash, `place`
    /// finds a district's point and authority (nil for a district it does not know).
    public func minimised(
        authority: String, childKey: (String) -> String, place: (String) -> DistrictPlace?
    ) -> [ReturnedEpisode] {
        var keys: [String: String] = [:]
        return episodes.map { row in
            let key = keys[row.child] ?? childKey(row.child)
            keys[row.child] = key
            let child = children[row.child]
            let home = row.homeDistrict.flatMap(place)
            let placed = row.placementDistrict.flatMap(place)
            let distance = home.flatMap { home in placed.map { (home.location.distanceKm(to: $0.location) * 10).rounded() / 10 } }
            let unaccompanied = child.map { $0.unaccompanied && ($0.unaccompaniedUntil.map { row.start < $0 } ?? true) } ?? false
            let episode = Episode(
                authority: authority, childKey: key, birthMonth: child?.birthMonth, sex: child?.sex, start: row.start, end: row.end,
                reasonNewEpisode: row.reasonNewEpisode, legalStatus: row.legalStatus, categoryOfNeed: row.categoryOfNeed,
                placement: row.placement, placementProvider: row.placementProvider, reasonCeased: row.reasonCeased,
                reasonPlaceChange: row.reasonPlaceChange, homeDistrict: row.homeDistrict, placementDistrict: row.placementDistrict,
                distanceKm: distance, placementAuthority: placed?.authority, unaccompanied: unaccompanied
            )
            return ReturnedEpisode(episode: episode, returnYear: collectionYear)
        }
    }

    // MARK: - Rows

    private static func episode(
        _ row: Int, _ fields: [String], _ at: [String: Int], collectionYear: Int?, _ problems: inout [SSDA903Problem]
    ) -> SSDA903EpisodeRow? {
        let before = problems.count
        func value(_ column: String) -> String { fields[at[column]!] }
        let decText = value("DEC")
        let recText = value("REC")
        func code(_ column: String, _ list: Set<String>, rule: String, required: Bool) -> String? {
            let raw = value(column)
            let text = raw.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) ? raw.uppercased() : raw
            if text.isEmpty {
                if required { problems.append(SSDA903Problem(.episodes, row: row, column: column, "is blank", rule: rule)) }
                return nil
            }
            guard list.contains(text) else {
                problems.append(SSDA903Problem(.episodes, row: row, column: column, "\(quoted(text)) is not a valid code", rule: rule))
                return nil
            }
            return text
        }
        let child = value("CHILD")
        if child.isEmpty { problems.append(SSDA903Problem(.episodes, row: row, column: "CHILD", "is blank")) }
        let start = date(value("DECOM"))
        if start == nil {
            problems.append(SSDA903Problem(.episodes, row: row, column: "DECOM", "\(quoted(value("DECOM"))) is not a valid dd/mm/YYYY date", rule: "141"))
        } else if start! < CalendarDate(year: 1991, month: 10, day: 14)! {
            problems.append(SSDA903Problem(.episodes, row: row, column: "DECOM", "no episode may start before 14 October 1991", rule: "353"))
        }
        var end: CalendarDate?
        if !decText.isEmpty {
            end = date(decText)
            if end == nil {
                problems.append(SSDA903Problem(.episodes, row: row, column: "DEC", "\(quoted(decText)) is not a valid dd/mm/YYYY date", rule: "147"))
            }
        }
        let rne = code("RNE", SSDA903Codes.reasonNewEpisode, rule: "143", required: true)
        let ls = code("LS", SSDA903Codes.legalStatus, rule: "144", required: true)
        let cin = code("CIN", SSDA903Codes.categoryOfNeed, rule: "145", required: true)
        let place = code("PLACE", SSDA903Codes.placement, rule: "146", required: true)
        let provider = code("PLACE_PROVIDER", SSDA903Codes.placementProvider, rule: "178", required: false)
        let rec = code("REC", SSDA903Codes.reasonCeased, rule: "149", required: false)
        let change = code("REASON_PLACE_CHANGE", SSDA903Codes.reasonPlaceChange, rule: "1009", required: false)
        if decText.isEmpty != recText.isEmpty {
            problems.append(SSDA903Problem(
                .episodes, row: row, column: decText.isEmpty ? "DEC" : "REC",
                "DEC and REC must both be given or both be blank", rule: "148"
            ))
        }
        if let start, let end, end < start {
            problems.append(SSDA903Problem(.episodes, row: row, column: "DEC", "the episode ends before it starts", rule: "356"))
        }
        if let end, let year = collectionYear, end > CalendarDate(year: year, month: 3, day: 31)! {
            problems.append(SSDA903Problem(.episodes, row: row, column: "DEC", "must be on or before the end of the collection year (31/03/\(year))", rule: "385"))
        }
        let home = district(value("HOME_POST"))
        if home == nil, !value("HOME_POST").isEmpty {
            problems.append(SSDA903Problem(.episodes, row: row, column: "HOME_POST", "is not a UK postcode"))
        }
        let placed = district(value("PL_POST"))
        if placed == nil, !value("PL_POST").isEmpty {
            problems.append(SSDA903Problem(.episodes, row: row, column: "PL_POST", "is not a UK postcode"))
        }
        guard problems.count == before, let start, let rne, let ls, let cin, let place else { return nil }
        return SSDA903EpisodeRow(
            row: row, child: child, start: start, end: end, reasonNewEpisode: rne, legalStatus: ls, categoryOfNeed: cin,
            placement: place, placementProvider: provider, reasonCeased: rec, reasonPlaceChange: change, homeDistrict: home,
            placementDistrict: placed
        )
    }

    /// Rules 501 and 142 (one child's episodes may not overlap; only the last may be open) and
    /// one episode per child and start.
    private static func checkSequences(_ rows: [SSDA903EpisodeRow]) -> [SSDA903Problem] {
        var problems: [SSDA903Problem] = []
        let byChild = Dictionary(grouping: rows, by: \.child)
        for (_, episodes) in byChild where episodes.count > 1 {
            let sorted = episodes.sorted { ($0.start, $0.row) < ($1.start, $1.row) }
            for (previous, next) in zip(sorted, sorted.dropFirst()) {
                if next.start == previous.start {
                    problems.append(SSDA903Problem(.episodes, row: next.row, column: "DECOM", "another episode of this child (row \(previous.row)) starts on the same day", rule: "501"))
                } else if let end = previous.end {
                    if next.start < end {
                        problems.append(SSDA903Problem(.episodes, row: next.row, column: "DECOM", "starts before the child's previous episode (row \(previous.row)) ended", rule: "501"))
                    }
                } else {
                    problems.append(SSDA903Problem(.episodes, row: previous.row, column: "DEC", "a later episode of this child (row \(next.row)) has started but this one has not ended", rule: "142"))
                }
            }
        }
        return problems
    }

    /// Rule 302: no child's episode starts before the child was born.
    private static func checkBirthDates(_ rows: [SSDA903EpisodeRow], _ birthDates: [String: CalendarDate]) -> [SSDA903Problem] {
        rows.compactMap { row in
            guard let born = birthDates[row.child], row.start < born else { return nil }
            return SSDA903Problem(.episodes, row: row.row, column: "DECOM", "the episode starts before the child's date of birth (header DOB)", rule: "302")
        }
    }

    // MARK: - Fields

    private static func checkColumns(_ table: CSVTable, _ which: SSDA903Table, required: [String], allowed: [String]) -> [SSDA903Problem] {
        var problems: [SSDA903Problem] = []
        if table.columns.isEmpty {
            return [SSDA903Problem(which, row: 1, column: required[0], "the file is empty: the first line must name the columns (\(allowed.joined(separator: ",")))")]
        }
        for column in required where !table.columns.contains(column) {
            problems.append(SSDA903Problem(which, row: 1, column: column, "missing column"))
        }
        var seen: Set<String> = []
        for column in table.columns {
            if !allowed.contains(column) {
                problems.append(SSDA903Problem(which, row: 1, column: column.isEmpty ? "(blank)" : column, "not a column of the \(which.rawValue) table (\(allowed.joined(separator: ",")))"))
            } else if !seen.insert(column).inserted {
                problems.append(SSDA903Problem(which, row: 1, column: column, "column appears twice"))
            }
        }
        return problems
    }

    private static func indexes(_ table: CSVTable) -> [String: Int] {
        var at: [String: Int] = [:]
        for (index, column) in table.columns.enumerated() where at[column] == nil { at[column] = index }
        return at
    }

    private static func fields(
        _ record: (row: Int, fields: [String]), _ table: CSVTable, _ which: SSDA903Table, _ problems: inout [SSDA903Problem]
    ) -> [String]? {
        guard record.fields.count == table.columns.count else {
            problems.append(SSDA903Problem(
                which, row: record.row, column: table.columns[min(record.fields.count, table.columns.count - 1)],
                "the row has \(record.fields.count) fields; the first line names \(table.columns.count) columns"
            ))
            return nil
        }
        return record.fields
    }

    /// A `dd/mm/YYYY` date (one-digit day and month accepted), or nil.
    static func date(_ text: String) -> CalendarDate? {
        // Byte by byte: a large return has hundreds of thousands of dates.
        var parts = (0, 0, 0)
        var digits = (0, 0, 0)
        var part = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "/") {
                part += 1
                guard part <= 2 else { return nil }
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int(byte - UInt8(ascii: "0"))
            switch part {
            case 0: parts.0 = parts.0 * 10 + digit; digits.0 += 1
            case 1: parts.1 = parts.1 * 10 + digit; digits.1 += 1
            default: parts.2 = parts.2 * 10 + digit; digits.2 += 1
            }
        }
        guard part == 2, (1...2).contains(digits.0), (1...2).contains(digits.1), digits.2 == 4 else { return nil }
        return CalendarDate(year: parts.2, month: parts.1, day: parts.0)
    }

    /// The postcode district (outward code) of a full postcode or of a district, or nil.
    static func district(_ text: String) -> String? {
        let compact = Array(text.uppercased().utf8.filter { $0 != UInt8(ascii: " ") })
        func isLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func isOutward(_ bytes: ArraySlice<UInt8>) -> Bool {
            let letters = bytes.prefix(while: isLetter).count
            let rest = bytes.dropFirst(letters)
            guard (1...2).contains(letters), let digit = rest.first, isDigit(digit) else { return false }
            let tail = rest.dropFirst()
            return tail.isEmpty || (tail.count == 1 && (isLetter(tail.first!) || isDigit(tail.first!)))
        }
        if compact.count >= 5 {
            let inward = compact.suffix(3)
            let outward = compact.dropLast(3)
            if isDigit(inward[inward.startIndex]), isLetter(inward[inward.startIndex + 1]), isLetter(inward[inward.startIndex + 2]),
               isOutward(outward) {
                return String(decoding: outward, as: UTF8.self)
            }
        }
        return isOutward(compact[...]) ? String(decoding: compact, as: UTF8.self) : nil
    }

    private static func quoted(_ text: String) -> String {
        "\"" + String(text.prefix(12)) + "\""
    }
}

extension SSDA903Table {
    fileprivate var order: Int {
        switch self {
        case .episodes: 0
        case .header: 1
        case .uasc: 2
        }
    }
}
