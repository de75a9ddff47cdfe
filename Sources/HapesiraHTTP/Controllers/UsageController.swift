import HapesiraCore
import HapesiraStore
import Hummingbird

extension UsageTimelines {
    /// The outcome of every occurrence of `bookings` that has begun by `now`, by occurrence id:
    /// `released` as stored, otherwise derived from the sensors (one timeline per space). Occurrences
    /// in spaces without sensors, cancelled ones and future ones have none.
    func outcomes(of bookings: [Booking], now: Int64) async throws -> [Int64: AttendanceOutcome] {
        var outcomes: [Int64: AttendanceOutcome] = [:]
        var begun: [String: [Occurrence]] = [:]
        for booking in bookings where !sensors(of: booking.draft.space).isEmpty {
            for occurrence in booking.occurrences where occurrence.interval.start <= now {
                if occurrence.released {
                    outcomes[occurrence.id] = .released
                } else if !occurrence.cancelled {
                    begun[booking.draft.space, default: []].append(occurrence)
                }
            }
        }
        for (space, occurrences) in begun {
            let span = Interval(
                start: occurrences.map(\.interval.start).min()!, end: occurrences.map(\.interval.end).max()!)
            let attendances = try await timeline(space: space, over: span).attendances(for: occurrences.map(\.interval))
            for (occurrence, attendance) in zip(occurrences, attendances) {
                outcomes[occurrence.id] = attendance.outcome
            }
        }
        return outcomes
    }
}

/// Real use of a space from its sensors: occupied and unknown time, people counts, and each
/// booked occurrence's attendance outcome.
struct UsageController: Sendable {
    let store: BookingStore
    let usage: UsageTimelines
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
            let own = usage.sensors(of: id)
            let timeline = try await usage.timeline(space: id, over: range)
            let booked = try await store.bookings(
                BookingFilter(spaces: [id], statuses: [.confirmed, .pending, .released], range: range, limit: 10_000))
            var occurrences: [JSONValue] = []
            for booking in booked {
                for occurrence in booking.occurrences
                where (occurrence.released || !occurrence.cancelled) && occurrence.interval.overlaps(range) {
                    var attendance = timeline.attendance(for: occurrence.interval)
                    if occurrence.released { attendance.outcome = .released }
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
