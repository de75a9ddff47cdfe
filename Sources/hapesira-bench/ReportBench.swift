import Foundation
import GRDB
import HapesiraCore
import HapesiraStore

/// The report benchmark (issue 5): the yearly utilisation report for 100 spaces with about
/// 5,000,000 sensor readings and 100,000 bookings, against the time SQLite needs for a plain
/// aggregate scan of the same readings.
enum ReportBench {
    static func run(databasePath: String, occurrences: Int, detectionEvery: Int64, runs: Int) async throws {
        let fresh = !FileManager.default.fileExists(atPath: databasePath)
        let database = try AppDatabase.open(path: databasePath)
        let usage = UsageTimelines(sensors: ReportData.sensors, database: database)
        if fresh {
            var started = monotonicNanoseconds()
            let (seeded, readings) = try ReportData.seed(
                database, occurrences: occurrences, detectionEvery: detectionEvery)
            say("seeded \(seeded) occurrences and \(readings) readings in \(seconds(since: started)) s")
            started = monotonicNanoseconds()
            try await usage.rebuild(since: ReportData.range.start - 86_400, now: ReportData.range.end + 86_400)
            say("derived and stored the usage of 100 spaces in \(seconds(since: started)) s")
        }
        let (readings, spans, bookings) = try await database.writer.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM sensor_reading") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM usage_span") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM occurrence") ?? 0
            )
        }
        say("data: \(readings) readings, \(bookings) occurrences, \(spans) stored usage spans")

        // SQLite alone: a plain aggregate over every reading, per space (through the space index)
        // and as one sequential scan.
        let grouped = try await best(of: runs) {
            _ = try await database.writer.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT space_id, count(*), max(received_at) FROM sensor_reading GROUP BY space_id")
            }
        }
        let scan = try await best(of: runs) {
            _ = try await database.writer.read { db in
                try Row.fetchOne(db, sql: "SELECT count(*), sum(received_at), max(length(value)) FROM sensor_reading")
            }
        }
        // The report: read the input (occurrences and stored spans), then compute.
        let range = try ReportRange(
            from: LocalDate(year: ReportData.year, month: 1, day: 1),
            to: LocalDate(year: ReportData.year + 1, month: 1, day: 1))
        let reader = ReportReader(database: database, catalogue: ReportData.catalogue, usage: usage)
        let now = ReportData.range.end + 86_400
        var load: [Double] = []
        var compute: [Double] = []
        var rows = 0
        for _ in 0..<runs {
            let started = monotonicNanoseconds()
            let input = try await reader.input(spaces: ReportData.catalogue.spaces, range: range, now: now)
            let loaded = monotonicNanoseconds()
            let report = input.utilisation(UtilisationRequest(range: range, period: .month, grouping: .space))
            rows = report.rows.count
            load.append(Double(loaded - started) / 1e9)
            compute.append(Double(monotonicNanoseconds() - loaded) / 1e9)
        }
        let total = zip(load, compute).map { $0 + $1 }
        let fastest = total.min() ?? 0
        say(String(format: "RESULT sqlite_group_by_space_s=%.3f sqlite_sequential_scan_s=%.3f", grouped, scan))
        say(
            String(
                format:
                    "RESULT report_year_100_spaces_s=%.3f (load %.3f + compute %.3f; median %.3f; %d rows) target<=1.0 %@",
                fastest, load[total.firstIndex(of: fastest)!], compute[total.firstIndex(of: fastest)!],
                total.sorted()[total.count / 2], rows, fastest <= 1 ? "MET" : "MISSED"))
        say(
            String(
                format: "RESULT ratio report/group_by=%.2f report/sequential_scan=%.2f", fastest / grouped,
                fastest / scan))
        var usageStats = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usageStats)
        say(String(format: "RESULT peak_rss_mb=%.1f", Double(usageStats.ru_maxrss) / 1024))
    }

    private static func seconds(since start: UInt64) -> String {
        String(format: "%.1f", Double(monotonicNanoseconds() - start) / 1e9)
    }

    /// The fastest of `runs` timings of `work`, in seconds.
    private static func best(of runs: Int, _ work: () async throws -> Void) async throws -> Double {
        var fastest = Double.infinity
        for _ in 0..<runs {
            let started = monotonicNanoseconds()
            try await work()
            fastest = min(fastest, Double(monotonicNanoseconds() - started) / 1e9)
        }
        return fastest
    }
}
