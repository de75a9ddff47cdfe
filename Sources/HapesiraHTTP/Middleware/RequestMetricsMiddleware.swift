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
            name: "hapesira_http_requests_total",
            labels: [("method", method), ("status", String(response.status.code))],
            help: "HTTP requests answered, by method and status code"
        ).increment()
        registry.makeDurationHistogram(
            name: "hapesira_http_request_duration_seconds", labels: [("method", method)], buckets: Self.buckets,
            help: "Time from receiving a request to having its response ready"
        ).record(ContinuousClock.now - started)
        return response
    }
}
