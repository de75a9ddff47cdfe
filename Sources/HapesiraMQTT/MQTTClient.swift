import Foundation
import Logging

/// A persistent-session MQTT client on libmosquitto that subscribes on every connect, announces itself on a
/// status topic and keeps reconnecting until stopped.
///
/// - Important: `handler` is called on the client's network thread, one message at a time, and libmosquitto
///   sends the QoS 1 PUBACK only after it returns. Do the durable work (commit to SQLite) before returning:
///   then a crash before the commit means the broker delivers the message again, and nothing acknowledged
///   is ever lost. A slow handler holds up the connection (keep-alive included), so keep it short.
public final class MQTTClient: Sendable {
    private let core: ClientCore

    /// Connection events (connected, disconnected, subscribed, …) in order; ends after `stop()`.
    /// One consumer; the newest 256 are kept if nobody reads.
    public var events: AsyncStream<MQTTConnectionEvent> { core.events.stream }

    public init(
        settings: MQTTSettings, subscriptions: [MQTTSubscription], logger: Logger,
        handler: @escaping @Sendable (MQTTMessage) -> Void
    ) {
        core = ClientCore(settings: settings, subscriptions: subscriptions, logger: logger, handler: handler)
    }

    /// Convenience for `(filter, qos)` pairs.
    public convenience init(
        settings: MQTTSettings, subscriptions: [(filter: String, qos: Int)], logger: Logger,
        handler: @escaping @Sendable (MQTTMessage) -> Void
    ) {
        self.init(
            settings: settings, subscriptions: subscriptions.map { MQTTSubscription(filter: $0.filter, qos: $0.qos) },
            logger: logger, handler: handler)
    }

    deinit { core.requestStop() }

    /// Creates the libmosquitto client and starts the network thread, which connects (and keeps reconnecting)
    /// in the background: watch `events` for `.connected`. Throws on settings libmosquitto rejects.
    public func start() throws(MQTTError) { try core.start() }

    /// Publishes `offline` (retained) on the status topic, disconnects cleanly (so the broker keeps the
    /// session but sends no will), ends the network thread and frees the client. Idempotent.
    public func stop() async {
        // The status PUBACK wait and the thread join block: keep them off the cooperative pool.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                self.core.stopAndWait()
                continuation.resume()
            }
        }
    }

    /// Queues a message for the broker; returns its packet id. QoS ≥ 1 messages queued while disconnected are
    /// sent after the reconnect (no error); a QoS 0 message while disconnected is dropped and throws.
    @discardableResult
    public func publish(topic: String, payload: [UInt8], qos: Int = 1, retain: Bool = false) throws(MQTTError) -> Int {
        try core.publish(topic: topic, payload: payload, qos: qos, retain: retain)
    }

    /// Test hook: shuts the socket down under libmosquitto, as a network failure would (the broker sends the will).
    func simulateNetworkFailure() { core.simulateNetworkFailure() }
}
