/// Why one occurrence cannot be booked. Each rule has its own case.
public enum RuleViolation: Sendable, Hashable {
    case conflict([BusyOccurrence])
    case outsideOpeningHours
    case closed(reason: String)
    case tooShort(minimum: Int64)
    case tooLong(maximum: Int64)
    case inThePast
    case insufficientNotice(minimum: Int64)
    case beyondHorizon(maximum: Int64)
    case quotaExceeded(Quota, bookedSeconds: Int64)
    case overCapacity(capacity: Int, expected: Int)

    /// A stable machine-readable code (the JSON `error` / `rule`).
    public var code: String {
        switch self {
        case .conflict: "conflict"
        case .outsideOpeningHours: "outside_opening_hours"
        case .closed: "closed"
        case .tooShort: "too_short"
        case .tooLong: "too_long"
        case .inThePast: "in_the_past"
        case .insufficientNotice: "insufficient_notice"
        case .beyondHorizon: "beyond_horizon"
        case .quotaExceeded: "quota_exceeded"
        case .overCapacity: "over_capacity"
        }
    }

    /// The request field the rule is about.
    public var field: String {
        switch self {
        case .conflict, .outsideOpeningHours, .closed, .inThePast, .insufficientNotice, .beyondHorizon: "start"
        case .tooShort, .tooLong: "end"
        case .quotaExceeded: "organisation"
        case .overCapacity: "expected_attendance"
        }
    }

    public var message: String {
        switch self {
        case .conflict(let others):
            "the space (or a space linked to it) is taken by \(others.count) other booking(s), setup and teardown included"
        case .outsideOpeningHours: "the venue is not open for the whole of this time"
        case .closed(let reason): "the venue is closed at this time: \(reason)"
        case .tooShort(let minimum): "bookings of this space last at least \(minimum / 60) minutes"
        case .tooLong(let maximum): "bookings of this space last at most \(maximum / 60) minutes"
        case .inThePast: "the time has already begun"
        case .insufficientNotice(let minimum): "bookings must be made at least \(minimum / 60) minutes ahead"
        case .beyondHorizon(let maximum): "bookings can be made at most \(maximum / 86_400) days ahead"
        case .quotaExceeded(let quota, let booked):
            "the organisation's quota of \(quota.maxHours.formatted) hours per \(quota.period.rawValue) would be exceeded (\((Double(booked) / 3600).formatted) hours already booked)"
        case .overCapacity(let capacity, let expected):
            "expected attendance \(expected) exceeds the space's capacity of \(capacity)"
        }
    }
}

extension Double {
    var formatted: String {
        self == rounded() ? String(Int(self)) : String((self * 100).rounded() / 100)
    }
}
