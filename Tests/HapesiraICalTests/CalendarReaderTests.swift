import HapesiraCore
import HapesiraICal
import Testing

/// iCalendar text for the tests: lines joined with CRLF.
enum ICS {
    static func lines(_ lines: [String]) -> String { lines.joined(separator: "\r\n") + "\r\n" }

    /// A VCALENDAR around `body`, with an optional METHOD.
    static func calendar(method: String? = nil, _ body: [String]) -> String {
        lines(
            ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Test//EN"] + (method.map { ["METHOD:\($0)"] } ?? [])
                + body + ["END:VCALENDAR"])
    }

    /// A VEVENT with a UID and DTSTAMP around `body`.
    static func event(uid: String? = "e1@test", _ body: [String]) -> [String] {
        ["BEGIN:VEVENT"] + (uid.map { ["UID:\($0)"] } ?? []) + ["DTSTAMP:20260601T120000Z"] + body + ["END:VEVENT"]
    }

    /// Europe/Belgrade as current clients write it (CET/CEST rules only).
    static func belgradeTimezone(
        tzid: String = "Europe/Belgrade", standard: String = "+0100", daylight: String = "+0200"
    )
        -> [String]
    {
        [
            "BEGIN:VTIMEZONE", "TZID:\(tzid)",
            "BEGIN:DAYLIGHT", "TZOFFSETFROM:\(standard)", "TZOFFSETTO:\(daylight)", "TZNAME:CEST",
            "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
            "BEGIN:STANDARD", "TZOFFSETFROM:\(daylight)", "TZOFFSETTO:\(standard)", "TZNAME:CET",
            "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
            "END:VTIMEZONE",
        ]
    }

    /// What Outlook sends: a Windows zone name with rules starting in 1601.
    static let outlookTimezone = [
        "BEGIN:VTIMEZONE", "TZID:W. Europe Standard Time",
        "BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
        "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
        "END:VTIMEZONE",
    ]

    /// Unix seconds of a UTC date-time.
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Int64 {
        LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute).localSeconds
    }
}

@Suite("CalendarReader")
struct CalendarReaderTests {
    static let belgrade = Zone("Europe/Belgrade")!

    // MARK: - Accepted

    struct Accepted: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var text: String
        var start: Int64
        var end: Int64
        var zone: String?
    }

    static let accepted: [Accepted] = [
        Accepted(
            testDescription: "UTC",
            text: ICS.calendar(ICS.event(["DTSTART:20260710T080000Z", "DTEND:20260710T100000Z"])),
            start: ICS.utc(2026, 7, 10, 8), end: ICS.utc(2026, 7, 10, 10), zone: nil),
        Accepted(
            testDescription: "TZID with its VTIMEZONE",
            text: ICS.calendar(
                ICS.belgradeTimezone()
                    + ICS.event([
                        "DTSTART;TZID=Europe/Belgrade:20260710T100000", "DTEND;TZID=Europe/Belgrade:20260710T120000",
                    ])),
            start: ICS.utc(2026, 7, 10, 8), end: ICS.utc(2026, 7, 10, 10), zone: "Europe/Belgrade"),
        Accepted(
            testDescription: "TZID without a VTIMEZONE, from tzdata",
            text: ICS.calendar(
                ICS.event([
                    "DTSTART;TZID=Europe/Belgrade:20260115T100000", "DTEND;TZID=Europe/Belgrade:20260115T120000",
                ])),
            start: ICS.utc(2026, 1, 15, 9), end: ICS.utc(2026, 1, 15, 11), zone: "Europe/Belgrade"),
        Accepted(
            testDescription: "libical's prefixed TZID",
            text: ICS.calendar(
                ICS.event([
                    "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/Belgrade:20260710T100000",
                    "DTEND;TZID=/freeassociation.sourceforge.net/Europe/Belgrade:20260710T120000",
                ])),
            start: ICS.utc(2026, 7, 10, 8), end: ICS.utc(2026, 7, 10, 10), zone: "Europe/Belgrade"),
        Accepted(
            testDescription: "Citadel's prefixed TZID with a matching VTIMEZONE",
            text: ICS.calendar(
                ICS.belgradeTimezone(tzid: "/citadel.org/20190914_1/Europe/Belgrade")
                    + ICS.event([
                        "DTSTART;TZID=/citadel.org/20190914_1/Europe/Belgrade:20260710T100000",
                        "DTEND;TZID=/citadel.org/20190914_1/Europe/Belgrade:20260710T120000",
                    ])),
            start: ICS.utc(2026, 7, 10, 8), end: ICS.utc(2026, 7, 10, 10), zone: "Europe/Belgrade"),
        Accepted(
            testDescription: "floating, read in the given zone",
            text: ICS.calendar(ICS.event(["DTSTART:20260710T100000", "DTEND:20260710T120000"])),
            start: ICS.utc(2026, 7, 10, 8), end: ICS.utc(2026, 7, 10, 10), zone: nil),
        Accepted(
            testDescription: "DURATION instead of DTEND",
            text: ICS.calendar(ICS.event(["DTSTART;TZID=Europe/Belgrade:20260710T100000", "DURATION:PT2H30M"])),
            start: ICS.utc(2026, 7, 10, 8), end: ICS.utc(2026, 7, 10, 10, 30), zone: "Europe/Belgrade"),
        Accepted(
            testDescription: "a nominal day across the spring-forward night is 23 hours",
            text: ICS.calendar(ICS.event(["DTSTART;TZID=Europe/Belgrade:20260328T100000", "DURATION:P1D"])),
            start: ICS.utc(2026, 3, 28, 9), end: ICS.utc(2026, 3, 29, 8), zone: "Europe/Belgrade"),
        Accepted(
            testDescription: "an ambiguous time takes the earlier instant",
            text: ICS.calendar(ICS.event(["DTSTART;TZID=Europe/Belgrade:20261025T023000", "DURATION:PT1H"])),
            start: ICS.utc(2026, 10, 25, 0, 30), end: ICS.utc(2026, 10, 25, 1, 30), zone: "Europe/Belgrade"),
        Accepted(
            testDescription: "Outlook's Windows zone name with its VTIMEZONE",
            text: ICS.calendar(
                ICS.outlookTimezone
                    + ICS.event([
                        "DTSTART;TZID=W. Europe Standard Time:20260710T100000",
                        "DTEND;TZID=W. Europe Standard Time:20260710T120000",
                    ])),
            start: ICS.utc(2026, 7, 10, 8), end: ICS.utc(2026, 7, 10, 10), zone: nil),
    ]

    @Test("accepts", arguments: accepted)
    func accepts(_ c: Accepted) throws {
        let calendar = try CalendarReader.read(c.text, floatingZone: Self.belgrade)
        let event = try #require(calendar.events.first)
        #expect(calendar.events.count == 1)
        #expect(event.uid == "e1@test")
        #expect(event.start == c.start)
        #expect(event.end == c.end)
        #expect(event.zone?.identifier == c.zone)
        #expect(event.stamp == ICS.utc(2026, 6, 1, 12))
    }

    @Test("RRULE and EXDATE, comma-separated and repeated")
    func recurrence() throws {
        let text = ICS.calendar(
            ICS.event([
                "DTSTART;TZID=Europe/Belgrade:20260706T190000", "DTEND;TZID=Europe/Belgrade:20260706T210000",
                "RRULE:FREQ=WEEKLY;UNTIL=20260831T170000Z",
                "EXDATE;TZID=Europe/Belgrade:20260713T190000,20260720T190000", "EXDATE:20260803T170000Z",
            ]))
        let event = try #require(try CalendarReader.read(text, floatingZone: .utc).events.first)
        #expect(event.recurrence == "FREQ=WEEKLY;UNTIL=20260831T170000Z")
        #expect(event.excluded == [ICS.utc(2026, 7, 13, 17), ICS.utc(2026, 7, 20, 17), ICS.utc(2026, 8, 3, 17)])
    }

    @Test("a RECURRENCE-ID override next to its master")
    func override() throws {
        let text = ICS.calendar(
            ICS.event([
                "DTSTART;TZID=Europe/Belgrade:20260706T190000", "DURATION:PT2H", "RRULE:FREQ=WEEKLY;COUNT=4",
                "SEQUENCE:1",
            ])
                + ICS.event([
                    "RECURRENCE-ID;TZID=Europe/Belgrade:20260713T190000",
                    "DTSTART;TZID=Europe/Belgrade:20260713T200000",
                    "DURATION:PT2H", "SEQUENCE:2",
                ]))
        let events = try CalendarReader.read(text, floatingZone: .utc).events
        #expect(events.count == 2)
        let master = try #require(events.first { $0.recurrenceID == nil })
        let instance = try #require(events.first { $0.recurrenceID != nil })
        #expect(master.recurrence == "FREQ=WEEKLY;COUNT=4")
        #expect(master.sequence == 1)
        #expect(instance.recurrenceID == ICS.utc(2026, 7, 13, 17))
        #expect(instance.start == ICS.utc(2026, 7, 13, 18))
        #expect(instance.sequence == 2)
        #expect(instance.recurrence == nil)
    }

    @Test("an iTIP REQUEST with an organiser and the room as attendee")
    func request() throws {
        let text = ICS.calendar(
            method: "REQUEST",
            ICS.event([
                "DTSTART:20260710T170000Z", "DTEND:20260710T190000Z", "SEQUENCE:3",
                "SUMMARY:Film\\, night", "DESCRIPTION:Two films\\nand a talk", "LOCATION:Kino",
                "CATEGORIES:screening,festival", "CATEGORIES:youth", "CLASS:PRIVATE", "STATUS:CONFIRMED",
                "ORGANIZER;CN=Anibar Programme:mailto:program@anibar.org",
                "ATTENDEE;CUTYPE=ROOM;CN=\"Hall, big\";ROLE=NON-PARTICIPANT;RSVP=TRUE:mailto:hall@kino.org",
                "ATTENDEE;CN=Guest;PARTSTAT=ACCEPTED:mailto:guest@example.org",
            ]))
        let calendar = try CalendarReader.read(text, floatingZone: .utc)
        #expect(calendar.method == "REQUEST")
        #expect(calendar.freeBusy == nil)
        let event = try #require(calendar.events.first)
        #expect(event.sequence == 3)
        #expect(event.summary == "Film, night")
        #expect(event.description == "Two films\nand a talk")
        #expect(event.location == "Kino")
        #expect(event.categories == ["screening", "festival", "youth"])
        #expect(event.classification == "PRIVATE")
        #expect(event.status == "CONFIRMED")
        #expect(event.organizer == CalendarAddress(uri: "mailto:program@anibar.org", commonName: "Anibar Programme"))
        #expect(
            event.attendees == [
                IncomingAttendee(
                    address: CalendarAddress(uri: "mailto:hall@kino.org", commonName: "Hall, big"),
                    calendarUserType: "ROOM", participation: "NEEDS-ACTION"),
                IncomingAttendee(
                    address: CalendarAddress(uri: "mailto:guest@example.org", commonName: "Guest"),
                    calendarUserType: "INDIVIDUAL", participation: "ACCEPTED"),
            ])
        #expect(event.attendees.map(\.isResource) == [true, false])
    }

    @Test("a VFREEBUSY request")
    func freeBusy() throws {
        let text = ICS.calendar(
            method: "REQUEST",
            [
                "BEGIN:VFREEBUSY", "UID:fb1@test", "DTSTAMP:20260601T120000Z",
                "DTSTART;TZID=Europe/Belgrade:20260710T000000", "DTEND:20260711T000000Z",
                "ORGANIZER:mailto:program@anibar.org", "ATTENDEE;CUTYPE=ROOM:mailto:hall@kino.org", "END:VFREEBUSY",
            ])
        let calendar = try CalendarReader.read(text, floatingZone: .utc)
        #expect(calendar.events.isEmpty)
        let request = try #require(calendar.freeBusy)
        #expect(request.uid == "fb1@test")
        #expect(request.start == ICS.utc(2026, 7, 9, 22))
        #expect(request.end == ICS.utc(2026, 7, 11, 0))
        #expect(request.organizer?.uri == "mailto:program@anibar.org")
        #expect(request.attendees.map(\.calendarUserType) == ["ROOM"])
    }

    @Test("different UIDs in one object are the caller's to judge")
    func differentUIDs() throws {
        let text = ICS.calendar(
            ICS.event(uid: "a", ["DTSTART:20260710T080000Z", "DURATION:PT1H"])
                + ICS.event(uid: "b", ["DTSTART:20260710T080000Z", "DURATION:PT1H"]))
        #expect(try CalendarReader.read(text, floatingZone: .utc).events.map(\.uid) == ["a", "b"])
    }

    // MARK: - Refused

    enum Refusal: Sendable, Equatable {
        case unparseable
        case invalid(String)
    }

    struct Refused: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var text: String
        var maxEvents = 100
        var expected: Refusal
        /// A part of the message that must be there.
        var saying: String? = nil
    }

    static let valid = ["DTSTART:20260710T080000Z", "DTEND:20260710T100000Z"]

    static let refused: [Refused] = [
        Refused(testDescription: "garbage", text: "hello, world", expected: .unparseable),
        Refused(testDescription: "empty", text: "", expected: .unparseable),
        Refused(
            testDescription: "a VEVENT outside a VCALENDAR", text: ICS.lines(ICS.event(valid)),
            expected: .unparseable),
        Refused(
            testDescription: "two VCALENDARs",
            text: ICS.calendar(ICS.event(valid)) + ICS.calendar(ICS.event(uid: "e2@test", valid)),
            expected: .invalid("VCALENDAR")),
        Refused(
            testDescription: "a value libical cannot parse",
            text: ICS.calendar(ICS.event(["DTSTART:notadate", "DTEND:20260710T100000Z"])),
            expected: .invalid("DTSTART"), saying: "notadate"),
        Refused(
            testDescription: "an all-day DTSTART",
            text: ICS.calendar(ICS.event(["DTSTART;VALUE=DATE:20250330", "DTEND;VALUE=DATE:20250331"])),
            expected: .invalid("DTSTART"), saying: "all-day"),
        Refused(
            testDescription: "DTEND before DTSTART",
            text: ICS.calendar(ICS.event(["DTSTART:20260710T100000Z", "DTEND:20260710T080000Z"])),
            expected: .invalid("DTEND"), saying: "not after"),
        Refused(
            testDescription: "DTEND equal to DTSTART",
            text: ICS.calendar(ICS.event(["DTSTART:20260710T100000Z", "DTEND:20260710T100000Z"])),
            expected: .invalid("DTEND")),
        Refused(
            testDescription: "neither DTEND nor DURATION",
            text: ICS.calendar(ICS.event(["DTSTART:20260710T100000Z"])), expected: .invalid("DTEND")),
        Refused(
            testDescription: "no DTSTART", text: ICS.calendar(ICS.event(["DTEND:20260710T100000Z"])),
            expected: .invalid("DTSTART")),
        Refused(
            testDescription: "a negative DURATION",
            text: ICS.calendar(ICS.event(["DTSTART:20260710T100000Z", "DURATION:-PT1H"])),
            expected: .invalid("DURATION")),
        Refused(
            testDescription: "an unknown TZID without a VTIMEZONE",
            text: ICS.calendar(
                ICS.event(["DTSTART;TZID=Mars/Olympus:20260710T100000", "DTEND;TZID=Mars/Olympus:20260710T120000"])),
            expected: .invalid("DTSTART"), saying: "unknown TZID Mars/Olympus without a VTIMEZONE"),
        Refused(
            testDescription: "a VTIMEZONE that contradicts tzdata",
            text: ICS.calendar(
                ICS.belgradeTimezone(standard: "+0500", daylight: "+0500")
                    + ICS.event([
                        "DTSTART;TZID=Europe/Belgrade:20260710T100000", "DTEND;TZID=Europe/Belgrade:20260710T120000",
                    ])),
            expected: .invalid("VTIMEZONE"), saying: "disagrees with the time zone database"),
        Refused(
            testDescription: "no UID", text: ICS.calendar(ICS.event(uid: nil, valid)), expected: .invalid("UID")),
        Refused(
            testDescription: "a local time skipped by daylight saving",
            text: ICS.calendar(ICS.event(["DTSTART;TZID=Europe/Belgrade:20260329T023000", "DURATION:PT1H"])),
            expected: .invalid("DTSTART"), saying: "does not exist"),
        Refused(
            testDescription: "a skipped floating time",
            text: ICS.calendar(ICS.event(["DTSTART:20260329T023000", "DURATION:PT1H"])),
            expected: .invalid("DTSTART"), saying: "does not exist"),
        Refused(
            testDescription: "too many VEVENTs",
            text: ICS.calendar(
                ICS.event(uid: "a", valid) + ICS.event(uid: "b", valid) + ICS.event(uid: "c", valid)),
            maxEvents: 2, expected: .invalid("VEVENT"), saying: "at most 2"),
        Refused(
            testDescription: "two masters with one UID",
            text: ICS.calendar(ICS.event(valid) + ICS.event(valid)), expected: .invalid("VEVENT"),
            saying: "e1@test"),
        Refused(
            testDescription: "two overrides of one instance",
            text: ICS.calendar(
                ICS.event(valid + ["RECURRENCE-ID:20260710T080000Z"])
                    + ICS.event(valid + ["RECURRENCE-ID:20260710T080000Z"])),
            expected: .invalid("VEVENT")),
        Refused(
            testDescription: "two RRULEs",
            text: ICS.calendar(ICS.event(valid + ["RRULE:FREQ=DAILY;COUNT=2", "RRULE:FREQ=WEEKLY;COUNT=2"])),
            expected: .invalid("RRULE")),
        Refused(
            testDescription: "an all-day EXDATE",
            text: ICS.calendar(ICS.event(valid + ["RRULE:FREQ=DAILY;COUNT=2", "EXDATE;VALUE=DATE:20260711"])),
            expected: .invalid("EXDATE")),
        Refused(
            testDescription: "an EXDATE in an unknown zone",
            text: ICS.calendar(
                ICS.event(valid + ["RRULE:FREQ=DAILY;COUNT=2", "EXDATE;TZID=Mars/Olympus:20260711T100000"])),
            expected: .invalid("EXDATE")),
        Refused(
            testDescription: "an RRULE libical cannot parse",
            text: ICS.calendar(ICS.event(valid + ["RRULE:FREQ=SOMETIMES;COUNT=2"])), expected: .invalid("RRULE"),
            saying: "FREQ=SOMETIMES"),
        Refused(
            testDescription: "RDATE, which would be dropped",
            text: ICS.calendar(ICS.event(valid + ["RDATE:20260712T080000Z"])), expected: .invalid("RDATE")),
        Refused(
            testDescription: "an override of this and future instances",
            text: ICS.calendar(ICS.event(valid + ["RECURRENCE-ID;RANGE=THISANDFUTURE:20260710T080000Z"])),
            expected: .invalid("RECURRENCE-ID")),
        Refused(
            testDescription: "a VFREEBUSY without DTEND",
            text: ICS.calendar(
                method: "REQUEST", ["BEGIN:VFREEBUSY", "UID:fb", "DTSTART:20260710T000000Z", "END:VFREEBUSY"]),
            expected: .invalid("VFREEBUSY")),
    ]

    @Test("refuses", arguments: refused)
    func refuses(_ c: Refused) {
        let error = #expect(throws: CalendarInputError.self) {
            try CalendarReader.read(c.text, floatingZone: Self.belgrade, maxEvents: c.maxEvents)
        }
        switch error {
        case .unparseable:
            #expect(c.expected == .unparseable)
        case .invalid(let property, let message):
            #expect(c.expected == .invalid(property), "\(message)")
            if let saying = c.saying { #expect(message.contains(saying), "\(message)") }
            #expect(!message.isEmpty)
        case nil:
            break
        }
    }
}
