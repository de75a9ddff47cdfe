import GRDB
import HapesiraCore
import HapesiraStore
import Testing

/// A space with a door, a motion sensor (90 s hold) and a people counter (15 min heartbeat).
private let hallSensors: [SensorBinding] = [
    binding("hall-door", .door, hold: 60), binding("hall-motion", .motion, hold: 90),
    binding("hall-counter", .counter, heartbeat: 900),
]

private func binding(_ id: String, _ kind: SensorKind, hold: Int64 = 90, heartbeat: Int64? = nil) -> SensorBinding {
    SensorBinding(
        id: id, space: "hall", kind: kind, topic: try! TopicPattern("z/\(id)"),
        decoder: SensorDecoder(preset: .zigbee2mqtt),
        settings: SensorSettings(id: id, kind: kind, hold: hold, heartbeat: heartbeat))
}

/// A reading to journal at `received`, standing for `time` (the device's own time when it differs).
private struct Planned {
    var received: Int64
    var time: Int64
    var observation: SensorObservation
}

/// Eight hours of a busy hall: visits with door, motion and counter traffic, quiet spells, two
/// outages (door and motion offline, the counter silent past its heartbeat), a counter reset,
/// readings delivered late within the grace time and one far beyond it.
private func busyDay(from start: Int64) -> [Planned] {
    var random = SplitMix(seed: 7)
    var planned: [Planned] = []
    func add(_ received: Int64, _ sensor: String, _ value: SensorValue?, late: Int64 = 0, online: Bool? = nil) {
        let eventTime: Int64? = late > 0 ? received - late : nil
        planned.append(
            Planned(
                received: received, time: received - late,
                observation: SensorObservation(sensor: sensor, value: value, eventTime: eventTime, online: online)))
    }
    var entered = 0
    var exited = 0
    var minute: Int64 = 0
    while minute < 8 * 60 {
        let t = start + minute * 60
        // Twice the door and motion sensors go offline while the counter is silent past its heartbeat.
        let outage = (200..<230).contains(minute) || (400..<425).contains(minute)
        switch minute {
        case 200, 400:
            add(t, "hall-motion", nil, online: false)
            add(t, "hall-door", nil, online: false)
        case 230, 425:
            add(t, "hall-motion", nil, online: true)
            add(t, "hall-door", nil, online: true)
        case 300: (entered, exited) = (0, 0)  // the counter restarts from zero
        default: break
        }
        let busy = (minute / 45) % 2 == 0
        if !outage, busy, random.next() % 3 == 0 {
            add(t + Int64(random.next() % 50), "hall-motion", .motion(detected: true), late: Int64(random.next() % 90))
        }
        if !outage, random.next() % 7 == 0 {
            add(t + 20, "hall-door", .door(open: random.next() % 2 == 0))
        }
        if !outage, random.next() % 11 == 0 { add(t + 40, "hall-motion", .motion(detected: false)) }
        // The counter reports every 5 minutes, except around the outages.
        if minute % 5 == 0 && !(195..<235).contains(minute) && !(395..<430).contains(minute) {
            if busy { entered += Int(random.next() % 4) }
            exited = min(entered, exited + Int(random.next() % 3))
            add(t + 5, "hall-counter", .count(PeopleCount(entered: entered, exited: exited, cumulative: true)))
        }
        minute += 1
    }
    // A detection delivered ten minutes late: beyond the grace time, after its time was derived.
    add(start + 150 * 60, "hall-motion", .motion(detected: true), late: 600)
    return planned.sorted { $0.received < $1.received }
}

/// A small deterministic generator (SplitMix64), so the scenario is the same on every run.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Derived usage, stored as readings arrive")
struct UsageStoreTests {
    let start: Int64 = 1_900_000_020

    @Test("refreshing every minute as readings arrive stores what deriving the whole journal at once gives")
    func incrementalEqualsWhole() async throws {
        let database = try AppDatabase.inMemory()
        let journal = SensorJournal(database: database)
        let usage = UsageTimelines(sensors: hallSensors, database: database)
        let planned = busyDay(from: start)
        let end = start + 8 * 3600

        // Given the readings arriving over the day, with a refresh every 30 s
        var next = 0
        var now = start
        while now <= end + 300 {
            while next < planned.count && planned[next].received <= now {
                try journal.record(
                    planned[next].observation, verdict: .event, space: "hall", topic: "z",
                    receivedAt: planned[next].received)
                next += 1
            }
            try await usage.refresh(now: now)
            now += 60
        }
        #expect(next == planned.count)

        // Then the stored derivation equals one derivation of the whole journal
        let range = Interval(start: start, end: end)
        let whole = OccupancyDeriver(sensors: hallSensors.map(\.settings))
            .derive(try await journal.readings(space: "hall", from: start - 86_400, to: end + 3600), over: range)
        let mark = try #require(try await UsageStore(database: database).mark(space: "hall"))
        #expect(mark.from == planned.map(\.time).min())
        #expect(mark.until == end + 300 - UsageTimelines.grace)
        let incremental = try await usage.timeline(space: "hall", over: range)
        #expect(incremental.occupied == whole.occupied)
        #expect(incremental.unknown == whole.unknown)
        #expect(incremental.counts == whole.counts)
        // The scenario exercises every part: occupied and unknown time, and people counted.
        #expect(whole.occupied.count > 10)
        #expect(whole.unknown.count >= 2)
        #expect(whole.counts.contains { $0.count > 3 })

        // And spans continued across refreshes are stored as one row each.
        let rows = try await database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM usage_span WHERE space_id = 'hall' AND kind = 0")
        }
        let settled = try await usage.timeline(space: "hall", over: Interval(start: mark.from, end: mark.until))
        #expect(rows == settled.occupied.count)
    }

    @Test("a reading that arrives long after its time is derived into the stored past on the next refresh")
    func lateReading() async throws {
        let database = try AppDatabase.inMemory()
        let journal = SensorJournal(database: database)
        let usage = UsageTimelines(sensors: hallSensors, database: database)
        // Given a motion sensor that is alive and sees nobody for an hour, derived and stored
        for minute in stride(from: Int64(0), through: 60, by: 10) {
            try journal.record(
                SensorObservation(sensor: "hall-motion", value: .motion(detected: false)), verdict: .event,
                space: "hall", topic: "z", receivedAt: start + minute * 60)
        }
        #expect(try await usage.refresh(now: start + 3700) == ["hall"])
        let hour = Interval(start: start, end: start + 3600)
        #expect(try await usage.timeline(space: "hall", over: hour).occupied.isEmpty)

        // When a detection from 20 minutes in arrives 40 minutes late, with its own time
        try journal.record(
            SensorObservation(sensor: "hall-motion", value: .motion(detected: true), eventTime: start + 1200),
            verdict: .event, space: "hall", topic: "z", receivedAt: start + 3600)
        try await usage.refresh(now: start + 3730)

        // Then the stored past shows it: occupied from the detection until the next "clear" report
        let timeline = try await usage.timeline(space: "hall", over: hour)
        #expect(timeline.occupied == [Interval(start: start + 1200, end: start + 1800)])
        let stored = try await UsageStore(database: database).stored(space: "hall", over: hour)
        #expect(stored.occupied == [Interval(start: start + 1200, end: start + 1800)])
    }

    @Test("a space without sensors is unknown; one whose journal is empty derives nothing")
    func noData() async throws {
        let database = try AppDatabase.inMemory()
        let usage = UsageTimelines(sensors: hallSensors, database: database)
        let range = Interval(start: start, end: start + 3600)
        #expect(try await usage.refresh(now: start + 7200).isEmpty)
        #expect(try await usage.timeline(space: "hall", over: range).unknown == [range])
        #expect(try await usage.timeline(space: "elsewhere", over: range).unknown == [range])
    }

    @Test("rebuild derives the stored past again, with the sensors' new settings")
    func rebuild() async throws {
        let database = try AppDatabase.inMemory()
        let journal = SensorJournal(database: database)
        // Given detections at 0 and 200 s derived with a 90 s hold: two spans
        try journal.record(
            SensorObservation(sensor: "hall-motion", online: true), verdict: .status, space: "hall", topic: "z",
            receivedAt: start - 60)
        for offset: Int64 in [0, 200] {
            try journal.record(
                SensorObservation(sensor: "hall-motion", value: .motion(detected: true)), verdict: .event,
                space: "hall", topic: "z", receivedAt: start + offset)
        }
        let range = Interval(start: start, end: start + 3600)
        try await UsageTimelines(sensors: hallSensors, database: database).refresh(now: start + 7200)
        #expect(
            try await UsageStore(database: database).stored(space: "hall", over: range).occupied == [
                Interval(start: start, end: start + 90), Interval(start: start + 200, end: start + 290),
            ])

        // When the motion sensor's hold becomes 300 s and usage is rebuilt
        var longer = hallSensors
        longer[1].settings.hold = 300
        let rebuilt = try await UsageTimelines(sensors: longer, database: database)
            .rebuild(since: start - 3600, now: start + 7300)

        // Then the stored spans follow the new hold: one span, 0…500
        #expect(rebuilt == ["hall"])
        #expect(
            try await UsageStore(database: database).stored(space: "hall", over: range).occupied == [
                Interval(start: start, end: start + 500)
            ])
    }
}
