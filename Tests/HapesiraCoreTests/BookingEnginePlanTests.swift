import HapesiraCore
import Testing

@Suite("BookingEngine.plan")
struct BookingEnginePlanTests {
    let engine = Fixture.engine()
    let now = Fixture.now

    func bg(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0, _ min: Int = 0) -> Int64 { Fixture.bg(y, m, d, h, min) }

    func planError(_ engine: BookingEngine, _ draft: BookingDraft, now: Int64 = Fixture.now) -> BookingError? {
        do {
            _ = try engine.plan(draft, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test func singleBookingPlansItsOwnInterval() throws {
        let draft = Fixture.draft("workshop", bg(2026, 5, 11, 18), bg(2026, 5, 11, 20))
        #expect(try engine.plan(draft, now: now) == [Interval(start: bg(2026, 5, 11, 18), end: bg(2026, 5, 11, 20))])
    }

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        var name: String
        var change: @Sendable (inout BookingDraft) -> Void
        var error: String
        var testDescription: String { name }
    }

    @Test(
        "requests that are wrong in themselves",
        arguments: [
            InvalidCase(name: "unknown space", change: { $0.space = "attic" }, error: "notFound:space:attic"),
            InvalidCase(
                name: "unknown organisation", change: { $0.organisation = "ghost" },
                error: "notFound:organisation:ghost"),
            InvalidCase(name: "unknown category", change: { $0.category = "party" }, error: "invalid:category"),
            InvalidCase(name: "blank title", change: { $0.title = " \t\n " }, error: "invalid:title"),
            InvalidCase(name: "empty title", change: { $0.title = "" }, error: "invalid:title"),
            InvalidCase(
                name: "201-character title", change: { $0.title = String(repeating: "x", count: 201) },
                error: "invalid:title"),
            InvalidCase(name: "end equals start", change: { $0.end = $0.start }, error: "invalid:end"),
            InvalidCase(name: "end before start", change: { $0.end = $0.start - 60 }, error: "invalid:end"),
            InvalidCase(
                name: "negative attendance", change: { $0.expectedAttendance = -1 },
                error: "invalid:expected_attendance"),
            InvalidCase(
                name: "recurrence the expander rejects", change: { $0.recurrence = "FREQ=SOMETIMES" },
                error: "invalid:recurrence"),
            InvalidCase(
                name: "hourly recurrence", change: { $0.recurrence = "FREQ=HOURLY;COUNT=3" },
                error: "invalid:recurrence"),
        ])
    func invalid(_ c: InvalidCase) {
        var draft = Fixture.draft("workshop", bg(2026, 5, 11, 18), bg(2026, 5, 11, 20))
        c.change(&draft)
        #expect(planError(engine, draft)?.summary == c.error)
    }

    @Test(
        "titles of 1 to 200 characters, padded or not, are fine; attendance 0 is fine",
        arguments: ["x", "  Screening  ", String(repeating: "ë", count: 200)])
    func validTitles(_ title: String) throws {
        var draft = Fixture.draft("workshop", bg(2026, 5, 11, 18), bg(2026, 5, 11, 20), expected: 0)
        draft.title = title
        #expect(try engine.plan(draft, now: now).count == 1)
    }

    @Test("recurrence errors carry the expander's explanation")
    func recurrenceErrorMessage() {
        let stub = Fixture.engine(expander: StubExpander(result: .failure(.invalid("BYDAY=XX"))))
        let draft = Fixture.draft(
            "workshop", bg(2026, 5, 11, 18), bg(2026, 5, 11, 20), recurrence: "FREQ=WEEKLY;BYDAY=XX")
        let error = planError(stub, draft)
        #expect(error?.summary == "invalid:recurrence")
        #expect(error?.message == RecurrenceError.invalid("BYDAY=XX").description)
        let hourly = planError(
            engine, Fixture.draft("workshop", bg(2026, 5, 11, 18), bg(2026, 5, 11, 20), recurrence: "FREQ=HOURLY"))
        #expect(hourly?.message == RecurrenceError.tooFrequent("HOURLY").description)
    }

    @Test("a weekly series keeps its wall-clock time across the spring-forward change")
    func weeklyAcrossDaylightSaving() throws {
        // Thursdays 19:00 in Belgrade from 2026-03-19: CET (+01:00) until 2026-03-29, then CEST (+02:00).
        let draft = Fixture.draft(
            "hall-a", bg(2026, 3, 19, 19), bg(2026, 3, 19, 21), recurrence: "FREQ=WEEKLY;COUNT=4")
        let intervals = try engine.plan(draft, now: Fixture.bg(2026, 3, 1, 12))
        #expect(
            intervals.map(\.start) == [
                Fixture.utc(2026, 3, 19, 18), Fixture.utc(2026, 3, 26, 18), Fixture.utc(2026, 4, 2, 17),
                Fixture.utc(2026, 4, 9, 17),
            ])
        #expect(intervals.allSatisfy { $0.duration == 2 * 3600 })
        #expect(intervals.allSatisfy { Fixture.belgrade.local($0.start).hour == 19 })
    }

    @Test("excluded starts (EXDATE) drop their occurrences, the first one included; excluding all is refused")
    func excludedOccurrences() throws {
        var draft = Fixture.draft(
            "hall-a", bg(2026, 3, 19, 19), bg(2026, 3, 19, 21), recurrence: "FREQ=WEEKLY;COUNT=4")
        draft.excluded = [Fixture.utc(2026, 3, 19, 18), Fixture.utc(2026, 4, 2, 17), Fixture.utc(2026, 4, 2, 18)]
        let intervals = try engine.plan(draft, now: Fixture.bg(2026, 3, 1, 12))
        #expect(intervals.map(\.start) == [Fixture.utc(2026, 3, 26, 18), Fixture.utc(2026, 4, 9, 17)])

        draft.excluded = [
            Fixture.utc(2026, 3, 19, 18), Fixture.utc(2026, 3, 26, 18), Fixture.utc(2026, 4, 2, 17),
            Fixture.utc(2026, 4, 9, 17),
        ]
        #expect(planError(engine, draft, now: Fixture.bg(2026, 3, 1, 12))?.summary == "invalid:excluded")
    }

    @Test("a daily series across the fall-back change keeps 19:00 and gains an hour between occurrences")
    func dailyAcrossFallBack() throws {
        let draft = Fixture.draft(
            "hall-a", bg(2026, 10, 24, 19), bg(2026, 10, 24, 20), recurrence: "FREQ=DAILY;COUNT=2")
        let intervals = try engine.plan(draft, now: Fixture.bg(2026, 10, 1, 12))
        #expect(intervals.map(\.start) == [Fixture.utc(2026, 10, 24, 17), Fixture.utc(2026, 10, 25, 18)])
    }

    @Test(
        "the series must end within the booking horizon (rehearsal: 30 days)",
        arguments: [(5, nil), (6, "runsPastHorizon")] as [(Int, String?)])
    func horizonBoundsTheSeries(_ count: Int, _ problem: String?) throws {
        // Weekly from now + 2 h: the 5th occurrence is 28 days later, the 6th 35 days.
        let start = now + 2 * 3600
        let draft = Fixture.draft("rehearsal", start, start + 3600, recurrence: "FREQ=WEEKLY;COUNT=\(count)")
        if problem == nil {
            #expect(try engine.plan(draft, now: now).count == count)
        } else {
            let error = planError(engine, draft)
            #expect(error?.summary == "invalid:recurrence")
            let windowEnd = Fixture.belgrade.local(now + 30 * 86_400)
            #expect(error?.message == RecurrenceError.runsPastHorizon(lastAllowed: windowEnd).description)
        }
    }

    @Test("an unbounded rule is refused as never ending")
    func unbounded() {
        let draft = Fixture.draft("rehearsal", now + 3 * 3600, now + 4 * 3600, recurrence: "FREQ=DAILY")
        let error = planError(engine, draft)
        #expect(error?.summary == "invalid:recurrence")
        #expect(error?.message == RecurrenceError.unbounded.description)
    }

    @Test(
        "the occurrence limit",
        arguments: [(5, 5, true), (6, 5, false), (500, 500, true), (501, 500, false)])
    func occurrenceLimit(_ count: Int, _ limit: Int, _ accepted: Bool) throws {
        // A horizon long enough for 501 daily occurrences.
        let catalogueEngine = BookingEngine(
            catalogue: Catalogue(
                cities: Fixture.catalogue().cities, venues: Fixture.venues,
                spaces: Fixture.spaces.map { space in
                    var space = space
                    space.rules.horizon = 1000 * 86_400
                    return space
                },
                organisations: Fixture.organisations, categories: ["screening"]),
            expander: FakeExpander(), occurrenceLimit: limit)
        let draft = Fixture.draft(
            "workshop", bg(2026, 5, 11, 18), bg(2026, 5, 11, 19), recurrence: "FREQ=DAILY;COUNT=\(count)")
        if accepted {
            #expect(try catalogueEngine.plan(draft, now: now).count == count)
        } else {
            let error = planError(catalogueEngine, draft)
            #expect(error?.summary == "invalid:recurrence")
            #expect(error?.message == RecurrenceError.tooManyOccurrences(limit: limit).description)
        }
    }

    @Test("the series start is always the first occurrence, even when the rule does not produce it")
    func startIsFirstOccurrence() throws {
        // As for FREQ=WEEKLY;BYDAY=TU starting on a Monday: the rule yields Tuesdays only.
        let stub = Fixture.engine(
            expander: StubExpander(
                result: .success(
                    Expansion(
                        starts: [
                            LocalDateTime(year: 2026, month: 5, day: 12, hour: 18),
                            LocalDateTime(year: 2026, month: 5, day: 19, hour: 18),
                        ], truncated: false))))
        let draft = Fixture.draft(
            "workshop", bg(2026, 5, 11, 18), bg(2026, 5, 11, 20), recurrence: "FREQ=WEEKLY;BYDAY=TU;COUNT=2")
        #expect(
            try stub.plan(draft, now: now) == [
                Interval(start: bg(2026, 5, 11, 18), end: bg(2026, 5, 11, 20)),
                Interval(start: bg(2026, 5, 12, 18), end: bg(2026, 5, 12, 20)),
                Interval(start: bg(2026, 5, 19, 18), end: bg(2026, 5, 19, 20)),
            ])
    }

    @Test("occurrences of one series may not overlap each other")
    func overlappingOccurrences() {
        let draft = Fixture.draft(
            "workshop", bg(2026, 5, 11, 18), bg(2026, 5, 12, 19), recurrence: "FREQ=DAILY;COUNT=2")
        let error = planError(engine, draft)
        #expect(error?.summary == "invalid:recurrence")
        #expect(error?.message?.contains("overlap") == true)
        // Back to back is fine.
        let touching = Fixture.draft(
            "workshop", bg(2026, 5, 11, 18), bg(2026, 5, 12, 18), recurrence: "FREQ=DAILY;COUNT=2")
        #expect(planError(engine, touching) == nil)
    }
}
