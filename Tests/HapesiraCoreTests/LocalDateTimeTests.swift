import HapesiraCore
import Testing

@Suite("LocalDate and LocalDateTime")
struct LocalDateTimeTests {
    struct KnownDate: Sendable, CustomTestStringConvertible {
        var date: (Int, Int, Int)
        var days: Int64
        var weekday: Int
        var testDescription: String { "\(date)" }
    }

    // Day numbers and ISO weekdays checked against Python's datetime.date.
    @Test(
        "days since epoch and weekday of known dates",
        arguments: [
            KnownDate(date: (1970, 1, 1), days: 0, weekday: 4),
            KnownDate(date: (1969, 12, 31), days: -1, weekday: 3),
            KnownDate(date: (2000, 1, 1), days: 10_957, weekday: 6),
            KnownDate(date: (2000, 2, 29), days: 11_016, weekday: 2),
            KnownDate(date: (2000, 3, 1), days: 11_017, weekday: 3),
            KnownDate(date: (1900, 1, 1), days: -25_567, weekday: 1),
            KnownDate(date: (1600, 1, 1), days: -135_140, weekday: 6),
            KnownDate(date: (2038, 1, 19), days: 24_855, weekday: 2),
            KnownDate(date: (2026, 3, 29), days: 20_541, weekday: 7),
            KnownDate(date: (2400, 2, 29), days: 157_113, weekday: 2),
            KnownDate(date: (1, 1, 1), days: -719_162, weekday: 1),
            KnownDate(date: (9999, 12, 31), days: 2_932_896, weekday: 5),
        ])
    func knownDates(_ c: KnownDate) {
        let date = LocalDate(year: c.date.0, month: c.date.1, day: c.date.2)
        #expect(date.daysSinceEpoch == c.days)
        #expect(date.weekday == c.weekday)
        #expect(LocalDate(daysSinceEpoch: c.days) == date)
    }

    @Test("walking day by day from 1899 to 2101 matches the day count and the weekday cycle")
    func dayByDay() {
        var date = LocalDate(year: 1899, month: 12, day: 25)
        var days = date.daysSinceEpoch
        var weekday = date.weekday
        var leapDays = 0
        while date.year < 2101 {
            // The next date by calendar arithmetic, independently of the day-count functions.
            var next = date
            next.day += 1
            if next.day > LocalDate.daysIn(month: next.month, year: next.year) {
                next.day = 1
                next.month += 1
                if next.month > 12 {
                    next.month = 1
                    next.year += 1
                }
            }
            days += 1
            weekday = weekday % 7 + 1
            if next.month == 2 && next.day == 29 { leapDays += 1 }
            #expect(next.daysSinceEpoch == days)
            #expect(LocalDate(daysSinceEpoch: days) == next)
            #expect(next.weekday == weekday)
            #expect(date.adding(days: 1) == next)
            #expect(date < next)
            date = next
        }
        // 1900 and 2100 are not leap years, 2000 is: 1904…2096 gives 49 leap days.
        #expect(leapDays == 49)
    }

    @Test("civil_from_days and days_from_civil round trip far from the epoch")
    func roundTrip() {
        var d: Int64 = -1_000_000
        while d <= 3_000_000 {
            let date = LocalDate(daysSinceEpoch: d)
            #expect(date.isValid)
            #expect(date.daysSinceEpoch == d)
            d += 997
        }
    }

    @Test(
        "calendar validity",
        arguments: [
            ((2024, 2, 29), true), ((2023, 2, 29), false), ((1900, 2, 29), false), ((2000, 2, 29), true),
            ((2026, 4, 31), false), ((2026, 4, 30), true), ((2026, 12, 31), true), ((2026, 13, 1), false),
            ((2026, 0, 1), false), ((2026, 1, 0), false), ((2026, 1, 32), false),
        ])
    func validity(_ date: (Int, Int, Int), _ valid: Bool) {
        #expect(LocalDate(year: date.0, month: date.1, day: date.2).isValid == valid)
    }

    @Test func localDateTimeFields() {
        let dt = LocalDateTime(year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 5)
        #expect(dt.localSeconds == 20_541 * 86_400 + 2 * 3600 + 30 * 60 + 5)
        #expect(LocalDateTime(localSeconds: dt.localSeconds) == dt)
        #expect(dt.description == "2026-03-29T02:30:05")
        #expect(dt.date == LocalDate(year: 2026, month: 3, day: 29))
        #expect(
            LocalDateTime(localSeconds: -1)
                == LocalDateTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59))
        #expect(LocalDateTime(localSeconds: -86_400) == LocalDateTime(year: 1969, month: 12, day: 31))
        #expect(LocalDate(year: 7, month: 3, day: 9).description == "0007-03-09")
        #expect(LocalDate(year: 12_345, month: 10, day: 31).description == "12345-10-31")
        #expect(LocalDate(year: -44, month: 3, day: 15).description == "-0044-03-15")
        #expect(LocalDateTime(year: 1, month: 1, day: 1).description == "0001-01-01T00:00:00")
        #expect(dt < LocalDateTime(year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 6))
        #expect(LocalDateTime(year: 2025, month: 12, day: 31, hour: 23) < LocalDateTime(year: 2026, month: 1, day: 1))
    }

    @Test(
        "time-of-day validity",
        arguments: [
            (LocalDateTime(year: 2026, month: 1, day: 1, hour: 23, minute: 59, second: 59), true),
            (LocalDateTime(year: 2026, month: 1, day: 1, hour: 24), false),
            (LocalDateTime(year: 2026, month: 1, day: 1, minute: 60), false),
            (LocalDateTime(year: 2026, month: 1, day: 1, second: 60), false),
            (LocalDateTime(year: 2026, month: 1, day: 1, hour: -1), false),
            (LocalDateTime(year: 2026, month: 2, day: 30), false),
        ])
    func timeValidity(_ dt: LocalDateTime, _ valid: Bool) {
        #expect(dt.isValid == valid)
    }

    @Test("local seconds round trip every 7919 s over several years, negative included")
    func secondsRoundTrip() {
        var s: Int64 = -200_000_000
        while s < 2_000_000_000 {
            let dt = LocalDateTime(localSeconds: s)
            #expect(dt.isValid)
            #expect(dt.localSeconds == s)
            s += 7_919_999
        }
    }
}
