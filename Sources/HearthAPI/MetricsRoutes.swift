import Foundation
import HearthCore
import HearthStore
import Hummingbird
import Metrics
import NIOCore
import Prometheus

/// Prometheus metrics for hearthd: what swift-metrics records (HTTP requests by route and
/// status with latency histograms, rounds, round duration, children placed, children placed by
/// ranked choice) plus gauges read at scrape time (pool connections in use, open bids and
/// offers, proposals by state, settlement lag, the last round's ranked children by choice). Nothing about a child is ever a label.
public final class HearthMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    /// Creates the registry and makes it swift-metrics' backend for the whole process. Call once.
    public static func bootstrap() -> HearthMetrics {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return HearthMetrics(registry: registry)
    }

    /// Metrics that no backend collects (tests that build the router without bootstrapping).
    public static func unbootstrapped() -> HearthMetrics {
        HearthMetrics(registry: PrometheusCollectorRegistry())
    }

    private init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    private func gauge(_ name: String, unit: String = "", help: String, labels: [(String, String)] = []) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "hearth", metricName: name, unitName: unit, helpText: help), labels: labels)
    }

    /// Refreshes the scrape-time gauges and renders everything in Prometheus text format.
    func render(database: HearthDatabase) async throws -> ByteBuffer {
        gauge("pool_connections_in_use", help: "Database connections lent out").set(Double(database.pool.inUse))
        gauge("pool_connections", help: "Database connections the pool may hold").set(Double(database.pool.size))
        let yesterday = CalendarDate.today().adding(days: -1)
        let (figures, lastRound) = try await database.transaction(scope: .all) { (try MarketFigures.read(on: $0), try RoundStore.last(on: $0)) }
        if let preferences = lastRound?.preferences {
            gauge("last_round_ranked_children", help: "Children with a ranking the last round weighed").set(Double(preferences.rankedChildren))
            for (index, children) in preferences.placedByChoice.enumerated() {
                gauge("last_round_placed_by_choice", help: "Children the last round proposed their ranked choice, by choice", labels: [("choice", "\(index + 1)")])
                    .set(Double(children))
            }
        }
        for (status, count) in figures.proposalsByStatus {
            gauge("proposals", help: "Proposals by state", labels: [("state", status.rawValue)]).set(Double(count))
        }
        gauge("open_bids", help: "Open bids").set(Double(figures.openBids))
        gauge("open_offers", help: "Open offers").set(Double(figures.openOffers))
        let lag = figures.settledThrough.map { yesterday.dayNumber - $0.dayNumber } ?? -1
        gauge("settlement_lag", unit: "days", help: "Nights between yesterday and the last night settled (-1: never settled)").set(Double(lag))
        return ByteBuffer(bytes: registry.emitToBuffer())
    }
}

/// `GET /metrics`, for scrapers on the same host only (loopback clients); others get a 404.
struct MetricsRoutes {
    let metrics: HearthMetrics
    let database: HearthDatabase

    func register(on router: Router<HearthRequestContext>) {
        router.get("metrics") { _, context in
            guard context.isLocalClient else {
                throw Problem(status: .notFound, title: "Not found", detail: "metrics are served to this host only")
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: try await metrics.render(database: database))
            )
        }
    }
}
