/// Where a booking is in its life.
public enum BookingStatus: String, Sendable, Codable, CaseIterable {
    /// Holds its slot until a manager approves or declines it.
    case pending
    case confirmed
    case declined
    case cancelled
    /// Asked to wait for a taken slot; promoted when the slot frees up. Blocks nothing.
    case waiting
    /// Every remaining occurrence was released: nobody came (sensors saw no one) within the
    /// space's auto-release time after its start. Kept as data; blocks nothing.
    case released

    /// Whether a booking in this status may still be changed or cancelled (pending, confirmed, waiting).
    public var isOpen: Bool { self == .pending || self == .confirmed || self == .waiting }

    /// Whether occurrences of a booking in this status keep others out of the slot.
    public func blocks(pendingBlocks: Bool) -> Bool {
        self == .confirmed || (self == .pending && pendingBlocks)
    }
}

/// Public bookings show their details to everyone; private ones show as "Busy" to outsiders.
public enum Visibility: String, Sendable, Codable, CaseIterable {
    case `public`
    case `private`
}

/// What to do when some occurrences of a recurring series cannot be booked.
public enum SeriesPolicy: String, Sendable, Codable, CaseIterable {
    /// Refuse the whole series (the default).
    case allOrNothing = "all-or-nothing"
    /// Book the free occurrences and report the skipped ones (they become EXDATEs).
    case skipConflicts = "skip-conflicts"
}

/// A validated booking request, before it is checked against the rules and the calendar.
public struct BookingDraft: Sendable, Hashable {
    public var space: String
    public var organisation: String
    public var title: String
    public var category: String
    public var start: Int64
    public var end: Int64
    public var recurrence: String?
    /// Starts (instants) of occurrences the rule would produce but the request leaves out (`EXDATE`).
    public var excluded: [Int64]
    public var seriesPolicy: SeriesPolicy
    public var visibility: Visibility
    public var expectedAttendance: Int?
    public var description: String?
    /// Queue as `waiting` instead of refusing when the slot is taken.
    public var waitIfBusy: Bool

    public init(
        space: String, organisation: String, title: String, category: String, start: Int64, end: Int64,
        recurrence: String? = nil, excluded: [Int64] = [], seriesPolicy: SeriesPolicy = .allOrNothing,
        visibility: Visibility = .public, expectedAttendance: Int? = nil, description: String? = nil,
        waitIfBusy: Bool = false
    ) {
        self.space = space
        self.organisation = organisation
        self.title = title
        self.category = category
        self.start = start
        self.end = end
        self.recurrence = recurrence
        self.excluded = excluded
        self.seriesPolicy = seriesPolicy
        self.visibility = visibility
        self.expectedAttendance = expectedAttendance
        self.description = description
        self.waitIfBusy = waitIfBusy
    }

    public var interval: Interval { Interval(start: start, end: end) }
}

/// One occurrence of a booking (a single booking has exactly one).
public struct Occurrence: Sendable, Hashable {
    public var id: Int64
    public var interval: Interval
    /// No longer holds its slot: cancelled, or released.
    public var cancelled: Bool
    /// Released by auto-release (sensors saw no one); a released occurrence is also `cancelled`.
    public var released: Bool

    public init(id: Int64, interval: Interval, cancelled: Bool = false, released: Bool = false) {
        self.id = id
        self.interval = interval
        self.cancelled = cancelled || released
        self.released = released
    }
}

/// An occurrence of a series that was not booked, and why.
public struct SkippedOccurrence: Sendable, Hashable {
    public var interval: Interval
    public var violations: [RuleViolation]

    public init(interval: Interval, violations: [RuleViolation]) {
        self.interval = interval
        self.violations = violations
    }
}

/// How a booking made over iCalendar is known to its organiser's calendar (iTIP, RFC 5546).
public struct CalendarIdentity: Sendable, Hashable {
    /// The event's UID, as the organiser's calendar chose it.
    public var uid: String
    /// The ORGANIZER's calendar address; a later message from another organiser is refused.
    public var organizer: String?
    /// SEQUENCE and DTSTAMP of the last message applied: older ones are ignored as stale.
    public var sequence: Int
    public var stamp: Int64?

    public init(uid: String, organizer: String? = nil, sequence: Int = 0, stamp: Int64? = nil) {
        self.uid = uid
        self.organizer = organizer
        self.sequence = sequence
        self.stamp = stamp
    }

    /// Whether a message with this SEQUENCE and DTSTAMP is older than (or the same as) the last one applied.
    public func isStale(sequence: Int, stamp: Int64?) -> Bool {
        if sequence != self.sequence { return sequence < self.sequence }
        guard let stamp, let current = self.stamp else { return false }
        return stamp <= current
    }
}

/// A stored booking with its occurrences.
public struct Booking: Sendable, Hashable {
    public var id: Int64
    public var draft: BookingDraft
    public var status: BookingStatus
    /// Bumped whenever time, place or status changes (the iCalendar SEQUENCE).
    public var sequence: Int
    public var createdAt: Int64
    public var updatedAt: Int64
    public var createdBy: String
    public var occurrences: [Occurrence]
    public var skipped: [Interval]
    /// Set for bookings made or taken over by iCalendar.
    public var calendar: CalendarIdentity?

    public init(
        id: Int64, draft: BookingDraft, status: BookingStatus, sequence: Int = 0, createdAt: Int64,
        updatedAt: Int64, createdBy: String, occurrences: [Occurrence], skipped: [Interval] = [],
        calendar: CalendarIdentity? = nil
    ) {
        self.id = id
        self.draft = draft
        self.status = status
        self.sequence = sequence
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.createdBy = createdBy
        self.occurrences = occurrences
        self.skipped = skipped
        self.calendar = calendar
    }
}

/// An occurrence that holds (part of) a slot, as the calendar sees it.
public struct BusyOccurrence: Sendable, Hashable {
    public var bookingID: Int64
    public var occurrenceID: Int64
    public var space: String
    public var organisation: String
    public var title: String
    public var visibility: Visibility
    public var status: BookingStatus
    /// The booked time itself.
    public var interval: Interval
    /// The booked time widened by its space's setup and teardown buffers.
    public var block: Interval

    public init(
        bookingID: Int64, occurrenceID: Int64, space: String, organisation: String, title: String,
        visibility: Visibility, status: BookingStatus, interval: Interval, block: Interval
    ) {
        self.bookingID = bookingID
        self.occurrenceID = occurrenceID
        self.space = space
        self.organisation = organisation
        self.title = title
        self.visibility = visibility
        self.status = status
        self.interval = interval
        self.block = block
    }
}
