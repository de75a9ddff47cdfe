/// A message as received, copied out of libmosquitto's buffers.
public struct MQTTMessage: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int
    /// A retained message is the broker's stored state, re-sent on every subscribe: a snapshot, not a new event.
    public var retained: Bool
    /// The packet id (0 for QoS 0). Not unique across reconnects; there is no DUP flag: deduplicate by content.
    public var mid: Int

    public init(topic: String, payload: [UInt8], qos: Int, retained: Bool, mid: Int) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retained = retained
        self.mid = mid
    }
}

/// A topic filter to subscribe to on every connect.
public struct MQTTSubscription: Sendable, Equatable {
    public var filter: String
    public var qos: Int

    public init(filter: String, qos: Int) {
        self.filter = filter
        self.qos = qos
    }
}

/// What happened to the connection, in order.
public enum MQTTConnectionEvent: Sendable, Equatable {
    /// The broker accepted the connection; `sessionPresent` when it resumed the persistent session.
    case connected(sessionPresent: Bool)
    /// The broker answered CONNACK with a refusal (bad credentials, not authorised, …).
    case connectionRefused(reason: String)
    /// The TCP/TLS connection could not be opened.
    case connectFailed(reason: String)
    case subscribed(filter: String, grantedQoS: Int)
    case subscriptionRefused(filter: String, reason: String)
    case disconnected(reason: String)
    /// libmosquitto's network loop stopped on an error it will not recover from by itself (protocol, TLS,
    /// auth, …); the client restarts it (see `reconnecting`).
    case loopExited(reason: String)
    /// The network loop starts again: reconnect attempt `attempt` after waiting `delay`.
    case reconnecting(attempt: Int, delay: Duration)
    /// `stop()` finished; the stream ends after this.
    case stopped
}

/// Why an MQTT operation failed.
public enum MQTTError: Error, Equatable, CustomStringConvertible {
    case alreadyStarted
    case notRunning
    case invalidSettings(String)
    /// A libmosquitto call failed: which call, its code and libmosquitto's message.
    case library(operation: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case .alreadyStarted: "the MQTT client was already started (a client starts once)"
        case .notRunning: "the MQTT client is not running"
        case .invalidSettings(let problem): "invalid MQTT settings: \(problem)"
        case .library(let operation, let code, let message): "\(operation) failed: \(message) (code \(code))"
        }
    }
}
