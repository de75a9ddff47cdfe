import HapesiraCore

/// Each space's occupancy timeline, the one way usage, outcomes, auto-release and reports see it:
/// the derivation stored by ``refresh(now:)`` where there is one, and the journal derived on the
/// spot for the rest (the last minutes, or everything before the first refresh).
public struct UsageTimelines: Sendable {
    public let sensors: [SensorBinding]
    let journal: SensorJournal
    let store: UsageStore

    /// Readings this long before a range set each sensor's state at its start.
    public static let lookBack: Int64 = 86_400
    /// Readings may arrive this late (out of order) and still be derived in order the first time;
    /// later ones make the next refresh derive again from their time.
    public static let grace: Int64 = 120
    /// A reading claiming to be older than this (a device clock gone wrong) re-derives only this far back.
    public static let maxLateness: Int64 = 7 * 86_400

    public init(sensors: [SensorBinding], database: AppDatabase) {
        self.sensors = sensors
        journal = SensorJournal(database: database)
        store = UsageStore(database: database)
    }

    /// The sensors of a space.
    public func sensors(of space: String) -> [SensorBinding] { sensors.filter { $0.space == space } }

    /// The space's timeline over `range`; all of it unknown when the space has no sensors.
    public func timeline(space: String, over range: Interval) async throws -> OccupancyTimeline {
        let own = sensors(of: space)
        guard !own.isEmpty else { return OccupancyTimeline(range: range, occupied: [], unknown: [range]) }
        guard let mark = try await store.mark(space: space),
            let middle = mark.final?.intersection(range)
        else {
            return try await derive(space: space, sensors: own, over: range)
        }
        let stored = try await store.stored(space: space, over: middle)
        var parts = [
            OccupancyTimeline(range: middle, occupied: stored.occupied, unknown: stored.unknown, counts: stored.counts)
        ]
        if range.start < middle.start {
            parts.insert(
                try await derive(space: space, sensors: own, over: Interval(start: range.start, end: middle.start)),
                at: 0)
        }
        if middle.end < range.end {
            parts.append(
                try await derive(space: space, sensors: own, over: Interval(start: middle.end, end: range.end)))
        }
        return Self.joined(parts, over: range)
    }

    /// Whether the space's sensors see it occupied at `now`; nil without sensors or coverage then.
    public func occupied(space: String, at now: Int64) async throws -> Bool? {
        guard !sensors(of: space).isEmpty else { return nil }
        let timeline = try await timeline(space: space, over: Interval(start: now, end: now + 1))
        if !timeline.occupied.isEmpty { return true }
        return timeline.unknown.isEmpty ? false : nil
    }

    /// Derives what the journal holds up to `now - grace` for every space with sensors and stores it,
    /// from where each space's final derivation ends — or, when readings journaled since the last
    /// refresh stand for earlier times (late ones), from as far back as they can change it. Returns
    /// the spaces derived.
    @discardableResult
    public func refresh(now: Int64) async throws -> [String] {
        let until = now - Self.grace
        let (last, earliest) = try await store.readings(
            after: try await store.derivedReading(), receivedBefore: until)
        let marks = try await store.marks()
        var derived: [String] = []
        for space in Set(sensors.map(\.space)).sorted() {
            let deriver = OccupancyDeriver(sensors: sensors(of: space).map(\.settings))
            var from: Int64
            switch (marks[space], earliest[space].map { max($0, until - Self.maxLateness) }) {
            case (let mark?, let late?) where late < mark.settled:
                // What the readings before the late one left open is derived again.
                let before = try await readings(space: space, over: Interval(start: late, end: until))
                from = deriver.settled(before.filter { $0.time < late }, until: late)
            case (let mark?, _): from = mark.settled
            case (nil, let first?): from = first
            case (nil, nil): continue
            }
            guard from < until else { continue }
            let range = Interval(start: from, end: until)
            let readings = try await readings(space: space, over: range)
            try await store.replace(
                space: space, with: deriver.derive(readings, over: range),
                settled: deriver.settled(readings, until: until))
            derived.append(space)
        }
        try await store.setDerivedReading(last)
        return derived
    }

    /// Derives every space's usage again from `since` (after its sensors' settings changed, say):
    /// forgets what is stored from then on and refreshes. Returns the spaces derived.
    @discardableResult
    public func rebuild(since: Int64, now: Int64) async throws -> [String] {
        for space in Set(sensors.map(\.space)).sorted() { try await store.reset(space: space, from: since) }
        return try await refresh(now: now)
    }

    /// The readings that make up a space's timeline over `range`: those since `lookBack` before it.
    private func readings(space: String, over range: Interval) async throws -> [SensorReading] {
        try await journal.readings(space: space, from: range.start - Self.lookBack, to: range.end)
    }

    private func derive(space: String, sensors: [SensorBinding], over range: Interval) async throws -> OccupancyTimeline
    {
        OccupancyDeriver(sensors: sensors.map(\.settings)).derive(
            try await readings(space: space, over: range), over: range)
    }

    /// Consecutive timelines (in order, each ending where the next starts) as one over `range`.
    static func joined(_ parts: [OccupancyTimeline], over range: Interval) -> OccupancyTimeline {
        var counts: [CountStep] = []
        for step in parts.flatMap(\.counts) where counts.last?.count != step.count { counts.append(step) }
        // Before the first count nobody is counted (that time is unknown to the sensors anyway).
        if let first = counts.first, first.start > range.start {
            counts.insert(CountStep(start: range.start, count: 0), at: 0)
            if first.count == 0 { counts.remove(at: 1) }
        }
        return OccupancyTimeline(
            range: range, occupied: parts.flatMap(\.occupied).merged(), unknown: parts.flatMap(\.unknown).merged(),
            counts: counts)
    }
}
