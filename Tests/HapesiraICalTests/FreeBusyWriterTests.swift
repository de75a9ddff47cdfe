import HapesiraCore
import Testing

@testable import HapesiraICal

@Suite("FreeBusyWriter")
struct FreeBusyWriterTests {
    static let hour: Int64 = 3600
    static let day: Int64 = 1_775_433_600  // 2026-04-06T00:00:00Z

    static func busy(_ start: Int64, _ end: Int64, tentative: Bool = false) -> BusyPeriod {
        BusyPeriod(
            interval: Interval(start: Self.day + start * Self.hour, end: Self.day + end * Self.hour),
            tentative: tentative)
    }

    @Test func replyWithMergedSortedPeriods() {
        let text = FreeBusyWriter.write(
            method: "REPLY", uid: "fb-1@hapesira", stamp: 1_775_400_000, from: Self.day, to: Self.day + 24 * Self.hour,
            organizer: CalendarAddress(uri: "mailto:program@anibar.org", commonName: "Anibar"),
            attendee: CalendarAddress(uri: "mailto:salla@hapesira.example", commonName: "Salla e Madhe"),
            busy: [
                Self.busy(14, 16), Self.busy(9, 10), Self.busy(10, 12), Self.busy(11, 13, tentative: true),
                Self.busy(12, 13, tentative: true), Self.busy(15, 17),
            ])
        #expect(
            text
                == [
                    "BEGIN:VCALENDAR",
                    "PRODID:-//Hapesira//Hapesira//EN",
                    "VERSION:2.0",
                    "CALSCALE:GREGORIAN",
                    "METHOD:REPLY",
                    "BEGIN:VFREEBUSY",
                    "DTSTAMP:20260405T144000Z",
                    "UID:fb-1@hapesira",
                    "DTSTART:20260406T000000Z",
                    "DTEND:20260407T000000Z",
                    "ORGANIZER;CN=Anibar:mailto:program@anibar.org",
                    "ATTENDEE;CN=Salla e Madhe:mailto:salla@hapesira.example",
                    "FREEBUSY;FBTYPE=BUSY:20260406T090000Z/20260406T120000Z",
                    "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260406T110000Z/20260406T130000Z",
                    "FREEBUSY;FBTYPE=BUSY:20260406T140000Z/20260406T170000Z",
                    "END:VFREEBUSY",
                    "END:VCALENDAR",
                    "",
                ].joined(separator: "\r\n"))
    }

    @Test func noMethodNoAddressesNoPeriods() {
        let text = FreeBusyWriter.write(
            method: nil, uid: "fb-2", stamp: Self.day, from: Self.day, to: Self.day + Self.hour, organizer: nil,
            attendee: nil, busy: [])
        #expect(!text.contains("METHOD"))
        #expect(!text.contains("ORGANIZER") && !text.contains("ATTENDEE") && !text.contains("FREEBUSY;"))
        #expect(text.contains("BEGIN:VFREEBUSY\r\nDTSTAMP:20260406T000000Z\r\nUID:fb-2\r\n"))
    }

    struct MergeCase: Sendable, CustomTestStringConvertible {
        var name: String
        var busy: [BusyPeriod]
        var expected: [BusyPeriod]
        var testDescription: String { name }
    }

    static let mergeCases: [MergeCase] = [
        MergeCase(name: "touching merge", busy: [busy(10, 11), busy(11, 12)], expected: [busy(10, 12)]),
        MergeCase(name: "overlapping merge", busy: [busy(10, 12), busy(11, 13)], expected: [busy(10, 13)]),
        MergeCase(name: "contained", busy: [busy(10, 14), busy(11, 12)], expected: [busy(10, 14)]),
        MergeCase(
            name: "apart stay apart", busy: [busy(13, 14), busy(10, 11)], expected: [busy(10, 11), busy(13, 14)]),
        MergeCase(
            name: "types never merge", busy: [busy(10, 11), busy(11, 12, tentative: true)],
            expected: [busy(10, 11), busy(11, 12, tentative: true)]),
        MergeCase(
            name: "same start: busy first", busy: [busy(10, 11, tentative: true), busy(10, 11)],
            expected: [busy(10, 11), busy(10, 11, tentative: true)]),
        MergeCase(
            name: "clipped to the window", busy: [busy(-2, 1), busy(23, 26)], expected: [busy(0, 1), busy(23, 24)]),
        MergeCase(name: "outside or empty dropped", busy: [busy(-3, -1), busy(25, 26), busy(5, 5)], expected: []),
    ]

    @Test("merging", arguments: mergeCases)
    func merging(_ c: MergeCase) {
        #expect(
            FreeBusyWriter.mergedPeriods(c.busy, within: Interval(start: Self.day, end: Self.day + 24 * Self.hour))
                == c.expected)
    }
}
