import HapesiraCore

/// A calendar object sent to the daemon, parsed and checked by `CalendarReader`.
public struct IncomingCalendar: Sendable, Hashable {
    /// `METHOD` (upper-cased), nil when absent.
    public var method: String?
    /// The VEVENTs: at most one master (no `RECURRENCE-ID`) per UID, plus its overrides.
    public var events: [IncomingEvent]
    /// A VFREEBUSY request, when the object is one.
    public var freeBusy: IncomingFreeBusy?

    public init(method: String?, events: [IncomingEvent], freeBusy: IncomingFreeBusy? = nil) {
        self.method = method
        self.events = events
        self.freeBusy = freeBusy
    }
}

/// An attendee of an incoming event.
public struct IncomingAttendee: Sendable, Hashable {
    public var address: CalendarAddress
    /// `CUTYPE` upper-cased (`INDIVIDUAL` when absent).
    public var calendarUserType: String
    /// `PARTSTAT` upper-cased (`NEEDS-ACTION` when absent).
    public var participation: String

    public init(address: CalendarAddress, calendarUserType: String, participation: String) {
        self.address = address
        self.calendarUserType = calendarUserType
        self.participation = participation
    }

    /// Whether this attendee is a room or another resource.
    public var isResource: Bool { calendarUserType == "ROOM" || calendarUserType == "RESOURCE" }
}

/// One VEVENT as received: times already resolved to instants.
public struct IncomingEvent: Sendable, Hashable {
    public var uid: String
    /// `SEQUENCE`, 0 when absent.
    public var sequence: Int
    /// `DTSTAMP` in Unix seconds, when present.
    public var stamp: Int64?
    /// `RECURRENCE-ID` (the original start of the instance this VEVENT replaces), Unix seconds.
    public var recurrenceID: Int64?
    public var summary: String?
    public var description: String?
    public var location: String?
    public var categories: [String]
    /// `CLASS` upper-cased, when present.
    public var classification: String?
    /// `STATUS` upper-cased, when present.
    public var status: String?
    public var start: Int64
    /// From `DTEND`, or `DTSTART` + `DURATION`.
    public var end: Int64
    /// The zone `DTSTART` was written in: its IANA name for `TZID`, nil for UTC (`Z`) or floating times
    /// (which are read in the zone the caller gave).
    public var zone: Zone?
    /// The RRULE value (without `RRULE:`), `UNTIL` as written.
    public var recurrence: String?
    /// `EXDATE`s as instants.
    public var excluded: [Int64]
    public var organizer: CalendarAddress?
    public var attendees: [IncomingAttendee]

    public init(
        uid: String, sequence: Int = 0, stamp: Int64? = nil, recurrenceID: Int64? = nil, summary: String? = nil,
        description: String? = nil, location: String? = nil, categories: [String] = [],
        classification: String? = nil, status: String? = nil, start: Int64, end: Int64, zone: Zone? = nil,
        recurrence: String? = nil, excluded: [Int64] = [], organizer: CalendarAddress? = nil,
        attendees: [IncomingAttendee] = []
    ) {
        self.uid = uid
        self.sequence = sequence
        self.stamp = stamp
        self.recurrenceID = recurrenceID
        self.summary = summary
        self.description = description
        self.location = location
        self.categories = categories
        self.classification = classification
        self.status = status
        self.start = start
        self.end = end
        self.zone = zone
        self.recurrence = recurrence
        self.excluded = excluded
        self.organizer = organizer
        self.attendees = attendees
    }
}

/// A VFREEBUSY request: the period asked about.
public struct IncomingFreeBusy: Sendable, Hashable {
    public var uid: String?
    public var start: Int64
    public var end: Int64
    public var organizer: CalendarAddress?
    public var attendees: [IncomingAttendee]

    public init(uid: String?, start: Int64, end: Int64, organizer: CalendarAddress?, attendees: [IncomingAttendee]) {
        self.uid = uid
        self.start = start
        self.end = end
        self.organizer = organizer
        self.attendees = attendees
    }
}

/// Why an iCalendar body was refused. Nothing is stored when reading fails.
public enum CalendarInputError: Error, Sendable, Hashable {
    /// Not iCalendar at all (HTTP 400).
    case unparseable(String)
    /// iCalendar that breaks a rule; `property` names the property or component (HTTP 422).
    case invalid(property: String, message: String)
}
