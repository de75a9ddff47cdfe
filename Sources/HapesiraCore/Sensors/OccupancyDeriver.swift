/// How one sensor of a space is read when deriving occupancy.
public struct SensorSettings: Sendable, Hashable {
    public var id: String
    public var kind: SensorKind
    /// Motion: how long a detection keeps the room occupied (≥ the PIR's blind time); gaps shorter
    /// than this between occupied spans are merged. Door: how long an opening or closing counts as use.
    public var hold: Int64
    /// The sensor is unknown once silent this long (it reports at least this often); `nil` when it
    /// only reports changes, so only an offline message makes it unknown.
    public var heartbeat: Int64?

    public init(id: String, kind: SensorKind, hold: Int64 = 90, heartbeat: Int64? = nil) {
        self.id = id
        self.kind = kind
        self.hold = hold
        self.heartbeat = heartbeat
    }
}

/// An observation with the instant it stands for (the receive time, or the device's time when trusted).
public struct SensorReading: Sendable, Hashable {
    public var time: Int64
    public var observation: SensorObservation
    /// From a retained message: a state snapshot, not a detection and not a sign of life.
    public var retained: Bool

    public init(time: Int64, observation: SensorObservation, retained: Bool = false) {
        self.time = time
        self.observation = observation
        self.retained = retained
    }
}

/// People in the space from `start` until the next step.
public struct CountStep: Sendable, Hashable {
    public var start: Int64
    public var count: Int

    public init(start: Int64, count: Int) {
        self.start = start
        self.count = count
    }
}

/// What the sensors say about a space over a range: occupied spans, spans nobody can tell
/// (`unknown`, never to be counted as vacant), and the people count when counters exist. Time in
/// neither list is known vacant.
public struct OccupancyTimeline: Sendable, Hashable {
    public var range: Interval
    public var occupied: [Interval]
    public var unknown: [Interval]
    /// A step function over `range` (empty without counters); the first step is at `range.start`.
    public var counts: [CountStep]

    public init(range: Interval, occupied: [Interval], unknown: [Interval], counts: [CountStep] = []) {
        self.range = range
        self.occupied = occupied
        self.unknown = unknown
        self.counts = counts
    }
}

/// Derives a space's occupancy from its sensors' readings (pure; the readings may arrive in any order).
///
/// - Motion: occupied from a detection until the last detection plus the hold, or until the sensor
///   reports clear when that comes later; gaps shorter than the hold are merged. Retained motion is ignored.
/// - Presence: occupied while present.
/// - Door: someone opened or closed it, so the room is used for the hold after each live change
///   (a repeat of the known state, or the first state ever seen, is no change).
/// - Door + motion ("wasp in a box"): once every door is closed, a detection strictly after the close
///   keeps the room occupied until a door opens.
/// - Counters: a people count (the device's own, or in − out clamped at 0 from deltas or running
///   totals; a total that goes down is a reset and becomes the new baseline); occupied while > 0.
/// - Coverage: a sensor covers time from a sign of life (a live message or an `online`) until it goes
///   offline or, with a heartbeat, until the heartbeat passes without a message. Time no sensor covers
///   is unknown unless a sensor shows it occupied; each sensor's occupancy is clipped to its coverage.
public struct OccupancyDeriver: Sendable, Hashable {
    public var sensors: [SensorSettings]

    public init(sensors: [SensorSettings]) {
        self.sensors = sensors
    }

    /// The timeline over `range`. Pass readings from before `range` too: they set the state at its start.
    public func derive(_ readings: [SensorReading], over range: Interval) -> OccupancyTimeline {
        let ordered = readings.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
            .map(\.element)
        var bySensor: [String: [SensorReading]] = [:]
        for reading in ordered { bySensor[reading.observation.sensor, default: []].append(reading) }

        var covered: [Interval] = []
        var occupied: [Interval] = []
        var doorCoverage: [Interval] = []
        var countSeries: [[CountStep]] = []
        for sensor in sensors {
            let own = bySensor[sensor.id] ?? []
            let coverage = Self.coverage(own, heartbeat: sensor.heartbeat, until: range.end)
            covered += coverage
            switch sensor.kind {
            case .motion: occupied += Self.clip(Self.motion(own, hold: sensor.hold), to: coverage)
            case .presence: occupied += Self.clip(Self.presence(own, until: range.end), to: coverage)
            case .door:
                doorCoverage += coverage
                occupied += Self.clip(Self.doorActivity(own, hold: sensor.hold), to: coverage)
            case .counter:
                let steps = Self.counts(own)
                countSeries.append(steps)
                occupied += Self.clip(Self.positive(steps, until: range.end), to: coverage)
            }
        }
        let doors = Set(sensors.filter { $0.kind == .door }.map(\.id))
        let motions = Set(sensors.filter { $0.kind == .motion }.map(\.id))
        if !doors.isEmpty && !motions.isEmpty {
            let wasp = Self.waspInABox(ordered, doors: doors, motions: motions, until: range.end)
            occupied += Self.clip(wasp, to: doorCoverage.merged())
        }
        let inRange = Self.clip(occupied.merged(), to: [range])
        let unknown = (covered + inRange).complement(within: range)
        // People are counted only once a counter has reported.
        let reported = countSeries.filter { !$0.isEmpty }
        let counts = reported.isEmpty ? [] : Self.sum(reported, over: range)
        return OccupancyTimeline(range: range, occupied: inRange, unknown: unknown, counts: counts)
    }

    /// The instant before which the timeline derived from `readings` up to `end` is final: readings
    /// still to come (standing for `end` or later) cannot change it. Two rules reach back: a detection
    /// (motion) or change (door) closes a gap shorter than the hold before it, so the last hold before
    /// `end` is open; and a motion sensor whose last report is a detection keeps the room occupied until
    /// it reports clear, so everything from that detection on is open.
    public func settled(_ readings: [SensorReading], until end: Int64) -> Int64 {
        var settled = end - (sensors.filter { $0.kind == .motion || $0.kind == .door }.map(\.hold).max() ?? 0)
        for sensor in sensors where sensor.kind == .motion {
            var last: SensorReading?
            for reading in readings
            where reading.observation.sensor == sensor.id && !reading.retained && reading.observation.value != nil
                && reading.time < end && reading.time >= (last?.time ?? .min)
            {
                last = reading
            }
            if let last, case .motion(detected: true)? = last.observation.value { settled = min(settled, last.time) }
        }
        return settled
    }

    static func coverage(_ readings: [SensorReading], heartbeat: Int64?, until end: Int64) -> [Interval] {
        var spans: [Interval] = []
        var since: Int64?
        var deadline: Int64?
        func close(at time: Int64) {
            if let start = since { spans.append(Interval(start: start, end: time)) }
            since = nil
        }
        for reading in readings {
            if let deadline, reading.time > deadline { close(at: deadline) }
            if reading.observation.online == false {
                close(at: reading.time)
                deadline = nil
            } else if reading.observation.online == true || !reading.retained {
                if since == nil { since = reading.time }
                deadline = heartbeat.map { reading.time + $0 }
            }
        }
        close(at: min(deadline ?? end, end))
        return spans.filter { !$0.isEmpty }
    }

    static func motion(_ readings: [SensorReading], hold: Int64) -> [Interval] {
        let live = readings.filter { !$0.retained && $0.observation.value != nil }
        var spans: [Interval] = []
        for (index, reading) in live.enumerated() {
            guard case .motion(detected: true)? = reading.observation.value else { continue }
            var end = reading.time + hold
            if index + 1 < live.count, case .motion(detected: false)? = live[index + 1].observation.value {
                end = max(end, live[index + 1].time)
            }
            spans.append(Interval(start: reading.time, end: end))
        }
        return mergingGaps(spans.merged(), shorterThan: hold)
    }

    static func doorActivity(_ readings: [SensorReading], hold: Int64) -> [Interval] {
        var spans: [Interval] = []
        var last: Bool?
        for reading in readings {
            guard case .door(let open)? = reading.observation.value else { continue }
            if !reading.retained, let last, last != open {
                spans.append(Interval(start: reading.time, end: reading.time + hold))
            }
            last = open
        }
        return mergingGaps(spans.merged(), shorterThan: hold)
    }

    static func presence(_ readings: [SensorReading], until end: Int64) -> [Interval] {
        var spans: [Interval] = []
        var since: Int64?
        for reading in readings {
            guard case .presence(let present)? = reading.observation.value else { continue }
            if present, since == nil { since = reading.time }
            if !present, let start = since {
                spans.append(Interval(start: start, end: reading.time))
                since = nil
            }
        }
        if let since { spans.append(Interval(start: since, end: end)) }
        return spans
    }

    /// People present after each counter message.
    static func counts(_ readings: [SensorReading]) -> [CountStep] {
        var steps: [CountStep] = []
        var present = 0
        var lastEntered: Int?
        var lastExited: Int?
        func delta(_ total: Int?, _ last: inout Int?) -> Int {
            guard let total else { return 0 }
            defer { last = total }
            // No baseline yet, or a reset (the total went down): this total is the new baseline.
            guard let previous = last, total >= previous else { return 0 }
            return total - previous
        }
        for reading in readings {
            guard case .count(let count)? = reading.observation.value else { continue }
            if let own = count.present {
                present = max(0, own)
            } else if count.cumulative {
                let entered = delta(count.entered, &lastEntered)
                let exited = delta(count.exited, &lastExited)
                if !reading.retained { present = max(0, present + entered - exited) }
            } else if !reading.retained {
                present = max(0, present + (count.entered ?? 0) - (count.exited ?? 0))
            }
            steps.append(CountStep(start: reading.time, count: present))
        }
        return steps
    }

    static func positive(_ steps: [CountStep], until end: Int64) -> [Interval] {
        steps.enumerated().compactMap { index, step in
            guard step.count > 0 else { return nil }
            return Interval(start: step.start, end: index + 1 < steps.count ? steps[index + 1].start : end)
        }
    }

    static func waspInABox(
        _ readings: [SensorReading], doors: Set<String>, motions: Set<String>, until end: Int64
    )
        -> [Interval]
    {
        var spans: [Interval] = []
        var open: [String: Bool] = [:]
        var closedSince: Int64?
        var occupiedSince: Int64?
        for reading in readings {
            let sensor = reading.observation.sensor
            switch reading.observation.value {
            case .door(let isOpen)? where doors.contains(sensor):
                open[sensor] = isOpen
                if isOpen {
                    if let start = occupiedSince { spans.append(Interval(start: start, end: reading.time)) }
                    occupiedSince = nil
                    closedSince = nil
                } else if closedSince == nil, open.count == doors.count, !open.values.contains(true) {
                    closedSince = reading.time
                }
            case .motion(detected: true)? where motions.contains(sensor) && !reading.retained:
                if let closed = closedSince, reading.time > closed, occupiedSince == nil {
                    occupiedSince = reading.time
                }
            default: continue
            }
        }
        if let occupiedSince { spans.append(Interval(start: occupiedSince, end: end)) }
        return spans
    }

    /// The step functions of several counters added up, restricted to `range`.
    static func sum(_ series: [[CountStep]], over range: Interval) -> [CountStep] {
        let inside = series.flatMap { $0.map(\.start) }.filter { range.start < $0 && $0 < range.end }
        // `cursors[i]` counts the steps of series i at or before the current time.
        var cursors = Array(repeating: 0, count: series.count)
        var steps: [CountStep] = []
        for time in Set([range.start] + inside).sorted() {
            var total = 0
            for (index, own) in series.enumerated() {
                while cursors[index] < own.count && own[cursors[index]].start <= time { cursors[index] += 1 }
                if cursors[index] > 0 { total += own[cursors[index] - 1].count }
            }
            if steps.last?.count != total { steps.append(CountStep(start: time, count: total)) }
        }
        return steps
    }

    static func clip(_ spans: [Interval], to coverage: [Interval]) -> [Interval] {
        spans.flatMap { span in coverage.compactMap { span.intersection($0) } }.merged()
    }

    static func mergingGaps(_ sorted: [Interval], shorterThan gap: Int64) -> [Interval] {
        var result: [Interval] = []
        for span in sorted {
            if let last = result.last, span.start - last.end < gap {
                result[result.count - 1].end = max(last.end, span.end)
            } else {
                result.append(span)
            }
        }
        return result
    }
}
