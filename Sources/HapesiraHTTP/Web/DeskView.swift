import HapesiraCore
import HapesiraStore

/// The values of the desk page for one day: per venue, each space's bookings of the day with what
/// the sensors say about them, the sensors that need attention, the approval queue and the
/// closures. Times are in each venue's zone.
struct DeskView {
    let catalogue: Catalogue
    let store: BookingStore
    let usage: UsageTimelines
    let caller: Caller
    let texts: [String: String]
    let now: Int64

    /// A sensor at or below this battery level (percent) is listed as needing a new battery.
    static let lowBattery = 20

    func values(venues: [Venue], day: LocalDate, health: [String: SensorHealth]) async throws -> [String: Any] {
        var list: [[String: Any]] = []
        for venue in venues {
            list.append(try await venueValues(venue, day: day, health: health))
        }
        return [
            "date": day.description, "dateText": "\(texts["weekday_name_\(day.weekday)"] ?? "") \(day)",
            "previous": "/desk?date=\(day.adding(days: -1))", "next": "/desk?date=\(day.adding(days: 1))",
            "venues": list, "none": venues.isEmpty,
        ]
    }

    private func venueValues(
        _ venue: Venue, day: LocalDate, health: [String: SensorHealth]
    ) async throws -> [String:
        Any]
    {
        let zone = venue.zone
        let span = Interval(start: zone.startOfDay(day), end: zone.startOfDay(day.adding(days: 1)))
        let spaces = catalogue.spaces(inVenue: venue.id)
        let ids = spaces.map(\.id)
        let isToday = zone.local(now).date == day
        let booked = try await store.bookings(
            BookingFilter(spaces: ids, statuses: [.pending, .confirmed, .released], range: span, limit: 2_000))
        var spaceList: [[String: Any]] = []
        for space in spaces {
            spaceList.append(
                try await spaceValues(
                    space, bookings: booked.filter { $0.draft.space == space.id }, span: span, day: day, zone: zone,
                    isToday: isToday))
        }
        let pending = try await store.bookings(BookingFilter(spaces: ids, statuses: [.pending], limit: 500))
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        var queue: [[String: Any]] = []
        for booking in pending { queue.append(try await queueValues(booking, zone: zone)) }
        // Closures still to come on the desk's day (past ones are history).
        let added = try await store.closures(venue: venue.id).filter { $0.closure.to >= day }
        let closures =
            venue.closures.filter { $0.to >= day }.map { closureValues($0, stored: nil, venue: venue) }
            + added.map { closureValues($0.closure, stored: $0, venue: venue) }
        let sensors = sensorValues(spaces: spaces, health: health)
        return [
            "id": venue.id, "name": venue.name, "zone": zone.identifier, "isToday": isToday, "spaces": spaceList,
            "sensors": sensors, "sensorsOK": sensors.isEmpty, "queue": queue, "queueEmpty": queue.isEmpty,
            "closures": closures, "noClosures": closures.isEmpty, "blockAction": "/desk/venues/\(venue.id)/closures",
        ]
    }

    /// A space with its state now (on today's desk) and its occurrences of the day.
    private func spaceValues(
        _ space: Space, bookings: [Booking], span: Interval, day: LocalDate, zone: Zone, isToday: Bool
    ) async throws -> [String: Any] {
        let hasSensors = !usage.sensors(of: space.id).isEmpty
        var rows: [(Booking, Occurrence)] = []
        for booking in bookings {
            for occurrence in booking.occurrences
            where (occurrence.released || !occurrence.cancelled) && occurrence.interval.overlaps(span) {
                rows.append((booking, occurrence))
            }
        }
        rows.sort { $0.1.interval < $1.1.interval }
        // One timeline for the part of the day that has passed, read once for every occurrence.
        let passed = Interval(start: span.start, end: min(span.end, now))
        var timeline: OccupancyTimeline?
        if hasSensors, !passed.isEmpty, rows.contains(where: { $0.1.interval.start < now }) {
            timeline = try await usage.timeline(space: space.id, over: passed)
        }
        var occupiedNow: Bool?
        if isToday { occupiedNow = try await usage.occupied(space: space.id, at: now) }
        var values: [String: Any] = [
            "id": space.id, "name": space.name, "hasSensors": hasSensors,
            "occurrences": rows.map { booking, occurrence in
                occurrenceValues(
                    booking, occurrence, timeline: timeline, occupiedNow: occupiedNow, day: day, zone: zone)
            },
            "noOccurrences": rows.isEmpty,
        ]
        if isToday {
            let instant = Interval(start: now, end: now + 1)
            let heldNow = rows.contains { booking, occurrence in
                booking.status == .confirmed && !occurrence.cancelled && occurrence.interval.overlaps(instant)
            }
            let state = SpaceState.of(booked: heldNow, occupied: occupiedNow)
            values["state"] = [
                "code": state.rawValue, "text": texts["desk_state_\(state.rawValue)"] ?? state.rawValue,
                "unknown": occupiedNow == nil,
                "unknownText": texts[hasSensors ? "desk_sensors_cannot_tell" : "desk_no_sensors"] ?? "",
            ]
        }
        return values
    }

    /// One occurrence of the day: when, who, its status, and what the sensors say: the outcome once
    /// it has ended, the room's use now while it runs (`unknown` when they cannot tell), people
    /// counted (peak) where a counter reports, nothing before it starts or for a pending booking.
    private func occurrenceValues(
        _ booking: Booking, _ occurrence: Occurrence, timeline: OccupancyTimeline?, occupiedNow: Bool?,
        day: LocalDate, zone: Zone
    ) -> [String: Any] {
        let interval = occurrence.interval
        var sensors: (code: String, count: Int?) = (AttendanceOutcome.unknown.rawValue, nil)
        if occurrence.released {
            sensors.code = AttendanceOutcome.released.rawValue
        } else if interval.start >= now || booking.status != .confirmed {
            sensors.code = "upcoming"
        } else if let timeline {
            let attendance = timeline.attendance(for: Interval(start: interval.start, end: min(interval.end, now)))
            sensors.count = attendance.peakCount
            if interval.end <= now {
                sensors.code = attendance.outcome.rawValue
            } else if let occupiedNow {
                sensors.code = SpaceState.of(booked: true, occupied: occupiedNow).rawValue
            }
        }
        let venue = catalogue.space(booking.draft.space)?.venue ?? ""
        let details = caller.seesDetails(
            of: booking.draft.visibility, organisation: booking.draft.organisation, venue: venue)
        var values: [String: Any] = [
            "booking": booking.id,
            "time":
                "\(WeekText.time(interval.start, on: day, zone: zone))–\(WeekText.time(interval.end, on: day, zone: zone, isEnd: true))",
            "title": details ? booking.draft.title : texts["week_busy"] ?? "",
            "organisation": organisationName(booking.draft.organisation),
            "status": texts["desk_status_\(occurrence.released ? "released" : booking.status.rawValue)"] ?? "",
            "sensors": texts["desk_sensors_\(sensors.code)"] ?? sensors.code, "sensorsCode": sensors.code,
        ]
        if let count = sensors.count { values["count"] = count }
        return values
    }

    /// A pending booking waiting for a decision, with what else wants its time.
    private func queueValues(_ booking: Booking, zone: Zone) async throws -> [String: Any] {
        let active = booking.occurrences.filter { !$0.cancelled }
        var conflicts: [String] = []
        if let space = catalogue.space(booking.draft.space) {
            var seen = Set<Int64>()
            for occurrence in active.prefix(50) {
                for other in try await store.busy(space: space, within: occurrence.interval)
                where other.bookingID != booking.id && seen.insert(other.occurrenceID).inserted {
                    conflicts.append(Self.describe(other, catalogue: catalogue, texts: texts))
                }
            }
        }
        let first = active.first?.interval ?? booking.draft.interval
        let start = zone.local(first.start)
        var values: [String: Any] = [
            "id": booking.id, "title": booking.draft.title,
            "organisation": organisationName(booking.draft.organisation),
            "space": catalogue.space(booking.draft.space)?.name ?? booking.draft.space,
            "when":
                "\(start.date) \(WeekText.time(first.start, on: start.date, zone: zone))–\(WeekText.time(first.end, on: start.date, zone: zone, isEnd: true))",
            "occurrences": active.count, "series": active.count > 1,
            "requested":
                "\(zone.local(booking.createdAt).date) \(WeekText.time(booking.createdAt, on: zone.local(booking.createdAt).date, zone: zone))",
            "conflicts": conflicts, "hasConflicts": !conflicts.isEmpty,
            "approve": "/desk/bookings/\(booking.id)/approve", "decline": "/desk/bookings/\(booking.id)/decline",
        ]
        if let expected = booking.draft.expectedAttendance { values["expected"] = expected }
        if let description = booking.draft.description, !description.isEmpty { values["notes"] = description }
        return values
    }

    private func closureValues(_ closure: Closure, stored: VenueClosure?, venue: Venue) -> [String: Any] {
        var values: [String: Any] = [
            "text": Self.text(of: closure), "reason": closure.reason,
            "source": texts[stored == nil ? "desk_closure_configured" : "desk_closure_added"] ?? "",
            "removable": stored != nil,
        ]
        if let stored {
            values["id"] = stored.id
            values["remove"] = "/desk/venues/\(venue.id)/closures/\(stored.id)/remove"
            values["by"] = organisationName(stored.createdByOrganisation)
        }
        return values
    }

    /// Sensors of the spaces that are not online, or whose battery is low.
    private func sensorValues(spaces: [Space], health: [String: SensorHealth]) -> [[String: Any]] {
        let names = Dictionary(spaces.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return usage.sensors.filter { names[$0.space] != nil }.compactMap { sensor in
            let status = SensorController.status(sensor, health[sensor.id], now: now)
            let battery = health[sensor.id]?.battery
            let low = battery.map { $0 <= Self.lowBattery } ?? false
            guard status != "online" || low else { return nil }
            var values: [String: Any] = [
                "id": sensor.id, "space": names[sensor.space] ?? sensor.space,
                "status": texts["desk_sensor_\(status)"] ?? status, "low": low,
            ]
            if let battery { values["battery"] = battery }
            return values
        }
    }

    private func organisationName(_ id: String) -> String { catalogue.organisation(id)?.name ?? id }

    /// `2026-05-10`, `2026-05-10 – 2026-05-12`, or with times `2026-05-10 14:00 – 18:00`.
    static func text(of closure: Closure) -> String {
        if closure.isWholeDays {
            return closure.from == closure.to ? "\(closure.from)" : "\(closure.from) – \(closure.to)"
        }
        let start = "\(closure.from) \(ClockTime.text(closure.startMinute))"
        let end = ClockTime.text(closure.endMinute)
        return closure.from == closure.to ? "\(start) – \(end)" : "\(start) – \(closure.to) \(end)"
    }

    /// A booking in the way, in one line: `#12 Screening (Anibar), Kino, 2026-05-10 18:00–20:00, confirmed`.
    static func describe(_ busy: BusyOccurrence, catalogue: Catalogue, texts: [String: String]) -> String {
        let space = catalogue.space(busy.space)
        let zone = space.flatMap { catalogue.venue(of: $0) }?.zone ?? .utc
        let date = zone.local(busy.interval.start).date
        let organisation = catalogue.organisation(busy.organisation)?.name ?? busy.organisation
        let time =
            "\(date) \(WeekText.time(busy.interval.start, on: date, zone: zone))–\(WeekText.time(busy.interval.end, on: date, zone: zone, isEnd: true))"
        let status = texts["desk_status_\(busy.status.rawValue)"] ?? busy.status.rawValue
        return "#\(busy.bookingID) \(busy.title) (\(organisation)), \(space?.name ?? busy.space), \(time), \(status)"
    }
}
