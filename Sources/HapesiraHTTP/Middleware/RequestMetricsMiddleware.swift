import HapesiraCore
import Hummingbird
import Prometheus
import Synchronization

/// Counts requests by method and status and records their latency.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let metrics: RequestMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        metrics.record(
            method: request.method.rawValue, status: response.status.code, duration: ContinuousClock.now - started)
        return response
    }
}

/// The metrics the HTTP layer records (requests, bookings stored and refused), each series made once: the
/// registry validates names and help texts on every `make…` call.
final class RequestMetrics: Sendable {
    static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]

    private let registry: PrometheusCollectorRegistry
    private let made = Mutex<[String: (Counter, DurationHistogram)]>([:])
    private let bookingCounters = Mutex<[String: Counter]>([:])

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    /// Counts one answered request and records how long it took.
    func record(method: String, status: Int, duration: Duration) {
        let (counter, histogram) = series(method: method, status: status)
        counter.increment()
        histogram.record(duration)
    }

    /// Counts a stored booking by its status, whether the API or the booking form made it.
    func countCreated(_ booking: Booking) {
        bookingCounter(MetricNames.bookingsCreated, label: "status", value: booking.status.rawValue).increment()
    }

    /// Counts a refused booking request by its main reason.
    func countRefusal(_ refusal: Refusal) {
        bookingCounter(MetricNames.bookingRefusals, label: "reason", value: refusal.primary?.code ?? "refused")
            .increment()
    }

    private func bookingCounter(
        _ descriptor: @autoclosure () -> MetricNameDescriptor, label: String, value: String
    ) -> Counter {
        Self.cached(in: bookingCounters, "\(label) \(value)") {
            registry.makeCounter(descriptor: descriptor(), labels: [(label, value)])
        }
    }

    private func series(method: String, status: Int) -> (Counter, DurationHistogram) {
        Self.cached(in: made, "\(method) \(status)") {
            (
                registry.makeCounter(
                    descriptor: MetricNames.httpRequests, labels: [("method", method), ("status", String(status))]),
                registry.makeDurationHistogram(
                    descriptor: MetricNames.httpDuration, labels: [("method", method)], buckets: Self.buckets)
            )
        }
    }

    /// The series cached under `key`, made the first time it is asked for.
    private static func cached<Series: Sendable>(
        in cache: borrowing Mutex<[String: Series]>, _ key: String, make: () -> Series
    ) -> Series {
        if let series = cache.withLock({ $0[key] }) { return series }
        let series = make()
        cache.withLock { $0[key] = series }
        return series
    }
}
