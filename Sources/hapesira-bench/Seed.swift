import Foundation
import GRDB
import HapesiraConfig
import HapesiraCore
import HapesiraStore

/// Bulk-inserts confirmed single-occurrence bookings exactly as `BookingRows.insert` and
/// `insertOccurrences` write them, with the audit entry the write path adds to each.
enum Seed {
    static func run(configuration: DaemonConfiguration, databasePath: String, bookings: Int, metaPath: String?) throws {
        let catalogue = configuration.catalogue
        var spaces: [Space] = []
        for index in 0..<Layout.spaceCount {
            guard let space = catalogue.space(Layout.spaceID(index)) else {
                throw BenchError(
                    "the configuration has no space \(Layout.spaceID(index)); generate it with `hapesira-bench config`")
            }
            spaces.append(space)
        }
        let database = try AppDatabase.open(path: databasePath)
        let existing = try database.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM booking") ?? 0 }
        guard existing == 0 else {
            throw BenchError("\(databasePath) already holds \(existing) bookings; seed a new file")
        }

        let now = Int64(Date().timeIntervalSince1970)
        let origin = Layout.origin(bookings: bookings, now: now)
        let slotsPerSpace = Int64((bookings + Layout.spaceCount - 1) / Layout.spaceCount)
        let chunk = 50_000
        let started = monotonicNanoseconds()
        var random = SplitMix64(seed: 42)
        var inserted = 0
        while inserted < bookings {
            let upper = min(bookings, inserted + chunk)
            let first = inserted
            let durations = (first..<upper).map { _ in Int64(15 + 5 * Int.random(in: 0...3, using: &random)) * 60 }
            try database.writer.write { db in
                let booking = try db.cachedStatement(
                    sql: """
                        INSERT INTO booking (space_id, organisation_id, title, category, description, visibility, status,
                            start_at, end_at, recurrence, series_policy, expected_attendance, wait_if_busy, sequence, skipped,
                            created_at, updated_at, created_by)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
                        """)
                let occurrence = try db.cachedStatement(
                    sql: """
                        INSERT INTO occurrence (booking_id, space_id, organisation_id, start_at, end_at, block_start, block_end, active)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                let audit = try db.cachedStatement(
                    sql: """
                        INSERT INTO audit (at, actor_token, actor_organisation, action, booking_id, occurrence_id, space_id,
                            organisation_id, reason, details)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for index in first..<upper {
                    let space = spaces[index % Layout.spaceCount]
                    let slot = Int64(index / Layout.spaceCount)
                    let start = origin + slot * Layout.slotSeconds + Layout.seedOffset
                    let end = start + durations[index - first]
                    let block = Interval(start: start, end: end).widened(
                        before: space.rules.setupBuffer, after: space.rules.teardownBuffer)
                    let category = Layout.categories[index % Layout.categories.count]
                    try booking.execute(arguments: [
                        space.id, Layout.organisation, "Seeded booking \(index + 1)", category, nil,
                        Visibility.public.rawValue, BookingStatus.confirmed.rawValue, start, end, nil,
                        SeriesPolicy.allOrNothing.rawValue, nil, false, "[]", now, now, "bench-seed",
                    ])
                    let id = db.lastInsertedRowID
                    try occurrence.execute(arguments: [
                        id, space.id, Layout.organisation, start, end, block.start, block.end, true,
                    ])
                    try audit.execute(arguments: [
                        now, "bench-seed", Layout.organisation, "created", id, nil, space.id, Layout.organisation, nil,
                        #"{"occurrences":"1","status":"confirmed"}"#,
                    ])
                }
            }
            inserted = upper
            if inserted % 200_000 == 0 || inserted == bookings {
                let seconds = Double(monotonicNanoseconds() - started) / 1e9
                say("  seeded \(inserted) bookings in \(formatted(seconds)) s")
            }
        }
        try database.writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let seconds = Double(monotonicNanoseconds() - started) / 1e9
        let size = (try? FileManager.default.attributesOfItem(atPath: databasePath)[.size] as? Int) ?? 0
        say(
            "seeded \(bookings) bookings (\(slotsPerSpace) per space × \(Layout.spaceCount) spaces) in \(formatted(seconds)) s, "
                + "\(Int(Double(bookings) / seconds)) bookings/s; database \(size / 1_048_576) MiB")
        let firstFree = Layout.firstFreeSlot(origin: origin, now: now)
        say(
            "seeded range \(iso(origin)) … \(iso(origin + slotsPerSpace * Layout.slotSeconds)); "
                + "HTTP bookings start at slot \(firstFree) (\(iso(origin + firstFree * Layout.slotSeconds + Layout.httpOffset)))"
        )
        if let metaPath {
            let meta = """
                BENCH_ORIGIN=\(origin)
                BENCH_SLOT_SECONDS=\(Layout.slotSeconds)
                BENCH_HTTP_OFFSET=\(Layout.httpOffset)
                BENCH_HTTP_DURATION=\(Layout.httpDuration)
                BENCH_SPACES=\(Layout.spaceCount)
                BENCH_FIRST_FREE_SLOT=\(firstFree)
                BENCH_SEEDED=\(bookings)

                """
            try meta.write(toFile: metaPath, atomically: true, encoding: .utf8)
        }
    }

    static func iso(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
