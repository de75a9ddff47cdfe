import CLibical
import HapesiraCore

/// Reads one VEVENT or VFREEBUSY of a parsed calendar into value types.
struct EventReader {
    let times: TimeResolver

    func event(_ component: OpaquePointer) throws(CalendarInputError) -> IncomingEvent {
        let uid = try Self.uid(component)
        guard let startProperty = LibicalAccess.first(of: component, ICAL_DTSTART_PROPERTY) else {
            throw .invalid(property: "DTSTART", message: "DTSTART is missing in event \(uid)")
        }
        let start = try times.resolve(icalproperty_get_dtstart(startProperty), of: startProperty, name: "DTSTART")
        let end = try self.end(of: component, start: start, uid: uid)
        let rules = LibicalAccess.properties(of: component, ICAL_RRULE_PROPERTY)
        guard rules.count <= 1 else {
            throw .invalid(property: "RRULE", message: "event \(uid) has \(rules.count) RRULEs; at most one is allowed")
        }
        try Self.checkSupported(component, uid: uid)
        let sequence = try Self.sequence(component, uid: uid)
        return IncomingEvent(
            uid: uid, sequence: sequence,
            stamp: try instant(of: component, ICAL_DTSTAMP_PROPERTY, "DTSTAMP", icalproperty_get_dtstamp),
            recurrenceID: try instant(
                of: component, ICAL_RECURRENCEID_PROPERTY, "RECURRENCE-ID", icalproperty_get_recurrenceid),
            summary: Self.text(component, ICAL_SUMMARY_PROPERTY, icalproperty_get_summary),
            description: Self.text(component, ICAL_DESCRIPTION_PROPERTY, icalproperty_get_description),
            location: Self.text(component, ICAL_LOCATION_PROPERTY, icalproperty_get_location),
            categories: LibicalAccess.properties(of: component, ICAL_CATEGORIES_PROPERTY).compactMap {
                LibicalAccess.copy(icalproperty_get_categories($0))
            },
            classification: Self.upperValue(component, ICAL_CLASS_PROPERTY),
            status: Self.upperValue(component, ICAL_STATUS_PROPERTY),
            start: start.instant, end: end, zone: start.zone,
            recurrence: rules.first.flatMap(LibicalAccess.valueText),
            excluded: try excluded(component),
            organizer: Self.organizer(component), attendees: Self.attendees(component))
    }

    func freeBusy(_ component: OpaquePointer) throws(CalendarInputError) -> IncomingFreeBusy {
        guard
            let start = try instant(of: component, ICAL_DTSTART_PROPERTY, "DTSTART", icalproperty_get_dtstart),
            let end = try instant(of: component, ICAL_DTEND_PROPERTY, "DTEND", icalproperty_get_dtend)
        else {
            throw .invalid(property: "VFREEBUSY", message: "a VFREEBUSY request needs both DTSTART and DTEND")
        }
        guard end > start else {
            throw .invalid(property: "DTEND", message: "DTEND of the VFREEBUSY request must be after its DTSTART")
        }
        let uid = Self.text(component, ICAL_UID_PROPERTY, icalproperty_get_uid)
        return IncomingFreeBusy(
            uid: uid, start: start, end: end, organizer: Self.organizer(component),
            attendees: Self.attendees(component))
    }

    // MARK: - Times

    /// `DTEND`, or `DTSTART` + `DURATION` (days and weeks are nominal: same wall-clock time).
    private func end(
        of component: OpaquePointer, start: ResolvedTime, uid: String
    ) throws(CalendarInputError)
        -> Int64
    {
        let endProperty = LibicalAccess.first(of: component, ICAL_DTEND_PROPERTY)
        let durationProperty = LibicalAccess.first(of: component, ICAL_DURATION_PROPERTY)
        let end: Int64
        switch (endProperty, durationProperty) {
        case (.some, .some):
            throw .invalid(property: "DURATION", message: "event \(uid) has both DTEND and DURATION; give only one")
        case (nil, nil):
            throw .invalid(property: "DTEND", message: "event \(uid) has neither DTEND nor DURATION")
        case (let property?, nil):
            end = try times.resolve(icalproperty_get_dtend(property), of: property, name: "DTEND").instant
            guard end > start.instant else {
                throw .invalid(property: "DTEND", message: "DTEND of event \(uid) is not after its DTSTART")
            }
        case (nil, let property?):
            end = try Self.adding(icalproperty_get_duration(property), to: start)
            guard end > start.instant else {
                throw .invalid(property: "DURATION", message: "DURATION of event \(uid) must be longer than zero")
            }
        }
        return end
    }

    private static func adding(
        _ duration: icaldurationtype, to start: ResolvedTime
    ) throws(CalendarInputError)
        -> Int64
    {
        guard duration.is_neg == 0 else {
            throw .invalid(property: "DURATION", message: "DURATION must not be negative")
        }
        let days = Int64(duration.days) + 7 * Int64(duration.weeks)
        let exact = Int64(duration.hours) * 3600 + Int64(duration.minutes) * 60 + Int64(duration.seconds)
        guard days != 0, let clock = start.clock else {
            return start.instant + days * 86_400 + exact
        }
        let local = LocalDateTime(localSeconds: start.local.localSeconds + days * 86_400)
        return clock.resolvedInstant(for: local) + exact
    }

    /// The instant of an optional date-time property.
    private func instant(
        of component: OpaquePointer, _ kind: icalproperty_kind, _ name: String,
        _ value: (OpaquePointer?) -> icaltimetype
    ) throws(CalendarInputError) -> Int64? {
        guard let property = LibicalAccess.first(of: component, kind) else { return nil }
        return try times.resolve(value(property), of: property, name: name).instant
    }

    private func excluded(_ component: OpaquePointer) throws(CalendarInputError) -> [Int64] {
        var result: [Int64] = []
        for property in LibicalAccess.properties(of: component, ICAL_EXDATE_PROPERTY) {
            result.append(try times.resolve(icalproperty_get_exdate(property), of: property, name: "EXDATE").instant)
        }
        return result
    }

    // MARK: - Other properties

    private static func uid(_ component: OpaquePointer) throws(CalendarInputError) -> String {
        guard let uid = text(component, ICAL_UID_PROPERTY, icalproperty_get_uid), !uid.isEmpty else {
            throw .invalid(property: "UID", message: "an event has no UID")
        }
        return uid
    }

    /// Refuses what would otherwise be dropped silently and change the meaning: extra dates and
    /// overrides of "this and all later" instances.
    private static func checkSupported(_ component: OpaquePointer, uid: String) throws(CalendarInputError) {
        if LibicalAccess.first(of: component, ICAL_RDATE_PROPERTY) != nil {
            throw .invalid(
                property: "RDATE",
                message: "event \(uid) uses RDATE, which is not supported; use RRULE or separate events")
        }
        if let recurrenceID = LibicalAccess.first(of: component, ICAL_RECURRENCEID_PROPERTY),
            LibicalAccess.parameter(recurrenceID, "RANGE") != nil
        {
            throw .invalid(
                property: "RECURRENCE-ID",
                message:
                    "RECURRENCE-ID of event \(uid) has a RANGE (this and future instances), which is not supported; "
                    + "change the master event instead")
        }
    }

    private static func sequence(_ component: OpaquePointer, uid: String) throws(CalendarInputError) -> Int {
        guard let property = LibicalAccess.first(of: component, ICAL_SEQUENCE_PROPERTY) else { return 0 }
        let sequence = Int(icalproperty_get_sequence(property))
        guard sequence >= 0 else {
            throw .invalid(property: "SEQUENCE", message: "SEQUENCE of event \(uid) must not be negative")
        }
        return sequence
    }

    /// A TEXT property, unescaped.
    private static func text(
        _ component: OpaquePointer, _ kind: icalproperty_kind, _ value: (OpaquePointer?) -> UnsafePointer<CChar>?
    ) -> String? {
        LibicalAccess.first(of: component, kind).flatMap { LibicalAccess.copy(value($0)) }
    }

    private static func upperValue(_ component: OpaquePointer, _ kind: icalproperty_kind) -> String? {
        LibicalAccess.first(of: component, kind).flatMap(LibicalAccess.valueText)?.uppercased()
    }

    private static func organizer(_ component: OpaquePointer) -> CalendarAddress? {
        guard let property = LibicalAccess.first(of: component, ICAL_ORGANIZER_PROPERTY),
            let uri = LibicalAccess.copy(icalproperty_get_organizer(property))
        else { return nil }
        return CalendarAddress(uri: uri, commonName: LibicalAccess.parameter(property, "CN"))
    }

    private static func attendees(_ component: OpaquePointer) -> [IncomingAttendee] {
        LibicalAccess.properties(of: component, ICAL_ATTENDEE_PROPERTY).compactMap { property in
            guard let uri = LibicalAccess.copy(icalproperty_get_attendee(property)) else { return nil }
            return IncomingAttendee(
                address: CalendarAddress(uri: uri, commonName: LibicalAccess.parameter(property, "CN")),
                calendarUserType: LibicalAccess.parameter(property, "CUTYPE")?.uppercased() ?? "INDIVIDUAL",
                participation: LibicalAccess.parameter(property, "PARTSTAT")?.uppercased() ?? "NEEDS-ACTION")
        }
    }
}
