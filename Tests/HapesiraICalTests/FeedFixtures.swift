import HapesiraCore
import HapesiraICal

/// Feeds shared by the feed tests: Europe/Belgrade changes to CEST on 29 March 2026 and back to
/// CET on 25 October 2026.
enum FeedFixtures {
    static let belgrade = Zone("Europe/Belgrade")!
    static let tirane = Zone("Europe/Tirane")!

    /// Wall-clock time in Belgrade as Unix seconds.
    static func local(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Int64 {
        belgrade.resolvedInstant(for: LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute))
    }

    static let created: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z
    static let modified: Int64 = 1_767_312_000  // 2026-01-02T00:00:00Z

    /// Mondays 19:00–21:00 from 16 March to 13 April 2026 (local UNTIL), across the spring change;
    /// 6 April excluded, 30 March moved to 20:00–22:00.
    static let weekly = FeedEvent(
        uid: "series-1@hapesira", sequence: 1, created: created, lastModified: modified, zone: belgrade,
        start: local(2026, 3, 16, 19), end: local(2026, 3, 16, 21), recurrence: "FREQ=WEEKLY;UNTIL=20260413T190000",
        excluded: [local(2026, 4, 6, 19)],
        overrides: [
            FeedOverride(
                recurrenceID: local(2026, 3, 30, 19), start: local(2026, 3, 30, 20), end: local(2026, 3, 30, 22),
                status: .confirmed, sequence: 2)
        ],
        summary: "Provë e korit", description: "Kori i qytetit; provë, pa publik\nHyrja B", location: "Salla e Madhe",
        categories: ["Muzikë"],
        organizer: CalendarAddress(uri: "mailto:kori@example.org", commonName: "Kori"))

    /// Saturdays 10:00–12:00 from 17 October 2026 with a date-only UNTIL, across the autumn change.
    static let autumn = FeedEvent(
        uid: "series-2@hapesira", sequence: 0, created: created, lastModified: modified, zone: belgrade,
        start: local(2026, 10, 17, 10), end: local(2026, 10, 17, 12), recurrence: "FREQ=WEEKLY;UNTIL=20261031",
        summary: "Punëtori")

    /// A private single booking on the autumn change day.
    static let hidden = FeedEvent(
        uid: "private-1@hapesira", sequence: 3, created: created, lastModified: modified, zone: belgrade,
        start: local(2026, 10, 25, 10), end: local(2026, 10, 25, 12), summary: "Takim i bordit",
        description: "Buxheti 2027", categories: ["Bord"], visibility: .private,
        organizer: CalendarAddress(uri: "mailto:bordi@example.org", commonName: "Bordi"))

    static let calendar = FeedCalendar(
        names: [
            LocalizedText(language: "sq", text: "Salla e Madhe"), LocalizedText(language: "en", text: "Main Hall"),
        ],
        description: "Rezervimet e sallës", refreshInterval: 3600, events: [weekly, autumn, hidden])

    /// What a correct reader expands `calendar` to between 1 March and 1 December 2026.
    static let windowStart = local(2026, 3, 1, 0)
    static let windowEnd = local(2026, 12, 1, 0)
    static let expectedOccurrences: [(uid: String, start: Int64, end: Int64)] = [
        ("series-1@hapesira", local(2026, 3, 16, 19), local(2026, 3, 16, 21)),
        ("series-1@hapesira", local(2026, 3, 23, 19), local(2026, 3, 23, 21)),
        ("series-1@hapesira", local(2026, 3, 30, 20), local(2026, 3, 30, 22)),
        ("series-1@hapesira", local(2026, 4, 13, 19), local(2026, 4, 13, 21)),
        ("series-2@hapesira", local(2026, 10, 17, 10), local(2026, 10, 17, 12)),
        ("series-2@hapesira", local(2026, 10, 24, 10), local(2026, 10, 24, 12)),
        ("private-1@hapesira", local(2026, 10, 25, 10), local(2026, 10, 25, 12)),
        ("series-2@hapesira", local(2026, 10, 31, 10), local(2026, 10, 31, 12)),
    ]
}
