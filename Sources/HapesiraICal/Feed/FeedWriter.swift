import CLibical
import Dispatch
import Foundation
import HapesiraCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a `FeedCalendar` as an iCalendar feed (RFC 5545, RFC 7986) built and serialised by libical.
///
/// The output is deterministic: the same calendar always gives the same bytes (events keep their
/// order; `DTSTAMP` is `LAST-MODIFIED`), so it can be hashed for an ETag. Lines end in CRLF and are
/// folded at 75 octets. Times are written in each event's zone (`TZID=Europe/Belgrade`) with one
/// compact VTIMEZONE per zone used; events in UTC are written with `Z` times and need none.
/// Events are written as given, private ones with `CLASS:PRIVATE`: what a feed's readers may see
/// (an organisation's own feed shows its private bookings in full, public feeds show them as
/// "Busy") is decided before, by whoever builds the `FeedEvent`s.
public enum FeedWriter {
    static let productID = "-//Hapesira//Hapesira//EN"

    /// The feed as `text/calendar; charset=utf-8` content.
    ///
    /// The calendar's own properties and VTIMEZONEs are one libical component; each event is built
    /// and serialised as a component of its own and freed at once (a feed of 10,000 events never
    /// holds 10,000 components), large feeds in a few chunks on all cores. The bytes are the same
    /// as serialising one tree: libical writes every line.
    public static func write(_ calendar: FeedCalendar) -> String {
        Libical.configure()
        guard let root = icalcomponent_new_vcalendar() else { return "" }
        defer { icalcomponent_free(root) }

        addCalendarProperties(calendar, to: root)

        // One VTIMEZONE per zone used, in identifier order.
        var zones: [String: EventTimes] = [:]
        let used = Dictionary(calendar.events.map { ($0.zone.identifier, $0.zone) }, uniquingKeysWith: { a, _ in a })
        for (identifier, zone) in used.sorted(by: { $0.key < $1.key }) {
            if let text = CompactZones.vtimezone(identifier), let vtimezone = icalcomponent_new_from_string(text) {
                icalcomponent_add_component(root, vtimezone)
                zones[identifier] = EventTimes(zone: zone, tzid: identifier)
            } else {
                zones[identifier] = EventTimes(zone: zone, tzid: nil)
            }
        }
        let frame = LibicalBuilding.serialise(root)
        let end = "END:VCALENDAR\r\n"
        guard frame.hasSuffix(end) else { return frame }
        var text = String(frame.dropLast(end.count))
        text.append(events(calendar.events, zones: zones))
        text.append(end)
        return text
    }

    /// The VEVENTs of `events`, serialised in order.
    private static func events(_ events: [FeedEvent], zones: [String: EventTimes]) -> String {
        let chunkCount = events.count < 1_000 ? 1 : min(8, max(1, ProcessInfo.processInfo.activeProcessorCount))
        let chunkSize = (events.count + chunkCount - 1) / max(1, chunkCount)
        let chunks = Mutex([String](repeating: "", count: chunkCount))
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            var text = ""
            for event in events[min(events.count, chunk * chunkSize)..<min(events.count, (chunk + 1) * chunkSize)] {
                guard let times = zones[event.zone.identifier] else { continue }
                text.append(serialised(addEvent(event, times: times)))
                for change in event.overrides {
                    text.append(serialised(addOverride(change, of: event, times: times)))
                }
            }
            chunks.withLock { $0[chunk] = text }
        }
        return chunks.withLock { chunks in
            var text = ""
            text.reserveCapacity(chunks.reduce(0) { $0 + $1.utf8.count })
            for chunk in chunks { text.append(chunk) }
            return text
        }
    }

    /// The text of a component, which is then freed.
    private static func serialised(_ component: OpaquePointer?) -> String {
        guard let component else { return "" }
        defer { icalcomponent_free(component) }
        return LibicalBuilding.serialise(component)
    }

    private static func addCalendarProperties(_ calendar: FeedCalendar, to root: OpaquePointer) {
        typealias B = LibicalBuilding
        B.add(icalproperty_new_prodid(productID), to: root)
        B.add(icalproperty_new_version("2.0"), to: root)
        B.add(icalproperty_new_calscale("GREGORIAN"), to: root)
        for name in calendar.names {
            B.add(icalproperty_new_name(name.text), to: root, icalparameter_new_language(name.language))
        }
        if let first = calendar.names.first {
            B.add(B.x("X-WR-CALNAME", first.text), to: root)
        }
        if let description = calendar.description {
            B.add(icalproperty_new_description(description), to: root)
            B.add(B.x("X-WR-CALDESC", description), to: root)
        }
        let interval = icaldurationtype_from_int(Int32(clamping: max(60, calendar.refreshInterval)))
        B.add(icalproperty_new_refreshinterval(interval), to: root, icalparameter_new_value(ICAL_VALUE_DURATION))
        if let ttl = icaldurationtype_as_ical_string_r(interval) {
            defer { free(ttl) }
            B.add(B.x("X-PUBLISHED-TTL", String(cString: ttl)), to: root)
        }
    }

    private static func addEvent(_ event: FeedEvent, times: EventTimes) -> OpaquePointer? {
        typealias B = LibicalBuilding
        guard let vevent = icalcomponent_new_vevent() else { return nil }
        addStamps(event, sequence: event.sequence, to: vevent)
        let recurrence = event.recurrence.flatMap { RecurrenceRule.utcUntil($0, zone: event.zone) }
        // A series keeps wall-clock DTSTART so its occurrences follow the zone's clock changes.
        times.add(icalproperty_new_dtstart, event.start, to: vevent, utcIfAmbiguous: recurrence == nil)
        times.add(icalproperty_new_dtend, event.end, to: vevent, utcIfAmbiguous: true)
        if let recurrence {
            B.add(icalproperty_new_rrule(recurrence), to: vevent)
            for excluded in Set(event.excluded).sorted() {
                times.add(icalproperty_new_exdate, excluded, to: vevent)
            }
        }
        addDescriptive(event, status: event.status, to: vevent)
        return vevent
    }

    private static func addOverride(_ change: FeedOverride, of event: FeedEvent, times: EventTimes) -> OpaquePointer? {
        guard event.recurrence != nil, let vevent = icalcomponent_new_vevent() else { return nil }
        addStamps(event, sequence: max(change.sequence, event.sequence), to: vevent)
        times.add(icalproperty_new_recurrenceid, change.recurrenceID, to: vevent)
        times.add(icalproperty_new_dtstart, change.start, to: vevent, utcIfAmbiguous: true)
        times.add(icalproperty_new_dtend, change.end, to: vevent, utcIfAmbiguous: true)
        addDescriptive(event, status: change.status, to: vevent)
        return vevent
    }

    /// UID, SEQUENCE, DTSTAMP (= LAST-MODIFIED), CREATED, LAST-MODIFIED.
    private static func addStamps(_ event: FeedEvent, sequence: Int, to vevent: OpaquePointer) {
        typealias B = LibicalBuilding
        B.add(icalproperty_new_uid(event.uid), to: vevent)
        B.add(icalproperty_new_sequence(Int32(clamping: sequence)), to: vevent)
        B.add(icalproperty_new_dtstamp(LibicalTime.utc(event.lastModified)), to: vevent)
        B.add(icalproperty_new_created(LibicalTime.utc(event.created)), to: vevent)
        B.add(icalproperty_new_lastmodified(LibicalTime.utc(event.lastModified)), to: vevent)
    }

    /// SUMMARY, DESCRIPTION, LOCATION, CATEGORIES, STATUS, CLASS, ORGANIZER.
    private static func addDescriptive(_ event: FeedEvent, status: FeedEventStatus, to vevent: OpaquePointer) {
        typealias B = LibicalBuilding
        let isPrivate = event.visibility == .private
        B.add(icalproperty_new_summary(event.summary), to: vevent)
        if let description = event.description {
            B.add(icalproperty_new_description(description), to: vevent)
        }
        if let location = event.location {
            B.add(icalproperty_new_location(location), to: vevent)
        }
        for category in categoryList(event.categories) {
            B.add(icalproperty_new_categories(category), to: vevent)
        }
        B.add(icalproperty_new_status(status.libical), to: vevent)
        B.add(icalproperty_new_class(isPrivate ? ICAL_CLASS_PRIVATE : ICAL_CLASS_PUBLIC), to: vevent)
        if let organizer = event.organizer {
            B.add(organizer, as: { icalproperty_new_organizer($0) }, to: vevent)
        }
    }
}

/// Categories as libical can write them: it writes CATEGORIES as a comma-separated list without
/// escaping commas, so a comma separates categories (`"Koncert, Jazz"` is two), one property each.
func categoryList(_ categories: [String]) -> [String] {
    categories.flatMap { $0.split(separator: ",") }.compactMap { part in
        guard let first = part.firstIndex(where: { !$0.isWhitespace }),
            let last = part.lastIndex(where: { !$0.isWhitespace })
        else { return nil }
        return String(part[first...last])
    }
}

/// How an event's date-times are written: wall-clock time with a TZID, or UTC when there is no VTIMEZONE.
private struct EventTimes: Sendable {
    var zone: Zone
    var tzid: String?

    /// Adds a date-time property. With `utcIfAmbiguous`, an instant whose wall-clock time readers
    /// would resolve to another instant (the repeated hour when clocks go back: RFC 5545 takes the
    /// first) is written in UTC instead.
    func add(
        _ make: (icaltimetype) -> OpaquePointer?, _ instant: Int64, to component: OpaquePointer,
        utcIfAmbiguous: Bool = false
    ) {
        if let tzid, !utcIfAmbiguous || zone.resolvedInstant(for: zone.local(instant)) == instant {
            LibicalBuilding.add(
                make(LibicalTime.wallClock(instant, in: zone)), to: component, icalparameter_new_tzid(tzid))
        } else {
            LibicalBuilding.add(make(LibicalTime.utc(instant)), to: component)
        }
    }
}

extension FeedEventStatus {
    var libical: icalproperty_status {
        switch self {
        case .confirmed: ICAL_STATUS_CONFIRMED
        case .tentative: ICAL_STATUS_TENTATIVE
        case .cancelled: ICAL_STATUS_CANCELLED
        }
    }
}
