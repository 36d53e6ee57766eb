import CoreMetrics
import Foundation
import Metrics
import Prometheus

/// The service's metrics, recorded through swift-metrics into its own Prometheus registry (one
/// per service, so tests and several services in one process do not share counters) and
/// rendered by `GET /metrics` in the Prometheus text format:
///
/// - `twotower_http_requests_total{route, method, status}`: requests answered;
/// - `twotower_http_request_duration_seconds{route}`: latency histogram (50 µs … 5 s);
/// - `twotower_batch_size`: queries per scored batch (histogram 1 … 1024);
/// - `twotower_model_version`: the version serving; `twotower_model_items`: its item count;
/// - `twotower_model_reloads_total{result="ok"|"failed"}`: reloads.
public final class ServingMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        factory.valueHistogramBuckets["twotower_batch_size"] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
        self.factory = factory
    }

    /// One answered request.
    func request(route: String, method: String, status: Int, seconds: Double) {
        Counter(label: "twotower_http_requests_total",
                dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory).increment()
        Timer(label: "twotower_http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    /// One scored batch of `size` queries.
    func batch(size: Int) {
        Recorder(label: "twotower_batch_size", aggregate: true, factory: factory).record(size)
    }

    /// The model now serving.
    func model(_ model: ServingModel) {
        Gauge(label: "twotower_model_version", factory: factory).record(model.version)
        Gauge(label: "twotower_model_items", factory: factory).record(model.itemCount)
    }

    /// One reload attempt.
    func reload(succeeded: Bool) {
        Counter(label: "twotower_model_reloads_total", dimensions: [("result", succeeded ? "ok" : "failed")], factory: factory).increment()
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> String { registry.emitToString() }
}
