import Foundation
import Metrics
import Prometheus

/// The server's metrics, recorded through swift-metrics into its own
/// Prometheus registry (no process-wide bootstrap, so several servers can run
/// in one process) and served as text at `GET /metrics`.
public final class ServeMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    /// Creates the metrics with latency buckets from 1 ms to 10 s.
    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(2), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// One request answered: its route (`form`, `thanks`, `healthz`, `metrics`, `other`), status and time taken.
    public func request(route: String, status: Int, nanoseconds: Int64) {
        Counter(label: "triage_serve_requests_total", dimensions: [("route", route), ("status", String(status))], factory: factory).increment()
        Metrics.Timer(label: "triage_serve_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(nanoseconds)
    }

    /// A post stored as a new item.
    public func stored() { Counter(label: "triage_serve_items_stored_total", factory: factory).increment() }

    /// A retried post answered with the item first stored.
    public func duplicate() { Counter(label: "triage_serve_duplicates_total", factory: factory).increment() }

    /// A post refused and kept in quarantine.
    public func quarantined(status: Int) {
        Counter(label: "triage_serve_quarantined_total", dimensions: [("status", String(status))], factory: factory).increment()
    }

    /// A post refused by the rate limit (not read, not kept: the client is told to retry).
    public func rateLimited() { Counter(label: "triage_serve_rate_limited_total", factory: factory).increment() }

    /// A connection cut off because its request did not arrive in time.
    public func timedOut() { Counter(label: "triage_serve_request_timeouts_total", factory: factory).increment() }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }
}
