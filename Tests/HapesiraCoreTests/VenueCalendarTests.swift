import HapesiraCore
import Testing

@Suite("VenueCalendar")
struct VenueCalendarTests {
    let bg = Fixture.bg
    static let kino = Fixture.venues[0]
    static let club = Fixture.venues[2]

    func day(_ year: Int, _ month: Int, _ day: Int) -> Interval {
        let zone = Fixture.belgrade
        let date = LocalDate(year: year, month: month, day: day)
        return Interval(start: zone.startOfDay(date), end: zone.startOfDay(date.adding(days: 1)))
    }

    @Test(
        "opening hours per weekday (week of Monday 2026-05-11)",
        arguments: [
            (11, [(9, 23)]), (12, [(9, 23)]), (13, [(9, 23)]), (14, [(9, 23)]), (15, [(9, 23)]),
            (16, [(10, 24)]), (17, [(10, 24)]),
        ])
    func openingHoursPerWeekday(_ dayOfMonth: Int, _ hours: [(Int, Int)]) {
        let calendar = VenueCalendar(venue: Self.kino)
        let expected = hours.map {
            Interval(
                start: bg(2026, 5, dayOfMonth, $0.0, 0, 0), end: bg(2026, 5, dayOfMonth, 0, 0, 0) + Int64($0.1) * 3600)
        }
        #expect(calendar.openIntervals(overlapping: day(2026, 5, dayOfMonth)) == expected)
    }

    @Test func severalRangesInADay() {
        let venue = Venue(
            id: "v", name: "V", city: "peja", zone: Fixture.belgrade,
            openingHours: OpeningHours(days: [
                2: [Fixture.range((10, 0), (13, 0)), Fixture.range((15, 0), (24, 0))]
            ]))
        let calendar = VenueCalendar(venue: venue)
        // Tuesday 2026-05-12; Monday and Wednesday are closed all day.
        #expect(
            calendar.openIntervals(
                overlapping: Interval(start: bg(2026, 5, 11, 0, 0, 0), end: bg(2026, 5, 14, 0, 0, 0)))
                == [
                    Interval(start: bg(2026, 5, 12, 10, 0, 0), end: bg(2026, 5, 12, 13, 0, 0)),
                    Interval(start: bg(2026, 5, 12, 15, 0, 0), end: bg(2026, 5, 13, 0, 0, 0)),
                ])
        #expect(calendar.isOpen(throughout: Interval(start: bg(2026, 5, 12, 10, 0, 0), end: bg(2026, 5, 12, 13, 0, 0))))
        #expect(
            !calendar.isOpen(throughout: Interval(start: bg(2026, 5, 12, 12, 0, 0), end: bg(2026, 5, 12, 16, 0, 0))))
        #expect(
            !calendar.isOpen(throughout: Interval(start: bg(2026, 5, 12, 23, 0, 0), end: bg(2026, 5, 13, 0, 30, 0))))
    }

    @Test("a range to 24:00 merges with the next day's range from 00:00")
    func mergesAcrossMidnight() {
        let calendar = VenueCalendar(venue: Self.club)
        // Saturday 2026-05-16 20:00 to Sunday 03:00 is one opening.
        let weekend = Interval(start: bg(2026, 5, 16, 0, 0, 0), end: bg(2026, 5, 18, 0, 0, 0))
        #expect(
            calendar.openIntervals(overlapping: weekend)
                == [Interval(start: bg(2026, 5, 16, 20, 0, 0), end: bg(2026, 5, 17, 3, 0, 0))])
        #expect(calendar.isOpen(throughout: Interval(start: bg(2026, 5, 16, 23, 0, 0), end: bg(2026, 5, 17, 1, 0, 0))))
        #expect(calendar.isOpen(throughout: Interval(start: bg(2026, 5, 16, 20, 0, 0), end: bg(2026, 5, 17, 3, 0, 0))))
        #expect(
            !calendar.isOpen(throughout: Interval(start: bg(2026, 5, 16, 19, 59, 0), end: bg(2026, 5, 16, 22, 0, 0))))
        #expect(!calendar.isOpen(throughout: Interval(start: bg(2026, 5, 17, 2, 0, 0), end: bg(2026, 5, 17, 3, 1, 0))))
        // A span after midnight sees the night's opening up to 03:00 (callers clip to their span, so where the
        // returned interval starts, Saturday 20:00 or Sunday 00:00, does not matter).
        let sunday = Interval(start: bg(2026, 5, 17, 1, 0, 0), end: bg(2026, 5, 17, 2, 0, 0))
        let open = calendar.openIntervals(overlapping: sunday)
        #expect(open.count == 1)
        #expect(open.first?.contains(sunday) == true)
        #expect(open.first?.end == bg(2026, 5, 17, 3, 0, 0))
        // Friday night is closed.
        #expect(calendar.openIntervals(overlapping: day(2026, 5, 15)).isEmpty)
    }

    @Test("always open: consecutive days merge into one interval")
    func alwaysOpen() {
        let venue = Venue(id: "v", name: "V", city: "c", zone: Fixture.belgrade, openingHours: .always)
        let span = Interval(start: bg(2026, 5, 11, 12, 0, 0), end: bg(2026, 5, 13, 12, 0, 0))
        #expect(
            VenueCalendar(venue: venue).openIntervals(overlapping: span)
                == [Interval(start: bg(2026, 5, 11, 0, 0, 0), end: bg(2026, 5, 14, 0, 0, 0))])
    }

    @Test("hours on the spring-forward day are wall-clock hours")
    func daylightSaving() {
        let venue = Venue(
            id: "v", name: "V", city: "c", zone: Fixture.belgrade,
            openingHours: OpeningHours(days: [7: [Fixture.range((1, 0), (4, 0))]]))
        let open = VenueCalendar(venue: venue).openIntervals(overlapping: day(2026, 3, 29))
        // 01:00 CET = 00:00Z to 04:00 CEST = 02:00Z: two real hours.
        #expect(open == [Interval(start: Fixture.utc(2026, 3, 29, 0), end: Fixture.utc(2026, 3, 29, 2))])
        #expect(day(2026, 3, 29).duration == 23 * 3600)
    }

    @Test func closedDaysHaveNoHours() {
        let calendar = VenueCalendar(venue: Self.kino)
        // Wed 30 Dec open; 31 Dec – 2 Jan closed; Sun 3 Jan open from 10:00.
        let span = Interval(start: bg(2026, 12, 30, 0, 0, 0), end: bg(2027, 1, 4, 0, 0, 0))
        #expect(
            calendar.openIntervals(overlapping: span) == [
                Interval(start: bg(2026, 12, 30, 9, 0, 0), end: bg(2026, 12, 30, 23, 0, 0)),
                Interval(start: bg(2027, 1, 3, 10, 0, 0), end: bg(2027, 1, 4, 0, 0, 0)),
            ])
    }

    @Test("a closed day cuts a night opening at midnight")
    func closureCutsNight() {
        var venue = Self.club
        venue.closures = [
            Closure(
                from: LocalDate(year: 2026, month: 5, day: 17), to: LocalDate(year: 2026, month: 5, day: 17),
                reason: "x")
        ]
        #expect(
            VenueCalendar(venue: venue).openIntervals(overlapping: day(2026, 5, 16))
                == [Interval(start: bg(2026, 5, 16, 20, 0, 0), end: bg(2026, 5, 17, 0, 0, 0))])
    }

    @Test(
        "closure(touching:) looks at every local day the interval touches",
        arguments: [
            ((2026, 12, 31, 18), (2026, 12, 31, 20), "New Year's Eve"),
            ((2026, 12, 30, 23), (2026, 12, 31, 1), "New Year's Eve"),
            ((2027, 1, 2, 10), (2027, 1, 2, 12), "New Year holidays"),
            ((2027, 1, 2, 23), (2027, 1, 3, 1), "New Year holidays"),
            ((2026, 12, 30, 22), (2026, 12, 31, 0), nil),
            ((2027, 1, 3, 0), (2027, 1, 3, 2), nil),
            ((2026, 12, 30, 18), (2026, 12, 30, 20), nil),
        ] as [((Int, Int, Int, Int), (Int, Int, Int, Int), String?)])
    func closureTouching(_ from: (Int, Int, Int, Int), _ to: (Int, Int, Int, Int), _ reason: String?) {
        let interval = Interval(start: bg(from.0, from.1, from.2, from.3, 0, 0), end: bg(to.0, to.1, to.2, to.3, 0, 0))
        #expect(VenueCalendar(venue: Self.kino).closure(touching: interval)?.reason == reason)
    }

    @Test func closureCovers() {
        let closure = Fixture.kinoClosures[1]
        #expect(!closure.covers(LocalDate(year: 2026, month: 12, day: 31)))
        #expect(closure.covers(LocalDate(year: 2027, month: 1, day: 1)))
        #expect(closure.covers(LocalDate(year: 2027, month: 1, day: 2)))
        #expect(!closure.covers(LocalDate(year: 2027, month: 1, day: 3)))
    }
}
