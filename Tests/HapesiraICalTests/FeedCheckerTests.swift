import Foundation
import HapesiraCore
import HapesiraICal
import HapesiraTestSupport
import Testing

/// The feed read by independent parsers: Python `icalendar` + `recurring-ical-events` and the
/// strict `ical` package (`scripts/ical-check.py`, installed by `scripts/setup-ical-check`).
@Suite("Feed with independent parsers")
struct FeedCheckerTests {
    typealias F = FeedFixtures

    typealias Occurrence = ICalChecker.Occurrence

    static var expected: [Occurrence] {
        F.expectedOccurrences.map { Occurrence(uid: $0.uid, start: $0.start, end: $0.end) }
    }

    @Test func pythonParsersAgreeOnTheOccurrences() throws {
        let (status, output) = try ICalChecker.check(
            FeedWriter.write(F.calendar), expected: Self.expected, from: F.windowStart, to: F.windowEnd)
        #expect(status == 0, "\(output)")
    }

    /// The checker is only worth something if it notices a wrong occurrence list.
    @Test func checkerNoticesADifference() throws {
        var wrong = Self.expected
        wrong.removeLast()
        let (status, output) = try ICalChecker.check(
            FeedWriter.write(F.calendar), expected: wrong, from: F.windowStart, to: F.windowEnd)
        #expect(status == 1, "\(output)")
        #expect(output.contains("unexpected"), "\(output)")
    }
}
