import Hummingbird
import Prometheus

/// Counts requests by method and status and records their latency.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let registry: PrometheusCollectorRegistry

    static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let method = request.method.rawValue
        registry.makeCounter(
            descriptor: MetricNames.httpRequests,
            labels: [("method", method), ("status", String(response.status.code))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNames.httpDuration, labels: [("method", method)], buckets: Self.buckets
        ).record(ContinuousClock.now - started)
        return response
    }
}
