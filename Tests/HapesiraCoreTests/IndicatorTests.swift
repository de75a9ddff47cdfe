import HapesiraCore
import Testing

@Suite("Indicators")
struct IndicatorTests {
    typealias F = ReportFixture

    /// Peja: the kino's main hall (with a people counter) and the centre's hall (no sensors);
    /// Prizren: the Lumbardhi room (with a people counter).
    static let spaces = [
        ReportSpace(id: "main", capacity: 240, venue: Fixture.venues[0]),
        ReportSpace(id: "hall", capacity: 120, venue: Fixture.venues[1]),
        ReportSpace(id: "room", capacity: 80, venue: Fixture.venues[3]),
    ]

    /// An occurrence of `hours` from a Belgrade wall-clock start, with the peak count its space's counter saw.
    static func held(
        _ space: String, _ category: String, _ state: ReportOccurrence.State, _ start: String, hours: Int64,
        _ outcome: AttendanceOutcome, peak: Int? = nil
    ) -> (ReportOccurrence, peak: Int?) {
        let from = Fixture.at(start)
        let occurrence = ReportOccurrence(
            space: space, organisation: "anibar", category: category, state: state,
            interval: Interval(start: from, end: from + hours * 3600), outcome: outcome)
        return (occurrence, peak)
    }

    static let held: [(ReportOccurrence, peak: Int?)] = [
        // Peja.
        held("main", "assembly", .confirmed, "2026-03-10T18:00", hours: 2, .attended, peak: 30),  // 1
        held("hall", "assembly", .confirmed, "2026-06-10T18:00", hours: 2, .unknown),  // 2
        held("main", "assembly", .confirmed, "2026-09-10T18:00", hours: 2, .noShow),  // 3
        held("main", "assembly", .cancelled, "2026-10-10T18:00", hours: 2, .unknown),  // 4
        held("main", "assembly", .released, "2026-11-10T18:00", hours: 2, .unknown),  // 5
        held("main", "assembly", .pending, "2026-11-20T18:00", hours: 2, .unknown),  // 6
        held("main", "board-meeting", .confirmed, "2026-02-01T10:00", hours: 2, .endedEarly, peak: 8),  // 7
        held("main", "board-meeting", .confirmed, "2025-12-31T18:00", hours: 2, .attended, peak: 9),  // 8
        held("main", "screening", .confirmed, "2026-05-01T10:00", hours: 3, .attended, peak: 120),  // 9
        held("hall", "workshop", .confirmed, "2026-05-02T10:00", hours: 2, .unknown),  // 10
        // Prizren.
        held("room", "assembly", .confirmed, "2026-04-01T18:00", hours: 2, .attended, peak: 25),  // 11
        held("room", "assembly", .confirmed, "2026-05-01T18:00", hours: 2, .attended, peak: 40),  // 12
        held("room", "assembly", .confirmed, "2026-12-30T23:00", hours: 2, .attended, peak: 10),  // 13
        held("room", "screening", .confirmed, "2026-12-31T22:00", hours: 4, .attended, peak: 60),  // 14
    ]

    /// A counter timeline: occupied during each occurrence with a peak (the first hour of it for an
    /// ended-early one), the peak counted from its start, 0 otherwise.
    static func counterTimeline(_ space: String) -> OccupancyTimeline {
        let own = held.filter { $0.0.space == space }.compactMap { item in
            item.peak.map { peak in
                let interval = item.0.interval
                let end = item.0.outcome == .endedEarly ? interval.start + 3600 : interval.end
                return (Interval(start: interval.start, end: end), peak)
            }
        }.sorted { $0.0 < $1.0 }
        let range = Fixture.span("2025-12-01T00:00", "2027-02-01T00:00")
        return OccupancyTimeline(
            range: range, occupied: own.map(\.0), unknown: [],
            counts: [CountStep(start: range.start, count: 0)]
                + own.flatMap { [CountStep(start: $0.0.start, count: $0.1), CountStep(start: $0.0.end, count: 0)] })
    }

    static let input = ReportInput(
        spaces: spaces, occurrences: held.map(\.0),
        usage: ["main": counterTimeline("main"), "room": counterTimeline("room")])

    static let declared = [
        Indicator(
            name: "assemblies", metric: .occurrences(categories: ["assembly"]), scope: .city, period: .year, target: 2),
        Indicator(
            name: "board meetings", metric: .occurrences(categories: ["board-meeting"]), scope: .city, period: .year,
            target: 4),
        Indicator(
            name: "programme hours", metric: .programmeHours(categories: ["screening", "workshop"]), scope: .space,
            period: .year, target: 100),
        Indicator(name: "attendance", metric: .attendance(categories: []), scope: .network, period: .year, target: 500),
    ]

    static func result(_ results: [IndicatorResult], _ name: String, _ group: String) -> IndicatorResult? {
        results.first { $0.indicator == name && $0.group == group }
    }

    @Test("actual against target per city and year, verified and unverified")
    func occurrencesPerCity() throws {
        let results = Self.input.indicators(Self.declared, over: F.range(F.date(2026, 1, 1), F.date(2027, 1, 1)))
        // One year, one slot each: 2 cities × 2 + 3 spaces + the network.
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0.slot.label == "2026" && $0.slot.isComplete })

        let pejaAssemblies = try #require(Self.result(results, "assemblies", "peja"))
        // 1 attended (verified) + 2 in the hall without sensors (unverified); 3 no-show, 4 cancelled,
        // 5 released, 6 pending do not count: 1 + 1 = 2 of 2.
        #expect(pejaAssemblies.verified == 1)
        #expect(pejaAssemblies.unverified == 1)
        #expect(pejaAssemblies.actual == 2)
        #expect(pejaAssemblies.verifiedOccurrences == 1)
        #expect(pejaAssemblies.unverifiedOccurrences == 1)
        #expect(pejaAssemblies.target == 2)
        #expect(pejaAssemblies.progress == 1)
        #expect(pejaAssemblies.isMet)
        // 11, 12, 13 (30 Dec 23:00 to 31 Dec 01:00), all attended: 3 of 2.
        let prizrenAssemblies = try #require(Self.result(results, "assemblies", "prizren"))
        #expect(prizrenAssemblies.verified == 3)
        #expect(prizrenAssemblies.unverified == 0)
        #expect(prizrenAssemblies.progress == 1.5)

        // 7 ended early still took place (verified); 8 starts in 2025: 1 of 4.
        let pejaBoard = try #require(Self.result(results, "board meetings", "peja"))
        #expect(pejaBoard.actual == 1)
        #expect(pejaBoard.verified == 1)
        #expect(pejaBoard.progress == 0.25)
        #expect(!pejaBoard.isMet)
        // Nothing in Prizren: still a result, 0 of 4.
        let prizrenBoard = try #require(Self.result(results, "board meetings", "prizren"))
        #expect(prizrenBoard.actual == 0)
        #expect(prizrenBoard.progress == 0)
    }

    @Test("programme hours per space: the occurrences' time, split at the range's end")
    func programmeHoursPerSpace() throws {
        let results = Self.input.indicators(Self.declared, over: F.range(F.date(2026, 1, 1), F.date(2027, 1, 1)))
        // hall: 10, a 2 h workshop without sensors → 2 h unverified.
        let hall = try #require(Self.result(results, "programme hours", "hall"))
        #expect(hall.verified == 0)
        #expect(hall.unverified == 2)
        #expect(hall.unverifiedOccurrences == 1)
        // main: 9, a 3 h screening → 3 h verified (assemblies and board meetings are other categories).
        let main = try #require(Self.result(results, "programme hours", "main"))
        #expect(main.verified == 3)
        #expect(main.actual == 3)
        #expect(main.progress == 0.03)
        // room: 14, 31 Dec 22:00 to 1 Jan 02:00: 2 h in 2026.
        let room = try #require(Self.result(results, "programme hours", "room"))
        #expect(room.verified == 2)
        #expect(room.verifiedOccurrences == 1)
    }

    @Test("attendance across the network: the sum of peaks; held occurrences without counters are unmeasured")
    func attendanceTotal() throws {
        let results = Self.input.indicators(Self.declared, over: F.range(F.date(2026, 1, 1), F.date(2027, 1, 1)))
        let network = try #require(Self.result(results, "attendance", IndicatorScope.networkGroup))
        // Held in 2026: 1 (30), 7 (8), 9 (120), 11 (25), 12 (40), 13 (10), 14 (60) = 293 people, verified;
        // 2 and 10 in the hall took place unverified and have no counter.
        #expect(network.verified == 293)
        #expect(network.unverified == 0)
        #expect(network.verifiedOccurrences == 7)
        #expect(network.unverifiedOccurrences == 2)
        #expect(network.unmeasuredOccurrences == 2)
        #expect(network.progress == 293.0 / 500)
    }

    @Test("a target per year over part of a year is not prorated; monthly periods split hours")
    func partialAndMonthlyPeriods() throws {
        // July to December: only 13 (30 Dec) counts in Prizren; in Peja, 3 was a no-show.
        let halfYear = Self.input.indicators(
            [Self.declared[0]], over: F.range(F.date(2026, 7, 1), F.date(2027, 1, 1)))
        #expect(halfYear.map(\.group) == ["peja", "prizren"])
        #expect(halfYear.allSatisfy { $0.slot.label == "2026" && !$0.slot.isComplete && $0.target == 2 })
        #expect(halfYear.map(\.actual) == [0, 1])

        // 31 May 22:00 → 1 June 01:30: 2 h in May, 1.5 h in June; counted as an occurrence in May.
        let bar = ReportSpace(id: "bar", capacity: 40, venue: F.venue("club", hours: .always))
        let screening = F.occurrence(
            "bar", "anibar", "screening", .confirmed, "2026-05-31T22:00", "2026-06-01T01:30", .attended)
        let perMonth = Indicator(
            name: "hours", metric: .programmeHours(categories: []), scope: .venue, period: .month, target: 0)
        let results = ReportInput(spaces: [bar], occurrences: [screening], usage: [:]).indicators(
            [perMonth], over: F.range(F.date(2026, 5, 1), F.date(2026, 7, 1)))
        #expect(results.map(\.slot.label) == ["2026-05", "2026-06"])
        #expect(results.map(\.group) == ["club", "club"])
        #expect(results.map(\.verified) == [2, 1.5])
        #expect(results.map(\.verifiedOccurrences) == [1, 0])
        // A zero target has no progress ratio, and is met.
        #expect(results.allSatisfy { $0.progress == nil && $0.isMet })
    }
}
