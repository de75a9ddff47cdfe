import Dispatch
import Foundation
import HapesiraCore
import HapesiraMQTT
import HapesiraStore
import Logging
import Prometheus
import Synchronization

/// Turns MQTT messages into journaled sensor readings: finds the configured sensor, decodes the
/// payload, classifies it (event, retained snapshot, repeat, status, duplicate) and journals it.
///
/// A QoS 1 reading is committed before `handle` returns, so libmosquitto acknowledges the message
/// only once it is stored. QoS 0 readings carry no acknowledgement: they wait in a small batch that
/// is committed when it is full (by a flusher thread, so decoding goes on meanwhile), after
/// `batchDelay`, before the next QoS 1 reading (in the same transaction: the journal keeps arrival
/// order) and on `flush()`.
///
/// - Important: call `flush()` once the MQTT client has stopped, or the waiting QoS 0 readings are lost.
///
/// Bad input — an unknown topic, a malformed payload — is counted and logged (at most once a
/// minute per sensor or topic) and never stops ingestion.
public final class SensorIngestor: Sendable {
    /// What became of a message.
    public enum Outcome: String, Sendable, CaseIterable {
        case stored, duplicate, ignored, unknownTopic = "unknown_topic", malformed, failed
        /// A QoS 0 reading waiting for its batch (counted as stored or duplicate once committed).
        case batched
    }

    private let bindings: [SensorBinding]
    private let journal: SensorJournal
    private let logger: Logger
    private let counters: [Outcome: Counter]
    private let filter = Mutex(ObservationFilter())
    private let lastWarning = Mutex<[String: Int64]>([:])
    private let now: @Sendable () -> Int64
    /// The bindings that accept each topic seen so far (a sensor's topics are few and repeat).
    private let routes = Mutex<[String: [SensorBinding]]>([:])
    private static let maxRoutes = 4_096
    private static let maxWaitingBatches = 4

    private let batchSize: Int
    private let batchDelay: Duration
    /// QoS 0 readings not committed yet, in arrival order.
    private let batch = Mutex<[SensorJournal.Entry]>([])
    /// Held from taking readings out of `batch` until they are committed, so commits keep arrival order.
    private let committing = Mutex(())
    private let flusher = DispatchQueue(label: "hapesira.sensor-batch")

    /// - Parameters:
    ///   - batchSize: QoS 0 readings committed together at most (1 commits each at once).
    ///   - batchDelay: how long a QoS 0 reading waits at most for its batch to fill.
    public init(
        bindings: [SensorBinding], journal: SensorJournal, metrics: PrometheusCollectorRegistry, logger: Logger,
        batchSize: Int = 256, batchDelay: Duration = .milliseconds(20),
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.bindings = bindings
        self.journal = journal
        self.logger = logger
        self.now = now
        self.batchSize = max(1, batchSize)
        self.batchDelay = batchDelay
        var counters: [Outcome: Counter] = [:]
        for outcome in Outcome.allCases where outcome != .batched {
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

    /// Commits the waiting QoS 0 readings now (on shutdown, after the MQTT client stopped).
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            flusher.async {
                self.commitBatch()
                continuation.resume()
            }
        }
    }

    /// How many QoS 0 readings wait for their batch.
    public var batched: Int { batch.withLock { $0.count } }

    private func ingest(_ message: MQTTMessage) -> Outcome {
        let matching = route(message.topic)
        guard !matching.isEmpty else {
            warn(key: message.topic, "a message on a topic no sensor is configured for", topic: message.topic)
            return .unknownTopic
        }
        var outcome = Outcome.ignored
        var entries: [SensorJournal.Entry] = []
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
            entries.append(
                SensorJournal.Entry(
                    observation, verdict: verdict, space: binding.space, topic: message.topic, receivedAt: now()))
        }
        guard !entries.isEmpty else { return outcome }
        if message.qos == 0 {
            enqueue(entries)
            return .batched
        }
        return commit(entries)
    }

    /// The bindings that accept `topic`, remembered per topic.
    private func route(_ topic: String) -> [SensorBinding] {
        if let known = routes.withLock({ $0[topic] }) { return known }
        let matching = bindings.filter { $0.accepts(topic) }
        routes.withLock { routes in
            // Topics come from the subscriptions, so they are few; a flood of new ones only stops the memo.
            if routes.count < Self.maxRoutes { routes[topic] = matching }
        }
        return matching
    }

    /// Commits the waiting QoS 0 readings and `entries` in one transaction; returns `entries`' outcome.
    private func commit(_ entries: [SensorJournal.Entry]) -> Outcome {
        committing.withLock { _ in
            let waiting = takeBatch()
            do {
                let stored = try journal.record(waiting + entries)
                count(stored[..<waiting.count])
                return stored[waiting.count...].contains(true) ? .stored : .duplicate
            } catch {
                // The message itself is counted as failed by `handle`.
                fail(error, batched: waiting.count, total: waiting.count + entries.count)
                return .failed
            }
        }
    }

    /// Adds QoS 0 readings to the batch. A full batch is committed by the flusher while the network thread
    /// goes on reading messages; here, when the flusher is `maxWaitingBatches` behind (bounding memory).
    private func enqueue(_ entries: [SensorJournal.Entry]) {
        let (count, first) = batch.withLock { batch in
            let first = batch.isEmpty
            batch.append(contentsOf: entries)
            return (batch.count, first)
        }
        if count >= batchSize * Self.maxWaitingBatches {
            commitBatch()
        } else if count >= batchSize && count - entries.count < batchSize {
            flusher.async { self.commitBatch() }
        } else if first {
            // Every reading in the batch arrived after this one, so this deadline covers them all.
            flusher.asyncAfter(deadline: .now() + .nanoseconds(Int(batchDelay.nanoseconds))) { self.commitBatch() }
        }
    }

    /// Commits the waiting QoS 0 readings, if any.
    private func commitBatch() {
        committing.withLock { _ in
            let waiting = takeBatch()
            guard !waiting.isEmpty else { return }
            do {
                count(try journal.record(waiting)[...])
            } catch {
                fail(error, batched: waiting.count, total: waiting.count)
            }
        }
    }

    /// Empties the batch; returns what it held.
    private func takeBatch() -> [SensorJournal.Entry] {
        batch.withLock { batch in
            var taken: [SensorJournal.Entry] = []
            swap(&taken, &batch)
            return taken
        }
    }

    /// Counts committed QoS 0 readings (stored, or dropped as duplicates by the journal).
    private func count(_ stored: ArraySlice<Bool>) {
        guard !stored.isEmpty else { return }
        let count = stored.reduce(0) { $0 + ($1 ? 1 : 0) }
        counters[.stored]?.increment(by: Int64(count))
        if count < stored.count { counters[.duplicate]?.increment(by: Int64(stored.count - count)) }
    }

    /// Logs a failed commit of `total` readings and counts the `batched` QoS 0 ones among them as failed.
    private func fail(_ error: any Error, batched: Int, total: Int) {
        logger.error("sensor readings not stored", metadata: ["sensor.readings": "\(total)", "error": "\(error)"])
        if batched > 0 { counters[.failed]?.increment(by: Int64(batched)) }
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

extension Duration {
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
