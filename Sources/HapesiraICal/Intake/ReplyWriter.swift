import CLibical
import HapesiraCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A room's answer to one iTIP REQUEST (RFC 5546 REPLY), as Exchange or Kolab resources send it.
public struct RoomReply: Sendable, Hashable {
    /// The event (or one instance) answered: its UID, SEQUENCE, RECURRENCE-ID and times are echoed.
    public var event: IncomingEvent
    public var organizer: CalendarAddress?
    /// The room answering, written as the only `ATTENDEE` with `CUTYPE=ROOM`.
    public var room: CalendarAddress
    /// `PARTSTAT`: `ACCEPTED`, `TENTATIVE` (needs approval) or `DECLINED`.
    public var participation: String
    /// `REQUEST-STATUS` as `code;description`: `2.0;Success`, `4.0;Event conflict. Date-time is busy`,
    /// `3.14;Unsupported capability`.
    public var requestStatus: String
    /// `COMMENT`: why, in words, when there is more to say.
    public var comment: String?
    /// Free periods offered instead, each written as `X-HAPESIRA-ALTERNATIVE:<start>Z/<end>Z`.
    public var alternatives: [Interval]

    /// `organizer` defaults to the event's `ORGANIZER`.
    public init(
        event: IncomingEvent, organizer: CalendarAddress? = nil, room: CalendarAddress, participation: String,
        requestStatus: String, comment: String? = nil, alternatives: [Interval] = []
    ) {
        self.event = event
        self.organizer = organizer ?? event.organizer
        self.room = room
        self.participation = participation
        self.requestStatus = requestStatus
        self.comment = comment
        self.alternatives = alternatives
    }
}

/// Writes iTIP REPLY objects with libical.
public enum ReplyWriter {
    public static let productID = "-//Hapesira//Hapesira//EN"
    /// A proposed free period: a UTC `PERIOD` value such as `20260101T100000Z/20260101T120000Z`.
    public static let alternativeProperty = "X-HAPESIRA-ALTERNATIVE"

    /// One VCALENDAR with `METHOD:REPLY` and a VEVENT per reply; every time in UTC, CRLF line endings.
    /// - Parameter stamp: `DTSTAMP`, Unix seconds.
    public static func write(_ replies: [RoomReply], stamp: Int64) -> String {
        Libical.configure()
        guard let calendar = icalcomponent_new_vcalendar() else { return "" }
        // libical keeps REQUEST-STATUS descriptions by pointer, without copying or freeing them.
        var descriptions: [UnsafeMutablePointer<CChar>] = []
        defer { descriptions.forEach { free($0) } }
        defer { icalcomponent_free(calendar) }

        add(icalproperty_new_prodid(productID), to: calendar)
        add(icalproperty_new_version("2.0"), to: calendar)
        add(icalproperty_new_method(ICAL_METHOD_REPLY), to: calendar)
        for reply in replies {
            guard let event = icalcomponent_new_vevent() else { continue }
            icalcomponent_add_component(calendar, event)
            fill(event, with: reply, stamp: stamp, descriptions: &descriptions)
        }
        return LibicalAccess.taking(icalcomponent_as_ical_string_r(calendar)) ?? ""
    }

    private static func fill(
        _ event: OpaquePointer, with reply: RoomReply, stamp: Int64,
        descriptions: inout [UnsafeMutablePointer<CChar>]
    ) {
        let incoming = reply.event
        add(icalproperty_new_uid(incoming.uid), to: event)
        add(icalproperty_new_sequence(Int32(clamping: incoming.sequence)), to: event)
        add(icalproperty_new_dtstamp(LibicalTime.utc(stamp)), to: event)
        if let recurrenceID = incoming.recurrenceID {
            add(icalproperty_new_recurrenceid(LibicalTime.utc(recurrenceID)), to: event)
        }
        add(icalproperty_new_dtstart(LibicalTime.utc(incoming.start)), to: event)
        add(icalproperty_new_dtend(LibicalTime.utc(incoming.end)), to: event)
        if let summary = incoming.summary { add(icalproperty_new_summary(summary), to: event) }
        if let organizer = reply.organizer {
            add(address(icalproperty_new_organizer(organizer.uri), organizer), to: event)
        }
        add(attendee(reply), to: event)
        add(requestStatus(reply.requestStatus, descriptions: &descriptions), to: event)
        if let comment = reply.comment { add(icalproperty_new_comment(comment), to: event) }
        for alternative in reply.alternatives { add(self.alternative(alternative), to: event) }
    }

    /// The room as the single `ATTENDEE`; a participation that is not a `PARTSTAT` is written as `NEEDS-ACTION`.
    private static func attendee(_ reply: RoomReply) -> OpaquePointer? {
        guard let property = address(icalproperty_new_attendee(reply.room.uri), reply.room) else { return nil }
        if let cutype = icalparameter_new_cutype(ICAL_CUTYPE_ROOM) { icalproperty_add_parameter(property, cutype) }
        if let partstat = participation(reply.participation) { icalproperty_add_parameter(property, partstat) }
        return property
    }

    /// A standard `PARTSTAT`; libical would also take any other word as an extension value.
    private static func participation(_ text: String) -> OpaquePointer? {
        if let parameter = icalparameter_new_from_value_string(ICAL_PARTSTAT_PARAMETER, text.uppercased()) {
            if icalparameter_get_partstat(parameter) != ICAL_PARTSTAT_X { return parameter }
            icalparameter_free(parameter)
        }
        return icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION)
    }

    /// An ORGANIZER or ATTENDEE property with its `CN`.
    private static func address(_ property: OpaquePointer?, _ address: CalendarAddress) -> OpaquePointer? {
        guard let property else { return nil }
        if let name = address.commonName, let cn = icalparameter_new_cn(name) {
            icalproperty_add_parameter(property, cn)
        }
        return property
    }

    /// `REQUEST-STATUS` with the code libical knows and our own description (libical's built-in texts end
    /// with a period and say "Date/time  is busy"); a code libical does not know is written verbatim.
    private static func requestStatus(
        _ text: String, descriptions: inout [UnsafeMutablePointer<CChar>]
    )
        -> OpaquePointer?
    {
        let parts = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        let numbers = parts[0].split(separator: ".").compactMap { Int16($0) }
        let code = numbers.count == 2 ? icalenum_num_to_reqstat(numbers[0], numbers[1]) : ICAL_UNKNOWN_STATUS
        guard code != ICAL_UNKNOWN_STATUS, parts.count == 2, let description = strdup(String(parts[1])) else {
            let property = icalproperty_new_x(text)
            if let property { icalproperty_set_x_name(property, "REQUEST-STATUS") }
            return property
        }
        descriptions.append(description)
        return icalproperty_new_requeststatus(icalreqstattype(code: code, desc: description, debug: nil))
    }

    private static func alternative(_ interval: Interval) -> OpaquePointer? {
        var period = icalperiodtype()
        period.start = LibicalTime.utc(interval.start)
        period.end = LibicalTime.utc(interval.end)
        period.duration = icaldurationtype_null_duration()
        guard let value = LibicalAccess.taking(icalperiodtype_as_ical_string_r(period)),
            let property = icalproperty_new_x(value)
        else { return nil }
        icalproperty_set_x_name(property, alternativeProperty)
        return property
    }

    private static func add(_ property: OpaquePointer?, to component: OpaquePointer) {
        if let property { icalcomponent_add_property(component, property) }
    }
}
