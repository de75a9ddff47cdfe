import CMosquitto
import Dispatch
import Foundation
import Logging
import Synchronization

/// libmosquitto's client handle. Safe to send: libmosquitto locks internally for the calls made from other
/// threads (publish, disconnect) while the network thread runs the loop, and the handle is destroyed only by
/// the network thread after `ClientCore.handle` stopped lending it out.
struct MosquittoHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Process-wide libmosquitto set-up and return-code helpers.
enum Mosquitto {
    private static let initResult: Int32 = mosquitto_lib_init()
    static let success = MOSQ_ERR_SUCCESS.rawValue

    /// Calls `mosquitto_lib_init` once per process.
    static func initialise() throws(MQTTError) { try check(initResult, "mosquitto_lib_init") }

    static func check(_ code: Int32, _ operation: String) throws(MQTTError) {
        guard code == success else {
            throw .library(operation: operation, code: code, message: describe(code))
        }
    }

    static func describe(_ code: Int32) -> String { String(cString: mosquitto_strerror(code)) }

    /// The codes on which `mosquitto_loop_forever` gives up for good (libmosquitto 2.0.11, lib/loop.c).
    static func isFatal(_ code: Int32) -> Bool {
        let fatal: [mosq_err_t] = [
            MOSQ_ERR_NOMEM, MOSQ_ERR_PROTOCOL, MOSQ_ERR_INVAL, MOSQ_ERR_NOT_FOUND, MOSQ_ERR_TLS,
            MOSQ_ERR_PAYLOAD_SIZE, MOSQ_ERR_NOT_SUPPORTED, MOSQ_ERR_AUTH, MOSQ_ERR_ACL_DENIED, MOSQ_ERR_UNKNOWN,
            MOSQ_ERR_EAI, MOSQ_ERR_PROXY,
        ]
        return fatal.contains { $0.rawValue == code }
    }
}

/// Log metadata keys of this module.
enum LogKey {
    static let broker = "mqtt.broker"
    static let clientID = "mqtt.client_id"
    static let topic = "mqtt.topic"
    static let reason = "mqtt.reason"
    static let attempt = "mqtt.attempt"
}

/// The state libmosquitto's callbacks reach through the user-data pointer (`Unmanaged`, retained by the
/// network thread until the handle is destroyed), and the network thread itself.
///
/// The network thread runs `mosquitto_loop` rather than `mosquitto_loop_start`/`loop_forever`: libmosquitto's
/// own thread ends silently on protocol, TLS and auth errors, and its reconnect sleep cannot be interrupted by
/// a disconnect. Here every end of the loop comes back to one place that logs it, reports it on `events`, backs
/// off and connects again, until `stop()`.
final class ClientCore: Sendable {
    private struct State {
        var started = false
        var stopping = false
        var connected = false
        var failures = 0
        var pendingSubscriptions: [Int32: String] = [:]
        /// Packet ids acknowledged by the broker while stopping (to await the `offline` status).
        var acknowledged: Set<Int32> = []
    }

    let settings: MQTTSettings
    let subscriptions: [MQTTSubscription]
    let logger: Logger
    let handler: @Sendable (MQTTMessage) -> Void
    let events = CallbackBridge<MQTTConnectionEvent>(bufferingNewest: 256)

    /// Lent out under the lock for calls from other threads; nil before start and once destroyed.
    private let handle = Mutex<MosquittoHandle?>(nil)
    private let state = Mutex(State())
    /// Interrupts the network thread's back-off when stopping.
    private let wake = DispatchSemaphore(value: 0)
    /// Signalled for each PUBACK that arrives while stopping.
    private let acks = DispatchSemaphore(value: 0)
    /// Left when the network thread has destroyed the handle.
    private let running = DispatchGroup()

    init(
        settings: MQTTSettings, subscriptions: [MQTTSubscription], logger: Logger,
        handler: @escaping @Sendable (MQTTMessage) -> Void
    ) {
        self.settings = settings
        self.subscriptions = subscriptions
        var logger = logger
        logger[metadataKey: LogKey.clientID] = "\(settings.clientID)"
        logger[metadataKey: LogKey.broker] = "\(settings.host):\(settings.port)"
        self.logger = logger
        self.handler = handler
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    // MARK: Lifecycle

    func start() throws(MQTTError) {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started && !state.stopping
        }
        guard first else { throw .alreadyStarted }
        try validate()
        try Mosquitto.initialise()
        // clean_session false: the broker keeps the subscriptions and queues QoS ≥ 1 messages while we are away.
        guard let mosq = mosquitto_new(settings.clientID, false, nil) else {
            throw .library(operation: "mosquitto_new", code: errno, message: String(cString: strerror(errno)))
        }
        do {
            try configure(mosq)
        } catch {
            mosquitto_destroy(mosq)
            throw error
        }
        let context = Unmanaged.passRetained(self)
        mosquitto_user_data_set(mosq, context.toOpaque())
        installCallbacks(mosq)
        let lent = MosquittoHandle(pointer: mosq)
        handle.withLock { $0 = lent }
        running.enter()
        let thread = Thread {
            self.runNetworkLoop(lent)
            context.release()
        }
        thread.name = "mqtt-\(settings.clientID)"
        thread.start()
    }

    /// Starts stopping without waiting (deinit).
    func requestStop() {
        state.withLock { $0.stopping = true }
        handle.withLock { handle in
            if let handle {
                _ = mosquitto_disconnect_v5(handle.pointer, Int32(MQTT_RC_NORMAL_DISCONNECTION.rawValue), nil)
            }
        }
        wake.signal()
    }

    /// Says `offline`, disconnects, and blocks until the network thread has destroyed the handle.
    func stopAndWait() {
        let (started, first, connected) = state.withLock { state in
            defer { state.stopping = true }
            return (state.started, !state.stopping, state.connected)
        }
        guard started else {
            if first {
                events.yield(.stopped)
                events.finish()
            }
            return
        }
        if first {
            if connected { announceOffline() }
            requestStop()
        }
        running.wait()
    }

    /// Publishes the retained `offline` status and waits (bounded) for the broker's PUBACK.
    private func announceOffline() {
        guard let mid = try? publish(topic: settings.statusTopic, payload: Array("offline".utf8), qos: 1, retain: true)
        else { return }
        let deadline = DispatchTime.now() + .seconds(3)
        while !state.withLock({ $0.acknowledged.contains(Int32(mid)) }) {
            if acks.wait(timeout: deadline) == .timedOut {
                logger.warning("MQTT broker did not acknowledge the offline status before the disconnect")
                return
            }
        }
    }

    func publish(topic: String, payload: [UInt8], qos: Int, retain: Bool) throws(MQTTError) -> Int {
        try handle.withLock { handle throws(MQTTError) -> Int in
            guard let handle else { throw .notRunning }
            var mid: Int32 = 0
            let code = mosquitto_publish(
                handle.pointer, &mid, topic, Int32(payload.count), payload, Int32(qos), retain)
            // Disconnected, libmosquitto 2.0.11 still queues a QoS ≥ 1 message (sent after the reconnect) but
            // answers NO_CONN: that message is not lost, so it is no error. A QoS 0 message is dropped.
            if code == MOSQ_ERR_NO_CONN.rawValue && qos > 0 { return Int(mid) }
            try Mosquitto.check(code, "mosquitto_publish to '\(topic)'")
            return Int(mid)
        }
    }

    func simulateNetworkFailure() {
        handle.withLock { handle in
            guard let handle else { return }
            let socket = mosquitto_socket(handle.pointer)
            if socket >= 0 { _ = shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    // MARK: Set-up

    private func validate() throws(MQTTError) {
        if settings.clientID.isEmpty {
            throw .invalidSettings("the client id is empty (a persistent session needs one)")
        }
        if settings.host.isEmpty { throw .invalidSettings("the broker host is empty") }
        if !(1...65535).contains(settings.port) { throw .invalidSettings("port \(settings.port) is not 1–65535") }
        if settings.keepAlive < 5 || settings.keepAlive > 65535 {
            throw .invalidSettings("keep-alive \(settings.keepAlive) s is not 5–65535")
        }
        if settings.reconnectDelay.lowerBound < 1 {
            throw .invalidSettings("the minimum reconnect delay must be at least 1 s")
        }
        if settings.statusTopic.isEmpty { throw .invalidSettings("the status topic is empty") }
        if settings.password != nil && settings.username == nil {
            throw .invalidSettings("a password is set but no user name (the password would not be sent)")
        }
        if let tls = settings.tls { try validate(tls) }
        for subscription in subscriptions where !(0...2).contains(subscription.qos) {
            throw .invalidSettings("subscription '\(subscription.filter)' has QoS \(subscription.qos), not 0–2")
        }
    }

    /// libmosquitto rejects these with a bare "Invalid arguments provided": name the setting instead.
    private func validate(_ tls: MQTTSettings.TLS) throws(MQTTError) {
        if tls.caFile == nil && tls.caPath == nil {
            throw .invalidSettings("TLS needs trusted CA certificates: a CA file or a CA directory")
        }
        if (tls.certFile == nil) != (tls.keyFile == nil) {
            throw .invalidSettings("a TLS client certificate needs its key file, and a key file its certificate")
        }
        let files = [("CA file", tls.caFile), ("client certificate", tls.certFile), ("client key", tls.keyFile)]
        for case (let what, let path?) in files where !FileManager.default.isReadableFile(atPath: path) {
            throw .invalidSettings("the TLS \(what) '\(path)' is not readable")
        }
    }

    private func configure(_ mosq: OpaquePointer) throws(MQTTError) {
        // Our own thread drives the loop: libmosquitto must lock and must queue packets (the PUBACK of a message
        // is then written by the loop after the message callback has returned).
        try Mosquitto.check(mosquitto_threaded_set(mosq, true), "mosquitto_threaded_set")
        let version = settings.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try Mosquitto.check(
            mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, version), "mosquitto_int_option(protocol version)")
        if let username = settings.username {
            try Mosquitto.check(
                mosquitto_username_pw_set(mosq, username, settings.password), "mosquitto_username_pw_set")
        }
        if let tls = settings.tls {
            try Mosquitto.check(
                mosquitto_tls_set(
                    mosq, tls.caFile, tls.caFile == nil ? tls.caPath : nil, tls.certFile, tls.keyFile, nil),
                "mosquitto_tls_set")
            if tls.insecure {
                try Mosquitto.check(mosquitto_tls_insecure_set(mosq, true), "mosquitto_tls_insecure_set")
            }
        }
        let offline = Array("offline".utf8)
        try Mosquitto.check(
            mosquitto_will_set(mosq, settings.statusTopic, Int32(offline.count), offline, 1, true),
            "mosquitto_will_set on '\(settings.statusTopic)'")
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> ClientCore? {
        context.map { Unmanaged<ClientCore>.fromOpaque($0).takeUnretainedValue() }
    }

    private func installCallbacks(_ mosq: OpaquePointer) {
        mosquitto_connect_v5_callback_set(mosq) { mosq, context, code, flags, _ in
            guard let mosq else { return }
            ClientCore.from(context)?.didConnect(mosq, code: code, flags: flags)
        }
        mosquitto_disconnect_v5_callback_set(mosq) { _, context, code, _ in
            ClientCore.from(context)?.didDisconnect(code: code)
        }
        mosquitto_subscribe_v5_callback_set(mosq) { _, context, mid, count, granted, _ in
            let first = count > 0 ? granted?.pointee : nil
            ClientCore.from(context)?.didSubscribe(mid: mid, granted: first ?? 0x80)
        }
        mosquitto_publish_v5_callback_set(mosq) { _, context, mid, _, _ in
            ClientCore.from(context)?.didPublish(mid: mid)
        }
        mosquitto_message_v5_callback_set(mosq) { _, context, message, _ in
            guard let message else { return }
            ClientCore.from(context)?.didReceive(message.pointee)
        }
    }

    /// Passes libmosquitto's own log lines to the logger, or stops them. libmosquitto formats a line for every
    /// packet (two per message received: the PUBLISH and its PUBACK, at debug level) whenever a callback is
    /// set, so it is set while connecting (TLS and protocol errors come as lines) and, once connected, only
    /// when the logger wants libmosquitto's debug lines; errors in a session end it with a return code, logged.
    private func libraryLog(_ mosq: OpaquePointer, on: Bool) {
        guard on else { return mosquitto_log_callback_set(mosq, nil) }
        mosquitto_log_callback_set(mosq) { _, context, level, text in
            guard let text else { return }
            ClientCore.from(context)?.libraryLog(level: level, text: text)
        }
    }

    // MARK: Network thread

    private func runNetworkLoop(_ lent: MosquittoHandle) {
        let mosq = lent.pointer
        while !isStopping {
            libraryLog(mosq, on: true)
            let code = connect(mosq)
            if code == Mosquitto.success {
                var stopDeadline: ContinuousClock.Instant?
                var loopCode: Int32
                repeat {
                    loopCode = mosquitto_loop(mosq, 1000, 1)
                    // Stopping: the loop still writes `offline` and DISCONNECT; bounded in case the broker stalls.
                    if isStopping {
                        if stopDeadline == nil { stopDeadline = .now + .seconds(5) }
                        if let stopDeadline, ContinuousClock.now > stopDeadline { break }
                    }
                } while loopCode == Mosquitto.success
                if isStopping { break }
                let reason = Mosquitto.describe(loopCode)
                let reported = state.withLock { state in
                    defer { state.connected = false }
                    return !state.connected
                }
                if !reported { events.yield(.disconnected(reason: reason)) }
                if Mosquitto.isFatal(loopCode) {
                    logger.error("MQTT network loop stopped on an error", metadata: [LogKey.reason: "\(reason)"])
                    events.yield(.loopExited(reason: reason))
                }
            } else {
                let reason = Mosquitto.describe(code)
                logger.warning("MQTT connect failed", metadata: [LogKey.reason: "\(reason)"])
                events.yield(.connectFailed(reason: reason))
            }
            let attempt = state.withLock { state in
                state.failures += 1
                return state.failures
            }
            let delay = backOff(attempt: attempt)
            guard !isStopping else { break }
            logger.info(
                "MQTT reconnecting", metadata: [LogKey.attempt: "\(attempt)", "mqtt.delay": "\(delay)"])
            events.yield(.reconnecting(attempt: attempt, delay: .seconds(delay)))
            // Woken early only by stop().
            _ = wake.wait(timeout: .now() + .seconds(delay))
        }
        handle.withLock { $0 = nil }
        mosquitto_destroy(mosq)
        logger.info("MQTT client stopped")
        events.yield(.stopped)
        events.finish()
        running.leave()
    }

    /// Seconds to wait before attempt `attempt` (1-based): the minimum, doubling up to the maximum.
    private func backOff(attempt: Int) -> Int {
        let minimum = Int(settings.reconnectDelay.lowerBound)
        let maximum = Int(settings.reconnectDelay.upperBound)
        let doublings = min(attempt - 1, 20)
        return min(maximum, minimum << doublings)
    }

    /// Blocking TCP (and TLS) connect; sends CONNECT with the Session Expiry Interval (MQTT 5), queued for the loop.
    private func connect(_ mosq: OpaquePointer) -> Int32 {
        var properties: OpaquePointer?
        defer { mosquitto_property_free_all(&properties) }
        if settings.protocolVersion == .v5 {
            let code = mosquitto_property_add_int32(
                &properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), settings.sessionExpiry)
            guard code == Mosquitto.success else { return code }
        }
        return mosquitto_connect_bind_v5(
            mosq, settings.host, Int32(settings.port), Int32(settings.keepAlive), nil, properties)
    }

    // MARK: Callbacks (network thread)

    private func didConnect(_ mosq: OpaquePointer, code: Int32, flags: Int32) {
        guard code == 0 else {
            let reason =
                settings.protocolVersion == .v5
                ? String(cString: mosquitto_reason_string(code)) : String(cString: mosquitto_connack_string(code))
            logger.error("MQTT broker refused the connection", metadata: [LogKey.reason: "\(reason)"])
            events.yield(.connectionRefused(reason: reason))
            return
        }
        let sessionPresent = flags & 1 != 0
        state.withLock { state in
            state.connected = true
            state.failures = 0
            state.pendingSubscriptions = [:]
        }
        logger.info("MQTT connected", metadata: ["mqtt.session_present": "\(sessionPresent)"])
        libraryLog(mosq, on: logger.logLevel <= .trace)
        events.yield(.connected(sessionPresent: sessionPresent))
        // Every connect: the broker may have lost the session (expiry, restart without persistence).
        for subscription in subscriptions {
            var mid: Int32 = 0
            let code = mosquitto_subscribe(mosq, &mid, subscription.filter, Int32(subscription.qos))
            if code == Mosquitto.success {
                state.withLock { $0.pendingSubscriptions[mid] = subscription.filter }
            } else {
                let reason = Mosquitto.describe(code)
                logger.error(
                    "MQTT subscribe failed",
                    metadata: [LogKey.topic: "\(subscription.filter)", LogKey.reason: "\(reason)"])
                events.yield(.subscriptionRefused(filter: subscription.filter, reason: reason))
            }
        }
        let online = Array("online".utf8)
        let published = mosquitto_publish(mosq, nil, settings.statusTopic, Int32(online.count), online, 1, true)
        if published != Mosquitto.success {
            logger.error(
                "MQTT status publish failed",
                metadata: [LogKey.topic: "\(settings.statusTopic)", LogKey.reason: "\(Mosquitto.describe(published))"])
        }
    }

    private func didDisconnect(code: Int32) {
        state.withLock { $0.connected = false }
        // v5: a DISCONNECT from the broker passes its reason code here instead of a libmosquitto error.
        let reason = code == 0 ? "disconnected by the client" : "\(Mosquitto.describe(code)) (code \(code))"
        if code == 0 {
            logger.info("MQTT disconnected")
        } else {
            logger.warning("MQTT connection lost", metadata: [LogKey.reason: "\(reason)"])
        }
        events.yield(.disconnected(reason: reason))
    }

    private func didSubscribe(mid: Int32, granted: Int32) {
        let filter = state.withLock { $0.pendingSubscriptions.removeValue(forKey: mid) } ?? "?"
        if granted >= 0x80 {
            let reason =
                settings.protocolVersion == .v5 ? String(cString: mosquitto_reason_string(granted)) : "refused"
            logger.error(
                "MQTT broker refused a subscription", metadata: [LogKey.topic: "\(filter)", LogKey.reason: "\(reason)"])
            events.yield(.subscriptionRefused(filter: filter, reason: reason))
        } else {
            events.yield(.subscribed(filter: filter, grantedQoS: Int(granted)))
        }
    }

    private func didPublish(mid: Int32) {
        let stopping = state.withLock { state in
            guard state.stopping else { return false }
            state.acknowledged.insert(mid)
            return true
        }
        if stopping { acks.signal() }
    }

    private func didReceive(_ message: mosquitto_message) {
        // libmosquitto frees the message after this callback: copy everything now.
        let payload =
            message.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: Int(message.payloadlen))) } ?? []
        handler(
            MQTTMessage(
                topic: message.topic.map { String(cString: $0) } ?? "", payload: payload, qos: Int(message.qos),
                retained: message.retain, mid: Int(message.mid)))
    }

    private func libraryLog(level: Int32, text: UnsafePointer<CChar>) {
        let mapped: Logger.Level =
            switch level {
            case MOSQ_LOG_ERR: .error
            case MOSQ_LOG_WARNING: .warning
            case MOSQ_LOG_NOTICE, MOSQ_LOG_INFO: .info
            default: .trace
            }
        guard logger.logLevel <= mapped else { return }
        logger.log(level: mapped, "libmosquitto: \(String(cString: text))")
    }
}
