import HearthCore
import HearthInsight
import Testing

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("Forecast and backtest")
struct ForecastTests {
    static func history(seed: UInt64, scale: Double = 0.25) throws -> [Episode] {
        try Synthetic903(.init(seed: seed, fromYear: 2018, toYear: 2024, scale: scale)).history()
    }

    @Test("12 month ends after the origin, every group and ALL, lower ≤ forecast ≤ upper, the same twice")
    func shape() throws {
        let episodes = try ForecastTests.history(seed: 11, scale: 0.1)
        let forecaster = Forecaster(episodes: episodes)
        let result = try forecaster.forecast(asOf: CalendarDate(iso: "2023-03-31"), months: 12, by: .region)
        #expect(result.points.count == 7 * 12)
        #expect(result.points.first?.month.description == "2023-04")
        #expect(Set(result.points.map(\.placementGroup)) == Set(PlacementGroup.allCases.map(\.rawValue) + ["ALL"]))
        for point in result.points {
            #expect(point.lower <= point.forecast && point.forecast <= point.upper)
            #expect(point.lower >= 0)
        }
        let all = result.points.filter { $0.placementGroup == "ALL" }
        for month in all.map(\.month) {
            let sum = result.points.filter { $0.month == month && $0.placementGroup != "ALL" }.reduce(0) { $0 + $1.forecast }
            #expect(abs(sum - all.first { $0.month == month }!.forecast) < 1e-6)
        }
        let again = try Forecaster(episodes: episodes).forecast(asOf: CalendarDate(iso: "2023-03-31"), months: 12, by: .region)
        #expect(again.points == result.points)
        let byAuthority = try forecaster.forecast(months: 3, by: .authority)
        #expect(Set(byAuthority.points.compactMap(\.segment)).count == 19)
        #expect(byAuthority.points.first?.month.description == "2024-04")
    }

    @Test("too little history, a bad length or no episodes is a clear error")
    func refused() throws {
        let episodes = try ForecastTests.history(seed: 11, scale: 0.05)
        let forecaster = Forecaster(episodes: episodes)
        #expect(throws: ForecastError.self) { try forecaster.forecast(asOf: CalendarDate(iso: "2017-09-30"), months: 12) }
        #expect(throws: ForecastError.self) { try forecaster.forecast(months: 0) }
        #expect(throws: ForecastError.self) { try forecaster.forecast(months: 37) }
        #expect(throws: ForecastError.self) { try Forecaster(episodes: []).forecast() }
        #expect(throws: ForecastError.self) {
            try Backtest(forecaster: Forecaster(episodes: ForecastTests.history(seed: 1, scale: 0.05).filter { $0.start.year >= 2022 })).run()
        }
    }

    @Test(
        "on generated histories the forecast beats last value by 10 % (mean MASE) with 85–95 % coverage",
        .serialized, arguments: [1, 2, 3] as [UInt64]
    )
    func backtestTargets(seed: UInt64) async throws {
        // The region at its realistic size (scale 1.0, about 11,500 children looked after): a
        // few seconds in a release build, more in a debug one, so it runs on a thread of its
        // own, not on one of the cooperative threads every other suite's async work needs, and
        // one seed at a time, so that it never takes both of a 2-core CI machine's cores at once.
        let result = try await runOnOwnThread("forecast-backtest") {
            try Backtest(forecaster: Forecaster(episodes: ForecastTests.history(seed: seed, scale: 1.0))).run()
        }
        #expect(result.cutoffs.count == 6)
        #expect(result.groups.count == 7)
        // Issue 11's target (Docs/insight-forecast.md has the figures per seed and scale).
        #expect(result.meanMASE <= 0.9 * result.meanMASELastValue, "MASE \(result.meanMASE) vs last value \(result.meanMASELastValue)")
        #expect((0.85...0.95).contains(result.coverage), "coverage \(result.coverage)")
        #expect(result.meanMASE < result.meanMASESeasonalNaive, "MASE \(result.meanMASE) vs seasonal naive \(result.meanMASESeasonalNaive)")
    }

    @Test("the fan chart is well-formed SVG with a history line, a forecast line and a band")
    func fanChart() throws {
        let forecaster = Forecaster(episodes: try ForecastTests.history(seed: 5, scale: 0.05))
        let result = try forecaster.forecast(months: 12)
        let key = try #require(result.history.keys.first { $0.group == .childrensHome })
        let svg = FanChart.svg(
            title: "Children's homes <South East> & \"more\"", history: result.history[key]!,
            forecast: result.points.filter { $0.placementGroup == key.groupName })
        let parser = XMLParser(data: Data(svg.utf8))
        let counter = ElementCounter()
        parser.delegate = counter
        #expect(parser.parse(), "parse error: \(String(describing: parser.parserError))")
        #expect(counter.names.first == "svg")
        #expect(counter.names.filter { $0 == "polyline" }.count == 2)
        #expect(counter.names.filter { $0 == "polygon" }.count == 1)
        #expect(svg.contains("&lt;South East&gt; &amp; &quot;more&quot;"))
    }
}

final class ElementCounter: NSObject, XMLParserDelegate {
    var names: [String] = []
    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        names.append(elementName)
    }
}
