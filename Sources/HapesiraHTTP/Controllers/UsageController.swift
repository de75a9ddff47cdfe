import HapesiraCore
import HapesiraStore
import Hummingbird

/// Derives a space's occupancy from the sensor journal, on request.
struct UsageReader: Sendable {
    let sensors: [SensorBinding]
    let journal: SensorJournal

    /// Readings this long before a range set each sensor's state at its start.
    static let lookBack: Int64 = 86_400

    /// The space's sensors and its timeline over `range`.
    func timeline(space: String, over range: Interval) async throws -> ([SensorBinding], OccupancyTimeline) {
        let own = sensors.filter { $0.space == space }
        let readings = try await journal.readings(space: space, from: range.start - Self.lookBack, to: range.end)
        return (own, OccupancyDeriver(sensors: own.map(\.settings)).derive(readings, over: range))
    }

    /// The outcome of each of the booking's occurrences that has begun (none without sensors).
    func outcomes(of booking: Booking, now: Int64) async throws -> [Int64: AttendanceOutcome] {
        let begun = booking.occurrences.filter { !$0.cancelled && $0.interval.start <= now }
        guard sensors.contains(where: { $0.space == booking.draft.space }), let first = begun.first,
            let last = begun.last
        else { return [:] }
        let (_, timeline) = try await timeline(
            space: booking.draft.space, over: Interval(start: first.interval.start, end: last.interval.end))
        return Dictionary(
            uniqueKeysWithValues: begun.map { ($0.id, timeline.attendance(for: $0.interval).outcome) })
    }
}

/// Real use of a space from its sensors: occupied and unknown time, people counts, and each
/// booked occurrence's attendance outcome (derived on request from the journal).
struct UsageController: Sendable {
    let store: BookingStore
    let usage: UsageReader
    let views: Views
    let bookings: BookingController

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("usage") { request, context in
            _ = try context.requireCaller()
            let query = request.uri.queryParameters
            guard let id = query.get("space") else { throw APIError.invalid("space", "name the space: ?space=ID") }
            guard let space = views.catalogue.space(id), let venue = views.catalogue.venue(of: space) else {
                throw APIError.invalid("space", "no space '\(id)'")
            }
            guard let range = try bookings.range(query, required: true, maxSpan: 31 * 86_400) else {
                throw APIError.invalid("from", "give from and to")
            }
            let (own, timeline) = try await usage.timeline(space: id, over: range)
            let booked = try await store.bookings(
                BookingFilter(spaces: [id], statuses: [.confirmed, .pending], range: range, limit: 10_000))
            var occurrences: [JSONValue] = []
            for booking in booked {
                for occurrence in booking.occurrences where !occurrence.cancelled && occurrence.interval.overlaps(range)
                {
                    let attendance = timeline.attendance(for: occurrence.interval)
                    occurrences.append(
                        .object([
                            "booking": .int(booking.id), "occurrence": .int(occurrence.id),
                            "start": views.time(occurrence.interval.start, venue.zone),
                            "end": views.time(occurrence.interval.end, venue.zone),
                            "outcome": .string(
                                own.isEmpty ? AttendanceOutcome.unknown.rawValue : attendance.outcome.rawValue),
                            "occupied_seconds": .int(attendance.occupiedSeconds),
                            "covered_seconds": .int(attendance.coveredSeconds),
                            "peak_count": .optional(attendance.peakCount),
                            "average_count": attendance.averageCount.map { .double($0) } ?? .null,
                        ]))
                }
            }
            let intervals = { (list: [Interval]) -> JSONValue in
                .array(list.map { views.interval($0, venue.zone) })
            }
            return JSONResponse.make(
                .object([
                    "space": .string(id), "from": views.time(range.start, venue.zone),
                    "to": views.time(range.end, venue.zone), "sensors": .array(own.map { .string($0.id) }),
                    "occupied": intervals(timeline.occupied), "unknown": intervals(timeline.unknown),
                    "counts": .array(
                        timeline.counts.map {
                            .object(["start": views.time($0.start, venue.zone), "count": .int(Int64($0.count))])
                        }),
                    "occurrences": .array(occurrences),
                ]))
        }
    }
}
