/// A closure a manager added at run time (the configured ones live on the ``Venue``).
public struct VenueClosure: Sendable, Hashable {
    public var id: Int64
    public var venue: String
    public var closure: Closure
    /// The token and organisation that added it.
    public var createdBy: String
    public var createdByOrganisation: String
    public var createdAt: Int64

    public init(
        id: Int64, venue: String, closure: Closure, createdBy: String, createdByOrganisation: String, createdAt: Int64
    ) {
        self.id = id
        self.venue = venue
        self.closure = closure
        self.createdBy = createdBy
        self.createdByOrganisation = createdByOrganisation
        self.createdAt = createdAt
    }
}

/// A request to block time in a venue, as typed into a form or a JSON body: dates `YYYY-MM-DD`,
/// optional times `HH:MM` (venue-local).
public struct ClosureRequest: Sendable, Hashable {
    public var from: String
    /// The last day; the first when empty.
    public var to: String?
    /// When the closure begins on the first day; midnight when empty.
    public var startTime: String?
    /// When it ends on the last day (`24:00` allowed); the end of the day when empty.
    public var endTime: String?
    public var reason: String
    /// Cancel the pending and confirmed bookings in the way instead of refusing.
    public var cancelBookings: Bool

    public init(
        from: String, to: String? = nil, startTime: String? = nil, endTime: String? = nil, reason: String,
        cancelBookings: Bool = false
    ) {
        self.from = from
        self.to = to
        self.startTime = startTime
        self.endTime = endTime
        self.reason = reason
        self.cancelBookings = cancelBookings
    }

    /// The closure asked for; a wrong field throws ``BookingError/invalid(field:message:)`` naming it.
    public func closure() throws(BookingError) -> Closure {
        guard let first = LocalDate(from.trimmingWhitespace) else {
            throw .invalid(field: "from", message: "from must be a date YYYY-MM-DD")
        }
        let last: LocalDate
        if let to = to?.trimmingWhitespace, !to.isEmpty {
            guard let date = LocalDate(to) else { throw .invalid(field: "to", message: "to must be a date YYYY-MM-DD") }
            guard date >= first else { throw .invalid(field: "to", message: "to is before from") }
            last = date
        } else {
            last = first
        }
        let start = try Self.minutes(startTime, field: "start_time", allowingMidnightEnd: false) ?? 0
        let end = try Self.minutes(endTime, field: "end_time", allowingMidnightEnd: true) ?? 1440
        guard last > first || end > start else {
            throw .invalid(field: "end_time", message: "end_time must be after start_time")
        }
        let reason = self.reason.trimmingWhitespace
        guard !reason.isEmpty, reason.count <= 200 else {
            throw .invalid(field: "reason", message: "reason must be 1 to 200 characters")
        }
        return Closure(from: first, to: last, reason: String(reason), startMinute: start, endMinute: end)
    }

    /// `HH:MM` as minutes after midnight; nil when empty.
    private static func minutes(
        _ text: String?, field: String, allowingMidnightEnd: Bool
    ) throws(BookingError) -> Int? {
        guard let text = text?.trimmingWhitespace, !text.isEmpty else { return nil }
        guard let minutes = ClockTime.minutes(text), minutes < 1440 || allowingMidnightEnd else {
            throw .invalid(field: field, message: "\(field) must be a time HH:MM")
        }
        return minutes
    }
}

/// Times of day as `HH:MM`, counted in minutes after midnight (`24:00` is 1440).
public enum ClockTime {
    public static func text(_ minutes: Int) -> String { "\((minutes / 60).padded(2)):\((minutes % 60).padded(2))" }

    /// `HH:MM` from `00:00` to `24:00`; nil for anything else.
    public static func minutes(_ text: some StringProtocol) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]),
            let minute = Int(parts[1]), (0..<60).contains(minute), (0...24).contains(hour), hour * 60 + minute <= 1440
        else { return nil }
        return hour * 60 + minute
    }
}

/// Why time could not be blocked.
public enum ClosureError: Error, Sendable {
    /// Pending or confirmed bookings hold time in the closure: decline or cancel them first, or
    /// ask for them to be cancelled (409).
    case bookingsInTheWay([BusyOccurrence])
}
