import Foundation
import GRDB
import HapesiraCore
import HapesiraMQTT
import HapesiraSensors
import HapesiraStore
import Logging
import Prometheus

/// The ingestion hot path without a broker: the benchmark's messages, already in memory, through
/// each stage on its own (finding the sensor, decoding, classifying, journaling) and then through
/// `SensorIngestor.handle` as the MQTT thread calls it. Shows where a reading's time goes.
enum IngestStages {
    static func run(directory: String, count: Int, sensors: Int) async throws {
        let stream = IngestStream(sensors: sensors)
        let bindings = try stream.bindings()
        let messages = (0..<count).map { index in
            let (topic, payload) = stream.message(index)
            return MQTTMessage(topic: topic, payload: payload, qos: 1, retained: false, mid: index % 65_535 + 1)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        say(
            "\(count) messages from \(bindings.count) sensors, \(messages.reduce(0) { $0 + $1.payload.count } / count) bytes on average"
        )
        say("  stage                                          µs/message    messages/s")

        func report(_ name: String, since started: UInt64) {
            let perMessage = Double(monotonicNanoseconds() - started) / 1000 / Double(count)
            say(
                "  " + name.padding(toLength: 46, withPad: " ", startingAt: 0)
                    + formatted(perMessage, decimals: 2).leftPadded(to: 11)
                    + formatted(1e6 / perMessage, decimals: 0).leftPadded(to: 14))
        }
        func time(_ name: String, _ body: () throws -> Void) rethrows {
            let started = monotonicNanoseconds()
            try body()
            report(name, since: started)
        }

        var routed: [[SensorBinding]] = []
        routed.reserveCapacity(count)
        time("find the sensor (match every binding)") {
            for message in messages { routed.append(bindings.filter { $0.accepts(message.topic) }) }
        }
        var observations: [SensorObservation] = []
        observations.reserveCapacity(count)
        try time("decode the payload") {
            for (message, matching) in zip(messages, routed) {
                for binding in matching {
                    let decoded = try binding.decoder.decode(
                        SensorMessage(topic: message.topic, payload: message.payload, retained: false),
                        sensor: binding.id, kind: binding.kind)
                    if let decoded { observations.append(decoded) }
                }
            }
        }
        guard observations.count == count else {
            throw BenchError("decoded \(observations.count) of \(count) messages")
        }
        var filter = ObservationFilter()
        var verdicts: [ObservationVerdict] = []
        verdicts.reserveCapacity(count)
        time("classify (duplicate, repeat, event)") {
            for observation in observations { verdicts.append(filter.admit(observation, retained: false)) }
        }
        let journal = SensorJournal(database: try AppDatabase.open(path: directory + "/stages-journal.sqlite"))
        try time("journal, one commit per reading") {
            for (index, observation) in observations.enumerated() {
                try journal.record(
                    observation, verdict: verdicts[index], space: routed[index][0].space,
                    topic: messages[index].topic, receivedAt: 1_800_000_000)
            }
        }

        let inbox = try SensorInbox.open(path: directory + "/stages-inbox.sensor-inbox.sqlite")
        try time("inbox, one commit per reading") {
            for (index, observation) in observations.enumerated() {
                var entry = [
                    SensorJournal.Entry(
                        observation, verdict: verdicts[index], space: routed[index][0].space,
                        topic: messages[index].topic, receivedAt: 1_800_000_000)
                ]
                try inbox.keep(&entry)
            }
        }

        for qos in [1, 0] {
            let database = try AppDatabase.open(path: directory + "/stages-ingestor-qos\(qos).sqlite")
            let ingestor = try SensorIngestor(
                bindings: bindings, journal: SensorJournal(database: database),
                inbox: try SensorInbox.open(path: directory + "/stages-ingestor-qos\(qos).sensor-inbox.sqlite"),
                metrics: PrometheusCollectorRegistry(), logger: Logger(label: "bench"))
            var outcomes: [SensorIngestor.Outcome: Int] = [:]
            let started = monotonicNanoseconds()
            for var message in messages {
                message.qos = qos
                outcomes[ingestor.handle(message), default: 0] += 1
            }
            await ingestor.flush()
            report("SensorIngestor.handle, QoS \(qos)\(qos == 0 ? " (batches)" : "")", since: started)
            let stored = try await database.writer.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM sensor_reading") ?? 0
            }
            say(
                "    outcomes \(outcomes.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: " ")); journaled \(stored)"
            )
        }
    }
}
