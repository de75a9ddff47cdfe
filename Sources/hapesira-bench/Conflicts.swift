import Foundation
import GRDB
import HapesiraConfig
import HapesiraCore
import HapesiraICal
import HapesiraStore

/// Times the conflict check on one space of a seeded database.
enum ConflictBench {
    static let referenceP99 = 15.0
    static let targetP99 = 50.0

    static func run(configuration: DaemonConfiguration, databasePath: String, spaceID: String, iterations: Int) throws {
        let catalogue = configuration.catalogue
        guard let space = catalogue.space(spaceID) else {
            throw BenchError("no space '\(spaceID)' in the configuration")
        }
        let database = try AppDatabase.open(path: databasePath)
        let engine = BookingEngine(
            catalogue: catalogue, expander: LibicalRecurrenceExpander(), occurrenceLimit: configuration.maxOccurrences)
        let store = BookingStore(database: database, engine: engine)

        let (total, inSpace, first, last) = try database.writer.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM booking") ?? 0
            let row = try Row.fetchOne(
                db,
                sql:
                    "SELECT COUNT(*), MIN(block_start), MAX(block_end) FROM occurrence WHERE active = 1 AND space_id = ?",
                arguments: [space.id])
            return (total, (row?[0] as Int?) ?? 0, (row?[1] as Int64?) ?? 0, (row?[2] as Int64?) ?? 0)
        }
        guard inSpace > 0 else {
            throw BenchError("space \(space.id) has no bookings: run `hapesira-bench seed` first")
        }
        say(
            "database: \(total) bookings; space \(space.id): \(inSpace) active occurrences, \(Seed.iso(first)) … \(Seed.iso(last))"
        )

        // Busy probes: random intervals (15 min … 4 h) anywhere in the seeded range; most overlap 1–3 bookings.
        var random = SplitMix64(seed: 7)
        func busyProbes(_ count: Int) -> [Interval] {
            (0..<count).map { _ -> Interval in
                let start = first + Int64.random(in: 0..<((last - first) / 300), using: &random) * 300
                return Interval(start: start, end: start + Int64.random(in: 1...16, using: &random) * 900)
            }
        }
        let busy = busyProbes(iterations)
        // Warm-up probes at other random times: a daemon that has been running has its code paths, the
        // index's upper levels and SQLite's statement warm, but not the pages of the measured probes.
        let warmUp = busyProbes(min(iterations, 20_000))
        // Free probes: the shape the HTTP phase books (the free second hour of a future slot): no conflict.
        let now = Int64(Date().timeIntervalSince1970)
        let firstFree = Layout.firstFreeSlot(origin: first, now: now)
        let lastSlot = (last - first) / Layout.slotSeconds
        let free = (0..<iterations).map { _ -> Interval in
            let slot = firstFree < lastSlot ? Int64.random(in: firstFree..<lastSlot, using: &random) : firstFree
            let start = first + slot * Layout.slotSeconds + Layout.httpOffset
            return Interval(start: start, end: start + Layout.httpDuration)
        }

        // The ledger's overlap query (SQLiteLedger), for EXPLAIN and for timing SQLite alone.
        let ledgerSQL = """
            SELECT o.id, o.booking_id, o.space_id, o.start_at, o.end_at, o.block_start, o.block_end,
                   b.organisation_id, b.title, b.visibility, b.status
            FROM occurrence o JOIN booking b ON b.id = o.booking_id
            WHERE o.active = 1 AND o.space_id IN (?)
              AND o.block_start < ? AND o.block_start >= ? AND o.block_end > ?
            ORDER BY o.block_start
            """
        let bareSQL = """
            SELECT o.id FROM occurrence o
            WHERE o.active = 1 AND o.space_id = ? AND o.block_start < ? AND o.block_start >= ? AND o.block_end > ?
            """
        let plan = try database.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + ledgerSQL, arguments: [space.id, 1, 0, 0])
                .map { $0["detail"] as String }
        }
        say("query plan of the ledger's overlap query: \(plan.joined(separator: " | "))")
        let longest = catalogue.longestBlock
        func arguments(_ interval: Interval) -> StatementArguments {
            let block = interval.widened(before: space.rules.setupBuffer, after: space.rules.teardownBuffer)
            return [space.id, block.end, block.start - longest, block.start]
        }

        say("")
        say(
            "conflict check on \(space.id), \(iterations) probes each (after \(warmUp.count) warm-up probes at other times):"
        )
        say(
            "  method                                   probes      p50 µs   p90 µs   p99 µs   max µs  mean µs  rows/probe"
        )
        var results: [String: (p50: Double, p99: Double, max: Double)] = [:]

        func measure(_ name: String, _ key: String, _ probes: [Interval], _ body: (Interval) throws -> Int) throws {
            for interval in warmUp { _ = try body(interval) }
            var samples = Samples(capacity: probes.count)
            var rows = 0
            for interval in probes {
                let start = monotonicNanoseconds()
                rows += try body(interval)
                samples.add(monotonicNanoseconds() - start)
            }
            let s = samples.summary()
            results[key] = (s.p50, s.p99, s.max)
            say(
                "  " + name.padding(toLength: 40, withPad: " ", startingAt: 0) + " "
                    + [
                        String(probes.count), formatted(s.p50), formatted(s.p90), formatted(s.p99), formatted(s.max),
                        formatted(s.mean),
                    ]
                    .map { $0.leftPadded(to: 8) }.joined(separator: " ")
                    + "  " + formatted(Double(rows) / Double(probes.count), decimals: 2).leftPadded(to: 9))
        }

        // 1. The check as the write path runs it: BookingEngine.conflicts through SQLiteLedger, inside
        //    the (write) transaction the request already holds. This is figure (a).
        try store.withConflictCheck(in: space) { check in
            try measure("write-path check, busy times", "check-busy", busy) { try check($0).count }
            try measure("write-path check, free slots", "check-free", free) { try check($0).count }
        }
        // 2. The same check when the caller also opens a read transaction per call.
        try measure("check + its own read txn, busy times", "own-txn-busy", busy) { interval in
            try store.withConflictCheck(in: space) { try $0(interval).count }
        }
        // 3. SQLite's own cost: the overlap query and the bare index probe, rows fetched, nothing decoded.
        try database.writer.read { db in
            let statement = try db.cachedStatement(sql: ledgerSQL)
            try measure("overlap query alone, busy times", "txn-busy", busy) { interval in
                try Row.fetchAll(statement, arguments: arguments(interval)).count
            }
            let bare = try db.cachedStatement(sql: bareSQL)
            try measure("bare index probe (ids), busy times", "bare-busy", busy) { interval in
                try Int64.fetchAll(bare, arguments: arguments(interval)).count
            }
        }

        let api = results["check-busy"]!
        say("")
        say(
            "RESULT conflict_p50_us=\(formatted(api.p50)) conflict_p99_us=\(formatted(api.p99)) conflict_max_us=\(formatted(api.max)) "
                + "conflict_free_p99_us=\(formatted(results["check-free"]!.p99)) "
                + "own_txn_p99_us=\(formatted(results["own-txn-busy"]!.p99)) "
                + "txn_p99_us=\(formatted(results["txn-busy"]!.p99)) bare_p99_us=\(formatted(results["bare-busy"]!.p99))"
        )
        say(
            "conflict check p99 \(formatted(api.p99)) µs = \(formatted(api.p99 / referenceP99, decimals: 2))× SQLite's own probe "
                + "(\(formatted(referenceP99)) µs reference), \(formatted(api.p99 / targetP99 * 100, decimals: 0)) % of the "
                + "\(formatted(targetP99)) µs target: \(api.p99 <= targetP99 ? "MET" : "MISSED")")
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
