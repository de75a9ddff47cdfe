import HapesiraCore
import Testing

@Suite("AlternativeFinder")
struct AlternativeFinderTests {
    let engine = Fixture.engine()
    let now = Fixture.now
    let span = Fixture.span

    @Test("nearest free slots of the same length, never in busy or closed times")
    func nearestSlotsAroundBusyTimes() throws {
        var ledger = FakeLedger(catalogue: engine.catalogue)
        ledger.add("workshop", Fixture.at("2026-05-11T17:00"), Fixture.at("2026-05-11T20:00"))
        ledger.add("workshop", Fixture.at("2026-05-11T21:00"), Fixture.at("2026-05-11T23:00"))
        let requested = span("2026-05-11T18:00", "2026-05-11T20:00")
        let draft = Fixture.draft("workshop", requested.start, requested.end, expected: 20)

        let alternatives = try AlternativeFinder(engine: engine).alternatives(
            for: draft, requested: requested, now: now, ledger: ledger)
        // After 20:00 there is only an hour before the next booking, and the venue closes at 23:00.
        #expect(
            alternatives.slots == [
                span("2026-05-11T15:00", "2026-05-11T17:00"),
                span("2026-05-11T14:45", "2026-05-11T16:45"),
                span("2026-05-11T14:30", "2026-05-11T16:30"),
            ])
        #expect(alternatives.requested == requested)
    }

    @Test("many slots: each is free by the rules, of the same length, and no farther than the next")
    func slotProperties() throws {
        var ledger = FakeLedger(catalogue: engine.catalogue)
        ledger.add("workshop", Fixture.at("2026-05-11T09:00"), Fixture.at("2026-05-11T12:00"))
        ledger.add("workshop", Fixture.at("2026-05-11T13:00"), Fixture.at("2026-05-11T20:00"))
        ledger.add("workshop", Fixture.at("2026-05-11T21:00"), Fixture.at("2026-05-11T23:00"))
        ledger.add("workshop", Fixture.at("2026-05-12T10:30"), Fixture.at("2026-05-12T16:00"))
        let requested = span("2026-05-11T18:00", "2026-05-11T20:00")
        var finder = AlternativeFinder(engine: engine)
        finder.maxSlots = 40
        let slots = try finder.alternatives(
            for: Fixture.draft("workshop", requested.start, requested.end), requested: requested, now: now,
            ledger: ledger
        ).slots
        #expect(slots.count == 40)
        #expect(Set(slots).count == slots.count)
        let space = try #require(engine.catalogue.space("workshop"))
        let venue = try #require(engine.catalogue.venue("kino"))
        var distance: Int64 = 0
        for slot in slots {
            #expect(slot.duration == requested.duration)
            #expect(
                try engine.check(
                    slot, in: space, calendar: try engine.calendar(of: venue, ledger: ledger), now: now, ledger: ledger
                ).isEmpty)
            #expect((slot.start - requested.start) % (15 * 60) == 0)
            #expect(abs(slot.start - requested.start) >= distance)
            distance = abs(slot.start - requested.start)
        }
    }

    @Test("slots respect setup and teardown buffers and the opening hours of the next day")
    func buffersAndNextDay() throws {
        var ledger = FakeLedger(catalogue: engine.catalogue)
        // main-hall: 30 min setup, 15 min teardown: busy 17:30–20:15.
        ledger.add("main-hall", Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"))
        let requested = span("2026-05-11T18:00", "2026-05-11T20:00")
        var finder = AlternativeFinder(engine: engine)
        finder.searchBefore = 0
        let slots = try finder.alternatives(
            for: Fixture.draft("main-hall", requested.start, requested.end), requested: requested, now: now,
            ledger: ledger
        ).slots
        #expect(
            slots == [
                span("2026-05-11T20:45", "2026-05-11T22:45"),
                span("2026-05-11T21:00", "2026-05-11T23:00"),
                span("2026-05-12T09:00", "2026-05-12T11:00"),
            ])
    }

    @Test("slots skip closed days")
    func skipsClosures() throws {
        var ledger = FakeLedger(catalogue: engine.catalogue)
        ledger.add("workshop", Fixture.at("2026-12-30T09:00"), Fixture.at("2026-12-30T23:00"))
        let requested = span("2026-12-30T18:00", "2026-12-30T20:00")
        var finder = AlternativeFinder(engine: engine)
        finder.searchBefore = 0
        let slots = try finder.alternatives(
            for: Fixture.draft("workshop", requested.start, requested.end), requested: requested, now: now,
            ledger: ledger
        ).slots
        // 31 Dec, 1 and 2 Jan are closed; Sunday 3 Jan opens at 10:00.
        #expect(
            slots == [
                span("2027-01-03T10:00", "2027-01-03T12:00"),
                span("2027-01-03T10:15", "2027-01-03T12:15"),
                span("2027-01-03T10:30", "2027-01-03T12:30"),
            ])
    }

    @Test("slots in a half respect the linked hall's bookings and buffers")
    func linkedSlots() throws {
        var ledger = FakeLedger(catalogue: engine.catalogue)
        // hall: 15 min buffers, so busy 09:45–12:15 for both halves.
        ledger.add("hall", Fixture.at("2026-05-11T10:00"), Fixture.at("2026-05-11T12:00"))
        let requested = span("2026-05-11T10:00", "2026-05-11T12:00")
        let slots = try AlternativeFinder(engine: engine).alternatives(
            for: Fixture.draft("hall-a", requested.start, requested.end), requested: requested, now: now,
            ledger: ledger
        ).slots
        #expect(
            slots == [
                span("2026-05-11T12:15", "2026-05-11T14:15"),
                span("2026-05-11T07:45", "2026-05-11T09:45"),
                span("2026-05-11T12:30", "2026-05-11T14:30"),
            ])
    }

    @Test("no slot before the minimum notice or beyond the horizon")
    func noticeAndHorizonBoundSlots() throws {
        // rehearsal: 2 h notice, 30 days ahead, always open; taken from now + 4 h until an hour before the horizon.
        var ledger = FakeLedger(catalogue: engine.catalogue)
        ledger.add("rehearsal", now + 4 * 3600, now + 30 * 86_400 - 3600)
        let requested = Interval(start: now + 4 * 3600, end: now + 5 * 3600)
        var finder = AlternativeFinder(engine: engine)
        finder.maxSlots = 20
        finder.searchAfter = 40 * 86_400
        let slots = try finder.alternatives(
            for: Fixture.draft("rehearsal", requested.start, requested.end), requested: requested, now: now,
            ledger: ledger
        ).slots
        // Before: hour-long slots ending by now + 4 h, none starting before now + 2 h. After: the last free hour,
        // up to a start exactly at the horizon.
        let minutes: [Int64] = [
            180, 165, 150, 135, 120, 30 * 1440 - 60, 30 * 1440 - 45, 30 * 1440 - 30, 30 * 1440 - 15, 30 * 1440,
        ]
        #expect(slots == minutes.map { Interval(start: now + $0 * 60, end: now + $0 * 60 + 3600) })
    }

    struct SpaceCase: Sendable, CustomTestStringConvertible {
        var note: String
        var from = "2026-05-11T18:00"
        var to = "2026-05-11T20:00"
        var expected: Int?
        var busy: [String] = []
        var maxSpaces = 5
        var spaces: [String]
        var testDescription: String { note }
    }

    @Test(
        "free spaces of the same kind with enough capacity in the same city",
        arguments: [
            SpaceCase(
                note: "both halves free; studio too small; club closed; Prizren elsewhere", expected: 20,
                spaces: ["hall-a", "hall-b"]),
            SpaceCase(
                note: "no attendance given: the small studio too", expected: nil,
                spaces: ["hall-a", "hall-b", "studio"]),
            SpaceCase(note: "hall booked: both halves blocked", expected: 20, busy: ["hall"], spaces: []),
            SpaceCase(note: "one half booked", expected: 20, busy: ["hall-a"], spaces: ["hall-b"]),
            SpaceCase(
                note: "Saturday night: the club is open", from: "2026-05-16T21:00", to: "2026-05-16T23:00",
                expected: 20,
                spaces: ["hall-a", "hall-b", "club-room"]),
            SpaceCase(note: "too many people for any room", expected: 61, spaces: []),
            SpaceCase(note: "at most maxSpaces", expected: 20, maxSpaces: 1, spaces: ["hall-a"]),
        ])
    func freeSpaces(_ c: SpaceCase) throws {
        var ledger = FakeLedger(catalogue: engine.catalogue)
        let requested = span(c.from, c.to)
        for space in c.busy { ledger.add(space, requested.start - 3600, requested.end + 3600) }
        var finder = AlternativeFinder(engine: engine)
        finder.maxSpaces = c.maxSpaces
        let alternatives = try finder.alternatives(
            for: Fixture.draft("workshop", requested.start, requested.end, expected: c.expected), requested: requested,
            now: now, ledger: ledger)
        #expect(alternatives.spaces == c.spaces)
    }

    @Test("a group too big for the space gets other spaces but no slots in it")
    func overCapacityGetsNoSlots() throws {
        let requested = span("2026-05-11T18:00", "2026-05-11T20:00")
        let alternatives = try AlternativeFinder(engine: engine).alternatives(
            for: Fixture.draft("workshop", requested.start, requested.end, expected: 30), requested: requested,
            now: now, ledger: FakeLedger(catalogue: engine.catalogue))
        #expect(alternatives.slots.isEmpty)
        #expect(alternatives.spaces == ["hall-a", "hall-b"])
    }

    @Test("an unknown space has no alternatives")
    func unknownSpace() throws {
        let requested = span("2026-05-11T18:00", "2026-05-11T20:00")
        let alternatives = try AlternativeFinder(engine: engine).alternatives(
            for: Fixture.draft("attic", requested.start, requested.end), requested: requested, now: now,
            ledger: FakeLedger(catalogue: engine.catalogue))
        #expect(alternatives == Alternatives(requested: requested))
    }
}
