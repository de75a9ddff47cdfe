import HapesiraCore

/// A text in one language (RFC 5646 tag such as `sq`, `sr-Latn`, `en`).
public struct LocalizedText: Sendable, Hashable {
    public var language: String
    public var text: String

    public init(language: String, text: String) {
        self.language = language
        self.text = text
    }
}

/// One calendar feed to publish: what `FeedWriter` turns into a VCALENDAR.
public struct FeedCalendar: Sendable, Hashable {
    /// `NAME;LANGUAGE=…` once per language; the first is also `X-WR-CALNAME`.
    public var names: [LocalizedText]
    /// `DESCRIPTION` / `X-WR-CALDESC` of the calendar, if any.
    public var description: String?
    /// How often clients should refresh, in seconds (`REFRESH-INTERVAL` and `X-PUBLISHED-TTL`).
    public var refreshInterval: Int
    public var events: [FeedEvent]

    public init(names: [LocalizedText], description: String? = nil, refreshInterval: Int = 3600, events: [FeedEvent]) {
        self.names = names
        self.description = description
        self.refreshInterval = refreshInterval
        self.events = events
    }
}

/// The iCalendar `STATUS` of an event.
public enum FeedEventStatus: String, Sendable, Hashable {
    case confirmed = "CONFIRMED"
    case tentative = "TENTATIVE"
    case cancelled = "CANCELLED"
}

/// A calendar user: `CN` and a `mailto:` (or other) URI.
public struct CalendarAddress: Sendable, Hashable {
    /// The URI as written, e.g. `mailto:program@anibar.org`.
    public var uri: String
    public var commonName: String?

    public init(uri: String, commonName: String? = nil) {
        self.uri = uri
        self.commonName = commonName
    }
}

/// One VEVENT of a feed: a single booking, or the master of a recurring series.
public struct FeedEvent: Sendable, Hashable {
    /// Stable forever.
    public var uid: String
    public var sequence: Int
    /// `CREATED`, Unix seconds (written in UTC).
    public var created: Int64
    /// `LAST-MODIFIED` and `DTSTAMP` (equal, so the bytes only change when the data does), Unix seconds.
    public var lastModified: Int64
    /// The IANA zone `DTSTART`/`DTEND` are written in (`TZID=Europe/Belgrade`).
    public var zone: Zone
    /// The first occurrence, Unix seconds.
    public var start: Int64
    public var end: Int64
    /// The RRULE value as stored (without `RRULE:`); written with `UNTIL` in UTC.
    public var recurrence: String?
    /// `EXDATE`s: the original starts of occurrences that are not held (cancelled or skipped).
    public var excluded: [Int64]
    /// Occurrences that differ from the rule (`RECURRENCE-ID`).
    public var overrides: [FeedOverride]
    public var summary: String
    public var description: String?
    public var location: String?
    public var categories: [String]
    public var status: FeedEventStatus
    /// `CLASS:PUBLIC` or `CLASS:PRIVATE`.
    public var visibility: Visibility
    public var organizer: CalendarAddress?

    public init(
        uid: String, sequence: Int, created: Int64, lastModified: Int64, zone: Zone, start: Int64, end: Int64,
        recurrence: String? = nil, excluded: [Int64] = [], overrides: [FeedOverride] = [], summary: String,
        description: String? = nil, location: String? = nil, categories: [String] = [],
        status: FeedEventStatus = .confirmed, visibility: Visibility = .public, organizer: CalendarAddress? = nil
    ) {
        self.uid = uid
        self.sequence = sequence
        self.created = created
        self.lastModified = lastModified
        self.zone = zone
        self.start = start
        self.end = end
        self.recurrence = recurrence
        self.excluded = excluded
        self.overrides = overrides
        self.summary = summary
        self.description = description
        self.location = location
        self.categories = categories
        self.status = status
        self.visibility = visibility
        self.organizer = organizer
    }
}

/// One occurrence of a series that differs from its rule: same UID, `RECURRENCE-ID` = its original start.
public struct FeedOverride: Sendable, Hashable {
    public var recurrenceID: Int64
    public var start: Int64
    public var end: Int64
    public var status: FeedEventStatus
    /// At least the master's.
    public var sequence: Int

    public init(recurrenceID: Int64, start: Int64, end: Int64, status: FeedEventStatus, sequence: Int) {
        self.recurrenceID = recurrenceID
        self.start = start
        self.end = end
        self.status = status
        self.sequence = sequence
    }
}

/// A busy period for VFREEBUSY: `FBTYPE=BUSY` for confirmed time, `BUSY-TENTATIVE` for pending.
public struct BusyPeriod: Sendable, Hashable {
    public var interval: Interval
    public var tentative: Bool

    public init(interval: Interval, tentative: Bool) {
        self.interval = interval
        self.tentative = tentative
    }
}
