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
/// A QoS 1 reading is committed to the `SensorInbox` before `handle` returns, so libmosquitto
/// acknowledges the message only once it is stored. Then every reading, QoS 1 or 0, waits in a small
/// batch, in arrival order, that is committed to the journal when it is full (by a flusher thread, so
/// decoding goes on meanwhile), after `batchDelay` and on `flush()`. Readings the inbox kept but the
/// journal did not take (the daemon crashed) are journaled when the ingestor is made.
///
/// - Important: call `flush()` once the MQTT client has stopped, or the waiting QoS 0 readings are lost
///   (QoS 1 ones wait in the inbox for the next start).
///
/// Bad input — an unknown topic, a malformed payload — is counted and logged (at most once a
/// minute per sensor or topic) and never stops ingestion.
public final class SensorIngestor: Sendable {
    /// What became of a message.
    public enum Outcome: String, Sendable, CaseIterable {
        case stored, duplicate, ignored, unknownTopic = "unknown_topic", malformed, failed
        /// A reading waiting for its batch (counted as stored or duplicate once journaled); a QoS 1 one is
        /// already committed to the inbox.
        case batched
    }

    private let bindings: [SensorBinding]
    private let journal: SensorJournal
    private let inbox: SensorInbox
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
    /// Readings not journaled yet, in arrival order.
    private let batch = Mutex<[SensorJournal.Entry]>([])
    /// Held from a QoS 1 reading's inbox commit until it is in the batch, so the batch holds inbox ids in order.
    private let keeping = Mutex(())
    /// Held from taking readings out of `batch` until they are committed, so commits keep arrival order.
    private let committing = Mutex(())
    private let flusher = DispatchQueue(label: "hapesira.sensor-batch")

    /// Journals what `inbox` kept from the last run first.
    ///
    /// - Parameters:
    ///   - batchSize: readings journaled together at most (1 journals each at once).
    ///   - batchDelay: how long a reading waits at most for its batch to fill.
    public init(
        bindings: [SensorBinding], journal: SensorJournal, inbox: SensorInbox, metrics: PrometheusCollectorRegistry,
        logger: Logger, batchSize: Int = 256, batchDelay: Duration = .milliseconds(20),
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) throws {
        let recovered = try journal.recover(from: inbox)
        if recovered > 0 {
            logger.notice(
                "sensor readings kept in the inbox by the last run journaled",
                metadata: ["sensor.readings": "\(recovered)"])
        }
        self.bindings = bindings
        self.journal = journal
        self.inbox = inbox
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

    /// Journals the waiting readings now and empties the inbox of them (on shutdown, after the MQTT client
    /// stopped).
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            flusher.async {
                self.commitBatch()
                do { try self.inbox.tidy() } catch {
                    self.logger.warning("sensor inbox not tidied: \(error)")
                }
                continuation.resume()
            }
        }
    }

    /// How many readings wait for their batch.
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
        return keeping.withLock { _ in
            do {
                try inbox.keep(&entries)
            } catch {
                logger.error("sensor reading not stored", metadata: ["topic": "\(message.topic)", "error": "\(error)"])
                return .failed
            }
            enqueue(entries)
            return .batched
        }
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

    /// Adds readings to the batch. A full batch is committed by the flusher while the network thread
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

    /// Journals the waiting readings, if any.
    private func commitBatch() {
        committing.withLock { _ in
            let waiting = takeBatch()
            guard !waiting.isEmpty else { return }
            do {
                count(try journal.record(waiting)[...])
                if let kept = waiting.lazy.compactMap(\.inboxID).max() { inbox.journaled(upTo: kept) }
            } catch {
                fail(error, total: waiting.count)
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

    /// Counts journaled readings (stored, or dropped as duplicates by the journal).
    private func count(_ stored: ArraySlice<Bool>) {
        guard !stored.isEmpty else { return }
        let count = stored.reduce(0) { $0 + ($1 ? 1 : 0) }
        counters[.stored]?.increment(by: Int64(count))
        if count < stored.count { counters[.duplicate]?.increment(by: Int64(stored.count - count)) }
    }

    /// Logs a failed commit of `total` readings and counts them as failed.
    private func fail(_ error: any Error, total: Int) {
        logger.error("sensor readings not stored", metadata: ["sensor.readings": "\(total)", "error": "\(error)"])
        counters[.failed]?.increment(by: Int64(total))
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
