/// Why a report request was refused.
public enum ReportRequestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `from` or `to` is not a calendar date.
    case invalidDate(LocalDate)
    /// `to` is not after `from` (the range is `[from, to)`, so `from == to` is empty too).
    case emptyRange(from: LocalDate, to: LocalDate)
    /// The range spans more days than a report may cover.
    case rangeTooLong(days: Int, maximum: Int)

    public var description: String {
        switch self {
        case .invalidDate(let date): "\(date) is not a calendar date"
        case .emptyRange(let from, let to): "the range \(from) to \(to) is empty: 'to' must be after 'from'"
        case .rangeTooLong(let days, let maximum): "the range spans \(days) days; a report covers at most \(maximum)"
        }
    }
}

/// The calendar unit a report is broken down by.
public enum ReportPeriod: String, Sendable, Hashable, CaseIterable {
    case day, week, month, quarter, year
    /// The whole requested range as one period.
    case range
}

/// The dates a report covers: `[from, to)` in venue-local calendar days. Each space's days begin
/// at local midnight in its own venue's zone, so a DST day has 23 or 25 hours.
public struct ReportRange: Sendable, Hashable {
    public let from: LocalDate
    /// The first day no longer covered.
    public let to: LocalDate

    /// Three years, a leap day included.
    public static let defaultMaximumDays = 1096

    public init(from: LocalDate, to: LocalDate, maximumDays: Int = defaultMaximumDays) throws(ReportRequestError) {
        guard from.isValid else { throw .invalidDate(from) }
        guard to.isValid else { throw .invalidDate(to) }
        guard from < to else { throw .emptyRange(from: from, to: to) }
        let days = Int(to.daysSinceEpoch - from.daysSinceEpoch)
        guard days <= maximumDays else { throw .rangeTooLong(days: days, maximum: maximumDays) }
        self.from = from
        self.to = to
    }

    /// The range cut into calendar periods: the first and last may be partial (`isComplete` false).
    /// Weeks are ISO weeks starting on Monday.
    public func slots(_ period: ReportPeriod) -> [PeriodSlot] {
        var slots: [PeriodSlot] = []
        var start = from
        while start < to {
            let (periodStart, periodEnd) = period.bounds(containing: start, range: self)
            let end = min(periodEnd, to)
            slots.append(
                PeriodSlot(period: period, from: start, to: end, isComplete: periodStart == start && periodEnd == end))
            start = end
        }
        return slots
    }
}

/// One period of a report, `[from, to)` in venue-local days.
public struct PeriodSlot: Sendable, Hashable {
    public var period: ReportPeriod
    public var from: LocalDate
    public var to: LocalDate
    /// A whole calendar period, not cut short by the requested range.
    public var isComplete: Bool

    public init(period: ReportPeriod, from: LocalDate, to: LocalDate, isComplete: Bool) {
        self.period = period
        self.from = from
        self.to = to
        self.isComplete = isComplete
    }

    /// `2026-03-29`, `2026-W13` (ISO week-numbering year), `2026-03`, `2026-Q1`, `2026`, or
    /// `2026-01-01/2027-01-01` for a whole range (end exclusive).
    public var label: String {
        switch period {
        case .day: "\(from)"
        case .week: Self.isoWeek(of: from)
        case .month: "\(from.year.padded(4))-\(from.month.padded(2))"
        case .quarter: "\(from.year.padded(4))-Q\((from.month - 1) / 3 + 1)"
        case .year: from.year.padded(4)
        case .range: "\(from)/\(to)"
        }
    }

    /// The ISO week of a date: it belongs to the year of its week's Thursday.
    private static func isoWeek(of date: LocalDate) -> String {
        let thursday = date.adding(days: 4 - date.weekday)
        let firstOfYear = LocalDate(year: thursday.year, month: 1, day: 1)
        let week = Int(thursday.daysSinceEpoch - firstOfYear.daysSinceEpoch) / 7 + 1
        return "\(thursday.year.padded(4))-W\(week.padded(2))"
    }
}

extension ReportPeriod {
    /// The calendar period containing `date`, `[start, end)`.
    fileprivate func bounds(containing date: LocalDate, range: ReportRange) -> (LocalDate, LocalDate) {
        switch self {
        case .day:
            return (date, date.adding(days: 1))
        case .week:
            let monday = date.adding(days: 1 - date.weekday)
            return (monday, monday.adding(days: 7))
        case .month, .quarter:
            let months = self == .month ? 1 : 3
            let firstMonth = (date.month - 1) / months * months + 1
            let start = LocalDate(year: date.year, month: firstMonth, day: 1)
            let next = firstMonth + months
            let end =
                next > 12
                ? LocalDate(year: date.year + 1, month: 1, day: 1) : LocalDate(year: date.year, month: next, day: 1)
            return (start, end)
        case .year:
            return (LocalDate(year: date.year, month: 1, day: 1), LocalDate(year: date.year + 1, month: 1, day: 1))
        case .range:
            return (range.from, range.to)
        }
    }
}

/// The instants at which a list of slots begin in one zone, plus the end of the last: slot `i` is
/// `[instants[i], instants[i + 1])`.
struct SlotInstants: Sendable {
    let instants: [Int64]

    init(_ slots: [PeriodSlot], zone: Zone) {
        var instants = slots.map { zone.startOfDay($0.from) }
        if let last = slots.last { instants.append(zone.startOfDay(last.to)) }
        self.instants = instants
    }

    var span: Interval { Interval(start: instants.first ?? 0, end: instants.last ?? 0) }

    /// The slot containing the instant, or `nil` outside every slot.
    func slot(containing instant: Int64) -> Int? {
        guard let first = instants.first, let last = instants.last, first <= instant, instant < last else {
            return nil
        }
        // The last boundary at or before the instant.
        var low = 0
        var high = instants.count - 2
        while low < high {
            let middle = (low + high + 1) / 2
            if instants[middle] <= instant { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The seconds of the interval in each slot it overlaps, in order.
    func split(_ interval: Interval) -> [(slot: Int, seconds: Int64)] {
        guard let inside = interval.intersection(span), var slot = self.slot(containing: inside.start) else {
            return []
        }
        var parts: [(slot: Int, seconds: Int64)] = []
        while slot + 1 < instants.count, instants[slot] < inside.end {
            let part = Interval(start: max(inside.start, instants[slot]), end: min(inside.end, instants[slot + 1]))
            parts.append((slot, part.duration))
            slot += 1
        }
        return parts
    }
}
