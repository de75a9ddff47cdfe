import GRDB
import HapesiraCore

/// A sensor's health as last heard.
public struct SensorHealth: Sendable, Hashable {
    public var sensor: String
    public var lastSeen: Int64
    public var battery: Int?
    /// From the last availability message; nil when the sensor never sent one.
    public var online: Bool?
    public var lastEvent: Int64?
}

/// The sensor journal: every accepted reading once, and each sensor's health.
public struct SensorJournal: Sendable {
    /// One reading on its way into the journal.
    public struct Entry: Sendable {
        public var observation: SensorObservation
        public var verdict: ObservationVerdict
        public var space: String
        public var topic: String
        public var receivedAt: Int64
        /// Its row in the `SensorInbox` when it was kept there first (QoS 1); nil for QoS 0 readings.
        public var inboxID: Int64?

        public init(
            _ observation: SensorObservation, verdict: ObservationVerdict, space: String, topic: String,
            receivedAt: Int64
        ) {
            self.observation = observation
            self.verdict = verdict
            self.space = space
            self.topic = topic
            self.receivedAt = receivedAt
        }
    }

    let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    /// Stores one reading and updates its sensor's health before returning. A reading whose deduplication
    /// key is already stored is dropped; returns whether it was stored.
    @discardableResult
    public func record(
        _ observation: SensorObservation, verdict: ObservationVerdict, space: String, topic: String, receivedAt: Int64
    ) throws -> Bool {
        try record([Entry(observation, verdict: verdict, space: space, topic: topic, receivedAt: receivedAt)])[0]
    }

    /// Stores readings in order, in one transaction, and updates their sensors' health; returns for each
    /// whether it was stored (false: its deduplication key was already there).
    ///
    /// Committed with `synchronous = NORMAL` (see `AppDatabase.writeWithoutFsync`): a reading survives a
    /// crash of the daemon once this returns; an OS crash or power cut can lose the last ones.
    public func record(_ entries: [Entry]) throws -> [Bool] {
        guard !entries.isEmpty else { return [] }
        return try database.writeWithoutFsync { db in
            let insert = try db.cachedStatement(sql: Self.insertReading)
            var stored: [Bool] = []
            stored.reserveCapacity(entries.count)
            // Each sensor's health is written once per transaction, folded over its readings in order.
            var health: [String: HealthChange] = [:]
            var sensors: [String] = []
            for entry in entries {
                let observation = entry.observation
                insert.setUncheckedArguments(Self.columns(of: entry))
                try insert.execute()
                let isNew = db.changesCount == 1
                stored.append(isNew)
                guard isNew else { continue }
                let change = HealthChange(entry)
                if let earlier = health[observation.sensor] {
                    health[observation.sensor] = earlier.then(change)
                } else {
                    health[observation.sensor] = change
                    sensors.append(observation.sensor)
                }
            }
            let update = try db.cachedStatement(sql: Self.updateHealth)
            for sensor in sensors {
                let change = health[sensor]!
                update.setUncheckedArguments([sensor, change.lastSeen, change.battery, change.online, change.lastEvent])
                try update.execute()
            }
            if let inboxID = entries.lazy.compactMap(\.inboxID).max() {
                try db.cachedStatement(sql: Self.updateInboxMark).execute(arguments: [String(inboxID)])
            }
            return stored
        }
    }

    /// Journals the readings `inbox` kept but the journal did not take before the daemon stopped (it was
    /// killed, or crashed), exactly once, and empties the inbox; returns how many there were.
    public func recover(from inbox: SensorInbox) throws -> Int {
        let mark = try database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'sensor_inbox_journaled'")
                .flatMap { Int64($0) } ?? 0
        }
        let waiting = try inbox.entries(after: mark)
        if !waiting.isEmpty { try record(waiting) }
        inbox.journaled(upTo: waiting.last?.inboxID ?? mark)
        try inbox.tidy()
        return waiting.count
    }

    /// The columns of a reading's row, in the order of `insertReading`.
    static func columns(of entry: Entry) -> StatementArguments {
        let observation = entry.observation
        return [
            observation.sensor, entry.space, entry.topic, entry.receivedAt, observation.eventTime,
            entry.verdict.rawValue, observation.value.map(Self.text), observation.battery, observation.online,
            observation.deduplicationKey,
        ]
    }

    /// The reading an inbox row holds.
    static func entry(_ row: Row) -> Entry {
        var entry = Entry(
            SensorObservation(
                sensor: row["sensor_id"], value: (row["value"] as String?).flatMap(Self.value),
                eventTime: row["event_at"],
                battery: row["battery"], online: row["online"], deduplicationKey: row["dedup_key"]),
            verdict: ObservationVerdict(rawValue: row["verdict"]) ?? .event, space: row["space_id"],
            topic: row["topic"], receivedAt: row["received_at"])
        entry.inboxID = row["id"]
        return entry
    }

    /// What stored readings change in their sensor's health row (nil: keep the stored value).
    private struct HealthChange {
        var lastSeen: Int64
        var battery: Int?
        var online: Bool?
        var lastEvent: Int64?

        init(_ entry: Entry) {
            lastSeen = entry.receivedAt
            battery = entry.observation.battery
            // Any message but a retained snapshot is a sign of life.
            online = entry.observation.online ?? (entry.verdict == .snapshot ? nil : true)
            lastEvent = entry.verdict == .event ? entry.receivedAt : nil
        }

        /// This change followed by `later`: what applying both in turn to the row gives.
        func then(_ later: HealthChange) -> HealthChange {
            var folded = later
            folded.battery = later.battery ?? battery
            folded.online = later.online ?? online
            folded.lastEvent = later.lastEvent ?? lastEvent
            return folded
        }
    }

    private static let insertReading = """
        INSERT OR IGNORE INTO sensor_reading
            (sensor_id, space_id, topic, received_at, event_at, verdict, value, battery, online, dedup_key)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    private static let updateHealth = """
        INSERT INTO sensor_state (sensor_id, last_seen, battery, online, last_event)
        VALUES (?1, ?2, ?3, ?4, ?5)
        ON CONFLICT (sensor_id) DO UPDATE SET last_seen = ?2, battery = coalesce(?3, battery),
            online = coalesce(?4, online), last_event = coalesce(?5, last_event)
        """

    /// The highest `SensorInbox` id journaled, written in the transaction that journals it.
    private static let updateInboxMark = """
        INSERT INTO meta (key, value) VALUES ('sensor_inbox_journaled', ?)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """

    /// Every sensor's health, by sensor id.
    public func health() async throws -> [String: SensorHealth] {
        try await database.writer.read { db in
            var health: [String: SensorHealth] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT sensor_id, last_seen, battery, online, last_event FROM sensor_state")
            {
                let sensor: String = row[0]
                health[sensor] = SensorHealth(
                    sensor: sensor, lastSeen: row[1], battery: row[2], online: row[3], lastEvent: row[4])
            }
            return health
        }
    }

    /// A space's readings (repeats and status messages included: they are signs of life) from `from`
    /// to `to`, in time order; a reading's time is the device's when it gave one, else the receive time.
    public func readings(space: String, from: Int64, to: Int64) async throws -> [SensorReading] {
        try await database.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT sensor_id, coalesce(event_at, received_at) AS at, verdict, value, battery, online, dedup_key
                    FROM sensor_reading WHERE space_id = ? AND received_at >= ? AND received_at < ?
                    ORDER BY at, id
                    """,
                arguments: [space, from, to]
            ).map { row in
                SensorReading(
                    time: row[1],
                    observation: SensorObservation(
                        sensor: row[0], value: (row[3] as String?).flatMap(Self.value), battery: row[4], online: row[5],
                        deduplicationKey: row[6]),
                    retained: row[2] == ObservationVerdict.snapshot.rawValue)
            }
        }
    }

    /// How many readings are stored for a sensor, by verdict (for tests and diagnostics).
    public func counts(sensor: String) async throws -> [String: Int] {
        try await database.writer.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT verdict, count(*) FROM sensor_reading WHERE sensor_id = ? GROUP BY verdict",
                arguments: [sensor])
            {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    /// The value a `text(_:)` stands for.
    static func value(_ text: String) -> SensorValue? {
        switch text {
        case "door:open": return .door(open: true)
        case "door:closed": return .door(open: false)
        case "motion:1", "motion:0": return .motion(detected: text.hasSuffix("1"))
        case "presence:1", "presence:0": return .presence(present: text.hasSuffix("1"))
        default:
            guard text.hasPrefix("count:") else { return nil }
            var fields: [String: String] = [:]
            for pair in text.dropFirst(6).split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            return .count(
                PeopleCount(
                    entered: fields["in"].flatMap { Int($0) }, exited: fields["out"].flatMap { Int($0) },
                    present: fields["present"].flatMap { Int($0) }, cumulative: fields["total"] == "1"))
        }
    }

    /// A compact, stable text for a value: `door:open`, `motion:1`, `presence:0`,
    /// `count:in=3,out=1,present=-,total=0`.
    static func text(_ value: SensorValue) -> String {
        func number(_ value: Int?) -> String { value.map(String.init) ?? "-" }
        switch value {
        case .door(let open): return open ? "door:open" : "door:closed"
        case .motion(let detected): return "motion:\(detected ? 1 : 0)"
        case .presence(let present): return "presence:\(present ? 1 : 0)"
        case .count(let count):
            return
                "count:in=\(number(count.entered)),out=\(number(count.exited)),present=\(number(count.present)),total=\(count.cumulative ? 1 : 0)"
        }
    }
}
