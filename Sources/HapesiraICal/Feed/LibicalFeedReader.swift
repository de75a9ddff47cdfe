import CLibical

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What libical reads back from an iCalendar text: an independent reading used to check the
/// writers (tests) and to diagnose feeds. Date-times with a TZID are converted through the
/// VTIMEZONE embedded in the same VCALENDAR, never through libical's builtin zones.
struct LibicalFeedReading: Sendable, Equatable {
    struct Event: Sendable, Equatable {
        var uid: String
        var sequence: Int
        /// Unix seconds; `nil` for a master or a single event.
        var recurrenceID: Int64?
        var start: Int64
        var end: Int64
        /// The `TZID` parameter of `DTSTART`, if any.
        var startTZID: String?
        /// The RRULE as libical writes it back.
        var rule: String?
        var excluded: [Int64]
        var status: String?
        /// The unescaped text.
        var summary: String?
        var classification: String?
    }

    struct Timezone: Sendable, Equatable {
        var tzid: String
        /// The year of each STANDARD/DAYLIGHT sub-component's DTSTART.
        var observanceYears: [Int]
    }

    /// One occurrence after expansion, Unix seconds.
    struct Occurrence: Sendable, Hashable, Comparable {
        var uid: String
        var start: Int64
        var end: Int64

        static func < (lhs: Occurrence, rhs: Occurrence) -> Bool {
            (lhs.start, lhs.end, lhs.uid) < (rhs.start, rhs.end, rhs.uid)
        }
    }

    var events: [Event]
    var timezones: [Timezone]
    /// `X-LIC-ERROR` properties libical added for what it could not parse.
    var errorCount: Int
}

enum LibicalFeedReader {
    enum Failure: Error, Equatable {
        case unparsable
        /// A date-time names a TZID without a VTIMEZONE in the calendar, or has no value.
        case unresolvedTime(property: String, uid: String)
    }

    /// Parses `text` with `icalcomponent_new_from_string`.
    static func read(_ text: String) throws(Failure) -> LibicalFeedReading {
        try withCalendar(text) { root throws(Failure) in try reading(root) }
    }

    /// Occurrences starting in `[from, to)`: each master expanded with
    /// `icalcomponent_foreach_recurrence` (which honours EXDATE), then RECURRENCE-ID overrides applied.
    static func occurrences(_ text: String, from: Int64, to: Int64) throws(Failure) -> [LibicalFeedReading.Occurrence] {
        try withCalendar(text) { root throws(Failure) in
            let feed = try reading(root)
            var result: [LibicalFeedReading.Occurrence] = []
            var vevent = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT)
            var index = 0
            while let component = vevent {
                let event = feed.events[index]
                index += 1
                vevent = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)
                guard event.recurrenceID == nil else { continue }
                let overrides = feed.events.filter { $0.uid == event.uid && $0.recurrenceID != nil }
                var spans: [(Int64, Int64)]
                if event.rule != nil {
                    spans = expand(component, from: from, to: to)
                } else {
                    spans = [(event.start, event.end)]
                }
                spans.removeAll { span in overrides.contains { $0.recurrenceID == span.0 } }
                spans += overrides.map { ($0.start, $0.end) }
                result += spans.filter { $0.0 >= from && $0.0 < to }.map {
                    LibicalFeedReading.Occurrence(uid: event.uid, start: $0.0, end: $0.1)
                }
            }
            return result.sorted()
        }
    }

    private static func withCalendar<T>(
        _ text: String, _ body: (OpaquePointer) throws(Failure) -> T
    ) throws(Failure) -> T {
        Libical.configure()
        guard let root = icalcomponent_new_from_string(text) else { throw .unparsable }
        defer { icalcomponent_free(root) }
        guard icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT else { throw .unparsable }
        return try body(root)
    }

    private static func reading(_ root: OpaquePointer) throws(Failure) -> LibicalFeedReading {
        var timezones: [LibicalFeedReading.Timezone] = []
        var vtimezone = icalcomponent_get_first_component(root, ICAL_VTIMEZONE_COMPONENT)
        while let component = vtimezone {
            var years: [Int] = []
            var observance = icalcomponent_get_first_component(component, ICAL_ANY_COMPONENT)
            while let sub = observance {
                if let dtstart = icalcomponent_get_first_property(sub, ICAL_DTSTART_PROPERTY) {
                    years.append(Int(icalproperty_get_dtstart(dtstart).year))
                }
                observance = icalcomponent_get_next_component(component, ICAL_ANY_COMPONENT)
            }
            let tzid = icalcomponent_get_first_property(component, ICAL_TZID_PROPERTY).flatMap {
                icalproperty_get_tzid($0).map { String(cString: $0) }
            }
            timezones.append(.init(tzid: tzid ?? "", observanceYears: years))
            vtimezone = icalcomponent_get_next_component(root, ICAL_VTIMEZONE_COMPONENT)
        }

        var events: [LibicalFeedReading.Event] = []
        var vevent = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT)
        while let component = vevent {
            events.append(try event(component, in: root))
            vevent = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)
        }
        return LibicalFeedReading(
            events: events, timezones: timezones, errorCount: Int(icalcomponent_count_errors(root)))
    }

    private static func event(
        _ vevent: OpaquePointer, in root: OpaquePointer
    ) throws(Failure) -> LibicalFeedReading.Event {
        let uid =
            icalcomponent_get_first_property(vevent, ICAL_UID_PROPERTY).flatMap {
                icalproperty_get_uid($0).map { String(cString: $0) }
            } ?? ""
        func resolved(_ kind: icalproperty_kind, _ property: OpaquePointer?) throws(Failure) -> Int64 {
            guard let property, let value = try? Self.instant(property, in: root) else {
                throw .unresolvedTime(property: String(cString: icalproperty_kind_to_string(kind)), uid: uid)
            }
            return value
        }
        let dtstart = icalcomponent_get_first_property(vevent, ICAL_DTSTART_PROPERTY)
        let recurrenceID = icalcomponent_get_first_property(vevent, ICAL_RECURRENCEID_PROPERTY)
        var excluded: [Int64] = []
        var exdate = icalcomponent_get_first_property(vevent, ICAL_EXDATE_PROPERTY)
        while let property = exdate {
            excluded.append(try resolved(ICAL_EXDATE_PROPERTY, property))
            exdate = icalcomponent_get_next_property(vevent, ICAL_EXDATE_PROPERTY)
        }
        let rule: String? = icalcomponent_get_first_property(vevent, ICAL_RRULE_PROPERTY).flatMap {
            var recurrence = icalproperty_get_rrule($0)
            guard let text = icalrecurrencetype_as_string_r(&recurrence) else { return nil }
            defer { free(text) }
            return String(cString: text)
        }
        return LibicalFeedReading.Event(
            uid: uid,
            sequence: Int(
                icalcomponent_get_first_property(vevent, ICAL_SEQUENCE_PROPERTY).map(icalproperty_get_sequence) ?? 0),
            recurrenceID: try recurrenceID.map { property throws(Failure) in
                try resolved(ICAL_RECURRENCEID_PROPERTY, property)
            },
            start: try resolved(ICAL_DTSTART_PROPERTY, dtstart),
            end: try resolved(ICAL_DTEND_PROPERTY, icalcomponent_get_first_property(vevent, ICAL_DTEND_PROPERTY)),
            startTZID: dtstart.flatMap(tzid),
            rule: rule,
            excluded: excluded,
            status: text(vevent, ICAL_STATUS_PROPERTY),
            summary: icalcomponent_get_first_property(vevent, ICAL_SUMMARY_PROPERTY).flatMap {
                icalproperty_get_summary($0).map { String(cString: $0) }
            },
            classification: text(vevent, ICAL_CLASS_PROPERTY))
    }

    /// A property's value as libical writes it, copied out of the ring buffer.
    private static func text(_ component: OpaquePointer, _ kind: icalproperty_kind) -> String? {
        guard let property = icalcomponent_get_first_property(component, kind),
            let value = icalproperty_get_value_as_string_r(property)
        else { return nil }
        defer { free(value) }
        return String(cString: value)
    }

    private static func tzid(_ property: OpaquePointer) -> String? {
        guard let parameter = icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER),
            let tzid = icalparameter_get_tzid(parameter)
        else { return nil }
        return String(cString: tzid)
    }

    private struct Unresolved: Error {}

    /// A date-time property as Unix seconds: UTC as is, a TZID through the calendar's own VTIMEZONE.
    private static func instant(_ property: OpaquePointer, in root: OpaquePointer) throws -> Int64 {
        guard let value = icalproperty_get_value(property) else { throw Unresolved() }
        var time = icalvalue_get_datetime(value)
        if let tzid = tzid(property) {
            guard let zone = icalcomponent_get_timezone(root, tzid) else { throw Unresolved() }
            time.zone = zone
            return Int64(icaltime_as_timet_with_zone(time, zone))
        }
        guard icaltime_is_utc(time) != 0 else { throw Unresolved() }
        return Int64(icaltime_as_timet(time))
    }

    private final class Spans {
        var values: [(Int64, Int64)] = []
    }

    private static func expand(_ vevent: OpaquePointer, from: Int64, to: Int64) -> [(Int64, Int64)] {
        let spans = Spans()
        let context = Unmanaged.passUnretained(spans).toOpaque()
        withExtendedLifetime(spans) {
            icalcomponent_foreach_recurrence(
                vevent, LibicalTime.utc(from), LibicalTime.utc(to),
                { _, span, data in
                    guard let span, let data else { return }
                    let spans = Unmanaged<Spans>.fromOpaque(data).takeUnretainedValue()
                    spans.values.append((Int64(span.pointee.start), Int64(span.pointee.end)))
                }, context)
        }
        return spans.values
    }
}
