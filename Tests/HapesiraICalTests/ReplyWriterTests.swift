import Foundation
import HapesiraCore
import HapesiraICal
import Testing

@Suite("ReplyWriter")
struct ReplyWriterTests {
    static let room = CalendarAddress(uri: "mailto:hall@kino.org", commonName: "Cinema hall")
    static let organizer = CalendarAddress(uri: "mailto:program@anibar.org", commonName: "Anibar Programme")
    static let stamp = ICS.utc(2026, 6, 2, 9, 30)

    static let event = IncomingEvent(
        uid: "film-night@anibar.org", sequence: 4, stamp: ICS.utc(2026, 6, 1, 12), summary: "Film night",
        start: ICS.utc(2026, 7, 10, 17), end: ICS.utc(2026, 7, 10, 19), zone: Zone("Europe/Belgrade"),
        organizer: organizer,
        attendees: [IncomingAttendee(address: room, calendarUserType: "ROOM", participation: "NEEDS-ACTION")])

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var participation: String
        var requestStatus: String
        var comment: String? = nil
        var alternatives: [Interval] = []
        /// The `X-HAPESIRA-ALTERNATIVE` values expected.
        var periods: [String] = []
        var recurrenceID: Int64? = nil
    }

    static let cases: [Case] = [
        Case(testDescription: "accepted", participation: "ACCEPTED", requestStatus: "2.0;Success"),
        Case(
            testDescription: "needs approval", participation: "TENTATIVE", requestStatus: "2.0;Success",
            comment: "Waiting for the venue's approval"),
        Case(
            testDescription: "busy, with alternatives", participation: "DECLINED",
            requestStatus: "4.0;Event conflict. Date-time is busy", comment: "The hall is booked then",
            alternatives: [
                Interval(start: ICS.utc(2026, 7, 10, 19), end: ICS.utc(2026, 7, 10, 21)),
                Interval(start: ICS.utc(2026, 7, 11, 17), end: ICS.utc(2026, 7, 11, 19)),
            ],
            periods: ["20260710T190000Z/20260710T210000Z", "20260711T170000Z/20260711T190000Z"]),
        Case(
            testDescription: "unsupported method", participation: "DECLINED",
            requestStatus: "3.14;Unsupported capability"),
        Case(
            testDescription: "one instance of a series", participation: "ACCEPTED", requestStatus: "2.0;Success",
            recurrenceID: ICS.utc(2026, 7, 10, 17)),
    ]

    /// The written text with folded lines joined again (RFC 5545 §3.1).
    static func unfolded(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    @Test("writes a REPLY that libical reads back", arguments: cases)
    func reply(_ c: Case) throws {
        var event = Self.event
        event.recurrenceID = c.recurrenceID
        let text = ReplyWriter.write(
            [
                RoomReply(
                    event: event, room: Self.room, participation: c.participation, requestStatus: c.requestStatus,
                    comment: c.comment, alternatives: c.alternatives)
            ], stamp: Self.stamp)

        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "CRLF line endings only")
        #expect(text.hasSuffix("\r\n"))
        let lines = Self.unfolded(text)
        #expect(lines.first == "BEGIN:VCALENDAR")
        #expect(lines.contains("METHOD:REPLY"))
        #expect(lines.contains("PRODID:\(ReplyWriter.productID)"))
        #expect(lines.contains("VERSION:2.0"))
        #expect(lines.filter { $0.hasPrefix("REQUEST-STATUS") } == ["REQUEST-STATUS:\(c.requestStatus)"])
        #expect(lines.contains("DTSTAMP:20260602T093000Z"))
        #expect(lines.contains("DTSTART:20260710T170000Z"))
        #expect(lines.contains("DTEND:20260710T190000Z"))
        #expect(lines.filter { $0.hasPrefix("ATTENDEE") }.count == 1)
        #expect(lines.filter { $0.hasPrefix("COMMENT") } == (c.comment.map { ["COMMENT:\($0)"] } ?? []))
        #expect(
            lines.filter { $0.hasPrefix(ReplyWriter.alternativeProperty) }
                == c.periods.map { "X-HAPESIRA-ALTERNATIVE:\($0)" })
        if c.recurrenceID != nil { #expect(lines.contains("RECURRENCE-ID:20260710T170000Z")) }

        let parsed = try CalendarReader.read(text, floatingZone: .utc)
        #expect(parsed.method == "REPLY")
        let echoed = try #require(parsed.events.first)
        #expect(parsed.events.count == 1)
        #expect(echoed.uid == event.uid)
        #expect(echoed.sequence == 4)
        #expect(echoed.stamp == Self.stamp)
        #expect(echoed.recurrenceID == c.recurrenceID)
        #expect(echoed.start == event.start)
        #expect(echoed.end == event.end)
        #expect(echoed.organizer == Self.organizer)
        #expect(
            echoed.attendees == [
                IncomingAttendee(address: Self.room, calendarUserType: "ROOM", participation: c.participation)
            ])
    }

    @Test("a participation that is not a PARTSTAT is written as NEEDS-ACTION; lower case is accepted")
    func participation() throws {
        for (given, written) in [("maybe", "NEEDS-ACTION"), ("accepted", "ACCEPTED")] {
            let text = ReplyWriter.write(
                [RoomReply(event: Self.event, room: Self.room, participation: given, requestStatus: "2.0;Success")],
                stamp: Self.stamp)
            let event = try #require(try CalendarReader.read(text, floatingZone: .utc).events.first)
            #expect(event.attendees.map(\.participation) == [written])
        }
    }

    @Test("one VEVENT per reply, in order")
    func severalReplies() throws {
        var other = Self.event
        other.uid = "talk@anibar.org"
        other.sequence = 0
        other.organizer = nil
        let text = ReplyWriter.write(
            [
                RoomReply(event: Self.event, room: Self.room, participation: "ACCEPTED", requestStatus: "2.0;Success"),
                RoomReply(
                    event: other, room: Self.room, participation: "DECLINED",
                    requestStatus: "4.0;Event conflict. Date-time is busy"),
            ], stamp: Self.stamp)
        let parsed = try CalendarReader.read(text, floatingZone: .utc)
        #expect(parsed.events.map(\.uid) == ["film-night@anibar.org", "talk@anibar.org"])
        #expect(parsed.events.map { $0.attendees.map(\.participation) } == [["ACCEPTED"], ["DECLINED"]])
        #expect(parsed.events.last?.organizer == nil)
        #expect(Self.unfolded(text).filter { $0 == "METHOD:REPLY" }.count == 1)
    }
}
