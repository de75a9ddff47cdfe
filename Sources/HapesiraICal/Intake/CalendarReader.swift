import CLibical
import HapesiraCore

/// Parses an iCalendar object sent to the daemon (a booking request, an iTIP message, a VFREEBUSY query)
/// with libical and checks what libical lets through: all-day or inverted events, unknown zones,
/// VTIMEZONEs that contradict tzdata, times skipped by daylight saving, duplicates.
public enum CalendarReader {
    /// Reads one VCALENDAR.
    ///
    /// - Parameters:
    ///   - text: the iCalendar body.
    ///   - floatingZone: the zone floating times (no `Z`, no `TZID`) are read in, usually the venue's.
    ///   - maxEvents: the most VEVENTs accepted in one object.
    /// - Throws: `.unparseable` when the text is not a VCALENDAR; `.invalid` naming the property that
    ///   breaks a rule. Different UIDs in one object are allowed here.
    public static func read(
        _ text: String, floatingZone: Zone, maxEvents: Int = 100
    ) throws(CalendarInputError)
        -> IncomingCalendar
    {
        Libical.configure()
        guard let root = icalcomponent_new_from_string(text) else {
            icalerror_clear_errno()
            throw .unparseable("the body is not iCalendar: libical could not parse it")
        }
        defer { icalcomponent_free(root) }
        icalerror_clear_errno()
        try checkSingleCalendar(root, text: text)
        try checkNoParseErrors(root)

        let events = LibicalAccess.components(of: root, ICAL_VEVENT_COMPONENT)
        guard events.count <= maxEvents else {
            throw .invalid(
                property: "VEVENT",
                message: "the calendar has \(events.count) VEVENTs; at most \(maxEvents) are accepted")
        }
        let reader = EventReader(times: TimeResolver(calendar: root, floatingZone: floatingZone))
        var incoming: [IncomingEvent] = []
        for event in events { incoming.append(try reader.event(event)) }
        try checkUnique(incoming)

        let freeBusyComponents = LibicalAccess.components(of: root, ICAL_VFREEBUSY_COMPONENT)
        guard freeBusyComponents.count <= 1 else {
            throw .invalid(property: "VFREEBUSY", message: "the calendar has more than one VFREEBUSY; send one")
        }
        let method = LibicalAccess.first(of: root, ICAL_METHOD_PROPERTY).flatMap(LibicalAccess.valueText)
        var freeBusy: IncomingFreeBusy?
        if let component = freeBusyComponents.first { freeBusy = try reader.freeBusy(component) }
        return IncomingCalendar(method: method?.uppercased(), events: incoming, freeBusy: freeBusy)
    }

    /// Exactly one VCALENDAR: libical wraps several in an XROOT, and a count of `BEGIN:VCALENDAR` lines
    /// catches any it might drop.
    private static func checkSingleCalendar(_ root: OpaquePointer, text: String) throws(CalendarInputError) {
        let kind = icalcomponent_isa(root)
        let parsed: Int
        switch kind {
        case ICAL_XROOT_COMPONENT: parsed = LibicalAccess.components(of: root, ICAL_VCALENDAR_COMPONENT).count
        case ICAL_VCALENDAR_COMPONENT: parsed = 1
        default: parsed = 0
        }
        let written = text.split(whereSeparator: \.isNewline).count {
            $0.filter { !$0.isWhitespace }.uppercased() == "BEGIN:VCALENDAR"
        }
        let count = max(parsed, written)
        guard count <= 1 else {
            throw .invalid(
                property: "VCALENDAR", message: "the body holds \(count) VCALENDAR objects; send exactly one")
        }
        guard kind == ICAL_VCALENDAR_COMPONENT else {
            let found = LibicalAccess.copy(icalcomponent_kind_to_string(kind)) ?? "something else"
            throw .unparseable("expected a VCALENDAR object, found \(found)")
        }
    }

    /// libical turns each property it cannot parse into `X-LIC-ERROR`; the first one refuses the object.
    private static func checkNoParseErrors(_ root: OpaquePointer) throws(CalendarInputError) {
        guard icalcomponent_count_errors(root) > 0, let message = firstError(in: root) else { return }
        throw .invalid(property: brokenProperty(in: message) ?? "X-LIC-ERROR", message: message)
    }

    private static func firstError(in component: OpaquePointer) -> String? {
        if let error = LibicalAccess.first(of: component, ICAL_XLICERROR_PROPERTY) {
            return LibicalAccess.copy(icalproperty_get_xlicerror(error)) ?? ""
        }
        for child in LibicalAccess.components(of: component, ICAL_ANY_COMPONENT) {
            if let message = firstError(in: child) { return message }
        }
        return nil
    }

    /// The property name in libical's text, e.g. `DTSTART` in
    /// "Can't parse as DATE-TIME value in DTSTART property. Removing entire property: notadate".
    static func brokenProperty(in message: String) -> String? {
        let words = message.split(separator: " ")
        for (index, word) in words.enumerated().dropFirst() where word.hasPrefix("property") {
            let name = words[index - 1]
            if name.allSatisfy({ $0.isUppercase || $0 == "-" || $0.isNumber }), name.contains(where: \.isLetter) {
                return String(name)
            }
        }
        return nil
    }

    /// One master per UID, one override per UID and RECURRENCE-ID.
    private static func checkUnique(_ events: [IncomingEvent]) throws(CalendarInputError) {
        var seen = Set<EventKey>()
        for event in events {
            let key = EventKey(uid: event.uid, recurrenceID: event.recurrenceID)
            guard seen.insert(key).inserted else {
                let what =
                    event.recurrenceID.map { "override for RECURRENCE-ID \(Zone.utc.local($0))Z" } ?? "master event"
                throw .invalid(property: "VEVENT", message: "UID \(event.uid) has more than one \(what)")
            }
        }
    }

    private struct EventKey: Hashable {
        var uid: String
        var recurrenceID: Int64?
    }
}
