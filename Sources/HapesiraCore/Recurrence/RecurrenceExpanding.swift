/// Why a recurrence rule was not accepted.
public enum RecurrenceError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)
    case tooFrequent(String)
    case unbounded
    case runsPastHorizon(lastAllowed: LocalDateTime)
    case tooManyOccurrences(limit: Int)

    public var description: String {
        switch self {
        case .invalid(let detail): "not a valid RFC 5545 RRULE: \(detail)"
        case .tooFrequent(let frequency):
            "FREQ=\(frequency) is too frequent for room bookings (use DAILY or less often)"
        case .unbounded: "the series never ends: add COUNT or UNTIL"
        case .runsPastHorizon(let last): "the series runs past the booking horizon; it must end by \(last)"
        case .tooManyOccurrences(let limit): "the series has more than \(limit) occurrences"
        }
    }
}

/// The result of expanding a rule inside a window.
public struct Expansion: Sendable, Equatable {
    /// Occurrence start times (wall clock), in order, the first being the series start.
    public var starts: [LocalDateTime]
    /// Whether the rule goes on past the window or the limit.
    public var truncated: Bool

    public init(starts: [LocalDateTime], truncated: Bool) {
        self.starts = starts
        self.truncated = truncated
    }
}

/// Expands an RFC 5545 RRULE in wall-clock time (implemented with libical).
public protocol RecurrenceExpanding: Sendable {
    /// Occurrence starts of `rule` from `start` up to and including `windowEnd`, at most `limit` of them.
    /// An `UNTIL` in UTC is read in `zone`.
    func expand(
        rule: String, start: LocalDateTime, zone: Zone, windowEnd: LocalDateTime, limit: Int
    ) throws(RecurrenceError) -> Expansion
}
