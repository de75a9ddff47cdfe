import HapesiraCore
import Testing

@Suite("Model")
struct ModelTests {
    @Test(
        "which statuses block a slot",
        arguments: [
            (BookingStatus.confirmed, true, true), (.confirmed, false, true),
            (.pending, true, true), (.pending, false, false),
            (.waiting, true, false), (.waiting, false, false),
            (.declined, true, false), (.cancelled, true, false),
        ])
    func statusBlocks(_ status: BookingStatus, _ pendingBlocks: Bool, _ blocks: Bool) {
        #expect(status.blocks(pendingBlocks: pendingBlocks) == blocks)
    }

    @Test(
        "blocking group: a hall and its halves, in either direction",
        arguments: [
            ("hall", ["hall", "hall-a", "hall-b"]),
            ("hall-a", ["hall", "hall-a"]),
            ("hall-b", ["hall", "hall-b"]),
            ("studio", ["studio"]),
        ])
    func blockingGroup(_ space: String, _ group: [String]) throws {
        let catalogue = Fixture.catalogue()
        #expect(catalogue.blockingGroup(of: try #require(catalogue.space(space))) == group)
    }

    @Test func catalogueLookups() {
        let catalogue = Fixture.catalogue()
        #expect(catalogue.spaces(inCity: "prizren").map(\.id) == ["lum-room"])
        #expect(catalogue.spaces(inVenue: "kino").map(\.id) == ["main-hall", "workshop"])
        #expect(catalogue.venue(of: catalogue.space("hall-a")!)?.id == "centre")
        #expect(catalogue.space("nowhere") == nil)
        // main-hall: 8 h + 30 min setup + 15 min teardown is the longest; other spaces allow 12 h.
        #expect(catalogue.longestBlock == 12 * 3600 + 1800)
    }

    struct PeriodCase: Sendable, CustomTestStringConvertible {
        var period: Quota.Period
        var date: LocalDate
        var from: LocalDate
        var to: LocalDate
        var testDescription: String { "\(period) of \(date)" }
    }

    @Test(
        "quota periods are calendar periods",
        arguments: [
            PeriodCase(
                period: .day, date: .init(year: 2026, month: 12, day: 31), from: .init(year: 2026, month: 12, day: 31),
                to: .init(year: 2027, month: 1, day: 1)),
            PeriodCase(
                period: .week, date: .init(year: 2026, month: 5, day: 11), from: .init(year: 2026, month: 5, day: 11),
                to: .init(year: 2026, month: 5, day: 18)),
            PeriodCase(
                period: .week, date: .init(year: 2026, month: 5, day: 17), from: .init(year: 2026, month: 5, day: 11),
                to: .init(year: 2026, month: 5, day: 18)),
            PeriodCase(
                period: .week, date: .init(year: 2026, month: 12, day: 31), from: .init(year: 2026, month: 12, day: 28),
                to: .init(year: 2027, month: 1, day: 4)),
            PeriodCase(
                period: .month, date: .init(year: 2026, month: 2, day: 14), from: .init(year: 2026, month: 2, day: 1),
                to: .init(year: 2026, month: 3, day: 1)),
            PeriodCase(
                period: .month, date: .init(year: 2026, month: 12, day: 14), from: .init(year: 2026, month: 12, day: 1),
                to: .init(year: 2027, month: 1, day: 1)),
            PeriodCase(
                period: .year, date: .init(year: 2026, month: 7, day: 4), from: .init(year: 2026, month: 1, day: 1),
                to: .init(year: 2027, month: 1, day: 1)),
        ])
    func quotaPeriod(_ c: PeriodCase) {
        let period = Quota(period: c.period, maxHours: 1).period(containing: c.date)
        #expect(period.from == c.from)
        #expect(period.to == c.to)
    }

    @Test func quotaApplies() {
        let all = Quota(period: .month, maxHours: 60)
        #expect(all.applies(toOrganisation: "anyone", venue: "anywhere"))
        let some = Quota(organisations: ["anibar"], venues: ["kino"], period: .week, maxHours: 10)
        #expect(some.applies(toOrganisation: "anibar", venue: "kino"))
        #expect(!some.applies(toOrganisation: "dokufest", venue: "kino"))
        #expect(!some.applies(toOrganisation: "anibar", venue: "centre"))
    }

    @Test(
        "every rule has its own code and field",
        arguments: [
            (RuleViolation.conflict([]), "conflict", "start"),
            (.outsideOpeningHours, "outside_opening_hours", "start"),
            (.closed(reason: "x"), "closed", "start"),
            (.tooShort(minimum: 1), "too_short", "end"),
            (.tooLong(maximum: 1), "too_long", "end"),
            (.inThePast, "in_the_past", "start"),
            (.insufficientNotice(minimum: 1), "insufficient_notice", "start"),
            (.beyondHorizon(maximum: 1), "beyond_horizon", "start"),
            (.quotaExceeded(Quota(period: .week, maxHours: 1), bookedSeconds: 0), "quota_exceeded", "organisation"),
            (.overCapacity(capacity: 1, expected: 2), "over_capacity", "expected_attendance"),
        ])
    func violationCodes(_ violation: RuleViolation, _ code: String, _ field: String) {
        #expect(violation.code == code)
        #expect(violation.field == field)
        #expect(!violation.message.isEmpty)
    }

    @Test func violationMessages() {
        #expect(
            RuleViolation.quotaExceeded(Quota(period: .week, maxHours: 10), bookedSeconds: 5400).message
                == "the organisation's quota of 10 hours per week would be exceeded (1.5 hours already booked)")
        #expect(RuleViolation.tooShort(minimum: 1800).message == "bookings of this space last at least 30 minutes")
        #expect(
            RuleViolation.beyondHorizon(maximum: 30 * 86_400).message == "bookings can be made at most 30 days ahead")
    }
}
