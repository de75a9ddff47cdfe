import HapesiraCore
import Testing

/// Scenarios in plain seconds from 0; every expected span is worked out in the comments.
@Suite("Occupancy derivation")
struct OccupancyDeriverTests {
    static func at(
        _ time: Int64, _ sensor: String, _ value: SensorValue? = nil, online: Bool? = nil, retained: Bool = false,
        battery: Int? = nil
    ) -> SensorReading {
        SensorReading(
            time: time, observation: SensorObservation(sensor: sensor, value: value, battery: battery, online: online),
            retained: retained)
    }

    static func span(_ start: Int64, _ end: Int64) -> Interval { Interval(start: start, end: end) }
    static let motion = SensorValue.motion(detected: true)
    static let clear = SensorValue.motion(detected: false)

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var sensors: [SensorSettings]
        var readings: [SensorReading]
        var range: Interval
        var occupied: [Interval]
        var unknown: [Interval]
        var counts: [CountStep] = []
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            // 100 → 190 (the next report is a detection); 160 → max(160+90, clear at 250) = 250; 400 → 490.
            // The gap 250…400 is 150 ≥ 90: not merged. Online (retained) from 0: no unknown time.
            name: "motion: hold after the last detection, until a later clear",
            sensors: [SensorSettings(id: "pir", kind: .motion, hold: 90)],
            readings: [
                at(0, "pir", online: true, retained: true), at(100, "pir", motion), at(160, "pir", motion),
                at(250, "pir", clear), at(400, "pir", motion),
            ],
            range: span(0, 1000), occupied: [span(100, 250), span(400, 490)], unknown: []),
        Scenario(
            // 100 → 190 and 250 → 340: the 60 s gap is shorter than the 90 s hold, so one span.
            name: "motion: gaps shorter than the hold are merged",
            sensors: [SensorSettings(id: "pir", kind: .motion, hold: 90)],
            readings: [at(0, "pir", online: true, retained: true), at(100, "pir", motion), at(250, "pir", motion)],
            range: span(0, 1000), occupied: [span(100, 340)], unknown: []),
        Scenario(
            // An ON/OFF binary sensor reporting ON at 100 and OFF at 700: occupied until the OFF.
            name: "motion: a long detection ends at the clear",
            sensors: [SensorSettings(id: "pir", kind: .motion, hold: 90)],
            readings: [at(0, "pir", online: true, retained: true), at(100, "pir", motion), at(700, "pir", clear)],
            range: span(0, 1000), occupied: [span(100, 700)], unknown: []),
        Scenario(
            // A retained ON is a stale snapshot, not a detection; covered only from the live OFF at 300.
            name: "motion: retained detections are ignored",
            sensors: [SensorSettings(id: "pir", kind: .motion)],
            readings: [at(10, "pir", motion, retained: true), at(300, "pir", clear)],
            range: span(0, 1000), occupied: [], unknown: [span(0, 300)]),
        Scenario(
            // Present 50 → 300 and from 800 to the end; nothing known before the first message at 50.
            name: "presence directly",
            sensors: [SensorSettings(id: "fp1", kind: .presence)],
            readings: [
                at(50, "fp1", .presence(present: true)), at(300, "fp1", .presence(present: false)),
                at(800, "fp1", .presence(present: true)),
            ],
            range: span(0, 1000), occupied: [span(50, 300), span(800, 1000)], unknown: [span(0, 50)]),
        Scenario(
            // Motion alone: 120–180, 260–320, 1000–1060, 1990–2050 (hold 60). The door closes at 200 and the
            // detection at 260 comes after: occupied 260 until the door opens at 2000, so 260–2050 with the
            // detection at 1990. The door closes again at 2100 with no motion after: nothing more from motion.
            // Door changes count as use for the door's hold (30 s): 200–230, 2000–2030, 2100–2130 (the first
            // state seen, open at 100, is no change). Together: 120–180, 200–230, 260–2050, 2100–2130.
            name: "door + motion: wasp in a box",
            sensors: [
                SensorSettings(id: "door", kind: .door, hold: 30), SensorSettings(id: "pir", kind: .motion, hold: 60),
            ],
            readings: [
                at(0, "door", online: true, retained: true), at(0, "pir", online: true, retained: true),
                at(100, "door", .door(open: true)), at(120, "pir", motion), at(200, "door", .door(open: false)),
                at(260, "pir", motion), at(1000, "pir", motion), at(1990, "pir", motion),
                at(2000, "door", .door(open: true)), at(2100, "door", .door(open: false)),
            ],
            range: span(0, 3000), occupied: [span(120, 180), span(200, 230), span(260, 2050), span(2100, 2130)],
            unknown: []),
        Scenario(
            // Motion at the very second the door closes is the person leaving: no wasp (hold 60 → 200–260).
            name: "door + motion: motion at the close does not lock the room",
            sensors: [SensorSettings(id: "door", kind: .door), SensorSettings(id: "pir", kind: .motion, hold: 60)],
            readings: [
                at(0, "door", online: true, retained: true), at(0, "pir", online: true, retained: true),
                at(200, "door", .door(open: false)), at(200, "pir", motion),
            ],
            range: span(0, 3000), occupied: [span(200, 260)], unknown: []),
        Scenario(
            // A door alone: a retained closed state (no use), opened 100 → 190, closed 150 → 240, merged 100–240;
            // a periodic repeat of "closed" at 500 is no change. Online from the retained availability at 0.
            name: "door alone: changes are use",
            sensors: [SensorSettings(id: "door", kind: .door)],
            readings: [
                at(0, "door", online: true, retained: true), at(0, "door", .door(open: false), retained: true),
                at(100, "door", .door(open: true)), at(150, "door", .door(open: false)),
                at(500, "door", .door(open: false)),
            ],
            range: span(0, 1000), occupied: [span(100, 240)], unknown: []),
        Scenario(
            // Coverage 0–300 and 600–1000. Detections 100 → 190 and 250 → 340 merge (gap 60 < 90) into
            // 100–340, clipped to 300 by the offline; 700 → 790.
            name: "offline: unknown until back online",
            sensors: [SensorSettings(id: "pir", kind: .motion, hold: 90)],
            readings: [
                at(0, "pir", online: true, retained: true), at(100, "pir", motion), at(250, "pir", motion),
                at(300, "pir", online: false, retained: true), at(600, "pir", online: true, retained: true),
                at(700, "pir", motion),
            ],
            range: span(0, 1000), occupied: [span(100, 300), span(700, 790)], unknown: [span(300, 600)]),
        Scenario(
            // Heartbeat 300: alive at 0 and 200 → covered to 500; silent until 900 → unknown 500–900;
            // 900 → covered to 1200 (the range end). Detections 200 → 290, 900 → 990.
            name: "heartbeat: silence makes the sensor unknown",
            sensors: [SensorSettings(id: "pir", kind: .motion, hold: 90, heartbeat: 300)],
            readings: [at(0, "pir", battery: 90), at(200, "pir", motion), at(900, "pir", motion)],
            range: span(0, 1200), occupied: [span(200, 290), span(900, 990)], unknown: [span(500, 900)]),
        Scenario(
            // Deltas: +3 → 3; +2 −1 → 4; −6 → clamped 0; +1 → 1. Occupied while > 0.
            name: "counter: deltas clamped at 0",
            sensors: [SensorSettings(id: "c", kind: .counter)],
            readings: [
                at(0, "c", .count(PeopleCount(entered: 3, exited: 0))),
                at(100, "c", .count(PeopleCount(entered: 2, exited: 1))),
                at(200, "c", .count(PeopleCount(exited: 6))), at(300, "c", .count(PeopleCount(entered: 1))),
            ],
            range: span(0, 400), occupied: [span(0, 200), span(300, 400)], unknown: [],
            counts: [
                CountStep(start: 0, count: 3), CountStep(start: 100, count: 4), CountStep(start: 200, count: 0),
                CountStep(start: 300, count: 1),
            ]),
        Scenario(
            // Totals: 72/15 baseline → 0; 77/15 → +5 = 5; 80/19 → +3 −4 = 4; 2/0 went down: a reset, new
            // baseline, still 4; 6/1 → +4 −1 = 7.
            name: "counter: running totals with a reset",
            sensors: [SensorSettings(id: "c", kind: .counter)],
            readings: [
                at(0, "c", .count(PeopleCount(entered: 72, exited: 15, cumulative: true))),
                at(100, "c", .count(PeopleCount(entered: 77, exited: 15, cumulative: true))),
                at(200, "c", .count(PeopleCount(entered: 80, exited: 19, cumulative: true))),
                at(300, "c", .count(PeopleCount(entered: 2, exited: 0, cumulative: true))),
                at(400, "c", .count(PeopleCount(entered: 6, exited: 1, cumulative: true))),
            ],
            range: span(0, 500), occupied: [span(100, 500)], unknown: [],
            counts: [
                CountStep(start: 0, count: 0), CountStep(start: 100, count: 5), CountStep(start: 200, count: 4),
                CountStep(start: 400, count: 7),
            ]),
        Scenario(
            // The device's own count; the state before the range (5 at −100) holds at the range start.
            name: "counter: the device's own count",
            sensors: [SensorSettings(id: "c", kind: .counter)],
            readings: [at(-100, "c", .count(PeopleCount(present: 5))), at(100, "c", .count(PeopleCount(present: 0)))],
            range: span(0, 400), occupied: [span(0, 100)], unknown: [],
            counts: [CountStep(start: 0, count: 5), CountStep(start: 100, count: 0)]),
        Scenario(
            // Two counters (two entrances) add up: 3; 3 + 2 = 5 at 50; 0 + 2 = 2 at 100.
            name: "counter: two counters summed",
            sensors: [SensorSettings(id: "c1", kind: .counter), SensorSettings(id: "c2", kind: .counter)],
            readings: [
                at(0, "c1", .count(PeopleCount(present: 3))), at(50, "c2", .count(PeopleCount(present: 2))),
                at(100, "c1", .count(PeopleCount(present: 0))),
            ],
            range: span(0, 200), occupied: [span(0, 200)], unknown: [],
            counts: [CountStep(start: 0, count: 3), CountStep(start: 50, count: 5), CountStep(start: 100, count: 2)]),
        Scenario(
            // Two sensors: presence covers 0–1000, motion is offline 400–700. Presence keeps the time known.
            name: "several sensors: unknown only where none covers",
            sensors: [SensorSettings(id: "pir", kind: .motion, hold: 90), SensorSettings(id: "fp1", kind: .presence)],
            readings: [
                at(0, "fp1", .presence(present: false)), at(0, "pir", online: true, retained: true),
                at(400, "pir", online: false), at(700, "pir", online: true), at(800, "pir", motion),
            ],
            range: span(0, 1000), occupied: [span(800, 890)], unknown: []),
    ]

    @Test("scenarios", arguments: scenarios)
    func derive(_ s: Scenario) {
        let timeline = OccupancyDeriver(sensors: s.sensors).derive(s.readings, over: s.range)
        #expect(timeline.occupied == s.occupied)
        #expect(timeline.unknown == s.unknown)
        #expect(timeline.counts == s.counts)
    }

    @Test("out-of-order readings give the same timeline", arguments: scenarios)
    func outOfOrder(_ s: Scenario) {
        let deriver = OccupancyDeriver(sensors: s.sensors)
        // Delivered in reverse: sorting by time restores the order.
        #expect(deriver.derive(s.readings.reversed(), over: s.range) == deriver.derive(s.readings, over: s.range))
    }

    @Test func noReadingsIsAllUnknown() {
        let timeline = OccupancyDeriver(sensors: [SensorSettings(id: "pir", kind: .motion)]).derive(
            [], over: Self.span(0, 600))
        #expect(timeline == OccupancyTimeline(range: Self.span(0, 600), occupied: [], unknown: [Self.span(0, 600)]))
    }
}

@Suite("Attendance")
struct AttendanceTests {
    static func span(_ start: Int64, _ end: Int64) -> Interval { Interval(start: start, end: end) }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var occurrence: Interval
        var occupied: [Interval]
        var unknown: [Interval]
        var outcome: AttendanceOutcome
        var testDescription: String { name }
    }

    static let hour = span(1000, 4600)

    static let cases: [Case] = [
        // One hour: "early" means the last max(25 % × 3600 = 900, 900) = 900 s vacant.
        Case(
            name: "occupied to 100 s before the end", occurrence: hour, occupied: [span(1200, 4500)], unknown: [],
            outcome: .attended),
        Case(
            name: "vacant the last 1600 s", occurrence: hour, occupied: [span(1200, 3000)], unknown: [],
            outcome: .endedEarly),
        Case(
            name: "vacant exactly the last 900 s", occurrence: hour, occupied: [span(1200, 3700)], unknown: [],
            outcome: .endedEarly),
        Case(
            name: "vacant the last 899 s", occurrence: hour, occupied: [span(1200, 3701)], unknown: [],
            outcome: .attended),
        Case(
            name: "an unknown tail is not an early end", occurrence: hour, occupied: [span(1200, 3000)],
            unknown: [span(3500, 4000)], outcome: .attended),
        Case(name: "covered, never occupied", occurrence: hour, occupied: [], unknown: [], outcome: .noShow),
        Case(
            name: "occupied only before it", occurrence: hour, occupied: [span(200, 1000)], unknown: [],
            outcome: .noShow),
        Case(name: "no coverage", occurrence: hour, occupied: [], unknown: [span(0, 10000)], outcome: .unknown),
        // 3600 − 1800 = 1800 covered = 50 %: enough; one second less is not.
        Case(name: "half covered", occurrence: hour, occupied: [], unknown: [span(1000, 2800)], outcome: .noShow),
        Case(
            name: "just under half covered", occurrence: hour, occupied: [], unknown: [span(1000, 2801)],
            outcome: .unknown),
        // Four hours: early = max(25 % × 14400 = 3600, 900) = 3600 s.
        Case(
            name: "4 h, vacant the last 3600 s", occurrence: span(0, 14400), occupied: [span(0, 10800)], unknown: [],
            outcome: .endedEarly),
        Case(
            name: "4 h, vacant the last 3599 s", occurrence: span(0, 14400), occupied: [span(0, 10801)], unknown: [],
            outcome: .attended),
    ]

    @Test("outcomes", arguments: cases)
    func outcome(_ c: Case) {
        let timeline = OccupancyTimeline(range: Self.span(0, 20000), occupied: c.occupied, unknown: c.unknown)
        let attendance = timeline.attendance(for: c.occurrence)
        #expect(attendance.outcome == c.outcome)
        #expect(attendance.peakCount == nil)
    }

    @Test func countsPeakAndAverage() {
        let counts = [
            CountStep(start: 0, count: 0), CountStep(start: 1000, count: 10), CountStep(start: 2000, count: 30),
            CountStep(start: 3000, count: 20), CountStep(start: 4000, count: 0),
        ]
        let timeline = OccupancyTimeline(
            range: Self.span(0, 20000), occupied: [Self.span(1000, 4000)], unknown: [], counts: counts)
        // (10 × 1000 + 30 × 1000 + 20 × 1000 + 0 × 600) / 3600 = 60000 / 3600; vacant the last 600 s < 900: attended.
        let attendance = timeline.attendance(for: Self.hour)
        #expect(
            attendance
                == Attendance(
                    outcome: .attended, occupiedSeconds: 3000, coveredSeconds: 3600, peakCount: 30,
                    averageCount: 60000.0 / 3600))
        // With 4000–4600 unknown the average is over the 3000 covered seconds: 60000 / 3000 = 20.
        let partly = OccupancyTimeline(
            range: Self.span(0, 20000), occupied: [Self.span(1000, 4000)], unknown: [Self.span(4000, 4600)],
            counts: counts)
        #expect(partly.attendance(for: Self.hour).averageCount == 20)
        #expect(partly.attendance(for: Self.hour).peakCount == 30)
    }

    @Test("from readings: the wasp-in-a-box evening")
    func endToEnd() {
        let deriver = OccupancyDeriver(sensors: [
            SensorSettings(id: "door", kind: .door), SensorSettings(id: "pir", kind: .motion, hold: 60),
        ])
        func at(_ time: Int64, _ sensor: String, _ value: SensorValue) -> SensorReading {
            SensorReading(time: time, observation: SensorObservation(sensor: sensor, value: value))
        }
        let readings = [
            at(0, "door", .door(open: false)), at(0, "pir", .motion(detected: false)),
            at(600, "door", .door(open: true)),
            at(700, "door", .door(open: false)), at(800, "pir", .motion(detected: true)),
            at(3000, "door", .door(open: true)), at(3010, "door", .door(open: false)),
        ]
        let timeline = deriver.derive(readings, over: Self.span(0, 8000))
        // Door changes (hold 90): 600–690, 700–790 (gap 10 < 90: 600–790), 3000–3090, 3010–3100; motion after
        // the close at 700: occupied 800 until the door opens at 3000.
        #expect(timeline.occupied == [Self.span(600, 790), Self.span(800, 3100)])
        // Booked 600–4200 (1 h): vacant 3100–4200 = 1100 s ≥ 900 → ended early; booked 6000–7000: no-show.
        #expect(timeline.attendance(for: Self.span(600, 4200)).outcome == .endedEarly)
        #expect(timeline.attendance(for: Self.span(600, 3600)).outcome == .attended)
        #expect(timeline.attendance(for: Self.span(6000, 7000)).outcome == .noShow)
    }

    @Test("many occurrences at once (unsorted, overlapping) get the attendance each gets alone")
    func attendancesInOnePass() {
        // Over a day in 10-minute blocks: used on and off in the morning, vacant in the afternoon,
        // short sensor gaps all day and none at all in the evening; counts changing every block.
        var occupied: [Interval] = []
        var unknown: [Interval] = []
        var counts: [CountStep] = []
        for block: Int64 in 0..<144 {
            let start = block * 600
            if block < 72 && [0, 1, 3].contains(block % 7) { occupied.append(Self.span(start, start + 600)) }
            if block >= 120 {
                unknown.append(Self.span(start, start + 600))
            } else if block % 7 == 5 {
                unknown.append(Self.span(start + 100, start + 500))
            }
            counts.append(CountStep(start: start, count: Int(block % 5)))
        }
        let timeline = OccupancyTimeline(
            range: Self.span(0, 86_400), occupied: occupied.merged(), unknown: unknown, counts: counts)
        let occurrences = (0..<200).map { index -> Interval in
            let start = Int64((index * 7_919) % 80_000)
            return Self.span(start, start + Int64(900 + (index % 9) * 600))
        }
        let batch = timeline.attendances(for: occurrences)
        #expect(batch == occurrences.map { timeline.attendance(for: $0) })
        #expect(Set(batch.map(\.outcome)) == [.attended, .endedEarly, .noShow, .unknown])
    }
}
