import GRDB
import HapesiraCore

/// What has been derived and stored for one space: `[from, until)`, of which `[from, settled)` is
/// final (see ``OccupancyDeriver/settled(_:until:)``); the rest is derived again on the next refresh.
public struct UsageMark: Sendable, Hashable {
    public var from: Int64
    public var until: Int64
    public var settled: Int64

    public init(from: Int64, until: Int64, settled: Int64) {
        self.from = from
        self.until = until
        self.settled = settled
    }

    /// The final part, nil while empty.
    public var final: Interval? {
        let span = Interval(start: from, end: settled)
        return span.isEmpty ? nil : span
    }
}

/// The stored derivation of one space over a range.
public struct StoredUsage: Sendable, Hashable {
    /// Clipped to the range.
    public var occupied: [Interval]
    public var unknown: [Interval]
    /// The steps in the range, the first one being the step in force at the range's start.
    public var counts: [CountStep]
}

/// Occupancy derived from the sensor journal, stored per space (occupied and unknown spans, people
/// counts) so that usage and reports read intervals instead of re-scanning raw readings.
/// Spans of one kind in a space never overlap, so each query seeks to the one span that may start
/// before its range and reads forward from there.
public struct UsageStore: Sendable {
    let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    private enum Kind: Int { case occupied = 0, unknown = 1 }

    /// Every space's mark.
    public func marks() async throws -> [String: UsageMark] {
        try await database.writer.read { db in
            var marks: [String: UsageMark] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT space_id, derived_from, derived_until, settled_until FROM usage_mark")
            {
                marks[row[0]] = UsageMark(from: row[1], until: row[2], settled: row[3])
            }
            return marks
        }
    }

    /// One space's mark; nil when nothing is derived for it yet.
    public func mark(space: String) async throws -> UsageMark? {
        try await database.writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT derived_from, derived_until, settled_until FROM usage_mark WHERE space_id = ?",
                arguments: [space]
            ).map { UsageMark(from: $0[0], until: $0[1], settled: $0[2]) }
        }
    }

    /// The stored derivation of `space`, clipped to `range`.
    public func stored(space: String, over range: Interval) async throws -> StoredUsage {
        try await database.writer.read { db in
            StoredUsage(
                occupied: try Self.spans(db, space: space, kind: .occupied, range: range),
                unknown: try Self.spans(db, space: space, kind: .unknown, range: range),
                counts: try Self.counts(db, space: space, range: range))
        }
    }

    private static func spans(_ db: Database, space: String, kind: Kind, range: Interval) throws -> [Interval] {
        let cursor = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT start_at, end_at FROM usage_span
                    WHERE space_id = ?1 AND kind = ?2 AND start_at < ?4 AND start_at >= coalesce(
                        (SELECT max(start_at) FROM usage_span WHERE space_id = ?1 AND kind = ?2 AND start_at <= ?3), ?3)
                    ORDER BY start_at
                    """),
            arguments: [space, kind.rawValue, range.start, range.end])
        var spans: [Interval] = []
        while let row = try cursor.next() {
            if let part = Interval(start: row[0], end: row[1]).intersection(range) { spans.append(part) }
        }
        return spans
    }

    private static func counts(_ db: Database, space: String, range: Interval) throws -> [CountStep] {
        let cursor = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT start_at, count FROM usage_count
                    WHERE space_id = ?1 AND start_at < ?3 AND start_at >= coalesce(
                        (SELECT max(start_at) FROM usage_count WHERE space_id = ?1 AND start_at <= ?2), ?2)
                    ORDER BY start_at
                    """),
            arguments: [space, range.start, range.end])
        var steps: [CountStep] = []
        while let row = try cursor.next() {
            steps.append(CountStep(start: max(row[0], range.start), count: row[1]))
        }
        return steps
    }

    /// Replaces what is stored for `space` from `timeline.range.start` on with `timeline`, extending
    /// spans that end exactly where it starts, and moves the space's mark to cover it (final before `settled`).
    func replace(space: String, with timeline: OccupancyTimeline, settled: Int64) async throws {
        let from = timeline.range.start
        try await database.writer.write { db in
            try Self.cut(db, space: space, at: from)
            for (kind, spans) in [(Kind.occupied, timeline.occupied), (.unknown, timeline.unknown)] {
                for span in spans {
                    if span.start == from {
                        try db.execute(
                            sql: """
                                UPDATE usage_span SET end_at = ?4
                                WHERE space_id = ?1 AND kind = ?2 AND end_at = ?3 AND start_at =
                                    (SELECT max(start_at) FROM usage_span WHERE space_id = ?1 AND kind = ?2 AND start_at < ?3)
                                """, arguments: [space, kind.rawValue, from, span.end])
                        if db.changesCount == 1 { continue }
                    }
                    try db.cachedStatement(
                        sql: "INSERT INTO usage_span (space_id, kind, start_at, end_at) VALUES (?, ?, ?, ?)"
                    ).execute(arguments: [space, kind.rawValue, span.start, span.end])
                }
            }
            var previous = try Int.fetchOne(
                db,
                sql: "SELECT count FROM usage_count WHERE space_id = ? AND start_at < ? ORDER BY start_at DESC LIMIT 1",
                arguments: [space, from])
            for step in timeline.counts where step.count != previous {
                try db.cachedStatement(sql: "INSERT INTO usage_count (space_id, start_at, count) VALUES (?, ?, ?)")
                    .execute(arguments: [space, step.start, step.count])
                previous = step.count
            }
            try db.execute(
                sql: """
                    INSERT INTO usage_mark (space_id, derived_from, derived_until, settled_until) VALUES (?1, ?2, ?3, ?4)
                    ON CONFLICT (space_id) DO UPDATE
                        SET derived_from = min(derived_from, ?2), derived_until = ?3, settled_until = ?4
                    """, arguments: [space, from, timeline.range.end, max(from, settled)])
        }
    }

    /// Forgets what is derived for `space` from `from` on, so that the next refresh derives it again.
    func reset(space: String, from: Int64) async throws {
        try await database.writer.write { db in
            try Self.cut(db, space: space, at: from)
            try db.execute(
                sql: """
                    INSERT INTO usage_mark (space_id, derived_from, derived_until, settled_until) VALUES (?1, ?2, ?2, ?2)
                    ON CONFLICT (space_id) DO UPDATE SET derived_from = min(derived_from, ?2),
                        derived_until = min(derived_until, ?2), settled_until = min(settled_until, ?2)
                    """, arguments: [space, from])
        }
    }

    /// Removes everything stored for `space` from `time` on; the one span of each kind that starts
    /// before `time` and reaches past it is cut there.
    private static func cut(_ db: Database, space: String, at time: Int64) throws {
        for kind in [Kind.occupied, .unknown] {
            try db.execute(
                sql: """
                    UPDATE usage_span SET end_at = min(end_at, ?3)
                    WHERE space_id = ?1 AND kind = ?2 AND start_at =
                        (SELECT max(start_at) FROM usage_span WHERE space_id = ?1 AND kind = ?2 AND start_at < ?3)
                    """, arguments: [space, kind.rawValue, time])
            try db.execute(
                sql: "DELETE FROM usage_span WHERE space_id = ? AND kind = ? AND start_at >= ?",
                arguments: [space, kind.rawValue, time])
        }
        try db.execute(sql: "DELETE FROM usage_count WHERE space_id = ? AND start_at >= ?", arguments: [space, time])
    }

    /// The readings journaled after reading `id` and received before `before`: the earliest time
    /// (the device's, else the receive time) among them per space, and the last such reading's id.
    func readings(
        after id: Int64, receivedBefore before: Int64
    ) async throws -> (last: Int64, earliest: [String: Int64]) {
        try await database.writer.read { db in
            var last = id
            var earliest: [String: Int64] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT space_id, min(coalesce(event_at, received_at)), max(id) FROM sensor_reading
                    WHERE id > ? AND received_at < ? GROUP BY space_id
                    """, arguments: [id, before])
            {
                earliest[row[0]] = row[1]
                last = max(last, row[2])
            }
            return (last, earliest)
        }
    }

    /// The last journal reading whose effects are derived and stored.
    func derivedReading() async throws -> Int64 {
        try await database.writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'usage_reading'") ?? 0
        }
    }

    func setDerivedReading(_ id: Int64) async throws {
        try await database.writer.write { db in
            try db.execute(
                sql:
                    "INSERT INTO meta (key, value) VALUES ('usage_reading', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
                arguments: ["\(id)"])
        }
    }
}
