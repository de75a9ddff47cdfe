/// A city whose cultural organisations share public buildings (peja, prizren, mitrovica).
public struct City: Sendable, Hashable, Codable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// A building with its own clock, opening hours and closures.
public struct Venue: Sendable, Hashable {
    public var id: String
    public var name: String
    public var city: String
    public var zone: Zone
    public var openingHours: OpeningHours
    public var closures: [Closure]
    /// The languages its calendars are named in (`sq`, `sr`, `en`), the first being the main one.
    public var languages: [String]

    public init(
        id: String, name: String, city: String, zone: Zone, openingHours: OpeningHours, closures: [Closure] = [],
        languages: [String] = ["sq", "sr", "en"]
    ) {
        self.id = id
        self.name = name
        self.city = city
        self.zone = zone
        self.openingHours = openingHours
        self.closures = closures
        self.languages = languages
    }
}

/// A time the venue cannot be booked, venue-local: whole days `from`…`to` (inclusive), or, with
/// times, from `from` at `startMinute` until `to` at `endMinute`.
public struct Closure: Sendable, Hashable {
    public var from: LocalDate
    public var to: LocalDate
    public var reason: String
    /// Minutes after local midnight of `from` at which the closure begins (0 for whole days).
    public var startMinute: Int
    /// Minutes after local midnight of `to` at which the closure ends (1440 for whole days).
    public var endMinute: Int

    public init(from: LocalDate, to: LocalDate, reason: String, startMinute: Int = 0, endMinute: Int = 1440) {
        self.from = from
        self.to = to
        self.reason = reason
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    public var isWholeDays: Bool { startMinute == 0 && endMinute == 1440 }

    /// Whether the closure falls on the local date, wholly or in part.
    public func covers(_ date: LocalDate) -> Bool { from <= date && date <= to }

    /// The instants it covers in the venue's zone (a DST day is 23 or 25 hours long).
    public func interval(in zone: Zone) -> Interval {
        Interval(start: zone.instant(from, minute: startMinute), end: zone.instant(to, minute: endMinute))
    }
}

/// Opening hours per ISO weekday (1 = Monday), each a list of minute ranges within the day.
public struct OpeningHours: Sendable, Hashable {
    /// Minutes since local midnight, `[start, end)`; `end` may be 1440 (24:00).
    public struct Range: Sendable, Hashable {
        public var start: Int
        public var end: Int
        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }
    }

    public var days: [Int: [Range]]

    public init(days: [Int: [Range]]) { self.days = days }

    /// Open every day, all day.
    public static let always = OpeningHours(
        days: Dictionary(uniqueKeysWithValues: (1...7).map { ($0, [Range(start: 0, end: 1440)]) }))
}

/// Booking rules of one space. Durations are in seconds.
public struct SpaceRules: Sendable, Hashable {
    public var setupBuffer: Int64
    public var teardownBuffer: Int64
    public var minDuration: Int64
    public var maxDuration: Int64
    /// How far ahead a booking may start.
    public var horizon: Int64
    /// How long before its start a booking must be made.
    public var minimumNotice: Int64
    public var approvalRequired: Bool
    /// Auto-release: a confirmed occurrence in which the sensors saw no one this long after its
    /// start is released (its slot becomes free); nil turns it off.
    public var autoReleaseAfter: Int64?

    public init(
        setupBuffer: Int64 = 0, teardownBuffer: Int64 = 0, minDuration: Int64 = 15 * 60,
        maxDuration: Int64 = 12 * 3600, horizon: Int64 = 365 * 86_400, minimumNotice: Int64 = 0,
        approvalRequired: Bool = false, autoReleaseAfter: Int64? = nil
    ) {
        self.setupBuffer = setupBuffer
        self.teardownBuffer = teardownBuffer
        self.minDuration = minDuration
        self.maxDuration = maxDuration
        self.horizon = horizon
        self.minimumNotice = minimumNotice
        self.approvalRequired = approvalRequired
        self.autoReleaseAfter = autoReleaseAfter
    }
}

/// A bookable room or area of a venue.
public struct Space: Sendable, Hashable {
    public var id: String
    public var name: String
    public var venue: String
    public var kind: String
    public var capacity: Int
    public var features: [String]
    public var rules: SpaceRules
    /// Spaces that cannot be used at the same time as this one (a divisible hall and its halves).
    public var linked: [String]

    public init(
        id: String, name: String, venue: String, kind: String, capacity: Int, features: [String] = [],
        rules: SpaceRules = SpaceRules(), linked: [String] = []
    ) {
        self.id = id
        self.name = name
        self.venue = venue
        self.kind = kind
        self.capacity = capacity
        self.features = features
        self.rules = rules
        self.linked = linked
    }
}

/// A network member, secretariat or municipality.
public struct Organisation: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var kind: String

    public init(id: String, name: String, kind: String) {
        self.id = id
        self.name = name
        self.kind = kind
    }
}

/// A limit on how much one organisation may book per calendar period (in the venue's zone).
public struct Quota: Sendable, Hashable {
    public enum Period: String, Sendable, Hashable, CaseIterable {
        case day, week, month, year
    }

    /// Organisations the quota applies to; empty means every organisation.
    public var organisations: [String]
    /// Venues whose bookings count; empty means every venue.
    public var venues: [String]
    public var period: Period
    public var maxHours: Double

    public init(organisations: [String] = [], venues: [String] = [], period: Period, maxHours: Double) {
        self.organisations = organisations
        self.venues = venues
        self.period = period
        self.maxHours = maxHours
    }

    public func applies(toOrganisation organisation: String, venue: String) -> Bool {
        (organisations.isEmpty || organisations.contains(organisation)) && (venues.isEmpty || venues.contains(venue))
    }

    /// The calendar period containing a local date.
    public func period(containing date: LocalDate) -> (from: LocalDate, to: LocalDate) {
        switch period {
        case .day:
            return (date, date.adding(days: 1))
        case .week:
            let monday = date.adding(days: 1 - date.weekday)
            return (monday, monday.adding(days: 7))
        case .month:
            let first = LocalDate(year: date.year, month: date.month, day: 1)
            let next =
                date.month == 12
                ? LocalDate(year: date.year + 1, month: 1, day: 1)
                : LocalDate(year: date.year, month: date.month + 1, day: 1)
            return (first, next)
        case .year:
            return (LocalDate(year: date.year, month: 1, day: 1), LocalDate(year: date.year + 1, month: 1, day: 1))
        }
    }
}
