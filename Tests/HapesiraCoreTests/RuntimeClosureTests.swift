import HapesiraCore
import Testing

@Suite("Runtime closures")
struct RuntimeClosureTests {
    /// Closures a manager added to the always-open centre: a whole day, an afternoon, and the
    /// 25-hour day on which summer time ends (Sunday 2026-10-25).
    static let added = [
        Closure(
            from: LocalDate(year: 2026, month: 5, day: 20), to: LocalDate(year: 2026, month: 5, day: 20),
            reason: "Renovation"),
        Closure(
            from: LocalDate(year: 2026, month: 5, day: 21), to: LocalDate(year: 2026, month: 5, day: 21),
            reason: "Cleaning", startMinute: 14 * 60, endMinute: 18 * 60),
        Closure(
            from: LocalDate(year: 2026, month: 10, day: 25), to: LocalDate(year: 2026, month: 10, day: 25),
            reason: "Clock change"),
    ]

    static func ledger() -> FakeLedger {
        var ledger = FakeLedger(catalogue: Fixture.catalogue())
        ledger.runtimeClosures["centre"] = added
        return ledger
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var start: Int64
        var end: Int64
        var reason: String?
        var note: String
        var testDescription: String { note }
    }

    @Test(
        "a booking touching a runtime closure is refused with the closure as the reason",
        arguments: [
            Case(
                start: Fixture.bg(2026, 5, 20, 10), end: Fixture.bg(2026, 5, 20, 11), reason: "Renovation",
                note: "inside a whole day"),
            Case(
                start: Fixture.bg(2026, 5, 19, 23), end: Fixture.bg(2026, 5, 20, 0), reason: nil,
                note: "ends at the closed day's midnight"),
            Case(
                start: Fixture.bg(2026, 5, 19, 23), end: Fixture.bg(2026, 5, 20, 0, 15), reason: "Renovation",
                note: "runs into the closed day"),
            Case(
                start: Fixture.bg(2026, 5, 21, 0), end: Fixture.bg(2026, 5, 21, 1), reason: nil,
                note: "the next day, before the times"),
            Case(
                start: Fixture.bg(2026, 5, 21, 13), end: Fixture.bg(2026, 5, 21, 14), reason: nil,
                note: "ends as the afternoon closure begins"),
            Case(
                start: Fixture.bg(2026, 5, 21, 13), end: Fixture.bg(2026, 5, 21, 14, 1), reason: "Cleaning",
                note: "overlaps the afternoon closure by a minute"),
            Case(
                start: Fixture.bg(2026, 5, 21, 17, 59), end: Fixture.bg(2026, 5, 21, 18, 30), reason: "Cleaning",
                note: "starts a minute before the closure ends"),
            Case(
                start: Fixture.bg(2026, 5, 21, 18), end: Fixture.bg(2026, 5, 21, 19), reason: nil,
                note: "starts as the closure ends"),
            Case(
                start: Fixture.bg(2026, 10, 25, 23), end: Fixture.bg(2026, 10, 25, 23, 30), reason: "Clock change",
                note: "the 25th hour of the DST day is closed"),
            Case(
                start: Fixture.bg(2026, 10, 25, 2, 30), end: Fixture.bg(2026, 10, 25, 3, 30), reason: "Clock change",
                note: "the repeated hour of the DST day is closed"),
            Case(
                start: Fixture.bg(2026, 10, 26, 0), end: Fixture.bg(2026, 10, 26, 1), reason: nil,
                note: "the day after the DST day"),
        ])
    func refusedOnBlockedTime(_ example: Case) throws {
        let engine = Fixture.engine()
        let draft = Fixture.draft("studio", example.start, example.end)
        let outcome = try engine.decide(
            draft, occurrences: [draft.interval], now: Fixture.now, ledger: Self.ledger())
        switch outcome {
        case .success:
            #expect(example.reason == nil)
        case .failure(let refusal):
            #expect(refusal.primary == .closed(reason: example.reason ?? "-"))
        }
    }

    @Test("a series reads the venue's runtime closures once, and checks every occurrence against them")
    func closuresReadOncePerRequest() throws {
        let ledger = Self.ledger()
        // Eight daily occurrences, 10:00-11:00 from 2026-05-17: the fourth falls on the closed day.
        let occurrences = (0..<8).map { day in
            Interval(
                start: Fixture.bg(2026, 5, 17, 10) + Int64(day) * 86_400,
                end: Fixture.bg(2026, 5, 17, 11) + Int64(day) * 86_400)
        }
        let draft = Fixture.draft("studio", occurrences[0].start, occurrences[0].end)
        let outcome = try Fixture.engine().decide(draft, occurrences: occurrences, now: Fixture.now, ledger: ledger)
        guard case .failure(let refusal) = outcome else {
            Issue.record("the occurrence on the closed day must be refused")
            return
        }
        #expect(refusal.refused.map(\.interval) == [occurrences[3]])
        #expect(ledger.closureReads.value == 1)
    }

    @Test func configuredAndRuntimeClosuresBothApply() throws {
        // Kino has configured closures (New Year); a runtime one is added on top.
        var ledger = FakeLedger(catalogue: Fixture.catalogue())
        ledger.runtimeClosures["kino"] = [
            Closure(
                from: LocalDate(year: 2026, month: 6, day: 3), to: LocalDate(year: 2026, month: 6, day: 3),
                reason: "Film festival setup")
        ]
        let engine = Fixture.engine()
        let kino = Fixture.venues[0]
        let workshop = Fixture.spaces[1]
        let onRuntime = Interval(start: Fixture.bg(2026, 6, 3, 10), end: Fixture.bg(2026, 6, 3, 11))
        let onConfigured = Interval(start: Fixture.bg(2026, 12, 31, 10), end: Fixture.bg(2026, 12, 31, 11))
        #expect(
            try engine.check(
                onRuntime, in: workshop, calendar: try engine.calendar(of: kino, ledger: ledger), now: Fixture.now,
                ledger: ledger)
                == [.closed(reason: "Film festival setup")])
        #expect(
            try engine.check(
                onConfigured, in: workshop, calendar: try engine.calendar(of: kino, ledger: ledger), now: Fixture.now,
                ledger: ledger)
                == [.closed(reason: "New Year's Eve")])
        // Another venue's runtime closures do not apply.
        let studio = Fixture.spaces[5]
        #expect(
            try engine.check(
                onRuntime, in: studio, calendar: try engine.calendar(of: Fixture.venues[1], ledger: ledger),
                now: Fixture.now, ledger: ledger
            ).isEmpty)
    }

    @Test func openIntervalsLeaveOutPartAndWholeDayClosures() {
        let calendar = VenueCalendar(venue: Fixture.venues[1], adding: Self.added)
        let twoDays = Interval(start: Fixture.bg(2026, 5, 20), end: Fixture.bg(2026, 5, 22))
        #expect(
            calendar.openIntervals(overlapping: twoDays) == [
                Interval(start: Fixture.bg(2026, 5, 21), end: Fixture.bg(2026, 5, 21, 14)),
                Interval(start: Fixture.bg(2026, 5, 21, 18), end: Fixture.bg(2026, 5, 22)),
            ])
    }

    @Test func theDSTDayIsClosedForAll25Hours() {
        let closure = Self.added[2]
        let interval = closure.interval(in: Fixture.belgrade)
        #expect(interval.duration == 25 * 3600)
        let calendar = VenueCalendar(venue: Fixture.venues[1], adding: Self.added)
        let open = calendar.openIntervals(
            overlapping: Interval(start: Fixture.bg(2026, 10, 25, 12), end: Fixture.bg(2026, 10, 26, 12)))
        #expect(open.first?.start == Fixture.bg(2026, 10, 26))
    }

    @Test func alternativesSkipBlockedTime() throws {
        let engine = Fixture.engine()
        let draft = Fixture.draft("studio", Fixture.bg(2026, 5, 21, 15), Fixture.bg(2026, 5, 21, 16))
        let alternatives = try AlternativeFinder(engine: engine).alternatives(
            for: draft, requested: draft.interval, now: Fixture.now, ledger: Self.ledger())
        let cleaning = Self.added[1].interval(in: Fixture.belgrade)
        #expect(!alternatives.slots.isEmpty)
        #expect(alternatives.slots.allSatisfy { !$0.overlaps(cleaning) })
    }

    struct RequestCase: Sendable, CustomTestStringConvertible {
        var request: ClosureRequest
        var field: String?
        var testDescription: String { "\(request.from)…\(request.to ?? "") → \(field ?? "ok")" }
    }

    @Test(
        "a closure request names the wrong field",
        arguments: [
            RequestCase(request: ClosureRequest(from: "2026-05-20", reason: "Renovation"), field: nil),
            RequestCase(
                request: ClosureRequest(
                    from: "2026-05-20", to: "2026-05-22", startTime: "14:00", endTime: "10:00", reason: "x"),
                field: nil),
            RequestCase(
                request: ClosureRequest(from: "2026-05-20", startTime: "00:00", endTime: "24:00", reason: "x"),
                field: nil),
            RequestCase(request: ClosureRequest(from: "2026-02-30", reason: "x"), field: "from"),
            RequestCase(request: ClosureRequest(from: "20.05.2026", reason: "x"), field: "from"),
            RequestCase(request: ClosureRequest(from: "2026-05-20", to: "2026-05-19", reason: "x"), field: "to"),
            RequestCase(request: ClosureRequest(from: "2026-05-20", to: "tomorrow", reason: "x"), field: "to"),
            RequestCase(
                request: ClosureRequest(from: "2026-05-20", startTime: "24:00", reason: "x"), field: "start_time"),
            RequestCase(request: ClosureRequest(from: "2026-05-20", endTime: "25:00", reason: "x"), field: "end_time"),
            RequestCase(
                request: ClosureRequest(from: "2026-05-20", startTime: "18:00", endTime: "14:00", reason: "x"),
                field: "end_time"),
            RequestCase(request: ClosureRequest(from: "2026-05-20", reason: "  "), field: "reason"),
        ])
    func requestValidation(_ example: RequestCase) {
        do {
            let closure = try example.request.closure()
            #expect(example.field == nil)
            #expect(closure.from == LocalDate(example.request.from))
        } catch .invalid(let field, _) {
            #expect(field == example.field)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aClosureWithTimesStartsAndEndsOnItsDays() throws {
        let closure = try ClosureRequest(
            from: "2026-05-20", to: "2026-05-22", startTime: "14:00", endTime: "10:00", reason: "Festival"
        ).closure()
        #expect(!closure.isWholeDays)
        #expect(
            closure.interval(in: Fixture.belgrade)
                == Interval(start: Fixture.bg(2026, 5, 20, 14), end: Fixture.bg(2026, 5, 22, 10)))
    }
}
