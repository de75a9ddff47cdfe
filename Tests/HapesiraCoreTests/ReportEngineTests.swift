import HapesiraCore
import Testing

/// Shared builders for the report tests: Belgrade venues, occurrences and timelines in wall-clock text.
enum ReportFixture {
    static let hour: Int64 = 3600

    static func date(_ year: Int, _ month: Int, _ day: Int) -> LocalDate {
        LocalDate(year: year, month: month, day: day)
    }

    static func everyDay(_ ranges: [OpeningHours.Range]) -> OpeningHours {
        OpeningHours(days: Dictionary(uniqueKeysWithValues: (1...7).map { ($0, ranges) }))
    }

    static func venue(_ id: String, city: String = "peja", hours: OpeningHours, closures: [Closure] = []) -> Venue {
        Venue(id: id, name: id, city: city, zone: Fixture.belgrade, openingHours: hours, closures: closures)
    }

    /// The local day's midnight-to-midnight span (23 or 25 hours on DST days).
    static func day(_ date: LocalDate) -> Interval {
        Interval(start: Fixture.belgrade.startOfDay(date), end: Fixture.belgrade.startOfDay(date.adding(days: 1)))
    }

    static func occurrence(
        _ space: String, _ organisation: String, _ category: String, _ state: ReportOccurrence.State,
        _ from: String, _ to: String, _ outcome: AttendanceOutcome = .unknown, visibility: Visibility = .public
    ) -> ReportOccurrence {
        ReportOccurrence(
            space: space, organisation: organisation, category: category, state: state, visibility: visibility,
            interval: Fixture.span(from, to), outcome: outcome)
    }

    static func steps(_ steps: [(String, Int)]) -> [CountStep] {
        steps.map { CountStep(start: Fixture.at($0.0), count: $0.1) }
    }

    static func range(_ from: LocalDate, _ to: LocalDate) -> ReportRange {
        do {
            return try ReportRange(from: from, to: to)
        } catch {
            fatalError("bad test range: \(error)")
        }
    }

    static func row(_ report: UtilisationReport, _ group: String, from: LocalDate? = nil) -> UtilisationRow? {
        report.rows.first { $0.group == group && (from == nil || $0.slot.from == from) }
    }
}

@Suite("Utilisation report")
struct ReportEngineTests {
    typealias F = ReportFixture
    static let hour = ReportFixture.hour

    // MARK: One space, one day: every figure by hand

    /// Dom's hall, open 09:00–21:00 (12 h), capacity 100, on Tuesday 2026-05-12.
    static let hall = ReportSpace(
        id: "hall", capacity: 100, venue: F.venue("dom", hours: F.everyDay([Fixture.range((9, 0), (21, 0))])))

    static func t(_ time: String) -> String { "2026-05-12T\(time)" }

    /// G, A, H, B, E confirmed; C pending, D cancelled, F released.
    static func hallOccurrences(privateAssembly: Bool = false) -> [ReportOccurrence] {
        [
            F.occurrence("hall", "anibar", "screening", .confirmed, t("08:30"), t("09:30"), .attended),  // G
            F.occurrence("hall", "anibar", "screening", .confirmed, t("10:00"), t("12:00"), .attended),  // A
            F.occurrence("hall", "dokufest", "screening", .confirmed, t("12:00"), t("12:30"), .unknown),  // H
            F.occurrence("hall", "dokufest", "workshop", .confirmed, t("14:00"), t("17:00"), .endedEarly),  // B
            F.occurrence("hall", "anibar", "workshop", .pending, t("17:00"), t("18:00")),  // C
            F.occurrence("hall", "dokufest", "screening", .cancelled, t("18:00"), t("19:00")),  // D
            F.occurrence(
                "hall", "secretariat", "assembly", .confirmed, t("19:00"), t("20:00"), .noShow,
                visibility: privateAssembly ? .private : .public),  // E
            F.occurrence("hall", "secretariat", "assembly", .released, t("20:00"), t("21:00")),  // F
        ]
    }

    static let hallTimeline = OccupancyTimeline(
        range: F.day(F.date(2026, 5, 12)),
        occupied: [
            Fixture.span(t("08:30"), t("09:30")), Fixture.span(t("10:15"), t("11:45")),
            Fixture.span(t("12:30"), t("13:00")), Fixture.span(t("14:00"), t("15:00")),
        ],
        unknown: [
            Fixture.span(t("12:00"), t("12:30")), Fixture.span(t("15:30"), t("16:30")),
            Fixture.span(t("20:30"), t("22:00")),
        ],
        counts: F.steps([
            (t("00:00"), 0), (t("08:30"), 5), (t("09:30"), 0), (t("10:15"), 40), (t("11:00"), 80), (t("11:45"), 0),
            (t("12:30"), 3), (t("13:00"), 0), (t("14:00"), 20), (t("15:00"), 0),
        ]))

    static func hallReport(_ grouping: ReportGrouping, disclosesPrivate: Bool = true) -> UtilisationReport {
        let input = ReportInput(
            spaces: [hall], occurrences: hallOccurrences(privateAssembly: !disclosesPrivate),
            usage: ["hall": hallTimeline])
        return input.utilisation(
            UtilisationRequest(
                range: F.range(F.date(2026, 5, 12), F.date(2026, 5, 13)), period: .day, grouping: grouping,
                disclosesPrivate: disclosesPrivate))
    }

    @Test("one space, one day: available, booked, used, unknown, occupancy, no-shows, attendance, shares")
    func oneSpaceOneDay() throws {
        let report = Self.hallReport(.space)
        #expect(report.rows.count == 1)
        let row = try #require(report.rows.first)
        #expect(row.group == "hall")
        #expect(row.slot.label == "2026-05-12")
        // Open 09:00–21:00 = 12 h.
        #expect(row.availableSeconds == 12 * Self.hour)
        // Confirmed within opening hours: G 09:00–09:30 (0.5; 08:30–09:00 is before opening) + A 2 + H 0.5 + B 3
        // + E 1 = 7 h. C (pending), D (cancelled) and F (released) are not booked time.
        #expect(row.bookedSeconds == 7 * Self.hour)
        // Occupied within opening hours: 09:00–09:30 (0.5) + 10:15–11:45 (1.5) + 12:30–13:00 (0.5) + 14:00–15:00 (1)
        // = 3.5 h (08:30–09:00 is before opening).
        #expect(row.usedSeconds == 3 * Self.hour + 1800)
        // Unknown within opening hours: 12:00–12:30 (0.5) + 15:30–16:30 (1) + 20:30–21:00 (0.5) = 2 h.
        #expect(row.unknownSeconds == 2 * Self.hour)
        // Used inside bookings: G 0.5 + A 1.5 + B 1 = 3 h; unknown inside bookings: H 0.5 + B 1 = 1.5 h
        // (20:30–21:00 lies in F, released, so not booked).
        #expect(row.usedInBookingsSeconds == 3 * Self.hour)
        #expect(row.unknownInBookingsSeconds == Self.hour + 1800)
        // Unbooked use: 3.5 − 3 = 0.5 h (12:30–13:00).
        #expect(row.unbookedUseSeconds == 1800)
        // Utilisation 7 / 12; occupancy of booked time 3 / (7 − 1.5) = 3 / 5.5 = 6 / 11.
        #expect(row.utilisation == 7.0 / 12.0)
        #expect(row.occupancyOfBookedTime == 3.0 / 5.5)
        // Counted: G, A attended; H unknown; B ended early; E no-show; F released. Covered 5 (all but H),
        // no-shows 2 (E, F): rate 2 / 5.
        #expect(row.outcomes.occurrences == 6)
        #expect(row.outcomes.attended == 2)
        #expect(row.outcomes.endedEarly == 1)
        #expect(row.outcomes.noShow == 1)
        #expect(row.outcomes.released == 1)
        #expect(row.outcomes.unknown == 1)
        #expect(row.outcomes.covered == 5)
        #expect(row.outcomes.noShowRate == 0.4)
        // Shares of booked hours: anibar G 0.5 + A 2 = 2.5; dokufest H 0.5 + B 3 = 3.5; secretariat E 1 (of 7).
        let bookedByOrganisation: [String: Int64] = ["anibar": 9000, "dokufest": 12_600, "secretariat": 3600]
        let shareByOrganisation: [String: Double] = ["anibar": 2.5 / 7, "dokufest": 0.5, "secretariat": 1.0 / 7]
        #expect(row.bookedByOrganisation == bookedByOrganisation)
        #expect(row.shareByOrganisation == shareByOrganisation)
        // screening G 0.5 + A 2 + H 0.5 = 3; workshop B 3; assembly E 1.
        let bookedByCategory: [String: Int64] = ["screening": 10_800, "workshop": 10_800, "assembly": 3600]
        let shareByCategory: [String: Double] = ["screening": 3.0 / 7, "workshop": 3.0 / 7, "assembly": 1.0 / 7]
        #expect(row.bookedByCategory == bookedByCategory)
        #expect(row.shareByCategory == shareByCategory)
    }

    @Test("attendance: peak and time-weighted average per confirmed occurrence, over covered time, vs capacity")
    func attendanceAgainstCapacity() throws {
        let attendance = try #require(Self.hallReport(.space).rows.first).attendance
        // G 08:30–09:30: 5 throughout → peak 5, average 5.
        // A 10:00–12:00: 0 for 15 min, 40 for 45 min, 80 for 45 min, 0 for 15 min →
        //   peak 80, average (40 × 2700 + 80 × 2700) / 7200 = 324,000 / 7200 = 45.
        // H 12:00–12:30: all unknown → not measured.
        // B 14:00–17:00: covered 14:00–15:30 and 16:30–17:00 (7200 s); 20 for 3600 s, else 0 →
        //   peak 20, average 20 × 3600 / 7200 = 10.
        // E 19:00–20:00: 0 → peak 0, average 0. F (released) is not measured.
        #expect(attendance.measured == 4)
        #expect(attendance.peak == 80)
        #expect(attendance.totalOfPeaks == 5 + 80 + 20 + 0)
        #expect(attendance.sumOfAverages == 5 + 45 + 10 + 0)
        #expect(attendance.capacity == 4 * 100)
        // Average 60 / 4 = 15; vs capacity 60 / 400 = 0.15; highest peak / capacity 80 / 100.
        #expect(attendance.average == 15)
        #expect(attendance.averageFill == 0.15)
        #expect(attendance.peakFill == 0.8)
    }

    @Test("heat map: used seconds by local weekday and hour, summing to used time")
    func heatMapCells() {
        let report = Self.hallReport(.space)
        let map = report.heatMaps["hall"] ?? UsageHeatMap()
        // Tuesday (2): 09:00–09:30 → 09 h: 1800; 10:15–11:00 → 10 h: 2700; 11:00–11:45 → 11 h: 2700;
        // 12:30–13:00 → 12 h: 1800; 14:00–15:00 → 14 h: 3600. 08:30–09:00 is before opening: not used time.
        #expect(map.seconds(weekday: 2, hour: 8) == 0)
        #expect(map.seconds(weekday: 2, hour: 9) == 1800)
        #expect(map.seconds(weekday: 2, hour: 10) == 2700)
        #expect(map.seconds(weekday: 2, hour: 11) == 2700)
        #expect(map.seconds(weekday: 2, hour: 12) == 1800)
        #expect(map.seconds(weekday: 2, hour: 13) == 0)
        #expect(map.seconds(weekday: 2, hour: 14) == 3600)
        #expect(map.totalSeconds == report.rows[0].usedSeconds)
    }

    @Test("grouped by organisation: each its own bookings, against all available time")
    func byOrganisation() throws {
        let report = Self.hallReport(.organisation)
        #expect(report.rows.map(\.group) == ["anibar", "dokufest", "secretariat"])
        let anibar = try #require(F.row(report, "anibar"))
        // Booked G 0.5 + A 2 = 2.5 h of 12; used inside G 0.5 + A 1.5 = 2 → occupancy 2 / 2.5.
        #expect(anibar.availableSeconds == 12 * Self.hour)
        #expect(anibar.bookedSeconds == 2 * Self.hour + 1800)
        #expect(anibar.usedSeconds == 2 * Self.hour)
        #expect(anibar.usedInBookingsSeconds == 2 * Self.hour)
        #expect(anibar.unknownSeconds == 0)
        #expect(anibar.unbookedUseSeconds == nil)
        #expect(anibar.utilisation == 2.5 / 12)
        #expect(anibar.occupancyOfBookedTime == 0.8)
        #expect(anibar.shareByCategory == ["screening": 1])
        #expect(anibar.outcomes.attended == 2)
        // Peaks G 5 and A 80.
        #expect(anibar.attendance.totalOfPeaks == 85)
        let dokufest = try #require(F.row(report, "dokufest"))
        // Booked H 0.5 + B 3 = 3.5 h; used B 1 h; unknown H 0.5 + B 1 = 1.5 h → occupancy 1 / (3.5 − 1.5) = 0.5.
        #expect(dokufest.bookedSeconds == 3 * Self.hour + 1800)
        #expect(dokufest.usedSeconds == Self.hour)
        #expect(dokufest.unknownSeconds == Self.hour + 1800)
        #expect(dokufest.occupancyOfBookedTime == 0.5)
        let dokufestCategories: [String: Int64] = ["screening": 1800, "workshop": 10_800]
        #expect(dokufest.bookedByCategory == dokufestCategories)
        // H unknown, B ended early: one covered, no no-show (D, cancelled, is not counted).
        #expect(dokufest.outcomes.occurrences == 2)
        #expect(dokufest.outcomes.noShowRate == 0)
        let secretariat = try #require(F.row(report, "secretariat"))
        // E 1 h booked, unused (0 / 1); E no-show and F released: 2 / 2.
        #expect(secretariat.bookedSeconds == Self.hour)
        #expect(secretariat.occupancyOfBookedTime == 0)
        #expect(secretariat.outcomes.noShowRate == 1)
        // The organisations' utilisations add up to the space's: (2.5 + 3.5 + 1) / 12 = 7 / 12.
        #expect(report.rows.map(\.bookedSeconds).reduce(0, +) == 7 * Self.hour)
    }

    @Test("grouped by category: shares per organisation within each category")
    func byCategory() throws {
        let report = Self.hallReport(.category)
        #expect(report.rows.map(\.group) == ["assembly", "screening", "workshop"])
        let screening = try #require(F.row(report, "screening"))
        // G 0.5 + A 2 (anibar) + H 0.5 (dokufest) = 3 h; used G 0.5 + A 1.5 = 2; unknown H 0.5.
        #expect(screening.bookedSeconds == 3 * Self.hour)
        #expect(screening.usedSeconds == 2 * Self.hour)
        #expect(screening.unknownSeconds == 1800)
        let shares: [String: Double] = ["anibar": 2.5 / 3, "dokufest": 0.5 / 3]
        #expect(screening.shareByOrganisation == shares)
        // Heat map of the category: its used time inside its bookings (09 h 1800, 10 h 2700, 11 h 2700).
        #expect(report.heatMaps["screening"]?.totalSeconds == 2 * Self.hour)
        #expect(report.heatMaps["screening"]?.seconds(weekday: 2, hour: 11) == 2700)
    }

    @Test("private occurrences count, but their organisation and category are undisclosed on request")
    func privateUndisclosed() throws {
        let bySpace = try #require(Self.hallReport(.space, disclosesPrivate: false).rows.first)
        // E (secretariat, assembly, 1 h) is private: still booked time, listed as "(private)".
        #expect(bySpace.bookedSeconds == 7 * Self.hour)
        #expect(bySpace.bookedByOrganisation[UtilisationRequest.undisclosed] == Self.hour)
        #expect(bySpace.bookedByOrganisation["secretariat"] == nil)
        #expect(bySpace.bookedByCategory[UtilisationRequest.undisclosed] == Self.hour)
        #expect(bySpace.bookedByCategory["assembly"] == nil)

        let byOrganisation = Self.hallReport(.organisation, disclosesPrivate: false)
        // F (released, public) keeps "secretariat" as a group with no booked time.
        #expect(byOrganisation.rows.map(\.group) == ["(private)", "anibar", "dokufest", "secretariat"])
        let hidden = try #require(F.row(byOrganisation, "(private)"))
        #expect(hidden.bookedSeconds == Self.hour)
        #expect(hidden.outcomes.noShow == 1)
        let secretariat = try #require(F.row(byOrganisation, "secretariat"))
        #expect(secretariat.bookedSeconds == 0)
        #expect(secretariat.occupancyOfBookedTime == nil)
        #expect(secretariat.outcomes.released == 1)
    }

    // MARK: Time zones, periods and boundaries

    @Test(
        "DST days: 23 h and 25 h, bookings and heat map in real seconds",
        arguments: [
            // Spring forward 02:00 → 03:00: 01:00–04:00 lasts 2 h; hour 02 never happens.
            (ReportFixture.date(2026, 3, 29), Int64(23), Int64(2), Int64(0)),
            // Fall back 03:00 → 02:00: 01:00–04:00 lasts 4 h; hour 02 happens twice.
            (ReportFixture.date(2026, 10, 25), Int64(25), Int64(4), Int64(7200)),
        ])
    func dstDays(_ date: LocalDate, _ dayHours: Int64, _ bookedHours: Int64, _ hourTwoSeconds: Int64) throws {
        let space = ReportSpace(id: "studio", capacity: 10, venue: F.venue("centre", hours: .always))
        let booking = ReportOccurrence(
            space: "studio", organisation: "anibar", category: "rehearsal", state: .confirmed,
            interval: Interval(
                start: Fixture.bg(date.year, date.month, date.day, 1),
                end: Fixture.bg(date.year, date.month, date.day, 4)),
            outcome: .attended)
        // Occupied from midnight to midnight.
        let timeline = OccupancyTimeline(range: F.day(date), occupied: [F.day(date)], unknown: [])
        let report = ReportInput(spaces: [space], occurrences: [booking], usage: ["studio": timeline]).utilisation(
            UtilisationRequest(range: F.range(date, date.adding(days: 1)), period: .day, grouping: .space))
        let row = try #require(report.rows.first)
        #expect(row.availableSeconds == dayHours * Self.hour)
        #expect(row.usedSeconds == dayHours * Self.hour)
        #expect(row.bookedSeconds == bookedHours * Self.hour)
        #expect(row.unbookedUseSeconds == (dayHours - bookedHours) * Self.hour)
        #expect(row.occupancyOfBookedTime == 1)
        let map = try #require(report.heatMaps["studio"])
        // Both are Sundays (7): every other hour holds 3600 s.
        #expect(map.seconds(weekday: 7, hour: 2) == hourTwoSeconds)
        #expect(map.seconds(weekday: 7, hour: 1) == 3600)
        #expect(map.seconds(weekday: 7, hour: 3) == 3600)
        #expect(map.seconds(weekday: 6, hour: 23) == 0)
        #expect(map.totalSeconds == dayHours * Self.hour)
    }

    @Test("weeks and months across spring forward; a space without sensors is all unknown")
    func weeksAndMonthsAcrossDST() {
        let space = ReportSpace(id: "studio", capacity: 10, venue: F.venue("centre", hours: .always))
        let input = ReportInput(spaces: [space], occurrences: [], usage: [:])
        let range = F.range(F.date(2026, 3, 1), F.date(2026, 4, 1))
        let weeks = input.utilisation(UtilisationRequest(range: range, period: .week, grouping: .space))
        // Sunday 1 March is the end of ISO week 9 (partial); week 13 (23–29 March) loses an hour; 30–31 March
        // start week 14 (partial).
        #expect(
            weeks.rows.map(\.slot.label) == ["2026-W09", "2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14"])
        #expect(weeks.rows.map(\.slot.isComplete) == [false, true, true, true, true, false])
        #expect(weeks.rows.map(\.availableSeconds) == [24, 168, 168, 168, 167, 48].map { $0 * Self.hour })
        // No timeline: everything unknown, nothing vacant, nothing used.
        #expect(weeks.rows.allSatisfy { $0.unknownSeconds == $0.availableSeconds && $0.usedSeconds == 0 })
        let month = input.utilisation(UtilisationRequest(range: range, period: .month, grouping: .space))
        // 31 × 24 − 1 = 743 h; equal to the weeks' sum 24 + 3 × 168 + 167 + 48.
        #expect(month.rows.map(\.availableSeconds) == [743 * Self.hour])
        #expect(month.rows.map(\.slot.label) == ["2026-03"])
    }

    @Test("a booking crossing midnight and a month boundary is split; its occurrence counts where it starts")
    func crossingMidnightAndMonth() throws {
        // Open 00:00–02:00 and 18:00–24:00 every day: 8 h a day.
        let club = ReportSpace(
            id: "bar", capacity: 40,
            venue: F.venue(
                "club", hours: F.everyDay([Fixture.range((0, 0), (2, 0)), Fixture.range((18, 0), (24, 0))])))
        // Sunday 31 May 22:00 → Monday 1 June 01:30: 2 h in May, 1.5 h in June.
        let booking = F.occurrence(
            "bar", "anibar", "screening", .confirmed, "2026-05-31T22:00", "2026-06-01T01:30", .attended)
        let timeline = OccupancyTimeline(
            range: Fixture.span("2026-05-01T00:00", "2026-07-01T00:00"),
            occupied: [Fixture.span("2026-05-31T22:30", "2026-06-01T01:00")], unknown: [])
        let input = ReportInput(spaces: [club], occurrences: [booking], usage: ["bar": timeline])

        let months = input.utilisation(
            UtilisationRequest(range: F.range(F.date(2026, 5, 1), F.date(2026, 7, 1)), period: .month, grouping: .space)
        )
        let may = try #require(F.row(months, "bar", from: F.date(2026, 5, 1)))
        let june = try #require(F.row(months, "bar", from: F.date(2026, 6, 1)))
        // May: 31 × 8 = 248 h available; booked 22:00–24:00 = 2 h; used 22:30–24:00 = 1.5 h.
        #expect(may.availableSeconds == 248 * Self.hour)
        #expect(may.bookedSeconds == 2 * Self.hour)
        #expect(may.usedSeconds == Self.hour + 1800)
        #expect(may.unknownSeconds == 0)
        #expect(may.outcomes.attended == 1)
        // June: 30 × 8 = 240 h; booked 00:00–01:30 = 1.5 h; used 00:00–01:00 = 1 h; the occurrence is May's.
        #expect(june.availableSeconds == 240 * Self.hour)
        #expect(june.bookedSeconds == Self.hour + 1800)
        #expect(june.usedSeconds == Self.hour)
        #expect(june.outcomes.occurrences == 0)
        // Occupancy of booked time per month: 1.5 / 2 and 1 / 1.5.
        #expect(may.occupancyOfBookedTime == 0.75)
        #expect(june.occupancyOfBookedTime == 1.0 / 1.5)

        let days = input.utilisation(
            UtilisationRequest(range: F.range(F.date(2026, 5, 31), F.date(2026, 6, 2)), period: .day, grouping: .space))
        #expect(days.rows.map(\.bookedSeconds) == [2 * Self.hour, Self.hour + 1800])
        #expect(days.rows.map(\.usedSeconds) == [Self.hour + 1800, Self.hour])
        // Sunday (7) 22:30–23:00 → 1800, 23 h → 3600; Monday (1) 00 h → 3600.
        let map = try #require(days.heatMaps["bar"])
        #expect(map.seconds(weekday: 7, hour: 22) == 1800)
        #expect(map.seconds(weekday: 7, hour: 23) == 3600)
        #expect(map.seconds(weekday: 1, hour: 0) == 3600)
        #expect(map.totalSeconds == 9000)
    }

    @Test("closures and opening hours: a booking on a closed day is an occurrence but no booked time")
    func closuresAndOpeningHours() throws {
        // Kino: Mon–Fri 09–23, Sat–Sun 10–24; closed 31 Dec 2026 and 1–2 Jan 2027.
        let kino = Fixture.venues[0]
        let space = ReportSpace(id: "main-hall", capacity: 240, venue: kino)
        let occurrences = [
            // Wednesday 30 Dec 20:00–24:00: the kino closes at 23:00 → 3 h booked.
            F.occurrence("main-hall", "anibar", "screening", .confirmed, "2026-12-30T20:00", "2026-12-31T00:00"),
            // Thursday 31 Dec, a closure: 0 h booked, still counted (outcome unknown).
            F.occurrence("main-hall", "dokufest", "screening", .confirmed, "2026-12-31T18:00", "2026-12-31T20:00"),
        ]
        let report = ReportInput(spaces: [space], occurrences: occurrences, usage: [:]).utilisation(
            UtilisationRequest(
                range: F.range(F.date(2026, 12, 28), F.date(2027, 1, 4)), period: .week, grouping: .space))
        let row = try #require(report.rows.first)
        #expect(report.rows.count == 1)
        // ISO week 53 of 2026 (its Thursday is 31 Dec), complete.
        #expect(row.slot.label == "2026-W53")
        #expect(row.slot.isComplete)
        // Mon 28, Tue 29, Wed 30: 14 h each; Thu 31, Fri 1, Sat 2 closed; Sun 3: 10–24 = 14 h → 56 h.
        #expect(row.availableSeconds == 56 * Self.hour)
        #expect(row.bookedSeconds == 3 * Self.hour)
        #expect(row.bookedByOrganisation == ["anibar": 10_800])
        #expect(row.utilisation == 3.0 / 56)
        #expect(row.outcomes.unknown == 2)
        // Both unknown: no coverage, so no no-show rate.
        #expect(row.outcomes.noShowRate == nil)
    }

    @Test("time outside the timeline is unknown; occupied time is never unknown")
    func unknownOutsideTimeline() throws {
        let space = ReportSpace(id: "studio", capacity: 10, venue: F.venue("centre", hours: .always))
        let timeline = OccupancyTimeline(
            range: Fixture.span("2026-05-12T06:00", "2026-05-12T18:00"),
            occupied: [
                Fixture.span("2026-05-12T08:00", "2026-05-12T10:00"),
                // Past the timeline's end: only 17:00–18:00 is trusted.
                Fixture.span("2026-05-12T17:00", "2026-05-12T19:00"),
            ],
            unknown: [Fixture.span("2026-05-12T09:00", "2026-05-12T11:00")])
        let report = ReportInput(spaces: [space], occurrences: [], usage: ["studio": timeline]).utilisation(
            UtilisationRequest(range: F.range(F.date(2026, 5, 12), F.date(2026, 5, 13)), period: .day, grouping: .space)
        )
        let row = try #require(report.rows.first)
        // Used 08:00–10:00 (2, the overlap with unknown stays used) + 17:00–18:00 (1) = 3 h.
        #expect(row.usedSeconds == 3 * Self.hour)
        // Unknown 00:00–06:00 (6) + 10:00–11:00 (1) + 18:00–24:00 (6) = 13 h; known vacant 24 − 3 − 13 = 8 h.
        #expect(row.unknownSeconds == 13 * Self.hour)
        #expect(row.unbookedUseSeconds == 3 * Self.hour)
    }

    @Test("grouped by place: every space, venue and city is a row, with shares across its spaces")
    func byPlace() throws {
        let hours = F.everyDay([Fixture.range((10, 0), (20, 0))])
        let dom = F.venue("dom", city: "peja", hours: hours)
        let lumbardhi = F.venue("lumbardhi", city: "prizren", hours: hours)
        let spaces = [
            ReportSpace(id: "a", capacity: 50, venue: dom), ReportSpace(id: "b", capacity: 50, venue: dom),
            ReportSpace(id: "c", capacity: 30, venue: lumbardhi), ReportSpace(id: "d", capacity: 30, venue: lumbardhi),
        ]
        let occurrences = [
            F.occurrence("a", "anibar", "screening", .confirmed, "2026-05-12T10:00", "2026-05-12T12:00"),
            F.occurrence("b", "dokufest", "workshop", .confirmed, "2026-05-12T12:00", "2026-05-12T16:00"),
            F.occurrence("c", "anibar", "workshop", .confirmed, "2026-05-12T10:00", "2026-05-12T11:00"),
            // Not a listed space: ignored.
            F.occurrence("elsewhere", "anibar", "workshop", .confirmed, "2026-05-12T10:00", "2026-05-12T11:00"),
        ]
        let input = ReportInput(spaces: spaces, occurrences: occurrences, usage: [:])
        func report(_ grouping: ReportGrouping) -> UtilisationReport {
            input.utilisation(
                UtilisationRequest(
                    range: F.range(F.date(2026, 5, 12), F.date(2026, 5, 13)), period: .range, grouping: grouping))
        }
        let bySpace = report(.space)
        // d has nothing booked but is a row: 10 h available, utilisation 0, occupancy undefined.
        #expect(bySpace.rows.map(\.group) == ["a", "b", "c", "d"])
        let d = try #require(F.row(bySpace, "d"))
        #expect(d.availableSeconds == 10 * Self.hour)
        #expect(d.utilisation == 0)
        #expect(d.occupancyOfBookedTime == nil)

        let byCity = report(.city)
        #expect(byCity.rows.map(\.group) == ["peja", "prizren"])
        let peja = try #require(F.row(byCity, "peja"))
        // a + b: 2 × 10 = 20 h available; booked 2 + 4 = 6 h, all unknown (no sensors): occupancy undefined, not 0.
        #expect(peja.slot.label == "2026-05-12/2026-05-13")
        #expect(peja.availableSeconds == 20 * Self.hour)
        #expect(peja.bookedSeconds == 6 * Self.hour)
        #expect(peja.unknownInBookingsSeconds == 6 * Self.hour)
        #expect(peja.occupancyOfBookedTime == nil)
        let shares: [String: Double] = ["anibar": 2.0 / 6, "dokufest": 4.0 / 6]
        #expect(peja.shareByOrganisation == shares)
        let prizren = try #require(F.row(byCity, "prizren"))
        // c + d: 20 h; booked 1 h by anibar (the occurrence in "elsewhere" does not count).
        #expect(prizren.bookedSeconds == Self.hour)
        #expect(prizren.utilisation == 1.0 / 20)
        #expect(prizren.shareByOrganisation == ["anibar": 1])

        let byVenue = report(.venue)
        #expect(byVenue.rows.map(\.group) == ["dom", "lumbardhi"])
        #expect(byVenue.rows.map(\.bookedSeconds) == byCity.rows.map(\.bookedSeconds))
    }

    @Test("division by zero gives nil, never NaN")
    func divisionByZero() throws {
        // Never open, nothing booked.
        let closed = ReportSpace(id: "store", capacity: 0, venue: F.venue("depot", hours: OpeningHours(days: [:])))
        let space = ReportSpace(id: "studio", capacity: 0, venue: F.venue("centre", hours: .always))
        let day = F.day(F.date(2026, 5, 12))
        // A counter that sees 3 people during a confirmed occurrence, in a space whose capacity is 0.
        let occurrence = F.occurrence(
            "studio", "anibar", "workshop", .confirmed, "2026-05-12T10:00", "2026-05-12T11:00", .attended)
        let timeline = OccupancyTimeline(
            range: day, occupied: [Fixture.span("2026-05-12T10:00", "2026-05-12T11:00")], unknown: [],
            counts: [CountStep(start: day.start, count: 0)]
                + F.steps([("2026-05-12T10:00", 3), ("2026-05-12T11:00", 0)]))
        let report = ReportInput(spaces: [closed, space], occurrences: [occurrence], usage: ["studio": timeline])
            .utilisation(
                UtilisationRequest(
                    range: F.range(F.date(2026, 5, 12), F.date(2026, 5, 13)), period: .day, grouping: .space))
        let store = try #require(F.row(report, "store"))
        #expect(store.availableSeconds == 0)
        #expect(store.utilisation == nil)
        #expect(store.occupancyOfBookedTime == nil)
        #expect(store.outcomes.noShowRate == nil)
        #expect(store.attendance.average == nil)
        #expect(store.attendance.averageFill == nil)
        #expect(store.attendance.peak == nil)
        #expect(store.attendance.peakFill == nil)
        #expect(store.shareByOrganisation.isEmpty)
        let studio = try #require(F.row(report, "studio"))
        // Measured (peak 3, average 3), but capacity 0: no fill figures.
        #expect(studio.attendance.peak == 3)
        #expect(studio.attendance.average == 3)
        #expect(studio.attendance.peakFill == nil)
        #expect(studio.attendance.averageFill == nil)
    }

    @Test("attendance across spaces: a space with capacity 0 is left out of the fill figures")
    func attendanceAcrossCapacities() throws {
        let centre = F.venue("centre", hours: .always)
        let spaces = [
            ReportSpace(id: "foyer", capacity: 0, venue: centre), ReportSpace(id: "room", capacity: 10, venue: centre),
        ]
        let day = F.day(F.date(2026, 5, 12))
        // foyer: 3 people for the whole hour (peak 3, average 3). room: 5 for 30 min, 3 for 30 min
        // (peak 5, average (5 × 1800 + 3 × 1800) / 3600 = 4).
        let occurrences = [
            F.occurrence("foyer", "anibar", "workshop", .confirmed, "2026-05-12T10:00", "2026-05-12T11:00", .attended),
            F.occurrence("room", "anibar", "workshop", .confirmed, "2026-05-12T10:00", "2026-05-12T11:00", .attended),
        ]
        let usage = [
            "foyer": OccupancyTimeline(
                range: day, occupied: [], unknown: [],
                counts: [CountStep(start: day.start, count: 0)]
                    + F.steps([("2026-05-12T10:00", 3), ("2026-05-12T11:00", 0)])),
            "room": OccupancyTimeline(
                range: day, occupied: [], unknown: [],
                counts: [CountStep(start: day.start, count: 0)]
                    + F.steps([("2026-05-12T10:00", 5), ("2026-05-12T10:30", 3), ("2026-05-12T11:00", 0)])),
        ]
        let report = ReportInput(spaces: spaces, occurrences: occurrences, usage: usage).utilisation(
            UtilisationRequest(range: F.range(F.date(2026, 5, 12), F.date(2026, 5, 13)), period: .day, grouping: .venue)
        )
        let attendance = try #require(report.rows.first).attendance
        #expect(attendance.measured == 2)
        #expect(attendance.peak == 5)
        #expect(attendance.totalOfPeaks == 8)
        // Mean of the averages (3 + 4) / 2 = 3.5; fill only over the room: 4 / 10 and peak 5 / 10.
        #expect(attendance.average == 3.5)
        #expect(attendance.averageFill == 0.4)
        #expect(attendance.peakFill == 0.5)
    }

    @Test("an organisation named like the undisclosed label shares its row")
    func undisclosedLabelTaken() throws {
        let occurrences = [
            F.occurrence("hall", "(private)", "screening", .confirmed, Self.t("10:00"), Self.t("11:00")),
            F.occurrence(
                "hall", "anibar", "screening", .confirmed, Self.t("12:00"), Self.t("14:00"), visibility: .private),
        ]
        let report = ReportInput(spaces: [Self.hall], occurrences: occurrences, usage: [:]).utilisation(
            UtilisationRequest(
                range: F.range(F.date(2026, 5, 12), F.date(2026, 5, 13)), period: .day, grouping: .organisation,
                disclosesPrivate: false))
        // 1 h + 2 h under one "(private)" row.
        #expect(report.rows.map(\.group) == ["(private)"])
        #expect(report.rows.first?.bookedSeconds == 3 * Self.hour)
    }

    // MARK: Requests and periods

    @Test("bad ranges are refused with typed errors")
    func badRanges() {
        #expect(throws: ReportRequestError.emptyRange(from: F.date(2026, 5, 2), to: F.date(2026, 5, 1))) {
            try ReportRange(from: F.date(2026, 5, 2), to: F.date(2026, 5, 1))
        }
        #expect(throws: ReportRequestError.emptyRange(from: F.date(2026, 5, 1), to: F.date(2026, 5, 1))) {
            try ReportRange(from: F.date(2026, 5, 1), to: F.date(2026, 5, 1))
        }
        // 2026-01-01 to 2029-01-02: 365 + 365 + 366 + 1 = 1097 days > 1096.
        #expect(throws: ReportRequestError.rangeTooLong(days: 1097, maximum: 1096)) {
            try ReportRange(from: F.date(2026, 1, 1), to: F.date(2029, 1, 2))
        }
        #expect(throws: ReportRequestError.rangeTooLong(days: 31, maximum: 30)) {
            try ReportRange(from: F.date(2026, 1, 1), to: F.date(2026, 2, 1), maximumDays: 30)
        }
        #expect(throws: ReportRequestError.invalidDate(F.date(2026, 2, 30))) {
            try ReportRange(from: F.date(2026, 2, 1), to: F.date(2026, 2, 30))
        }
        #expect((try? ReportRange(from: F.date(2026, 1, 1), to: F.date(2029, 1, 1))) != nil)
    }

    @Test(
        "periods: calendar slots cut by the range, with labels",
        arguments: [
            (
                ReportPeriod.week, ReportFixture.date(2026, 12, 30), ReportFixture.date(2027, 1, 12),
                ["2026-W53", "2027-W01", "2027-W02"], [false, true, false]
            ),
            (
                .quarter, ReportFixture.date(2026, 2, 15), ReportFixture.date(2026, 8, 1),
                ["2026-Q1", "2026-Q2", "2026-Q3"], [false, true, false]
            ),
            (
                .month, ReportFixture.date(2026, 11, 1), ReportFixture.date(2027, 2, 1),
                ["2026-11", "2026-12", "2027-01"], [true, true, true]
            ),
            (.year, ReportFixture.date(2026, 7, 1), ReportFixture.date(2028, 1, 1), ["2026", "2027"], [false, true]),
            (
                .day, ReportFixture.date(2026, 2, 28), ReportFixture.date(2026, 3, 2), ["2026-02-28", "2026-03-01"],
                [true, true]
            ),
            (
                .range, ReportFixture.date(2026, 2, 28), ReportFixture.date(2026, 3, 2), ["2026-02-28/2026-03-02"],
                [true]
            ),
        ])
    func periodSlots(_ period: ReportPeriod, _ from: LocalDate, _ to: LocalDate, _ labels: [String], _ complete: [Bool])
    {
        let slots = F.range(from, to).slots(period)
        #expect(slots.map(\.label) == labels)
        #expect(slots.map(\.isComplete) == complete)
        // Contiguous from `from` to `to`.
        #expect(slots.first?.from == from)
        #expect(slots.last?.to == to)
        #expect(zip(slots, slots.dropFirst()).allSatisfy { $0.to == $1.from })
    }
}

/// A generated year of bookings and sensor data, checked against a plain interval computation and
/// against itself across periods and groupings.
@Suite("Utilisation report consistency")
struct ReportConsistencyTests {
    typealias F = ReportFixture

    /// A linear congruential generator: the same data on every run.
    struct Generator {
        var state: UInt64 = 42
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static let year = F.range(F.date(2026, 1, 1), F.date(2027, 1, 1))
    static let yearSpan = Interval(
        start: Fixture.bg(2026, 1, 1), end: Fixture.belgrade.startOfDay(F.date(2027, 1, 1)))

    static let spaces = [
        ReportSpace(id: "k1", capacity: 200, venue: Fixture.venues[0]),
        ReportSpace(id: "k2", capacity: 30, venue: Fixture.venues[0]),
        ReportSpace(id: "c1", capacity: 100, venue: Fixture.venues[1]),
        ReportSpace(id: "c2", capacity: 20, venue: Fixture.venues[1]),
        ReportSpace(id: "n1", capacity: 40, venue: Fixture.venues[2]),
        ReportSpace(id: "l1", capacity: 60, venue: Fixture.venues[3]),
    ]

    /// Consecutive intervals from a little before the year to a little after it, with random gaps and lengths
    /// (multiples of 5 minutes).
    static func walk(_ generator: inout Generator, gap: Int, length: Int) -> [Interval] {
        var result: [Interval] = []
        var cursor = yearSpan.start - 2 * 86_400
        while cursor < yearSpan.end + 2 * 86_400 {
            let start = cursor + Int64(generator.next(gap)) * 300
            let end = start + Int64(1 + generator.next(length)) * 300
            result.append(Interval(start: start, end: end))
            cursor = end
        }
        return result
    }

    static let generated: (occurrences: [ReportOccurrence], usage: [String: OccupancyTimeline]) = {
        var generator = Generator()
        let states = ReportOccurrence.State.allCases
        let outcomes = AttendanceOutcome.allCases
        var occurrences: [ReportOccurrence] = []
        var usage: [String: OccupancyTimeline] = [:]
        for space in spaces {
            for interval in walk(&generator, gap: 400, length: 48) {
                occurrences.append(
                    ReportOccurrence(
                        space: space.id, organisation: ["anibar", "dokufest", "lumbardhi"][generator.next(3)],
                        category: ["screening", "workshop", "assembly"][generator.next(3)],
                        // Confirmed half the time.
                        state: generator.next(2) == 0 ? .confirmed : states[generator.next(states.count)],
                        visibility: generator.next(4) == 0 ? .private : .public, interval: interval,
                        outcome: outcomes[generator.next(outcomes.count)]))
            }
            // k2 and l1 have no sensors; the others' data ends on 20 December.
            guard space.id != "k2" && space.id != "l1" else { continue }
            let range = Interval(start: yearSpan.start - 86_400, end: Fixture.bg(2026, 12, 20))
            let counts = walk(&generator, gap: 10, length: 30).map {
                CountStep(start: $0.start, count: generator.next(90))
            }
            usage[space.id] = OccupancyTimeline(
                range: range, occupied: walk(&generator, gap: 200, length: 40),
                unknown: walk(&generator, gap: 4000, length: 200), counts: counts)
        }
        return (occurrences, usage)
    }()

    static let data = ReportInput(spaces: spaces, occurrences: generated.occurrences, usage: generated.usage)

    /// The seconds two lists of intervals share (each sorted and disjoint).
    static func overlap(_ a: [Interval], _ b: [Interval]) -> Int64 {
        intersection(a, b).reduce(0) { $0 + $1.duration }
    }

    static func intersection(_ a: [Interval], _ b: [Interval]) -> [Interval] {
        a.flatMap { x in b.compactMap { x.intersection($0) } }.merged()
    }

    @Test("the yearly figures per space equal a plain interval computation")
    func matchesPlainComputation() throws {
        let input = Self.data
        let report = input.utilisation(UtilisationRequest(range: Self.year, period: .year, grouping: .space))
        // The data exercises every figure.
        for figure in [
            \UtilisationRow.bookedSeconds, \.usedSeconds, \.unknownSeconds, \.usedInBookingsSeconds,
            \.unknownInBookingsSeconds,
        ] {
            #expect(report.rows.contains { $0[keyPath: figure] > 0 })
        }
        #expect(report.rows.allSatisfy { $0.outcomes.released > 0 && $0.outcomes.noShow > 0 })
        #expect(report.rows.contains { $0.attendance.measured > 0 })
        for space in Self.spaces {
            let row = try #require(F.row(report, space.id))
            let available = VenueCalendar(venue: space.venue).openIntervals(overlapping: Self.yearSpan)
                .compactMap { $0.intersection(Self.yearSpan) }
            let own = Self.generated.occurrences.filter { $0.space == space.id }
            let booked = own.filter { $0.state == .confirmed }.map(\.interval).merged()
            let timeline = Self.generated.usage[space.id]
            let occupied = timeline.map { t in t.occupied.compactMap { $0.intersection(t.range) }.merged() } ?? []
            // Unknown: marked unknown or outside the timeline, and not occupied.
            let notUnknown =
                timeline.map { t in
                    (t.unknown + [t.range].complement(within: Self.yearSpan)).complement(within: Self.yearSpan)
                }
                ?? []
            let unknown = (notUnknown + occupied).complement(within: Self.yearSpan)
            #expect(row.availableSeconds == Self.overlap(available, [Self.yearSpan]), "\(space.id)")
            #expect(row.bookedSeconds == Self.overlap(available, booked), "\(space.id)")
            #expect(row.usedSeconds == Self.overlap(available, occupied), "\(space.id)")
            #expect(row.unknownSeconds == Self.overlap(available, unknown), "\(space.id)")
            let usedInBookings = Self.overlap(Self.intersection(available, occupied), booked)
            #expect(row.usedInBookingsSeconds == usedInBookings, "\(space.id)")
            #expect(row.unknownInBookingsSeconds == Self.overlap(Self.intersection(available, unknown), booked))
            #expect(row.unbookedUseSeconds == row.usedSeconds - usedInBookings, "\(space.id)")
            let counted = own.filter {
                ($0.state == .confirmed || $0.state == .released) && Self.yearSpan.start <= $0.interval.start
                    && $0.interval.start < Self.yearSpan.end
            }
            #expect(row.outcomes.occurrences == counted.count, "\(space.id)")
            #expect(report.heatMaps[space.id]?.totalSeconds == row.usedSeconds, "\(space.id)")
        }
    }

    @Test("days, months and quarters add up to the year; organisations, categories and cities to the spaces")
    func addsUp() {
        let input = Self.data
        func rows(_ period: ReportPeriod, _ grouping: ReportGrouping) -> [UtilisationRow] {
            input.utilisation(UtilisationRequest(range: Self.year, period: period, grouping: grouping)).rows
        }
        func totals(_ rows: [UtilisationRow]) -> [Int64] {
            rows.reduce(into: Array(repeating: Int64(0), count: 8)) { sums, row in
                sums[0] += row.bookedSeconds
                sums[1] += row.usedInBookingsSeconds
                sums[2] += row.unknownInBookingsSeconds
                sums[3] += Int64(row.outcomes.occurrences)
                sums[4] += Int64(row.outcomes.noShows)
                sums[5] += Int64(row.outcomes.covered)
                sums[6] += Int64(row.attendance.measured)
                sums[7] += Int64(row.attendance.totalOfPeaks)
            }
        }
        func placeTotals(_ rows: [UtilisationRow]) -> [Int64] {
            totals(rows) + [
                rows.map(\.availableSeconds).reduce(0, +), rows.map(\.usedSeconds).reduce(0, +),
                rows.map(\.unknownSeconds).reduce(0, +), rows.compactMap(\.unbookedUseSeconds).reduce(0, +),
            ]
        }
        let yearly = rows(.year, .space)
        #expect(yearly.count == Self.spaces.count)
        #expect(placeTotals(rows(.day, .space)) == placeTotals(yearly))
        #expect(placeTotals(rows(.week, .space)) == placeTotals(yearly))
        #expect(placeTotals(rows(.month, .space)) == placeTotals(yearly))
        #expect(placeTotals(rows(.quarter, .space)) == placeTotals(yearly))
        #expect(placeTotals(rows(.year, .city)) == placeTotals(yearly))
        #expect(placeTotals(rows(.month, .venue)) == placeTotals(yearly))
        // Confirmed occurrences of a space do not overlap here (they were generated one after the other).
        #expect(totals(rows(.month, .organisation)) == totals(yearly))
        #expect(totals(rows(.year, .category)) == totals(yearly))
        // Every organisation row is measured against all available time.
        let available = yearly.map(\.availableSeconds).reduce(0, +)
        #expect(rows(.year, .organisation).allSatisfy { $0.availableSeconds == available })
        for row in rows(.month, .space) {
            #expect(row.bookedSeconds <= row.availableSeconds)
            #expect(row.usedSeconds + row.unknownSeconds <= row.availableSeconds)
            #expect(row.usedInBookingsSeconds + row.unknownInBookingsSeconds <= row.bookedSeconds)
            #expect(row.bookedByOrganisation.values.reduce(0, +) == row.bookedSeconds)
        }
    }
}
