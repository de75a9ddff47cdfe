import HapesiraCore
import Testing

@Suite("BookingEngine.decide")
struct BookingEngineDecideTests {
    let now = Fixture.now

    /// Decides a single occurrence.
    func decide(
        _ draft: BookingDraft, engine: BookingEngine = Fixture.engine(), ledger: FakeLedger? = nil,
        now: Int64 = Fixture.now, excluding: Int64? = nil, autoApprove: Bool = false
    ) throws -> Result<Decision, Refusal> {
        try engine.decide(
            draft, occurrences: engine.plan(draft, now: now), now: now,
            ledger: ledger ?? FakeLedger(catalogue: engine.catalogue), excluding: excluding, autoApprove: autoApprove)
    }

    /// The violations of a single-occurrence draft (empty when it may be booked).
    func violations(
        _ draft: BookingDraft, engine: BookingEngine = Fixture.engine(), ledger: FakeLedger? = nil,
        now: Int64 = Fixture.now, excluding: Int64? = nil
    ) throws -> [RuleViolation] {
        switch try decide(draft, engine: engine, ledger: ledger, now: now, excluding: excluding) {
        case .success(let decision):
            #expect(decision.occurrences == [draft.interval])
            #expect(decision.skipped.isEmpty)
            return []
        case .failure(let refusal):
            #expect(refusal.refused.count == 1)
            #expect(refusal.refused.first?.interval == draft.interval)
            return refusal.refused.flatMap(\.violations)
        }
    }

    // MARK: Conflicts, buffers and linked spaces

    struct ConflictCase: Sendable, CustomTestStringConvertible {
        var existing: (space: String, from: String, to: String)
        var requested: (space: String, from: String, to: String)
        var conflict: Bool
        var note: String
        var testDescription: String { note }
    }

    @Test(
        "buffers widen both bookings; touching blocks do not conflict",
        arguments: [
            // main-hall: 30 min setup, 15 min teardown. Existing 18:00–20:00 blocks 17:30–20:15.
            ConflictCase(
                existing: ("main-hall", "18:00", "20:00"), requested: ("main-hall", "20:45", "22:00"), conflict: false,
                note: "after: setup starts as the other's teardown ends"),
            ConflictCase(
                existing: ("main-hall", "18:00", "20:00"), requested: ("main-hall", "20:44", "22:00"), conflict: true,
                note: "after: setup overlaps teardown by a minute"),
            ConflictCase(
                existing: ("main-hall", "18:00", "20:00"), requested: ("main-hall", "15:15", "17:15"), conflict: false,
                note: "before: teardown ends as the other's setup starts"),
            ConflictCase(
                existing: ("main-hall", "18:00", "20:00"), requested: ("main-hall", "15:15", "17:16"), conflict: true,
                note: "before: teardown overlaps setup by a minute"),
            ConflictCase(
                existing: ("main-hall", "18:00", "20:00"), requested: ("main-hall", "20:00", "21:00"), conflict: true,
                note: "booked times touch but the buffers overlap"),
            ConflictCase(
                existing: ("main-hall", "18:00", "20:00"), requested: ("main-hall", "16:00", "18:30"), conflict: true,
                note: "booked times overlap"),
            ConflictCase(
                existing: ("main-hall", "18:00", "20:00"), requested: ("main-hall", "19:00", "19:30"), conflict: true,
                note: "inside"),
            ConflictCase(
                existing: ("main-hall", "18:00", "20:00"), requested: ("workshop", "18:00", "20:00"), conflict: false,
                note: "another, unlinked space"),
            // workshop: no buffers.
            ConflictCase(
                existing: ("workshop", "18:00", "20:00"), requested: ("workshop", "20:00", "21:00"), conflict: false,
                note: "no buffers: back to back after"),
            ConflictCase(
                existing: ("workshop", "18:00", "20:00"), requested: ("workshop", "16:00", "18:00"), conflict: false,
                note: "no buffers: back to back before"),
            ConflictCase(
                existing: ("workshop", "18:00", "20:00"), requested: ("workshop", "19:59", "21:00"), conflict: true,
                note: "no buffers: one minute overlap"),
            // hall (15/15 buffers) and its half hall-a (none): each side's own buffers count.
            ConflictCase(
                existing: ("hall", "10:00", "12:00"), requested: ("hall-a", "12:15", "13:00"), conflict: false,
                note: "half after the hall's teardown"),
            ConflictCase(
                existing: ("hall", "10:00", "12:00"), requested: ("hall-a", "12:14", "13:00"), conflict: true,
                note: "half inside the hall's teardown"),
            ConflictCase(
                existing: ("hall-a", "10:00", "12:00"), requested: ("hall", "12:00", "13:00"), conflict: true,
                note: "hall setup overlaps the half's booking"),
            ConflictCase(
                existing: ("hall-a", "10:00", "12:00"), requested: ("hall", "12:15", "13:00"), conflict: false,
                note: "hall setup starts as the half's booking ends"),
            ConflictCase(
                existing: ("hall", "10:00", "12:00"), requested: ("hall", "12:30", "13:00"), conflict: false,
                note: "hall after hall: blocks touch"),
            ConflictCase(
                existing: ("hall", "10:00", "12:00"), requested: ("hall", "12:29", "13:00"), conflict: true,
                note: "hall after hall: blocks overlap"),
        ])
    func buffers(_ c: ConflictCase) throws {
        try checkConflict(c)
    }

    @Test(
        "a divisible hall blocks its halves and they block it; halves do not block each other",
        arguments: [
            ("hall", "hall", true), ("hall", "hall-a", true), ("hall", "hall-b", true),
            ("hall-a", "hall", true), ("hall-b", "hall", true), ("hall-a", "hall-a", true),
            ("hall-a", "hall-b", false), ("hall-b", "hall-a", false),
            ("studio", "hall", false), ("hall", "studio", false), ("hall-a", "studio", false),
        ])
    func linkedSpaces(_ existing: String, _ requested: String, _ conflict: Bool) throws {
        try checkConflict(
            ConflictCase(
                existing: (existing, "10:00", "12:00"), requested: (requested, "10:00", "12:00"), conflict: conflict,
                note: "\(existing) then \(requested)"))
    }

    func checkConflict(_ c: ConflictCase) throws {
        var ledger = FakeLedger(catalogue: Fixture.catalogue())
        ledger.add(
            c.existing.space, Fixture.at("2026-05-11T\(c.existing.from)"), Fixture.at("2026-05-11T\(c.existing.to)"))
        let draft = Fixture.draft(
            c.requested.space, Fixture.at("2026-05-11T\(c.requested.from)"), Fixture.at("2026-05-11T\(c.requested.to)"))
        let found = try violations(draft, ledger: ledger)
        #expect(found == (c.conflict ? [.conflict(ledger.occurrences)] : []))
    }

    @Test("the booking being changed does not conflict with itself")
    func excludingOwnBooking() throws {
        var ledger = FakeLedger(catalogue: Fixture.catalogue())
        let own = ledger.add("workshop", Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"))
        let draft = Fixture.draft("workshop", Fixture.at("2026-05-11T19:00"), Fixture.at("2026-05-11T21:00"))
        #expect(try violations(draft, ledger: ledger, excluding: own) == [])
        #expect(try violations(draft, ledger: ledger, excluding: own + 1) == [.conflict(ledger.occurrences)])
    }

    @Test(
        "pending bookings block unless the policy says only confirmed ones do",
        arguments: [
            (BookingStatus.confirmed, true, true), (.confirmed, false, true), (.pending, true, true),
            (.pending, false, false), (.waiting, true, false), (.cancelled, true, false), (.declined, true, false),
        ])
    func pendingBlocks(_ status: BookingStatus, _ pendingBlocks: Bool, _ conflict: Bool) throws {
        let engine = Fixture.engine(Fixture.catalogue(pendingBlocks: pendingBlocks))
        var ledger = FakeLedger(catalogue: engine.catalogue)
        ledger.add("workshop", Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"), status: status)
        let draft = Fixture.draft("workshop", Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"))
        let found = try violations(draft, engine: engine, ledger: ledger)
        #expect(found.map(\.code) == (conflict ? ["conflict"] : []))
    }

    // MARK: Rules that need no calendar

    struct RuleCase: Sendable, CustomTestStringConvertible {
        var space: String
        var from: String
        var to: String
        var violations: [RuleViolation]
        var testDescription: String { "\(space) \(from)–\(to)" }
        init(_ space: String, _ from: String, _ to: String, _ violations: [RuleViolation]) {
            self.space = space
            self.from = from
            self.to = to
            self.violations = violations
        }
    }

    @Test(
        "opening hours (kino: Mon–Fri 09–23, Sat–Sun 10–24; club: Sat 20–24 + Sun 00–03)",
        arguments: [
            RuleCase("workshop", "2026-05-11T09:00", "2026-05-11T10:00", []),
            RuleCase("workshop", "2026-05-11T08:59", "2026-05-11T10:00", [.outsideOpeningHours]),
            RuleCase("workshop", "2026-05-11T22:00", "2026-05-11T23:00", []),
            RuleCase("workshop", "2026-05-11T22:00", "2026-05-11T23:01", [.outsideOpeningHours]),
            RuleCase("workshop", "2026-05-16T09:30", "2026-05-16T10:30", [.outsideOpeningHours]),
            RuleCase("workshop", "2026-05-16T10:00", "2026-05-16T11:00", []),
            RuleCase("workshop", "2026-05-16T22:00", "2026-05-17T00:00", []),
            RuleCase("workshop", "2026-05-16T23:00", "2026-05-17T01:00", [.outsideOpeningHours]),
            RuleCase("workshop", "2026-05-15T22:00", "2026-05-16T00:30", [.outsideOpeningHours]),
            RuleCase("workshop", "2026-05-17T22:00", "2026-05-18T00:00", []),
            RuleCase("workshop", "2026-05-17T23:00", "2026-05-18T09:30", [.outsideOpeningHours]),
            RuleCase("club-room", "2026-05-16T23:00", "2026-05-17T01:00", []),
            RuleCase("club-room", "2026-05-16T20:00", "2026-05-17T03:00", []),
            RuleCase("club-room", "2026-05-16T19:00", "2026-05-16T21:00", [.outsideOpeningHours]),
            RuleCase("club-room", "2026-05-17T02:00", "2026-05-17T03:00", []),
            RuleCase("club-room", "2026-05-17T02:30", "2026-05-17T03:30", [.outsideOpeningHours]),
            RuleCase("club-room", "2026-05-15T21:00", "2026-05-15T22:00", [.outsideOpeningHours]),
        ])
    func openingHours(_ c: RuleCase) throws {
        try checkRule(c)
    }

    @Test(
        "closures (31 Dec; 1–2 Jan) win over opening hours",
        arguments: [
            RuleCase("workshop", "2026-12-31T18:00", "2026-12-31T20:00", [.closed(reason: "New Year's Eve")]),
            RuleCase("workshop", "2027-01-02T12:00", "2027-01-02T14:00", [.closed(reason: "New Year holidays")]),
            RuleCase("workshop", "2027-01-01T07:00", "2027-01-01T08:00", [.closed(reason: "New Year holidays")]),
            RuleCase("workshop", "2026-12-30T22:00", "2026-12-31T00:30", [.closed(reason: "New Year's Eve")]),
            RuleCase("workshop", "2026-12-30T21:00", "2026-12-30T23:00", []),
            RuleCase("workshop", "2027-01-03T12:00", "2027-01-03T14:00", []),
            RuleCase("workshop", "2027-01-03T22:00", "2027-01-04T00:00", []),
        ])
    func closures(_ c: RuleCase) throws {
        try checkRule(c)
    }

    @Test(
        "minimum and maximum duration (main-hall 30 min – 8 h; workshop 15 min – 12 h)",
        arguments: [
            RuleCase("main-hall", "2026-05-11T09:00", "2026-05-11T09:29", [.tooShort(minimum: 1800)]),
            RuleCase("main-hall", "2026-05-11T09:00", "2026-05-11T09:30", []),
            RuleCase("main-hall", "2026-05-11T09:00", "2026-05-11T17:00", []),
            RuleCase("main-hall", "2026-05-11T09:00", "2026-05-11T17:01", [.tooLong(maximum: 8 * 3600)]),
            RuleCase("workshop", "2026-05-11T09:00", "2026-05-11T09:14", [.tooShort(minimum: 900)]),
            RuleCase("workshop", "2026-05-11T09:00", "2026-05-11T09:15", []),
            RuleCase("workshop", "2026-05-11T09:00", "2026-05-11T21:00", []),
            RuleCase("workshop", "2026-05-11T09:00", "2026-05-11T21:01", [.tooLong(maximum: 12 * 3600)]),
            RuleCase(
                "workshop", "2026-05-11T08:00", "2026-05-11T08:10", [.tooShort(minimum: 900), .outsideOpeningHours]),
        ])
    func durations(_ c: RuleCase) throws {
        try checkRule(c)
    }

    func checkRule(_ c: RuleCase) throws {
        let draft = Fixture.draft(c.space, Fixture.at(c.from), Fixture.at(c.to))
        #expect(try violations(draft) == c.violations)
    }

    @Test(
        "minimum notice, the past and the horizon (rehearsal: 2 h notice, 30 days ahead)",
        arguments: [
            (-1, [.inThePast]),
            (-3600, [.inThePast]),
            (0, [.insufficientNotice(minimum: 7200)]),
            (7199, [.insufficientNotice(minimum: 7200)]),
            (7200, []),
            (30 * 86_400, []),
            (30 * 86_400 + 1, [.beyondHorizon(maximum: 30 * 86_400)]),
        ] as [(Int64, [RuleViolation])])
    func noticeAndHorizon(_ offset: Int64, _ expected: [RuleViolation]) throws {
        let draft = Fixture.draft("rehearsal", now + offset, now + offset + 3600)
        #expect(try violations(draft) == expected)
    }

    @Test(
        "expected attendance against capacity (main-hall: 240)",
        arguments: [(Int?.none, true), (0, true), (240, true), (241, false), (1000, false)])
    func capacity(_ expected: Int?, _ fits: Bool) throws {
        let draft = Fixture.draft(
            "main-hall", Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"), expected: expected)
        #expect(try violations(draft) == (fits ? [] : [.overCapacity(capacity: 240, expected: expected!)]))
    }

    @Test("over capacity is refused even when the slot is taken and the booker would wait")
    func capacityBeforeConflicts() throws {
        var ledger = FakeLedger(catalogue: Fixture.catalogue())
        ledger.add("main-hall", Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"))
        let draft = Fixture.draft(
            "main-hall", Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"), expected: 300,
            waitIfBusy: true)
        let refusal = try #require(try decide(draft, ledger: ledger).refusal)
        #expect(refusal.refused.flatMap(\.violations) == [.overCapacity(capacity: 240, expected: 300)])
        #expect(refusal.primary == .overCapacity(capacity: 240, expected: 300))
    }

    // MARK: Outcomes

    @Test(
        "approval: pending unless the space needs none or the caller may confirm",
        arguments: [
            ("main-hall", false, BookingStatus.pending), ("main-hall", true, .confirmed),
            ("workshop", false, .confirmed), ("workshop", true, .confirmed),
        ])
    func approval(_ space: String, _ autoApprove: Bool, _ status: BookingStatus) throws {
        let draft = Fixture.draft(space, Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"))
        let decision = try #require(try decide(draft, autoApprove: autoApprove).decision)
        #expect(decision.status == status)
        #expect(decision.occurrences == [draft.interval])
        #expect(decision.blockedBy.isEmpty)
    }

    @Test("waiting is offered for a taken slot, and only when conflicts are the sole problem")
    func waitIfBusy() throws {
        var ledger = FakeLedger(catalogue: Fixture.catalogue())
        ledger.add("workshop", Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"))

        let taken = Fixture.draft(
            "workshop", Fixture.at("2026-05-11T19:00"), Fixture.at("2026-05-11T21:00"), waitIfBusy: true)
        let waiting = try #require(try decide(taken, ledger: ledger).decision)
        #expect(waiting.status == .waiting)
        #expect(waiting.occurrences == [taken.interval])
        #expect(
            waiting.blockedBy == [
                OccurrenceCheck(interval: taken.interval, violations: [.conflict(ledger.occurrences)])
            ])

        // Without the wish to wait, the same request is refused.
        var noWait = taken
        noWait.waitIfBusy = false
        #expect(try decide(noWait, ledger: ledger).refusal?.primary == .conflict(ledger.occurrences))

        // Taken and too short: waiting would never help.
        let tooShort = Fixture.draft(
            "workshop", Fixture.at("2026-05-11T19:00"), Fixture.at("2026-05-11T19:10"), waitIfBusy: true)
        let refusal = try #require(try decide(tooShort, ledger: ledger).refusal)
        #expect(refusal.refused.flatMap(\.violations).map(\.code) == ["conflict", "too_short"])
        #expect(refusal.primary?.code == "conflict")

        // Taken and past closing time.
        let late = Fixture.draft(
            "workshop", Fixture.at("2026-05-11T19:30"), Fixture.at("2026-05-11T23:30"), waitIfBusy: true)
        #expect(
            try decide(late, ledger: ledger).refusal?.refused.flatMap(\.violations).map(\.code) == [
                "conflict", "outside_opening_hours",
            ])

        // Not taken but outside the opening hours.
        let early = Fixture.draft(
            "workshop", Fixture.at("2026-05-11T07:00"), Fixture.at("2026-05-11T08:00"), waitIfBusy: true)
        #expect(try decide(early, ledger: ledger).refusal?.refused.flatMap(\.violations) == [.outsideOpeningHours])

        // Free: booked as usual.
        let free = Fixture.draft(
            "workshop", Fixture.at("2026-05-11T20:00"), Fixture.at("2026-05-11T21:00"), waitIfBusy: true)
        #expect(try decide(free, ledger: ledger).decision?.status == .confirmed)
    }

    // MARK: Recurring series

    /// Mondays 18:00–20:00 from 2026-05-11, four times; the third (25 May) is taken.
    func seriesWithOneConflict(
        _ policy: SeriesPolicy, waitIfBusy: Bool = false, space: String = "workshop"
    )
        throws -> (Result<Decision, Refusal>, [Interval], FakeLedger)
    {
        let engine = Fixture.engine()
        var ledger = FakeLedger(catalogue: engine.catalogue)
        ledger.add(space, Fixture.at("2026-05-25T19:00"), Fixture.at("2026-05-25T21:00"))
        let draft = Fixture.draft(
            space, Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"), recurrence: "FREQ=WEEKLY;COUNT=4",
            policy: policy, waitIfBusy: waitIfBusy)
        let occurrences = try engine.plan(draft, now: now)
        #expect(occurrences.count == 4)
        return (try engine.decide(draft, occurrences: occurrences, now: now, ledger: ledger), occurrences, ledger)
    }

    @Test("all-or-nothing refuses the series and lists just the conflicting occurrence")
    func allOrNothing() throws {
        let (result, occurrences, ledger) = try seriesWithOneConflict(.allOrNothing)
        let refusal = try #require(result.refusal)
        #expect(
            refusal.refused == [OccurrenceCheck(interval: occurrences[2], violations: [.conflict(ledger.occurrences)])])
    }

    @Test("skip-conflicts books the free occurrences and reports the skipped one")
    func skipConflicts() throws {
        let (result, occurrences, ledger) = try seriesWithOneConflict(.skipConflicts)
        let decision = try #require(result.decision)
        #expect(decision.status == .confirmed)
        #expect(decision.occurrences == [occurrences[0], occurrences[1], occurrences[3]])
        #expect(
            decision.skipped == [
                SkippedOccurrence(interval: occurrences[2], violations: [.conflict(ledger.occurrences)])
            ])

        // In a space that needs approval the booked occurrences are pending.
        let (pending, _, _) = try seriesWithOneConflict(.skipConflicts, space: "main-hall")
        #expect(pending.decision?.status == .pending)
        #expect(pending.decision?.occurrences.count == 3)
    }

    @Test("a series that may wait waits as a whole")
    func seriesWaits() throws {
        let (result, occurrences, _) = try seriesWithOneConflict(.allOrNothing, waitIfBusy: true)
        let decision = try #require(result.decision)
        #expect(decision.status == .waiting)
        #expect(decision.occurrences == occurrences)
        #expect(decision.blockedBy.map(\.interval) == [occurrences[2]])
    }

    @Test("skip-conflicts also skips occurrences on closed days")
    func skipClosedDay() throws {
        let engine = Fixture.engine()
        // Thursdays 24 Dec, 31 Dec (closed), 7 Jan.
        let draft = Fixture.draft(
            "workshop", Fixture.at("2026-12-24T18:00"), Fixture.at("2026-12-24T20:00"),
            recurrence: "FREQ=WEEKLY;COUNT=3", policy: .skipConflicts)
        let occurrences = try engine.plan(draft, now: now)
        let decision = try #require(
            try engine.decide(
                draft, occurrences: occurrences, now: now, ledger: FakeLedger(catalogue: engine.catalogue)
            )
            .decision)
        #expect(decision.occurrences == [occurrences[0], occurrences[2]])
        #expect(
            decision.skipped == [
                SkippedOccurrence(interval: occurrences[1], violations: [.closed(reason: "New Year's Eve")])
            ])
    }

    @Test("skip-conflicts cannot help a single booking or a series with nothing free")
    func skipConflictsNeedsSomethingFree() throws {
        let engine = Fixture.engine()
        var ledger = FakeLedger(catalogue: engine.catalogue)
        ledger.add("workshop", Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"))
        ledger.add("workshop", Fixture.at("2026-05-18T18:00"), Fixture.at("2026-05-18T20:00"))

        let single = Fixture.draft(
            "workshop", Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"), policy: .skipConflicts)
        #expect(try decide(single, ledger: ledger).refusal?.refused.count == 1)

        let series = Fixture.draft(
            "workshop", Fixture.at("2026-05-11T18:00"), Fixture.at("2026-05-11T20:00"),
            recurrence: "FREQ=WEEKLY;COUNT=2", policy: .skipConflicts)
        let occurrences = try engine.plan(series, now: now)
        let refusal = try #require(
            try engine.decide(series, occurrences: occurrences, now: now, ledger: ledger).refusal)
        #expect(refusal.refused.map(\.interval) == occurrences)
    }

    // MARK: Quotas

    static let weeklyQuota = Quota(organisations: ["anibar"], venues: ["centre"], period: .week, maxHours: 10)

    struct QuotaCase: Sendable, CustomTestStringConvertible {
        var organisation: String
        var space: String
        var from: String
        var to: String
        var excludeOwn: Bool = false
        var exceeded: Bool
        var note: String
        var testDescription: String { note }
    }

    @Test(
        "quota per organisation per week in the venue's zone (anibar: 10 h/week in centre, 6 h already on Mon 11 May 01:00–07:00)",
        arguments: [
            QuotaCase(
                organisation: "anibar", space: "hall-b", from: "2026-05-12T10:00", to: "2026-05-12T14:00",
                exceeded: false, note: "exactly the quota"),
            QuotaCase(
                organisation: "anibar", space: "hall-b", from: "2026-05-12T10:00", to: "2026-05-12T14:01",
                exceeded: true, note: "a minute over"),
            QuotaCase(
                organisation: "anibar", space: "hall-b", from: "2026-05-17T19:00", to: "2026-05-18T00:00",
                exceeded: true, note: "Sunday of the same local week"),
            QuotaCase(
                organisation: "anibar", space: "hall-b", from: "2026-05-10T18:00", to: "2026-05-10T23:00",
                exceeded: false, note: "Sunday of the week before"),
            QuotaCase(
                organisation: "anibar", space: "hall-b", from: "2026-05-18T00:00", to: "2026-05-18T05:00",
                exceeded: false, note: "Monday of the next local week"),
            QuotaCase(
                organisation: "dokufest", space: "hall-b", from: "2026-05-12T10:00", to: "2026-05-12T15:00",
                exceeded: false, note: "another organisation"),
            QuotaCase(
                organisation: "anibar", space: "workshop", from: "2026-05-12T18:00", to: "2026-05-12T23:00",
                exceeded: false, note: "a venue the quota does not cover"),
            QuotaCase(
                organisation: "anibar", space: "hall-b", from: "2026-05-12T10:00", to: "2026-05-12T19:00",
                exceeded: true, note: "9 h on top of 6 h"),
            QuotaCase(
                organisation: "anibar", space: "hall-b", from: "2026-05-12T10:00", to: "2026-05-12T19:00",
                excludeOwn: true, exceeded: false, note: "9 h replacing the 6 h booking being changed"),
        ])
    func quota(_ c: QuotaCase) throws {
        let engine = Fixture.engine(Fixture.catalogue(quotas: [Self.weeklyQuota]))
        var ledger = FakeLedger(catalogue: engine.catalogue)
        // Monday 01:00 local is still Sunday in UTC: the week must be the venue's.
        let own = ledger.add(
            "hall-a", Fixture.at("2026-05-11T01:00"), Fixture.at("2026-05-11T07:00"), organisation: "anibar")
        // Neither counts: another venue, another organisation.
        ledger.add("workshop", Fixture.at("2026-05-12T09:00"), Fixture.at("2026-05-12T17:00"), organisation: "anibar")
        ledger.add("hall-b", Fixture.at("2026-05-13T09:00"), Fixture.at("2026-05-13T18:00"), organisation: "dokufest")

        let draft = Fixture.draft(c.space, Fixture.at(c.from), Fixture.at(c.to), organisation: c.organisation)
        let found = try violations(draft, engine: engine, ledger: ledger, excluding: c.excludeOwn ? own : nil)
        #expect(found == (c.exceeded ? [.quotaExceeded(Self.weeklyQuota, bookedSeconds: 6 * 3600)] : []))
    }

    @Test("occurrences of the same series count toward the quota")
    func seriesCountsTowardQuota() throws {
        let quota = Quota(organisations: ["anibar"], period: .week, maxHours: 10)
        let engine = Fixture.engine(Fixture.catalogue(quotas: [quota]))
        let ledger = FakeLedger(catalogue: engine.catalogue)
        // Tue, Wed, Thu 10:00–14:00: 4 + 4 fit, the third 4 h would make 12.
        for policy in SeriesPolicy.allCases {
            let draft = Fixture.draft(
                "hall-b", Fixture.at("2026-05-12T10:00"), Fixture.at("2026-05-12T14:00"), organisation: "anibar",
                recurrence: "FREQ=DAILY;COUNT=3", policy: policy)
            let occurrences = try engine.plan(draft, now: now)
            let result = try engine.decide(draft, occurrences: occurrences, now: now, ledger: ledger)
            let third = OccurrenceCheck(
                interval: occurrences[2], violations: [.quotaExceeded(quota, bookedSeconds: 8 * 3600)])
            switch policy {
            case .allOrNothing:
                #expect(result.refusal?.refused == [third])
            case .skipConflicts:
                #expect(result.decision?.occurrences == Array(occurrences[0..<2]))
                #expect(
                    result.decision?.skipped == [
                        SkippedOccurrence(interval: third.interval, violations: third.violations)
                    ])
            }
        }

        // Sat, Sun, Mon: the Monday starts a new week.
        let overWeekend = Fixture.draft(
            "hall-b", Fixture.at("2026-05-16T10:00"), Fixture.at("2026-05-16T14:00"), organisation: "anibar",
            recurrence: "FREQ=DAILY;COUNT=3")
        let weekend = try engine.plan(overWeekend, now: now)
        #expect(
            try engine.decide(overWeekend, occurrences: weekend, now: now, ledger: ledger).decision?.occurrences
                == weekend)
    }

    @Test("occurrences refused for other reasons do not use up the quota")
    func refusedOccurrencesDoNotCount() throws {
        let quota = Quota(organisations: ["anibar"], period: .week, maxHours: 10)
        let engine = Fixture.engine(Fixture.catalogue(quotas: [quota]))
        var ledger = FakeLedger(catalogue: engine.catalogue)
        ledger.add("hall-b", Fixture.at("2026-05-12T09:00"), Fixture.at("2026-05-12T18:00"))
        // Tue (taken), Wed, Thu, Fri, 4 h each: Wed and Thu fit (8 h), Fri would make 12.
        let draft = Fixture.draft(
            "hall-b", Fixture.at("2026-05-12T10:00"), Fixture.at("2026-05-12T14:00"), organisation: "anibar",
            recurrence: "FREQ=DAILY;COUNT=4", policy: .skipConflicts)
        let occurrences = try engine.plan(draft, now: now)
        let decision = try #require(
            try engine.decide(draft, occurrences: occurrences, now: now, ledger: ledger).decision)
        #expect(decision.occurrences == [occurrences[1], occurrences[2]])
        #expect(decision.skipped.map(\.interval) == [occurrences[0], occurrences[3]])
        #expect(decision.skipped.map { $0.violations.map(\.code) } == [["conflict"], ["quota_exceeded"]])
    }

    @Test("a weekly series keeps 19:00 local across the spring-forward change and is checked in wall-clock hours")
    func seriesAcrossDaylightSaving() throws {
        let engine = Fixture.engine()
        let marchNow = Fixture.at("2026-03-01T12:00")
        // Thursdays 19:00–21:00 in the workshop (open until 23:00) before and after 29 March.
        let draft = Fixture.draft(
            "workshop", Fixture.at("2026-03-19T19:00"), Fixture.at("2026-03-19T21:00"),
            recurrence: "FREQ=WEEKLY;COUNT=3")
        let occurrences = try engine.plan(draft, now: marchNow)
        #expect(
            occurrences.map(\.start) == [
                Fixture.utc(2026, 3, 19, 18), Fixture.utc(2026, 3, 26, 18), Fixture.utc(2026, 4, 2, 17),
            ])
        let decision = try #require(
            try engine.decide(
                draft, occurrences: occurrences, now: marchNow, ledger: FakeLedger(catalogue: engine.catalogue)
            ).decision)
        #expect(decision.occurrences == occurrences)
    }
}

extension OccurrenceCheck: CustomTestStringConvertible {
    public var testDescription: String { "\(interval.testDescription): \(violations.map(\.code))" }
}
