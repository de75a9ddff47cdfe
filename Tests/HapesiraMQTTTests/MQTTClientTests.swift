import Foundation
import Synchronization
import Testing

@testable import HapesiraMQTT

@Suite("MQTT client against a real mosquitto", .serialized)
struct MQTTClientTests {
    @Test("a QoS 1 message from mosquitto_pub reaches the handler with topic, payload, QoS and retain flag")
    func receivesMessages() async throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let test = TestClient(broker: broker, clientID: "receiver", subscriptions: [("sensors/#", 1)])
        try await test.startAndSubscribe(count: 1)

        try mosquittoPub(broker: broker, topic: "sensors/room-1/door", message: #"{"contact":true}"#)
        let messages = try await test.messages.wait("one message") { $0.count == 1 }
        #expect(messages[0].topic == "sensors/room-1/door")
        #expect(messages[0].text == #"{"contact":true}"#)
        #expect(messages[0].qos == 1)
        #expect(messages[0].retained == false)
        #expect(messages[0].mid > 0)
        await test.client.stop()
    }

    @Test("a retained message is delivered with retained == true on subscribe")
    func retainedOnSubscribe() async throws {
        let broker = try MosquittoBroker()
        try broker.start()
        try mosquittoPub(broker: broker, topic: "zigbee2mqtt/hall/availability", message: "online", retain: true)

        let test = TestClient(broker: broker, clientID: "retained", subscriptions: [("zigbee2mqtt/#", 1)])
        try test.client.start()
        let messages = try await test.messages.wait("the retained message") { !$0.isEmpty }
        #expect(messages[0].topic == "zigbee2mqtt/hall/availability")
        #expect(messages[0].text == "online")
        #expect(messages[0].retained)
        await test.client.stop()
    }

    @Test("after a broker restart the client reconnects, subscribes again and receives later messages")
    func resubscribesAfterBrokerRestart() async throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let test = TestClient(broker: broker, clientID: "restart", subscriptions: [("a/#", 1), ("b/+", 0)])
        try await test.startAndSubscribe(count: 2)

        try broker.restart()
        try await test.events.waitFor("disconnect") { $0.isDisconnected }
        try await test.events.waitFor("second connect", times: 2) { $0.isConnected }
        try await test.events.waitFor("subscriptions again", times: 4) { $0.isSubscribed }

        try mosquittoPub(broker: broker, topic: "a/x", message: "after", qos: 1)
        try mosquittoPub(broker: broker, topic: "b/y", message: "after0", qos: 0)
        let messages = try await test.messages.wait("both messages") { $0.count == 2 }
        #expect(Set(messages.map(\.text)) == ["after", "after0"])

        let events = test.events.items
        let firstDisconnect = try #require(events.firstIndex { $0.isDisconnected })
        #expect(events[..<firstDisconnect].filter(\.isConnected).count == 1, "\(events)")
        #expect(events[firstDisconnect...].contains { $0.isConnected }, "\(events)")
        await test.client.stop()
    }

    @Test("persistent session: QoS 1 messages published while the client is away all arrive once on return")
    func persistentSession() async throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let first = TestClient(broker: broker, clientID: "hapesira-daemon", subscriptions: [("rooms/#", 1)])
        try await first.startAndSubscribe(count: 1)
        await first.client.stop()

        let count = 200
        let publisher = TestClient(broker: broker, clientID: "publisher", subscriptions: [])
        try publisher.client.start()
        try await publisher.events.waitFor("publisher connected") { $0.isConnected }
        for index in 0..<count {
            try publisher.client.publish(topic: "rooms/\(index % 7)/count", payload: Array("\(index)".utf8), qos: 1)
        }
        // stop() waits for the PUBACK of its `offline` status, sent after all of the above on one connection.
        await publisher.client.stop()

        let second = TestClient(broker: broker, clientID: "hapesira-daemon", subscriptions: [("rooms/#", 1)])
        try second.client.start()
        let messages = try await second.messages.wait("\(count) queued messages") { $0.count >= count }
        try await second.events.waitFor("subscribed") { $0.isSubscribed }
        // Nothing more arrives: a marker published now is the next and last message.
        try mosquittoPub(broker: broker, topic: "rooms/marker", message: "end")
        let all = try await second.messages.wait("the marker") { $0.contains { $0.topic == "rooms/marker" } }
        #expect(all.count == count + 1)
        #expect(Set(messages.map(\.text)) == Set((0..<count).map(String.init)))
        #expect(messages.allSatisfy { $0.qos == 1 && !$0.retained })
        #expect(second.events.items.first == .connected(sessionPresent: true))
        await second.client.stop()
    }

    @Test("while the broker is down a QoS 1 publish is queued, not an error, and arrives after the reconnect")
    func publishWhileBrokerDown() async throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let receiver = TestClient(broker: broker, clientID: "receiver", subscriptions: [("queued/#", 1)])
        try await receiver.startAndSubscribe(count: 1)
        let publisher = TestClient(broker: broker, clientID: "publisher", subscriptions: [])
        try publisher.client.start()
        try await publisher.events.waitFor("publisher connected") { $0.isConnected }

        broker.stop()
        try await publisher.events.waitFor("publisher disconnected") { $0.isDisconnected }
        let mid = try publisher.client.publish(topic: "queued/1", payload: Array("kept".utf8), qos: 1)
        #expect(mid > 0)
        // QoS 0 is not queued: it is gone, and the caller hears so.
        #expect(throws: MQTTError.self) {
            try publisher.client.publish(topic: "queued/0", payload: Array("lost".utf8), qos: 0)
        }
        try broker.start()
        let received = try await receiver.messages.wait("the queued message") { !$0.isEmpty }
        #expect(received.map(\.text) == ["kept"])
        await publisher.client.stop()
        await receiver.client.stop()
    }

    @Test("status topic: online while connected, offline by will on connection loss and after a clean stop")
    func statusTopic() async throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let statusTopic = "hapesira/status"
        let watcher = TestClient(broker: broker, clientID: "watcher", subscriptions: [(statusTopic, 1)])
        try await watcher.startAndSubscribe(count: 1)
        let statuses: @Sendable ([MQTTMessage]) -> [String] = { $0.filter { $0.topic == statusTopic }.map(\.text) }

        let daemon = TestClient(broker: broker, clientID: "daemon", subscriptions: [], statusTopic: statusTopic)
        try daemon.client.start()
        try await watcher.messages.wait("online") { statuses($0) == ["online"] }

        // A network failure: no DISCONNECT, so the broker publishes the will; then the client is back.
        daemon.client.simulateNetworkFailure()
        try await watcher.messages.wait("will, then online again") { statuses($0) == ["online", "offline", "online"] }

        await daemon.client.stop()
        try await watcher.messages.wait("offline after stop") { statuses($0).last == "offline" }
        #expect(statuses(watcher.messages.items) == ["online", "offline", "online", "offline"])

        // Retained: a newcomer sees the last state.
        let late = TestClient(broker: broker, clientID: "late", subscriptions: [(statusTopic, 1)])
        try late.client.start()
        let seen = try await late.messages.wait("retained status") { !$0.isEmpty }
        #expect(seen[0].text == "offline" && seen[0].retained)
        await late.client.stop()
        await watcher.client.stop()
    }

    @Test("PUBACK follows the handler: a message whose handler had not returned when the link broke comes again")
    func pubackAfterHandler() async throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let release = DispatchSemaphore(value: 0)
        let entered = Recorder<String>()
        let test = TestClient(broker: broker, clientID: "slow", subscriptions: [("slow/#", 1)]) { message in
            entered.append(message.text)
            // The first delivery blocks until the broker is gone: as if the daemon crashed before committing.
            if entered.items.count == 1 { release.wait() }
        }
        try await test.startAndSubscribe(count: 1)
        try mosquittoPub(broker: broker, topic: "slow/1", message: "reading-1")
        try await entered.wait("handler entered") { $0.count == 1 }

        broker.stop()  // saves the session, with reading-1 unacknowledged
        release.signal()
        try broker.start()
        let deliveries = try await test.messages.wait("redelivery") { $0.count == 2 }
        #expect(deliveries.map(\.text) == ["reading-1", "reading-1"])
        await test.client.stop()
    }

    @Test("refused by the broker (not authorised): the client keeps trying and connects once allowed")
    func recoversFromRefusal() async throws {
        let broker = try MosquittoBroker(allowAnonymous: false)
        try broker.start()
        let test = TestClient(broker: broker, clientID: "refused", subscriptions: [("x/#", 1)])
        try test.client.start()
        try await test.events.waitFor("refusal") { $0 == .connectionRefused(reason: "Not authorized") }
        // libmosquitto 2.0.11 turns a v5 CONNACK refusal into MOSQ_ERR_PROTOCOL, on which its own loop gives up.
        try await test.events.waitFor("loop exit") { if case .loopExited = $0 { true } else { false } }
        try await test.events.waitFor("reconnect attempt") {
            if case .reconnecting = $0 { true } else { false }
        }
        try broker.restart(allowAnonymous: true)
        try await test.events.waitFor("connected", timeout: .seconds(30)) { $0.isConnected }
        try await test.events.waitFor("subscribed") { $0.isSubscribed }
        await test.client.stop()
    }

    @Test("stop ends the events stream, is idempotent, and publish afterwards reports notRunning")
    func stopLifecycle() async throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let test = TestClient(broker: broker, clientID: "lifecycle", subscriptions: [])
        try test.client.start()
        #expect(throws: MQTTError.alreadyStarted) { try test.client.start() }
        try await test.events.waitFor("connected") { $0.isConnected }
        await test.client.stop()
        await test.client.stop()
        try await test.events.waitFor("stopped") { $0 == .stopped }
        #expect(throws: MQTTError.notRunning) { try test.client.publish(topic: "t", payload: []) }
    }

    @Test("a broker that is down at start: the client backs off and connects when it comes up")
    func brokerDownAtStart() async throws {
        let broker = try MosquittoBroker()
        let test = TestClient(broker: broker, clientID: "early", subscriptions: [("e/#", 1)])
        try test.client.start()
        try await test.events.waitFor("connect failure") {
            if case .connectFailed = $0 { true } else { false }
        }
        try broker.start()
        try await test.events.waitFor("connected", timeout: .seconds(30)) { $0.isConnected }
        await test.client.stop()
    }
}
