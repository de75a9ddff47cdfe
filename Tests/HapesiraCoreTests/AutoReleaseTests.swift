import HapesiraCore
import Testing

@Suite("Auto-release and settled derivation")
struct AutoReleaseTests {
    static let pir = SensorSettings(id: "pir", kind: .motion, hold: 90)
    static func at(_ time: Int64, _ value: SensorValue? = nil, online: Bool? = nil) -> SensorReading {
        SensorReading(time: time, observation: SensorObservation(sensor: "pir", value: value, online: online))
    }

    /// An occurrence 1000…4600 in a space whose motion sensor is online from 0.
    static let occurrence = Interval(start: 1000, end: 4600)
    static let policy = AutoRelease(after: 900)

    static func timeline(_ readings: [SensorReading]) -> OccupancyTimeline {
        OccupancyDeriver(sensors: [pir]).derive(readings, over: Interval(start: 0, end: 5000))
    }

    @Test("nobody in the first 15 minutes while the sensor covered them: due once they have passed")
    func dueAfterEmptyWindow() {
        let timeline = Self.timeline([Self.at(0, online: true)])
        #expect(Self.policy.window(of: Self.occurrence) == Interval(start: 1000, end: 1900))
        #expect(!Self.policy.isDue(Self.occurrence, now: 1899, timeline: timeline), "window not over yet")
        #expect(Self.policy.isDue(Self.occurrence, now: 1900, timeline: timeline))
        #expect(!Self.policy.isDue(Self.occurrence, now: 4600, timeline: timeline), "the occurrence has ended")
    }

    @Test("someone came (a detection in the window): never due")
    func attended() {
        let timeline = Self.timeline([Self.at(0, online: true), Self.at(1800, .motion(detected: true))])
        #expect(!Self.policy.isDue(Self.occurrence, now: 2000, timeline: timeline))
    }

    @Test("the sensor went offline for part of the window: missing data never releases")
    func unknownIsNotEmpty() {
        // Covered 1000…1200 and 1500…1900: 600 of 900 s, below the 90% required.
        let timeline = Self.timeline([
            Self.at(0, online: true), Self.at(1200, online: false), Self.at(1500, online: true),
        ])
        #expect(!Self.policy.isDue(Self.occurrence, now: 2000, timeline: timeline))
        // 1000…1850 covered (850 s, 94%): due.
        let mostly = Self.timeline([
            Self.at(0, online: true), Self.at(1850, online: false), Self.at(1890, online: true),
        ])
        #expect(Self.policy.isDue(Self.occurrence, now: 2000, timeline: mostly))
    }

    @Test("settled: one hold before the end, or the last detection not yet cleared")
    func settled() {
        let deriver = OccupancyDeriver(sensors: [Self.pir, SensorSettings(id: "door", kind: .door, hold: 60)])
        // The last motion report is a clear: only the hold (90, the longest) before the end is open.
        #expect(
            deriver.settled(
                [Self.at(100, .motion(detected: true)), Self.at(400, .motion(detected: false))], until: 1000) == 910)
        // The last report is a detection at 700: a clear may still extend it, so 700 on is open.
        #expect(
            deriver.settled(
                [Self.at(100, .motion(detected: false)), Self.at(700, .motion(detected: true))], until: 1000) == 700)
        // Reports at or after the end do not count; status messages are not reports.
        #expect(
            deriver.settled([Self.at(1000, .motion(detected: true)), Self.at(950, online: true)], until: 1000) == 910)
    }
}
