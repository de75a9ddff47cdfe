/// A venue's opening hours and closures turned into instants.
public struct VenueCalendar: Sendable {
    public let venue: Venue

    public init(venue: Venue) { self.venue = venue }

    /// The times the venue is open that overlap `span`, merged across midnight, closures removed.
    public func openIntervals(overlapping span: Interval) -> [Interval] {
        let zone = venue.zone
        let firstDay = zone.local(span.start).date.adding(days: -1)
        let lastDay = zone.local(span.end).date
        var open: [Interval] = []
        var day = firstDay
        while day <= lastDay {
            if !venue.closures.contains(where: { $0.covers(day) }) {
                for range in venue.openingHours.days[day.weekday] ?? [] {
                    let start = instant(day, minute: range.start)
                    let end = instant(day, minute: range.end)
                    let interval = Interval(start: start, end: end)
                    if interval.overlaps(span) { open.append(interval) }
                }
            }
            day = day.adding(days: 1)
        }
        return open.merged()
    }

    /// Whether the venue is open, without a break, for the whole interval.
    public func isOpen(throughout interval: Interval) -> Bool {
        openIntervals(overlapping: interval).contains { $0.contains(interval) }
    }

    /// The first closure that covers any local day the interval touches.
    public func closure(touching interval: Interval) -> Closure? {
        let first = venue.zone.local(interval.start).date
        let last = venue.zone.local(max(interval.start, interval.end - 1)).date
        return venue.closures.first { $0.from <= last && first <= $0.to }
    }

    private func instant(_ day: LocalDate, minute: Int) -> Int64 {
        let date = day.adding(days: minute / 1440)
        let rest = minute % 1440
        return venue.zone.resolvedInstant(
            for: LocalDateTime(year: date.year, month: date.month, day: date.day, hour: rest / 60, minute: rest % 60))
    }
}
