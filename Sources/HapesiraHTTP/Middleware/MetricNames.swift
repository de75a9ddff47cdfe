import Prometheus

/// Every metric the daemon exports, named and described in one place (listed in the README).
/// Computed: the descriptor type is not Sendable.
enum MetricNames {
    static var httpRequests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "hapesira", subsystem: "http", metricName: "requests", unitName: "total",
            helpText: "HTTP requests answered, by method and status code")
    }
    static var httpDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "hapesira", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "Time from receiving a request to having its response ready")
    }
    static var bookingsCreated: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "hapesira", metricName: "bookings_created", unitName: "total",
            helpText: "Bookings stored, by the status they were stored with")
    }
    static var bookingRefusals: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "hapesira", metricName: "booking_refusals", unitName: "total",
            helpText: "Booking requests refused by a rule or a conflict, by the main reason")
    }
}
