import ArgumentParser
import HearthSettlement

/// The inputs of the membership contribution table, shared by `hearthctl contributions` and
/// `hearth-settle contributions`.
public struct ContributionOptions: ParsableArguments {
    @Option(help: "Looked-after children counts: CSV code,year,looked_after.")
    var lac: String

    @Option(help: "The first financial year of the three (e.g. 2025 for 2025/26).")
    public var firstYear: Int

    @Option(help: "Tiers as PERCENT:POUNDS pairs and otherwise:POUNDS (default 9:250000,6:200000,4.5:150000,2.5:100000,otherwise:50000).")
    var tiers: String?

    @Option(help: "The share of a full year charged in the first year, in percent (default 50).")
    var firstYearRate: String?

    public init() {}

    public func validate() throws {
        guard (2000...2100).contains(firstYear) else { throw ValidationError("--first-year must be a year from 2000 to 2100") }
    }

    /// The tier rule, as configured or the South East default.
    public func rule() throws -> ContributionRule {
        try ContributionRule.configured(tiers: tiers, firstYearPercent: firstYearRate)
    }

    /// The counts read from `--lac`; a bad row is an error naming its line.
    public func counts() throws -> LookedAfterCounts {
        try LookedAfterCounts(contentsOf: lac)
    }
}
