import HearthCore
import HearthInsight
import HearthStore

/// The insight reports as a caller may see them, computed in one place for the API
/// (`GET /v1/insight/sufficiency`, `GET /v1/insight/forecast`) and the web app's `/insight`.
///
/// The aggregates are read under the all-authorities scope (they need every member's data);
/// `SufficiencyReport` and `ForecastReport` decide what of them each caller sees. A forecast is
/// computed off Swift's cooperative threads and kept until the stored history changes.
public struct InsightReports: Sendable {
    let database: HearthDatabase
    let forecasts = ForecastCache()

    /// Reports over `database`; each value keeps its own forecast cache (one per process in hearthd).
    public init(database: HearthDatabase) {
        self.database = database
    }

    /// How `caller` reads sufficiency: operator and scrutiny the region as it is, anyone else as
    /// a member (others' small numbers suppressed, its own detail exact).
    public static func sufficiencyViewer(for caller: Caller) -> InsightViewer {
        caller.role == .operator || caller.role == .scrutiny ? .region : .member(caller.authority)
    }

    /// How `caller` reads a forecast: the operator everything, anyone else as a member
    /// (`ForecastReport`).
    public static func forecastViewer(for caller: Caller) -> InsightViewer {
        caller.role == .operator ? .region : .member(caller.authority)
    }

    /// The sufficiency picture as of `asOf` grouped by `dimension`, as `caller` may see it.
    public func sufficiency(asOf: CalendarDate, by dimension: SufficiencyDimension, for caller: Caller) async throws -> SufficiencyReport {
        let input = try await database.transaction(scope: .all, isolation: .repeatableRead) { connection in
            try InsightStore.sufficiencyInput(asOf: asOf, on: connection)
        }
        return await runOnOwnThread("hearth.insight") { SufficiencyReport(input, by: dimension, for: Self.sufficiencyViewer(for: caller)) }
    }

    /// The region's forecast of `months` month ends after `asOf` (default: the history's last
    /// month end) broken down `by`, before any filtering for a reader. Throws
    /// `ForecastUnavailable` when there is no history or too little of it.
    public func forecast(asOf: CalendarDate?, months: Int, by breakdown: ForecastBreakdown) async throws -> ForecastResult {
        let version = try await database.transaction(scope: .all) { try EpisodeStore.historyVersion(on: $0) }
        let key = ForecastCache.Key(version: version, asOf: asOf, months: months, breakdown: breakdown)
        if let cached = await forecasts.result(for: key) { return cached }
        // The history and its version in one snapshot, so that what is kept matches its key.
        let (read, episodes) = try await database.transaction(scope: .all, isolation: .repeatableRead) { connection in
            (try EpisodeStore.historyVersion(on: connection), try EpisodeStore.episodes(authority: nil, on: connection))
        }
        let result: ForecastResult = try await runOnOwnThread("hearth.insight") {
            do {
                return try Forecaster(episodes: episodes).forecast(asOf: asOf, months: months, by: breakdown)
            } catch let error as ForecastError {
                throw ForecastUnavailable(description: error.description, noHistory: episodes.isEmpty)
            }
        }
        await forecasts.store(result, for: ForecastCache.Key(version: read, asOf: asOf, months: months, breakdown: breakdown))
        return result
    }
}

/// Why there is no forecast: no SSDA903 history imported (`noHistory`), or too little of it.
public struct ForecastUnavailable: Error, Sendable, CustomStringConvertible {
    /// What is wrong, for the user.
    public let description: String
    /// True when no episode is stored at all (`hearthctl import ssda903` first).
    public let noHistory: Bool
}

/// The last forecasts computed, keyed by the stored history's version and the request: a new
/// import changes the version, so a kept forecast is never stale.
actor ForecastCache {
    struct Key: Hashable {
        let version: String
        let asOf: CalendarDate?
        let months: Int
        let breakdown: ForecastBreakdown
    }

    /// How many forecasts are kept (the page's and a few API requests').
    static let capacity = 8
    private var entries: [(key: Key, result: ForecastResult)] = []

    func result(for key: Key) -> ForecastResult? {
        entries.first { $0.key == key }?.result
    }

    func store(_ result: ForecastResult, for key: Key) {
        entries.removeAll { $0.key == key || $0.key.version != key.version }
        entries.append((key, result))
        if entries.count > Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
    }
}
