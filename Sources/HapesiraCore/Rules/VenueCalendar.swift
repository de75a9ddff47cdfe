/// A venue's opening hours and closures turned into instants.
public struct VenueCalendar: Sendable {
    public let venue: Venue
    /// The configured closures and those added at run time.
    public let closures: [Closure]

    /// - Parameter added: closures added at run time, on top of the venue's configured ones.
    public init(venue: Venue, adding added: [Closure] = []) {
        self.venue = venue
        self.closures = venue.closures + added
    }

    /// The times the venue is open that overlap `span`, merged across midnight, closures removed.
    public func openIntervals(overlapping span: Interval) -> [Interval] {
        let zone = venue.zone
        let firstDay = zone.local(span.start).date.adding(days: -1)
        let lastDay = zone.local(span.end).date
        var open: [Interval] = []
        var day = firstDay
        while day <= lastDay {
            for range in venue.openingHours.days[day.weekday] ?? [] {
                let interval = Interval(
                    start: zone.instant(day, minute: range.start), end: zone.instant(day, minute: range.end))
                if interval.overlaps(span) { open.append(interval) }
            }
            day = day.adding(days: 1)
        }
        let closed = closures.map { $0.interval(in: zone) }.filter { $0.overlaps(span) }
        return open.merged().flatMap { closed.complement(within: $0) }
    }

    /// Whether the venue is open, without a break, for the whole interval.
    public func isOpen(throughout interval: Interval) -> Bool {
        openIntervals(overlapping: interval).contains { $0.contains(interval) }
    }

    /// The first closure that covers any part of the interval (for whole-day closures: any local
    /// day the interval touches).
    public func closure(touching interval: Interval) -> Closure? {
        closures.first { $0.interval(in: venue.zone).overlaps(interval) }
    }
}
