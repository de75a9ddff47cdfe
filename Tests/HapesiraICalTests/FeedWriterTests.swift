import Foundation
import HapesiraCore
import Testing

@testable import HapesiraICal

@Suite("FeedWriter")
struct FeedWriterTests {
    typealias F = FeedFixtures

    static func lines(_ text: String) -> [String] {
        text.components(separatedBy: "\r\n").dropLast().map { $0 }
    }

    /// Lines with folding undone (RFC 5545 §3.1).
    static func unfolded(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").dropLast().map { $0 }
    }

    /// The unfolded lines of the VEVENT(s) with this UID, or of all VEVENTs.
    static func eventLines(_ text: String, uid: String? = nil) -> [[String]] {
        var result: [[String]] = []
        var current: [String]? = nil
        for line in unfolded(text) {
            if line == "BEGIN:VEVENT" { current = [] }
            current?.append(line)
            if line == "END:VEVENT", let event = current {
                if uid.map({ event.contains("UID:\($0)") }) ?? true { result.append(event) }
                current = nil
            }
        }
        return result
    }

    // MARK: Round trip through libical

    @Test func roundTripKeepsEventsAndTimes() throws {
        let feed = try LibicalFeedReader.read(FeedWriter.write(F.calendar))
        #expect(feed.errorCount == 0)
        #expect(
            feed.events.map(\.uid) == [
                "series-1@hapesira", "series-1@hapesira", "series-2@hapesira", "private-1@hapesira",
            ])

        let master = feed.events[0]
        #expect(master.recurrenceID == nil)
        #expect(master.start == F.weekly.start && master.end == F.weekly.end)
        #expect(master.startTZID == "Europe/Belgrade")
        #expect(master.sequence == 1)
        // 19:00 CEST on 13 April is 17:00Z.
        #expect(master.rule == "FREQ=WEEKLY;UNTIL=20260413T170000Z")
        #expect(master.excluded == [F.local(2026, 4, 6, 19)])
        #expect(master.summary == "Provë e korit")
        #expect(master.status == "CONFIRMED")

        let moved = feed.events[1]
        #expect(moved.recurrenceID == F.local(2026, 3, 30, 19))
        #expect(moved.start == F.local(2026, 3, 30, 20) && moved.end == F.local(2026, 3, 30, 22))
        #expect(moved.sequence == 2)
        #expect(moved.rule == nil && moved.excluded.isEmpty)
        #expect(moved.summary == "Provë e korit")

        // A date-only UNTIL is the end of that day in Belgrade: 23:59:59 CET is 22:59:59Z.
        #expect(feed.events[2].rule == "FREQ=WEEKLY;UNTIL=20261031T225959Z")
        #expect(feed.events[3].start == F.hidden.start && feed.events[3].end == F.hidden.end)
        #expect(feed.events[3].sequence == 3)
    }

    @Test func libicalExpandsTheExpectedOccurrencesAcrossDaylightSavingChanges() throws {
        let occurrences = try LibicalFeedReader.occurrences(
            FeedWriter.write(F.calendar), from: F.windowStart, to: F.windowEnd)
        let expected = F.expectedOccurrences.map {
            LibicalFeedReading.Occurrence(uid: $0.uid, start: $0.start, end: $0.end)
        }
        #expect(occurrences == expected)
    }

    @Test func overrideSequenceIsAtLeastTheMasters() throws {
        var event = F.weekly
        event.sequence = 5
        let feed = try LibicalFeedReader.read(FeedWriter.write(FeedCalendar(names: [], events: [event])))
        #expect(feed.events.map(\.sequence) == [5, 5])
    }

    struct UntilCase: Sendable, CustomTestStringConvertible {
        var rule: String
        var written: String
        var testDescription: String { rule }
    }

    static let untilCases: [UntilCase] = [
        // Local UNTIL: wall-clock time in Belgrade (CEST after 29 March, CET before).
        UntilCase(rule: "FREQ=WEEKLY;UNTIL=20260413T190000", written: "FREQ=WEEKLY;UNTIL=20260413T170000Z"),
        UntilCase(rule: "FREQ=WEEKLY;UNTIL=20260323T190000", written: "FREQ=WEEKLY;UNTIL=20260323T180000Z"),
        // Date-only UNTIL: the end of that day in Belgrade.
        UntilCase(rule: "FREQ=WEEKLY;UNTIL=20260413", written: "FREQ=WEEKLY;UNTIL=20260413T215959Z"),
        UntilCase(rule: "FREQ=DAILY;UNTIL=20260328", written: "FREQ=DAILY;UNTIL=20260328T225959Z"),
        // UTC UNTIL as stored.
        UntilCase(rule: "FREQ=WEEKLY;UNTIL=20260413T170000Z", written: "FREQ=WEEKLY;UNTIL=20260413T170000Z"),
        UntilCase(rule: "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4", written: "FREQ=WEEKLY;COUNT=4;BYDAY=MO,WE"),
    ]

    @Test("RRULE UNTIL is written in UTC", arguments: untilCases)
    func untilInUTC(_ c: UntilCase) throws {
        var event = F.weekly
        event.recurrence = c.rule
        event.overrides = []
        event.excluded = []
        let text = FeedWriter.write(FeedCalendar(names: [], events: [event]))
        #expect(try LibicalFeedReader.read(text).events[0].rule == c.written)
        #expect(Self.unfolded(text).contains("RRULE:\(c.written)"))
    }

    // MARK: Structure

    @Test func calendarProperties() {
        let lines = Self.unfolded(FeedWriter.write(F.calendar))
        #expect(
            Array(lines.prefix(12)) == [
                "BEGIN:VCALENDAR",
                "PRODID:-//Hapesira//Hapesira//EN",
                "VERSION:2.0",
                "CALSCALE:GREGORIAN",
                "NAME;LANGUAGE=sq:Salla e Madhe",
                "NAME;LANGUAGE=en:Main Hall",
                "X-WR-CALNAME:Salla e Madhe",
                "DESCRIPTION:Rezervimet e sallës",
                "X-WR-CALDESC:Rezervimet e sallës",
                "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
                "X-PUBLISHED-TTL:PT1H",
                "BEGIN:VTIMEZONE",
            ])
        #expect(!lines.contains { $0.hasPrefix("METHOD") })
        #expect(lines.filter { $0.hasPrefix("PRODID") || $0.hasPrefix("VERSION") }.count == 2)
        #expect(lines.last == "END:VCALENDAR")
    }

    @Test func eventProperties() throws {
        let text = FeedWriter.write(F.calendar)
        let events = Self.eventLines(text, uid: "series-1@hapesira")
        try #require(events.count == 2)
        #expect(
            events[0] == [
                "BEGIN:VEVENT",
                "UID:series-1@hapesira",
                "SEQUENCE:1",
                "DTSTAMP:20260102T000000Z",
                "CREATED:20260101T000000Z",
                "LAST-MODIFIED:20260102T000000Z",
                "DTSTART;TZID=Europe/Belgrade:20260316T190000",
                "DTEND;TZID=Europe/Belgrade:20260316T210000",
                "RRULE:FREQ=WEEKLY;UNTIL=20260413T170000Z",
                "EXDATE;TZID=Europe/Belgrade:20260406T190000",
                "SUMMARY:Provë e korit",
                #"DESCRIPTION:Kori i qytetit\; provë\, pa publik\nHyrja B"#,
                "LOCATION:Salla e Madhe",
                "CATEGORIES:Muzikë",
                "STATUS:CONFIRMED",
                "CLASS:PUBLIC",
                "ORGANIZER;CN=Kori:mailto:kori@example.org",
                "END:VEVENT",
            ])
        #expect(
            events[1] == [
                "BEGIN:VEVENT",
                "UID:series-1@hapesira",
                "SEQUENCE:2",
                "DTSTAMP:20260102T000000Z",
                "CREATED:20260101T000000Z",
                "LAST-MODIFIED:20260102T000000Z",
                "RECURRENCE-ID;TZID=Europe/Belgrade:20260330T190000",
                "DTSTART;TZID=Europe/Belgrade:20260330T200000",
                "DTEND;TZID=Europe/Belgrade:20260330T220000",
                "SUMMARY:Provë e korit",
                #"DESCRIPTION:Kori i qytetit\; provë\, pa publik\nHyrja B"#,
                "LOCATION:Salla e Madhe",
                "CATEGORIES:Muzikë",
                "STATUS:CONFIRMED",
                "CLASS:PUBLIC",
                "ORGANIZER;CN=Kori:mailto:kori@example.org",
                "END:VEVENT",
            ])
    }

    @Test func dtstampEqualsLastModified() {
        for event in Self.eventLines(FeedWriter.write(F.calendar)) {
            let stamp = event.first { $0.hasPrefix("DTSTAMP:") }?.dropFirst("DTSTAMP:".count)
            let modified = event.first { $0.hasPrefix("LAST-MODIFIED:") }?.dropFirst("LAST-MODIFIED:".count)
            #expect(stamp != nil && stamp == modified)
            #expect(stamp?.hasSuffix("Z") == true)
        }
    }

    @Test("private events are marked CLASS:PRIVATE and written as given (the caller hides details)")
    func privateEventsAreMarked() {
        let events = Self.eventLines(FeedWriter.write(F.calendar), uid: "private-1@hapesira")
        #expect(
            events == [
                [
                    "BEGIN:VEVENT",
                    "UID:private-1@hapesira",
                    "SEQUENCE:3",
                    "DTSTAMP:20260102T000000Z",
                    "CREATED:20260101T000000Z",
                    "LAST-MODIFIED:20260102T000000Z",
                    "DTSTART;TZID=Europe/Belgrade:20261025T100000",
                    "DTEND;TZID=Europe/Belgrade:20261025T120000",
                    "SUMMARY:Takim i bordit",
                    "DESCRIPTION:Buxheti 2027",
                    "CATEGORIES:Bord",
                    "STATUS:CONFIRMED",
                    "CLASS:PRIVATE",
                    "ORGANIZER;CN=Bordi:mailto:bordi@example.org",
                    "END:VEVENT",
                ]
            ])
    }

    @Test func oneCompactTimezonePerZoneUsed() throws {
        var elsewhere = F.autumn
        elsewhere.uid = "tirane@hapesira"
        elsewhere.zone = F.tirane
        var inUTC = F.hidden
        inUTC.uid = "utc@hapesira"
        inUTC.zone = .utc
        let text = FeedWriter.write(FeedCalendar(names: [], events: [F.weekly, elsewhere, F.autumn, inUTC]))
        let feed = try LibicalFeedReader.read(text)
        #expect(feed.timezones.map(\.tzid) == ["Europe/Belgrade", "Europe/Tirane"])
        for zone in feed.timezones {
            #expect(!zone.observanceYears.isEmpty)
            #expect(zone.observanceYears.allSatisfy { $0 >= 1970 }, "\(zone.tzid): \(zone.observanceYears)")
        }
        #expect(!text.contains("freeassociation"))
        #expect(Self.unfolded(text).filter { $0 == "TZID:Europe/Belgrade" }.count == 1)
        // Compact: the tzdata history before 1970 is gone.
        #expect(text.utf8.count < 6000)

        // Events in UTC are written with Z and need no VTIMEZONE.
        #expect(
            Array(Self.eventLines(text, uid: "utc@hapesira")[0][6...7]) == [
                "DTSTART:20261025T090000Z", "DTEND:20261025T110000Z",
            ])
        #expect(feed.events.first { $0.uid == "tirane@hapesira" }?.startTZID == "Europe/Tirane")
    }

    /// 02:30 happens twice on 25 October 2026 in Belgrade; readers take the first (CEST), so the
    /// second is written in UTC.
    @Test func repeatedHourIsWrittenInUTC() throws {
        let first = F.belgrade.instants(for: LocalDateTime(year: 2026, month: 10, day: 25, hour: 2, minute: 30))
        try #require(first.count == 2)
        var event = F.hidden
        event.start = first[1]
        event.end = first[1] + 3600
        event.visibility = .public
        let text = FeedWriter.write(FeedCalendar(names: [], events: [event, F.hidden]))
        #expect(
            Array(Self.eventLines(text, uid: event.uid)[0][6...7]) == [
                "DTSTART:20261025T013000Z", "DTEND;TZID=Europe/Belgrade:20261025T033000",
            ])
        let read = try LibicalFeedReader.read(text)
        #expect(read.events[0].start == event.start && read.events[0].end == event.end)
    }

    @Test func noTimezoneWithoutEvents() {
        let text = FeedWriter.write(FeedCalendar(names: [LocalizedText(language: "en", text: "Empty")], events: []))
        #expect(!text.contains("VTIMEZONE"))
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
    }

    // MARK: Text form

    @Test func crlfAndFoldingAt75Octets() {
        var event = F.weekly
        event.summary = String(repeating: "Koncert i madh për të gjithë në sallën e madhe ", count: 4)
        let text = FeedWriter.write(FeedCalendar(names: F.calendar.names, events: [event]))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        let lines = Self.lines(text)
        #expect(lines.allSatisfy { $0.utf8.count <= 75 }, "\(lines.filter { $0.utf8.count > 75 })")
        #expect(lines.contains { $0.hasPrefix(" ") })
        // Folding never splits a UTF-8 sequence and unfolds back to the summary.
        #expect(Self.unfolded(text).contains("SUMMARY:\(event.summary)"))
    }

    @Test func textIsEscaped() throws {
        var event = F.weekly
        event.summary = "Jazz, blues; \"A\\B\"\nrreshti 2"
        event.description = "a,b;c\\d\ne"
        event.location = "Salla 1, kati 2; hyrja B"
        event.categories = ["Muzikë, live", " ", "a;b"]
        event.organizer = CalendarAddress(uri: "mailto:x@example.org", commonName: "Qendra: Anibar, Peja")
        let text = FeedWriter.write(
            FeedCalendar(
                names: [LocalizedText(language: "sq", text: "A, B; C")], description: "x\\y\nz", events: [event]))
        let lines = Self.unfolded(text)
        #expect(lines.contains(#"SUMMARY:Jazz\, blues\; "A\\B"\nrreshti 2"#))
        #expect(lines.contains(#"DESCRIPTION:a\,b\;c\\d\ne"#))
        #expect(lines.contains(#"LOCATION:Salla 1\, kati 2\; hyrja B"#))
        // libical writes CATEGORIES as a list without escaping commas: a comma separates categories.
        #expect(lines.filter { $0.hasPrefix("CATEGORIES") }.count == 6)
        #expect(
            Array(lines.filter { $0.hasPrefix("CATEGORIES") }.prefix(3)) == [
                "CATEGORIES:Muzikë", "CATEGORIES:live", "CATEGORIES:a;b",
            ])
        #expect(lines.contains(#"NAME;LANGUAGE=sq:A\, B\; C"#))
        // libical escapes backslashes and newlines in X- values, not commas or semicolons.
        #expect(lines.contains(#"X-WR-CALNAME:A, B; C"#))
        #expect(lines.contains(#"X-WR-CALDESC:x\\y\nz"#))
        #expect(lines.contains(#"ORGANIZER;CN="Qendra: Anibar, Peja":mailto:x@example.org"#))
        // And libical reads the original text back.
        #expect(try LibicalFeedReader.read(text).events[0].summary == event.summary)
    }

    @Test func deterministic() async {
        let first = FeedWriter.write(F.calendar)
        #expect(FeedWriter.write(F.calendar) == first)
        // Also when written concurrently (zones are loaded under a lock).
        let texts = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { FeedWriter.write(F.calendar) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(texts.allSatisfy { $0 == first })
    }
}
