import Foundation
import Logging
import Synchronization
import Testing

@testable import HapesiraMQTT

struct TimedOut: Error, CustomStringConvertible {
    let description: String
}

struct ToolFailed: Error, CustomStringConvertible {
    let description: String
}

/// Collects values from any thread and lets a test await a condition on them, bounded by a timeout.
final class Recorder<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var watchers: [UUID: AsyncStream<Void>.Continuation] = [:]
    }
    private let state = Mutex(State())

    var items: [Element] { state.withLock { $0.items } }

    func append(_ item: Element) {
        let watchers = state.withLock { state in
            state.items.append(item)
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.yield() }
    }

    /// Returns the items once `condition` holds for them; throws after `timeout`.
    @discardableResult
    func wait(
        _ what: String, timeout: Duration = .seconds(15), until condition: @escaping @Sendable ([Element]) -> Bool
    ) async throws -> [Element] {
        let (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        state.withLock { $0.watchers[id] = continuation }
        defer {
            _ = state.withLock { $0.watchers.removeValue(forKey: id) }
            continuation.finish()
        }
        return try await withThrowingTaskGroup(of: [Element]?.self) { group in
            group.addTask {
                if condition(self.items) { return self.items }
                for await _ in changes {
                    let items = self.items
                    if condition(items) { return items }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let result = try await group.next() ?? nil
            group.cancelAll()
            guard let result else { throw TimedOut(description: "timed out waiting for \(what); got \(self.items)") }
            return result
        }
    }
}

extension Recorder where Element == MQTTConnectionEvent {
    /// Records every event of `client` in the background.
    static func events(of client: MQTTClient) -> Recorder {
        let recorder = Recorder()
        let stream = client.events
        Task {
            for await event in stream { recorder.append(event) }
        }
        return recorder
    }

    func count(_ matching: @escaping @Sendable (MQTTConnectionEvent) -> Bool) -> Int {
        items.filter(matching).count
    }

    /// Waits until `matching` has happened `times` times in total.
    func waitFor(
        _ what: String, times: Int = 1, timeout: Duration = .seconds(15),
        _ matching: @escaping @Sendable (MQTTConnectionEvent) -> Bool
    ) async throws {
        try await wait(what, timeout: timeout) { $0.filter(matching).count >= times }
    }
}

extension MQTTConnectionEvent {
    var isConnected: Bool { if case .connected = self { true } else { false } }
    var isDisconnected: Bool { if case .disconnected = self { true } else { false } }
    var isSubscribed: Bool { if case .subscribed = self { true } else { false } }
    var isRefused: Bool { if case .connectionRefused = self { true } else { false } }
}

let testLogger: Logger = {
    var logger = Logger(label: "hapesira.mqtt.test")
    logger.logLevel = ProcessInfo.processInfo.environment["MQTT_TEST_LOG"] == nil ? .critical : .trace
    return logger
}()

/// A client of `broker` with fast reconnects, recording its messages and events.
struct TestClient {
    let client: MQTTClient
    let messages = Recorder<MQTTMessage>()
    let events: Recorder<MQTTConnectionEvent>

    init(
        broker: MosquittoBroker, clientID: String, subscriptions: [(filter: String, qos: Int)],
        statusTopic: String = "test/\(UUID().uuidString)/status",
        handler: (@Sendable (MQTTMessage) -> Void)? = nil
    ) {
        var settings = broker.settings(clientID: clientID)
        settings.statusTopic = statusTopic
        self.init(settings: settings, subscriptions: subscriptions, handler: handler)
    }

    /// A client with `settings` as given, but fast reconnects.
    init(
        settings: MQTTSettings, subscriptions: [(filter: String, qos: Int)],
        handler: (@Sendable (MQTTMessage) -> Void)? = nil
    ) {
        var settings = settings
        settings.reconnectDelay = 1...2
        let messages = self.messages
        client = MQTTClient(settings: settings, subscriptions: subscriptions, logger: testLogger) { message in
            handler?(message)
            messages.append(message)
        }
        events = .events(of: client)
    }

    /// Starts and waits until connected and subscribed to everything.
    func startAndSubscribe(count: Int) async throws {
        try client.start()
        try await events.waitFor("connected") { $0.isConnected }
        try await events.waitFor("\(count) subscriptions", times: count) { $0.isSubscribed }
    }
}

/// Runs `mosquitto_pub` against `broker` (with `options` such as `-u`, `-P`, `--cafile`); throws if it fails.
func mosquittoPub(
    broker: MosquittoBroker, topic: String, message: String, qos: Int = 1, retain: Bool = false,
    options: [String] = []
) throws {
    var arguments = ["-h", "127.0.0.1", "-p", "\(broker.port)", "-t", topic, "-m", message, "-q", "\(qos)"]
    if retain { arguments.append("-r") }
    try runTool("/usr/bin/mosquitto_pub", arguments + options)
}

/// Runs a command-line tool to its end; throws with its output if it fails.
func runTool(_ path: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let command = ([path] + arguments).joined(separator: " ")
        throw ToolFailed(description: "\(command) exited with \(process.terminationStatus): \(text)")
    }
}

extension MQTTMessage {
    var text: String { String(decoding: payload, as: UTF8.self) }
}
