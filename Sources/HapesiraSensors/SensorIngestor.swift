import Foundation
import HapesiraCore
import HapesiraMQTT
import HapesiraStore
import Logging
import Prometheus
import Synchronization

/// Turns MQTT messages into journaled sensor readings: finds the configured sensor, decodes the
/// payload, classifies it (event, retained snapshot, repeat, status, duplicate) and commits it
/// before returning, so libmosquitto acknowledges a QoS 1 message only once it is on disk.
/// Bad input — an unknown topic, a malformed payload — is counted and logged (at most once a
/// minute per sensor or topic) and never stops ingestion.
public final class SensorIngestor: Sendable {
    /// What became of a message.
    public enum Outcome: String, Sendable, CaseIterable {
        case stored, duplicate, ignored, unknownTopic = "unknown_topic", malformed, failed
    }

    private let bindings: [SensorBinding]
    private let journal: SensorJournal
    private let logger: Logger
    private let counters: [Outcome: Counter]
    private let filter = Mutex(ObservationFilter())
    private let lastWarning = Mutex<[String: Int64]>([:])
    private let now: @Sendable () -> Int64

    public init(
        bindings: [SensorBinding], journal: SensorJournal, metrics: PrometheusCollectorRegistry, logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.bindings = bindings
        self.journal = journal
        self.logger = logger
        self.now = now
        var counters: [Outcome: Counter] = [:]
        for outcome in Outcome.allCases {
            counters[outcome] = metrics.makeCounter(
                name: "hapesira_sensor_messages_total", labels: [("outcome", outcome.rawValue)],
                help: "MQTT messages from sensors, by what became of them")
        }
        self.counters = counters
    }

    /// Every topic filter the configured sensors need (state and availability), each once, at QoS 1.
    public var subscriptions: [MQTTSubscription] {
        var seen = Set<String>()
        return bindings.flatMap(\.subscriptionFilters).filter { seen.insert($0).inserted }
            .map { MQTTSubscription(filter: $0, qos: 1) }
    }

    /// Handles one message; called on the MQTT network thread.
    @discardableResult
    public func handle(_ message: MQTTMessage) -> Outcome {
        let outcome = ingest(message)
        counters[outcome]?.increment()
        return outcome
    }

    private func ingest(_ message: MQTTMessage) -> Outcome {
        let matching = bindings.filter { $0.accepts(message.topic) }
        guard !matching.isEmpty else {
            warn(key: message.topic, "a message on a topic no sensor is configured for", topic: message.topic)
            return .unknownTopic
        }
        var outcome = Outcome.ignored
        for binding in matching {
            let decoded: SensorObservation?
            do {
                decoded = try binding.decoder.decode(
                    SensorMessage(topic: message.topic, payload: message.payload, retained: message.retained),
                    sensor: binding.id, kind: binding.kind)
            } catch {
                warn(key: binding.id, "malformed payload: \(error)", topic: message.topic)
                outcome = .malformed
                continue
            }
            guard let observation = decoded else { continue }
            let verdict = filter.withLock { $0.admit(observation, retained: message.retained) }
            guard verdict != .duplicate else {
                outcome = .duplicate
                continue
            }
            do {
                let stored = try journal.record(
                    observation, verdict: verdict, space: binding.space, topic: message.topic, receivedAt: now())
                outcome = stored ? .stored : .duplicate
            } catch {
                logger.error("sensor reading not stored", metadata: ["sensor": "\(binding.id)", "error": "\(error)"])
                return .failed
            }
        }
        return outcome
    }

    private func warn(key: String, _ message: String, topic: String) {
        let now = now()
        let due = lastWarning.withLock { last in
            guard (last[key] ?? .min) <= now - 60 else { return false }
            last[key] = now
            return true
        }
        if due { logger.warning("\(message)", metadata: ["topic": "\(topic)"]) }
    }
}
