// hapesira-bench: the benchmark for issue 2 (not a test). `make bench` runs `scripts/bench`, which
// drives these subcommands and the real daemon; see docs/BENCHMARKS.md.
//
//   hapesira-bench config    --out bench.yaml --database PATH
//   hapesira-bench seed      --config F --database PATH [--bookings 1000000] [--meta bench.env]
//   hapesira-bench conflicts --config F --database PATH [--space room-01] [--iterations 20000]
//   hapesira-bench creates   --config F --database PATH --origin T --first-slot N [--count 2000] [--clients 1]
//   hapesira-bench count     --database PATH
//   hapesira-bench reports   --database PATH [--occurrences 100000] [--detection-seconds 115] [--runs 5]
//
// and for issue 4 (`make bench-ingest`, `scripts/bench-ingest`):
//
//   hapesira-bench ingest-stages  --directory DIR [--count 20000] [--sensors 100]
//   hapesira-bench ingest         --port P --database PATH --qos 1|0 [--count 100000] [--sensors 100]
//                                 [--client-id ID] [--timeout 120]
//   hapesira-bench ingest-publish --port P --qos 1|0 [--count 100000] [--sensors 100] [--client-id ID]
import Foundation
import GRDB
import HapesiraConfig
import HapesiraStore

func loadConfiguration(_ path: String) throws -> DaemonConfiguration {
    do {
        return try ConfigLoader.load(path: path)
    } catch {
        throw BenchError(error.description)
    }
}

func qos(_ options: Options) throws -> Int {
    let qos = try options.int("qos", default: 1)
    guard qos <= 1 else { throw BenchError("--qos must be 0 or 1") }
    return qos
}

func runCommand(_ arguments: [String]) async throws {
    guard let command = arguments.first else {
        throw BenchError("usage: hapesira-bench config|seed|conflicts|count [options]; see docs/BENCHMARKS.md")
    }
    let rest = arguments.dropFirst()
    switch command {
    case "config":
        let options = try Options(rest, allowed: ["out", "database"])
        let out = try options.string("out")
        try Layout.configurationYAML(databasePath: try options.string("database"))
            .write(toFile: out, atomically: true, encoding: .utf8)
        _ = try loadConfiguration(out)  // what we wrote must load
        say("wrote \(out)")
    case "seed":
        let options = try Options(rest, allowed: ["config", "database", "bookings", "meta"])
        try Seed.run(
            configuration: try loadConfiguration(try options.string("config")),
            databasePath: try options.string("database"),
            bookings: try options.int("bookings", default: 1_000_000),
            metaPath: options.string("meta", default: "").isEmpty ? nil : options.string("meta", default: ""))
    case "conflicts":
        let options = try Options(rest, allowed: ["config", "database", "space", "iterations"])
        try ConflictBench.run(
            configuration: try loadConfiguration(try options.string("config")),
            databasePath: try options.string("database"),
            spaceID: options.string("space", default: Layout.spaceID(0)),
            iterations: max(1, try options.int("iterations", default: 20_000)))
    case "creates":
        let options = try Options(rest, allowed: ["config", "database", "origin", "first-slot", "count", "clients"])
        try await CreateBench.run(
            configuration: try loadConfiguration(try options.string("config")),
            databasePath: try options.string("database"), origin: Int64(try options.int("origin", default: 0)),
            firstSlot: Int64(try options.int("first-slot", default: 0)),
            count: max(1, try options.int("count", default: 2_000)),
            clients: max(1, try options.int("clients", default: 1)))
    case "reports":
        let options = try Options(rest, allowed: ["database", "occurrences", "detection-seconds", "runs"])
        try await ReportBench.run(
            databasePath: try options.string("database"),
            occurrences: try options.int("occurrences", default: 100_000),
            detectionEvery: Int64(max(10, try options.int("detection-seconds", default: 115))),
            runs: max(1, try options.int("runs", default: 5)))
    case "week-view": try await WeekViewBench.run(rest)
    case "count":
        let options = try Options(rest, allowed: ["database"])
        let database = try AppDatabase.open(path: try options.string("database"))
        let (bookings, occurrences, audit) = try await database.writer.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM booking") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM occurrence WHERE active = 1") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit") ?? 0
            )
        }
        // The durability the daemon's writer connection really has (AppDatabase.open is the daemon's own
        // code path): 2 = FULL / 3 = EXTRA fsync the WAL on every commit; 1 = NORMAL does not.
        let synchronous = try await database.writer.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        }
        say(
            "RESULT bookings=\(bookings) active_occurrences=\(occurrences) audit=\(audit) writer_synchronous=\(synchronous)"
        )
    case "ingest-stages":
        let options = try Options(rest, allowed: ["directory", "count", "sensors"])
        try await IngestStages.run(
            directory: try options.string("directory"), count: max(1, try options.int("count", default: 20_000)),
            sensors: max(1, try options.int("sensors", default: 100)))
    case "ingest":
        let options = try Options(
            rest, allowed: ["port", "database", "qos", "count", "sensors", "client-id", "timeout"])
        try await IngestRun.ingest(
            port: try options.int("port", default: 1883), count: max(1, try options.int("count", default: 100_000)),
            qos: try qos(options), sensors: max(1, try options.int("sensors", default: 100)),
            databasePath: try options.string("database"),
            clientID: options.string("client-id", default: "hapesira-bench-ingest"),
            timeout: max(1, try options.int("timeout", default: 120)))
    case "ingest-publish":
        let options = try Options(rest, allowed: ["port", "qos", "count", "sensors", "client-id"])
        try await IngestRun.publish(
            port: try options.int("port", default: 1883), count: max(1, try options.int("count", default: 100_000)),
            qos: try qos(options), sensors: max(1, try options.int("sensors", default: 100)),
            clientID: options.string("client-id", default: "hapesira-bench-publisher"))
    default:
        throw BenchError(
            "unknown command '\(command)'; expected config, seed, conflicts, creates, count, ingest-stages, ingest or ingest-publish"
        )
    }
}

do {
    try await runCommand(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("hapesira-bench: \(error)\n".utf8))
    exit(1)
}
