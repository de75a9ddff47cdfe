import Foundation
import GRDB
import HapesiraCore
import HapesiraMQTT
import HapesiraSensors
import HapesiraStore
import Logging
import Prometheus
import Synchronization

/// The two halves of the ingestion benchmark that talk to the broker: the publisher (the same for
/// the plain `mosquitto_sub` run and the daemon's run) and the daemon's ingestion path.
enum IngestRun {
    static let quietLogger: Logger = {
        var logger = Logger(label: "hapesira-bench")
        logger.logLevel = .warning
        return logger
    }()

    /// Messages published between two barriers: fewer than MQTT's 65,535 packet ids, so no two messages
    /// waiting for their PUBACK share one (libmosquitto numbers them as they are queued).
    static let chunk = 20_000

    /// Publishes messages `0..<count` of the stream as fast as libmosquitto takes them; returns once the
    /// broker has all of them. After each chunk the publisher sends a marker to itself and waits for it:
    /// the broker handles a client's messages in order, so the marker's return means it has the chunk.
    static func publish(port: Int, count: Int, qos: Int, sensors: Int, clientID: String) async throws {
        let stream = IngestStream(sensors: sensors)
        let messages = (0..<count).map(stream.message)
        var settings = MQTTSettings(host: "127.0.0.1", port: port, clientID: clientID)
        settings.statusTopic = "bench/\(clientID)/status"
        let barrier = "bench/\(clientID)/barrier"
        let (markers, marked) = AsyncStream.makeStream(of: Void.self)
        let client = MQTTClient(
            settings: settings, subscriptions: [MQTTSubscription(filter: barrier, qos: 1)], logger: quietLogger
        ) { message in
            if message.topic == barrier { marked.yield() }
        }
        try client.start()
        try await connected(client, subscriptions: 1)
        var returned = markers.makeAsyncIterator()
        let started = monotonicNanoseconds()
        for start in stride(from: 0, to: count, by: chunk) {
            for message in messages[start..<min(count, start + chunk)] {
                _ = try client.publish(topic: message.topic, payload: message.payload, qos: qos)
            }
            _ = try client.publish(topic: barrier, payload: [], qos: 1)
            guard await returned.next() != nil else { throw BenchError("the publisher stopped early") }
        }
        let seconds = Double(monotonicNanoseconds() - started) / 1e9
        await client.stop()
        say(
            "RESULT published=\(count) qos=\(qos) seconds=\(formatted(seconds, decimals: 3)) "
                + "published_per_s=\(formatted(Double(count) / seconds, decimals: 0))")
    }

    /// The daemon's ingestion path as `serve` builds it — `MQTTClient` → `SensorIngestor` →
    /// `SensorJournal` on a database file opened like the daemon's — receiving `count` messages.
    /// Prints `READY` once subscribed, then a `RESULT` line with the rate from the first message
    /// received until all `count` readings are journaled, and what the journal holds.
    static func ingest(
        port: Int, count: Int, qos: Int, sensors: Int, databasePath: String, clientID: String, timeout: Int
    ) async throws {
        let stream = IngestStream(sensors: sensors)
        let database = try AppDatabase.open(path: databasePath)
        let metrics = PrometheusCollectorRegistry()
        let ingestor = try SensorIngestor(
            bindings: try stream.bindings(), journal: SensorJournal(database: database),
            inbox: try SensorInbox.open(path: SensorInbox.path(besideDatabase: databasePath)), metrics: metrics,
            logger: quietLogger)

        let progress = Progress(expected: count)
        let (done, finished) = AsyncStream.makeStream(of: Void.self)
        var settings = MQTTSettings(host: "127.0.0.1", port: port, clientID: clientID)
        settings.statusTopic = "bench/\(clientID)/status"
        let client = MQTTClient(settings: settings, subscriptions: ingestor.subscriptions, logger: quietLogger) {
            message in
            let arrived = monotonicNanoseconds()
            if progress.record(ingestor.handle(message), arrived: arrived) { finished.yield() }
        }
        try client.start()
        try await connected(client, subscriptions: ingestor.subscriptions.count)
        say("READY \(ingestor.subscriptions.count) subscriptions")

        let complete = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in done { return true }
                return false
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        // QoS 0 readings may still wait for their batch: the run ends when they are committed too.
        await ingestor.flush()
        let ended = monotonicNanoseconds()
        await client.stop()

        let (journaled, perSensor, distinctKeys, keyed) = try await database.writer.read { db in
            var perSensor: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT sensor_id, count(*) FROM sensor_reading GROUP BY sensor_id") {
                perSensor[row[0]] = row[1]
            }
            return (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM sensor_reading") ?? 0, perSensor,
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT count(*) FROM (SELECT DISTINCT sensor_id, dedup_key FROM sensor_reading WHERE dedup_key IS NOT NULL)"
                ) ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM sensor_reading WHERE dedup_key IS NOT NULL") ?? 0
            )
        }
        // Bookings share the writer: it must be back to fsyncing every commit (2 = FULL).
        let writerSynchronous = try await database.writer.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        }
        let expected = stream.expectedCounts(count)
        let wrongSensors = Set(expected.keys).union(perSensor.keys).filter { expected[$0] != perSensor[$0] }
        let (received, unexpected, first, _) = progress.snapshot
        // Until every reading is in the journal (QoS 1 ones are durable in the inbox earlier, at `last`).
        let seconds = Double(ended &- first) / 1e9
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        if !complete { say("timed out after \(timeout) s with \(received) of \(count) messages") }
        say(
            "RESULT qos=\(qos) received=\(received) journaled=\(journaled) expected=\(count) "
                + "lost=\(max(0, count - journaled)) extra=\(max(0, journaled - count)) "
                + "sensors_off=\(wrongSensors.count) duplicate_keys=\(keyed - distinctKeys) unexpected_outcomes=\(unexpected) "
                + "seconds=\(formatted(seconds, decimals: 3)) readings_per_s=\(formatted(Double(min(received, journaled)) / seconds, decimals: 0)) "
                + "peak_rss_kb=\(usage.ru_maxrss) cpu_s=\(formatted(user + system, decimals: 2)) cpu_user_s=\(formatted(user, decimals: 2)) cpu_sys_s=\(formatted(system, decimals: 2)) writer_synchronous=\(writerSynchronous)"
        )
    }

    /// Waits until `client` is connected and has `subscriptions` subscriptions granted.
    private static func connected(_ client: MQTTClient, subscriptions: Int = 0) async throws {
        var granted = 0
        var isConnected = false
        for await event in client.events {
            switch event {
            case .connected: isConnected = true
            case .subscribed: granted += 1
            case .connectFailed(let reason), .connectionRefused(let reason), .subscriptionRefused(_, let reason):
                throw BenchError("MQTT: \(reason)")
            default: break
            }
            if isConnected && granted >= subscriptions { return }
        }
        throw BenchError("the MQTT client stopped before it was ready")
    }
}

/// What the ingestion run has received so far: the MQTT thread records, the benchmark reads at the end.
private final class Progress: Sendable {
    private struct State {
        var received = 0
        var unexpected = 0
        var first: UInt64 = 0
        var last: UInt64 = 0
    }
    private let state = Mutex(State())
    private let expected: Int

    init(expected: Int) { self.expected = expected }

    /// Records one handled message that arrived at `arrived`; true when it was the last one expected.
    func record(_ outcome: SensorIngestor.Outcome, arrived: UInt64) -> Bool {
        let now = monotonicNanoseconds()
        return state.withLock { state in
            if state.received == 0 { state.first = arrived }
            state.received += 1
            state.last = now
            if outcome != .stored && outcome != .batched { state.unexpected += 1 }
            return state.received == expected
        }
    }

    var snapshot: (received: Int, unexpected: Int, first: UInt64, last: UInt64) {
        state.withLock { ($0.received, $0.unexpected, $0.first, $0.last) }
    }
}
