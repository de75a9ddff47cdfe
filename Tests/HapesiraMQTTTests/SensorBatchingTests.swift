import Foundation
import GRDB
import HapesiraCore
import HapesiraMQTT
import HapesiraSensors
import HapesiraStore
import Logging
import Prometheus
import Testing

/// QoS 0 readings committed in batches, QoS 1 readings one by one: no MQTT broker needed, the
/// messages are handed to the ingestor as the network thread would.
@Suite("Sensor ingestion: batches of QoS 0 readings")
struct SensorBatchingTests {
    static let counterTopic = "v3/people@ttn/devices/entrance/up"

    static func bindings() throws -> [SensorBinding] {
        [
            SensorBinding(
                id: "door", space: "hall", kind: .door, topic: try TopicPattern("zigbee2mqtt/hall/door"),
                decoder: SensorDecoder(preset: .zigbee2mqtt), settings: SensorSettings(id: "door", kind: .door)),
            SensorBinding(
                id: "counter", space: "hall", kind: .counter, topic: try TopicPattern(counterTopic),
                decoder: SensorDecoder(preset: .theThingsStack),
                settings: SensorSettings(id: "counter", kind: .counter)),
        ]
    }

    /// A door message whose battery level tells messages apart (the journal keeps it).
    static func door(_ battery: Int, qos: Int) -> MQTTMessage {
        MQTTMessage(
            topic: "zigbee2mqtt/hall/door",
            payload: Array(#"{"battery":\#(battery),"contact":\#(battery % 2 == 0)}"#.utf8),
            qos: qos, retained: false, mid: qos == 0 ? 0 : battery + 1)
    }

    /// A people-counter uplink; `frame` is its deduplication key.
    static func uplink(frame: Int, qos: Int) -> MQTTMessage {
        let payload =
            #"{"uplink_message":{"f_cnt":\#(frame),"decoded_payload":{"line_1_total_in":\#(frame),"line_1_total_out":0}}}"#
        return MQTTMessage(topic: counterTopic, payload: Array(payload.utf8), qos: qos, retained: false, mid: frame)
    }

    static func ingestor(
        _ database: AppDatabase, inbox: SensorInbox? = nil,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), batchSize: Int = 256,
        batchDelay: Duration = .seconds(3_600)
    ) throws -> SensorIngestor {
        try SensorIngestor(
            bindings: try bindings(), journal: SensorJournal(database: database),
            inbox: try inbox ?? SensorInbox.inMemory(), metrics: metrics, logger: Logger(label: "test"),
            batchSize: batchSize, batchDelay: batchDelay, now: { 1_900_000_000 })
    }

    /// The journaled readings in the order they were stored: the door's battery levels, and `f<frame>`
    /// for counter uplinks.
    static func stored(_ database: AppDatabase) throws -> [String] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT sensor_id, battery, dedup_key FROM sensor_reading ORDER BY id").map {
                row in
                let sensor: String = row[0]
                return sensor == "door" ? "\(row[1] as Int)" : "f\(row[2] as String)"
            }
        }
    }

    @Test("QoS 0 readings wait in the batch and are all committed, in order, by flush()")
    func flushCommitsTheBatch() async throws {
        let database = try AppDatabase.inMemory()
        let ingestor = try Self.ingestor(database)
        for battery in 1...5 { #expect(ingestor.handle(Self.door(battery, qos: 0)) == .batched) }
        #expect(ingestor.handle(Self.uplink(frame: 9, qos: 0)) == .batched)
        #expect(try Self.stored(database).isEmpty)
        #expect(ingestor.batched == 6)

        await ingestor.flush()
        #expect(try Self.stored(database) == ["1", "2", "3", "4", "5", "f9"])
        #expect(ingestor.batched == 0)
        await ingestor.flush()  // nothing waiting: nothing happens
        #expect(try Self.stored(database).count == 6)
    }

    @Test("a full batch is committed at once by the flusher, without waiting for the batch delay")
    func fullBatchCommitsAtOnce() async throws {
        let database = try AppDatabase.inMemory()
        let ingestor = try Self.ingestor(database, batchSize: 4)
        for battery in 1...4 { ingestor.handle(Self.door(battery, qos: 0)) }
        try await Self.waitUntilJournaled(4, in: database)
        #expect(try Self.stored(database) == ["1", "2", "3", "4"])
    }

    @Test("a QoS 1 reading is committed to the inbox at once, then journaled with the batch in arrival order")
    func qos1KeptThenBatched() async throws {
        let database = try AppDatabase.inMemory()
        let inbox = try SensorInbox.inMemory()
        let ingestor = try Self.ingestor(database, inbox: inbox)
        ingestor.handle(Self.door(1, qos: 0))
        ingestor.handle(Self.uplink(frame: 1, qos: 0))
        #expect(ingestor.handle(Self.door(2, qos: 1)) == .batched)
        #expect(try inbox.count() == 1)
        #expect(try Self.stored(database).isEmpty)
        #expect(ingestor.batched == 3)

        await ingestor.flush()
        #expect(try Self.stored(database) == ["1", "f1", "2"])
        #expect(try inbox.count() == 0, "journaled readings leave the inbox")
    }

    /// A database and its inbox in files, in a new directory.
    static func files() throws -> (database: String, inbox: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        let database = directory.appendingPathComponent("hapesira.sqlite").path
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (database, SensorInbox.path(besideDatabase: database))
    }

    @Test("QoS 1 readings in the inbox when the daemon dies are journaled at the next start, once")
    func recoveryAfterDeath() async throws {
        let files = try Self.files()
        let database = try AppDatabase.open(path: files.database)
        var inbox = try SensorInbox.open(path: files.inbox)
        let dying = try Self.ingestor(database, inbox: inbox)
        for frame in 1...5 { #expect(dying.handle(Self.uplink(frame: frame, qos: 1)) == .batched) }
        dying.handle(Self.door(7, qos: 0))  // no acknowledgement, only in memory: lost with the process
        #expect(dying.handle(Self.door(8, qos: 1)) == .batched)
        // The process dies: the batch in memory is gone, the inbox file stays.
        try inbox.close()
        #expect(try Self.stored(database).isEmpty)

        inbox = try SensorInbox.open(path: files.inbox)
        let restarted = try Self.ingestor(database, inbox: inbox)
        #expect(try Self.stored(database) == ["f1", "f2", "f3", "f4", "f5", "8"])
        #expect(try inbox.count() == 0)
        // Readings after the restart are numbered on and journaled after the recovered ones.
        restarted.handle(Self.uplink(frame: 6, qos: 1))
        await restarted.flush()
        #expect(try Self.stored(database) == ["f1", "f2", "f3", "f4", "f5", "8", "f6"])
        try inbox.close()

        // A third start finds nothing to recover: nothing is journaled twice.
        _ = try Self.ingestor(database, inbox: try SensorInbox.open(path: files.inbox))
        #expect(try Self.stored(database).count == 7)
    }

    @Test("a batch journaled but not yet deleted from the inbox is not journaled again after a restart")
    func journaledButNotDeleted() async throws {
        let files = try Self.files()
        let database = try AppDatabase.open(path: files.database)
        var inbox = try SensorInbox.open(path: files.inbox)
        // Door readings carry no deduplication key: only the inbox mark can tell they are journaled.
        let first = try Self.ingestor(database, inbox: inbox, batchSize: 3)
        for battery in 1...3 { first.handle(Self.door(battery, qos: 1)) }
        try await Self.waitUntilJournaled(3, in: database)
        // Deleted with the next reading kept; the process dies before one comes.
        #expect(try inbox.count() == 3)
        try inbox.close()

        inbox = try SensorInbox.open(path: files.inbox)
        let second = try Self.ingestor(database, inbox: inbox)
        #expect(try Self.stored(database) == ["1", "2", "3"])
        #expect(try inbox.count() == 0)
        second.handle(Self.door(4, qos: 1))
        await second.flush()
        #expect(try Self.stored(database) == ["1", "2", "3", "4"])
    }

    @Test("a second process cannot open an inbox in use: a clear error, nothing touched")
    func inboxInUse() throws {
        let files = try Self.files()
        let inbox = try SensorInbox.open(path: files.inbox)
        var kept = [
            SensorJournal.Entry(
                SensorObservation(sensor: "door", value: .door(open: true)), verdict: .event, space: "hall",
                topic: "zigbee2mqtt/hall/door", receivedAt: 1)
        ]
        try inbox.keep(&kept)
        #expect(throws: StoreError.self) { try SensorInbox.open(path: files.inbox) }
        #expect(try inbox.count() == 1)
        #expect(kept[0].inboxID == 1)
    }

    @Test("duplicates are dropped in batches too: by the filter at once, by the journal at commit")
    func duplicatesInBatches() async throws {
        let database = try AppDatabase.inMemory()
        let metrics = PrometheusCollectorRegistry()
        let ingestor = try Self.ingestor(database, metrics: metrics)
        #expect(ingestor.handle(Self.uplink(frame: 5, qos: 0)) == .batched)
        #expect(ingestor.handle(Self.uplink(frame: 5, qos: 0)) == .duplicate)
        await ingestor.flush()

        // After a restart the filter has forgotten frame 5; the journal's unique key still drops it.
        let restarted = try Self.ingestor(database, metrics: metrics)
        #expect(restarted.handle(Self.uplink(frame: 5, qos: 0)) == .batched)
        #expect(restarted.handle(Self.uplink(frame: 6, qos: 0)) == .batched)
        await restarted.flush()
        #expect(try Self.stored(database) == ["f5", "f6"])
        let text = metrics.emitToString()
        #expect(text.contains(#"hapesira_sensor_messages_total{outcome="stored"} 2"#), "\(text)")
        #expect(text.contains(#"hapesira_sensor_messages_total{outcome="duplicate"} 2"#), "\(text)")
    }

    @Test("a batch that does not fill up is committed after the batch delay, without flush()")
    func delayedCommit() async throws {
        let database = try AppDatabase.inMemory()
        let ingestor = try Self.ingestor(database, batchDelay: .milliseconds(5))
        for battery in 1...3 { ingestor.handle(Self.door(battery, qos: 0)) }
        try await Self.waitUntilJournaled(3, in: database)
        #expect(try Self.stored(database) == ["1", "2", "3"])
    }

    /// Waits (bounded) until the journal holds `count` readings, observing its commits.
    static func waitUntilJournaled(_ count: Int, in database: AppDatabase) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let committed = ValueObservation.trackingConstantRegion { db in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM sensor_reading") ?? 0
                }
                for try await journaled in committed.values(in: database.writer) where journaled >= count { return }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                throw TimedOut(description: "\(count) readings were not committed")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    @Test("many small batches, the flusher and inline commits racing: every reading once, in arrival order")
    func orderUnderLoad() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        let database = try AppDatabase.open(path: directory.appendingPathComponent("batches.sqlite").path)
        let inbox = try SensorInbox.open(
            path: SensorInbox.path(besideDatabase: directory.appendingPathComponent("batches.sqlite").path))
        let ingestor = try Self.ingestor(database, inbox: inbox, batchSize: 16, batchDelay: .microseconds(200))
        var expected: [String] = []
        for index in 1...2_000 {
            // Mostly QoS 0, now and then a QoS 1 reading (kept in the inbox, then journaled with the batch).
            if index % 97 == 0 {
                ingestor.handle(Self.uplink(frame: index, qos: 1))
                expected.append("f\(index)")
            } else {
                ingestor.handle(Self.door(index, qos: 0))
                expected.append("\(index)")
            }
        }
        await ingestor.flush()
        #expect(try Self.stored(database) == expected)
        #expect(try inbox.count() == 0)
        let synchronous = try await database.writer.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        #expect(synchronous == 2)
    }
}
