import HapesiraCore
import HapesiraICal
import Testing

@Suite("LibicalRecurrenceExpander")
struct LibicalRecurrenceExpanderTests {
    static let belgrade = Zone("Europe/Belgrade")!

    enum Expected: Sendable, Equatable {
        case starts([LocalDateTime], truncated: Bool)
        /// The error's case name: invalid, tooFrequent:HOURLY, …
        case error(String)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var start: LocalDateTime
        var windowEnd: LocalDateTime
        var limit: Int
        var expected: Expected
        var testDescription: String { "\(rule) from \(start)" }

        init(
            _ rule: String, from start: LocalDateTime = at("2026-04-06T19:00"),
            windowEnd: LocalDateTime = at("2027-04-06T19:00"), limit: Int = 500, _ expected: Expected
        ) {
            self.rule = rule
            self.start = start
            self.windowEnd = windowEnd
            self.limit = limit
            self.expected = expected
        }
    }

    /// `2026-04-06T19:00` as wall-clock time.
    static func at(_ text: String) -> LocalDateTime {
        let instant = try! TimeInput.parse("\(text)Z")
        return Zone.utc.local(instant)
    }

    static func starts(_ texts: String..., truncated: Bool = false) -> Expected {
        .starts(texts.map(at), truncated: truncated)
    }

    // 2026-04-06 is a Monday.
    static let cases: [Case] = [
        Case("FREQ=WEEKLY;COUNT=3", starts("2026-04-06T19:00", "2026-04-13T19:00", "2026-04-20T19:00")),
        Case("FREQ=WEEKLY;COUNT=1", starts("2026-04-06T19:00")),
        Case("RRULE:FREQ=WEEKLY;COUNT=2", starts("2026-04-06T19:00", "2026-04-13T19:00")),
        Case("rrule:FREQ=WEEKLY;COUNT=2", starts("2026-04-06T19:00", "2026-04-13T19:00")),
        Case(
            "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4",
            starts("2026-04-06T19:00", "2026-04-08T19:00", "2026-04-13T19:00", "2026-04-15T19:00")),
        Case(
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=5",
            starts("2026-04-06T19:00", "2026-04-08T19:00", "2026-04-10T19:00", "2026-04-13T19:00", "2026-04-15T19:00")),
        Case("FREQ=WEEKLY;INTERVAL=2;COUNT=3", starts("2026-04-06T19:00", "2026-04-20T19:00", "2026-05-04T19:00")),
        Case("FREQ=MONTHLY;BYDAY=1MO;COUNT=3", starts("2026-04-06T19:00", "2026-05-04T19:00", "2026-06-01T19:00")),
        Case("FREQ=MONTHLY;COUNT=3", starts("2026-04-06T19:00", "2026-05-06T19:00", "2026-06-06T19:00")),
        // UNTIL in UTC is an instant, read in the zone: 17:00Z on 20 April is 19:00 CEST, so inclusive.
        Case(
            "FREQ=WEEKLY;UNTIL=20260420T170000Z", starts("2026-04-06T19:00", "2026-04-13T19:00", "2026-04-20T19:00")),
        Case("FREQ=WEEKLY;UNTIL=20260420T165959Z", starts("2026-04-06T19:00", "2026-04-13T19:00")),
        // The zone's offset at UNTIL counts: 17:00Z on 29 March is 19:00 CEST, on 28 March it would be 18:00 CET.
        Case(
            "FREQ=DAILY;UNTIL=20260329T170000Z", from: at("2026-03-27T19:00"),
            starts("2026-03-27T19:00", "2026-03-28T19:00", "2026-03-29T19:00")),
        // A date-only UNTIL includes that whole day.
        Case(
            "FREQ=DAILY;UNTIL=20260410",
            starts("2026-04-06T19:00", "2026-04-07T19:00", "2026-04-08T19:00", "2026-04-09T19:00", "2026-04-10T19:00")),
        Case("FREQ=WEEKLY;UNTIL=20260413", starts("2026-04-06T19:00", "2026-04-13T19:00")),
        // Wall-clock time through the spring-forward change.
        Case(
            "FREQ=WEEKLY;COUNT=3", from: at("2026-03-19T19:00"),
            starts("2026-03-19T19:00", "2026-03-26T19:00", "2026-04-02T19:00")),
        // Windows and limits.
        Case(
            "FREQ=DAILY", windowEnd: at("2026-04-10T19:00"),
            starts(
                "2026-04-06T19:00", "2026-04-07T19:00", "2026-04-08T19:00", "2026-04-09T19:00", "2026-04-10T19:00",
                truncated: true)),
        Case(
            "FREQ=DAILY;COUNT=5", windowEnd: at("2026-04-08T19:00"),
            starts("2026-04-06T19:00", "2026-04-07T19:00", "2026-04-08T19:00", truncated: true)),
        Case(
            "FREQ=DAILY;COUNT=3", windowEnd: at("2026-04-08T19:00"),
            starts("2026-04-06T19:00", "2026-04-07T19:00", "2026-04-08T19:00")),
        Case(
            "FREQ=DAILY;COUNT=10", limit: 3,
            starts("2026-04-06T19:00", "2026-04-07T19:00", "2026-04-08T19:00", truncated: true)),
        Case("FREQ=DAILY;COUNT=3", limit: 3, starts("2026-04-06T19:00", "2026-04-07T19:00", "2026-04-08T19:00")),
        // Not rules.
        Case("garbage", .error("invalid")),
        Case("", .error("invalid")),
        Case("RRULE:", .error("invalid")),
        Case("FREQ=SOMETIMES;COUNT=3", .error("invalid")),
        Case("COUNT=3", .error("invalid")),
        Case("FREQ=WEEKLY; COUNT=3", .error("invalid")),
        Case("FREQ=WEEKLY;COUNT=3\r\nRRULE:FREQ=DAILY", .error("invalid")),
        Case("DTSTART:20260406T190000", .error("invalid")),
        // Too frequent for rooms.
        Case("FREQ=HOURLY;COUNT=3", .error("tooFrequent:HOURLY")),
        Case("FREQ=MINUTELY;COUNT=3", .error("tooFrequent:MINUTELY")),
        Case("FREQ=SECONDLY;COUNT=3", .error("tooFrequent:SECONDLY")),
    ]

    @Test("expand", arguments: cases)
    func expand(_ c: Case) {
        let actual: Expected
        do {
            let expansion = try LibicalRecurrenceExpander().expand(
                rule: c.rule, start: c.start, zone: Self.belgrade, windowEnd: c.windowEnd, limit: c.limit)
            actual = .starts(expansion.starts, truncated: expansion.truncated)
        } catch {
            switch error {
            case .invalid: actual = .error("invalid")
            case .tooFrequent(let frequency): actual = .error("tooFrequent:\(frequency)")
            default: actual = .error("\(error)")
            }
        }
        #expect(actual == c.expected)
    }

    @Test("an unbounded daily rule stops at the window, not in year 2582")
    func unboundedStopsAtWindow() throws {
        let expansion = try LibicalRecurrenceExpander().expand(
            rule: "FREQ=DAILY", start: Self.at("2026-04-06T19:00"), zone: Self.belgrade,
            windowEnd: Self.at("2027-04-06T18:59"), limit: 5000)
        #expect(expansion.truncated)
        #expect(expansion.starts.count == 365)
        #expect(expansion.starts.last == Self.at("2027-04-05T19:00"))
    }
}

@Suite("BookingEngine with libical")
struct BookingEngineLibicalTests {
    static let belgrade = Zone("Europe/Belgrade")!

    let engine = BookingEngine(
        catalogue: Catalogue(
            cities: [City(id: "peja", name: "Peja")],
            venues: [Venue(id: "centre", name: "Centre", city: "peja", zone: belgrade, openingHours: .always)],
            spaces: [
                Space(
                    id: "hall", name: "Hall", venue: "centre", kind: "hall", capacity: 100,
                    rules: SpaceRules(horizon: 180 * 86_400))
            ],
            organisations: [Organisation(id: "anibar", name: "Anibar", kind: "member")], categories: ["screening"]),
        expander: LibicalRecurrenceExpander())

    let now = try! TimeInput.parse("2026-03-01T12:00:00Z")

    func draft(_ rule: String) throws -> BookingDraft {
        BookingDraft(
            space: "hall", organisation: "anibar", title: "Film club", category: "screening",
            start: try TimeInput.parse("2026-03-19T19:00[Europe/Belgrade]"),
            end: try TimeInput.parse("2026-03-19T21:00[Europe/Belgrade]"), recurrence: rule)
    }

    @Test("weekly 19:00 in Belgrade is 18:00Z before the spring-forward change and 17:00Z after")
    func weeklyAcrossDaylightSaving() throws {
        let intervals = try engine.plan(draft("FREQ=WEEKLY;COUNT=4"), now: now)
        #expect(
            try intervals.map(\.start) == [
                TimeInput.parse("2026-03-19T18:00:00Z"), TimeInput.parse("2026-03-26T18:00:00Z"),
                TimeInput.parse("2026-04-02T17:00:00Z"), TimeInput.parse("2026-04-09T17:00:00Z"),
            ])
        #expect(intervals.allSatisfy { $0.duration == 2 * 3600 })
        #expect(
            intervals.map { TimeInput.format($0.start, in: Self.belgrade) }.allSatisfy { $0.contains("T19:00:00+0") })
    }

    @Test("UNTIL in UTC ends the series at the right local occurrence")
    func untilInUTC() throws {
        // 17:00Z on 2 April is 19:00 CEST: the third occurrence is the last.
        let intervals = try engine.plan(draft("FREQ=WEEKLY;UNTIL=20260402T170000Z"), now: now)
        #expect(intervals.count == 3)
        #expect(try intervals.last?.start == TimeInput.parse("2026-04-02T17:00:00Z"))
    }

    @Test(
        "rules the engine refuses as invalid recurrences",
        arguments: [
            ("FREQ=WEEKLY", RecurrenceError.unbounded.description),
            ("FREQ=DAILY", RecurrenceError.unbounded.description),
            ("FREQ=HOURLY;COUNT=3", RecurrenceError.tooFrequent("HOURLY").description),
            ("FREQ=WEEKLY;COUNT=60", "runs past the booking horizon"),
            ("FREQ=WEEKLY;UNTIL=20300101T000000Z", "runs past the booking horizon"),
            ("FREQ=DAILY;COUNT=501", "more than 500 occurrences"),
            ("nonsense", "not a valid RFC 5545 RRULE"),
        ])
    func refused(_ rule: String, _ message: String) throws {
        var engine = engine
        if rule == "FREQ=DAILY;COUNT=501" {
            // Long enough a horizon that only the occurrence limit stops it.
            var space = engine.catalogue.spaces[0]
            space.rules.horizon = 1000 * 86_400
            engine = BookingEngine(
                catalogue: Catalogue(
                    cities: engine.catalogue.cities, venues: engine.catalogue.venues, spaces: [space],
                    organisations: engine.catalogue.organisations, categories: engine.catalogue.categories),
                expander: LibicalRecurrenceExpander())
        }
        let draft = try draft(rule)
        let error = #expect(throws: BookingError.self) { try engine.plan(draft, now: now) }
        guard case .invalid(let field, let text)? = error else {
            Issue.record("expected BookingError.invalid, got \(String(describing: error))")
            return
        }
        #expect(field == "recurrence")
        #expect(text.contains(message))
    }
}
