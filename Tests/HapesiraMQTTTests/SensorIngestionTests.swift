import Foundation
import HapesiraConfig
import HapesiraCore
import HapesiraICal
import HapesiraMQTT
import HapesiraSensors
import HapesiraStore
import Logging
import Prometheus
import Synchronization
import Testing

/// The sensor path end to end: mosquitto → MQTT client → ingestor → SQLite journal.
@Suite("Sensor ingestion through a real mosquitto", .serialized)
struct SensorIngestionTests {
    static let door = "zigbee2mqtt/lumbardhi/hall/door"

    static func bindings() throws -> [SensorBinding] {
        [
            SensorBinding(
                id: "hall-door", space: "lumbardhi-cinema-hall", kind: .door, topic: try TopicPattern(door),
                decoder: SensorDecoder(preset: .zigbee2mqtt),
                settings: SensorSettings(id: "hall-door", kind: .door))
        ]
    }

    static func contact(_ closed: Bool, battery: Int = 97) -> String {
        #"{"battery":\#(battery),"contact":\#(closed),"linkquality":120}"#
    }

    /// A LoRaWAN people counter through The Things Stack: its frame counter is the deduplication key.
    static let counter = "v3/hapesira-counters@ttn/devices/vs133-lumbardhi/up"

    static func counterBinding() throws -> SensorBinding {
        SensorBinding(
            id: "hall-counter", space: "lumbardhi-cinema-hall", kind: .counter,
            topic: try TopicPattern("v3/hapesira-counters@ttn/devices/{device}/up"),
            decoder: SensorDecoder(preset: .theThingsStack),
            settings: SensorSettings(id: "hall-counter", kind: .counter))
    }

    /// Uplink `frame`: running totals that grow with every frame, so each is a new value (an event).
    static func uplink(frame: Int) -> String {
        #"{"end_device_ids":{"device_id":"vs133-lumbardhi"},"received_at":"2026-03-14T18:30:05Z","#
            + #""uplink_message":{"f_port":85,"f_cnt":\#(frame),"#
            + #""decoded_payload":{"line_1_total_in":\#(frame + 1),"line_1_total_out":\#(frame / 2)}}}"#
    }

    static func ingestor(
        _ bindings: [SensorBinding], _ journal: SensorJournal, inbox: SensorInbox,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) throws -> SensorIngestor {
        try SensorIngestor(
            bindings: bindings, journal: journal, inbox: inbox, metrics: metrics, logger: Logger(label: "test"))
    }

    /// A client feeding `ingestor`; its recorder sees each message after the journal has it.
    static func client(
        _ broker: MosquittoBroker, _ ingestor: SensorIngestor, outcomes: Recorder<SensorIngestor.Outcome>
    )
        -> TestClient
    {
        TestClient(
            broker: broker, clientID: "hapesira-ingest",
            subscriptions: ingestor.subscriptions.map { (filter: $0.filter, qos: $0.qos) },
            handler: { outcomes.append(ingestor.handle($0)) })
    }

    @Test("readings are journaled once, retained state is a snapshot, repeats are not events, bad payloads are counted")
    func journal() async throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let database = try AppDatabase.inMemory()
        let journal = SensorJournal(database: database)
        let metrics = PrometheusCollectorRegistry()
        let ingestor = try Self.ingestor(
            try Self.bindings(), journal, inbox: try SensorInbox.inMemory(), metrics: metrics)
        #expect(ingestor.subscriptions.map(\.filter) == [Self.door, Self.door + "/availability"])

        try mosquittoPub(
            broker: broker, topic: Self.door + "/availability", message: #"{"state":"online"}"#, retain: true)
        let outcomes = Recorder<SensorIngestor.Outcome>()
        let test = Self.client(broker, ingestor, outcomes: outcomes)
        try await test.startAndSubscribe(count: 2)
        try await outcomes.wait("the retained availability") { $0.count == 1 }

        for payload in [Self.contact(true), Self.contact(true), Self.contact(false, battery: 96), "{not json"] {
            try mosquittoPub(broker: broker, topic: Self.door, message: payload)
        }
        let all = try await outcomes.wait("five messages") { $0.count == 5 }
        // QoS 1: each kept in the inbox before its acknowledgement, journaled with the next batch.
        #expect(all == [.batched, .batched, .batched, .batched, .malformed])
        await ingestor.flush()

        #expect(try await journal.counts(sensor: "hall-door") == ["snapshot": 1, "event": 2, "repeat": 1])
        let health = try #require(try await journal.health()["hall-door"])
        #expect(health.online == true)
        #expect(health.battery == 96)
        #expect(health.lastEvent != nil)
        let text = metrics.emitToString()
        #expect(text.contains(#"hapesira_sensor_messages_total{outcome="malformed"} 1"#))
        #expect(text.contains(#"hapesira_sensor_messages_total{outcome="stored"} 4"#))

        // A topic no sensor is configured for is counted, not stored.
        #expect(
            ingestor.handle(MQTTMessage(topic: "somewhere/else", payload: [], qos: 0, retained: false, mid: 0))
                == .unknownTopic)
        await test.client.stop()
    }

    @Test("readings published while the daemon is away all reach the journal after it returns, none twice")
    func persistentSession() async throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let journal = SensorJournal(database: try AppDatabase.inMemory())
        let ingestor = try Self.ingestor(try Self.bindings(), journal, inbox: try SensorInbox.inMemory())
        let first = Self.client(broker, ingestor, outcomes: Recorder())
        try await first.startAndSubscribe(count: 2)
        await first.client.stop()

        // 40 door changes (each an event) while the daemon is down.
        for index in 0..<40 {
            try mosquittoPub(broker: broker, topic: Self.door, message: Self.contact(index % 2 == 0))
        }

        let outcomes = Recorder<SensorIngestor.Outcome>()
        let second = Self.client(broker, ingestor, outcomes: outcomes)
        try second.client.start()
        try await outcomes.wait("40 readings") { $0.count >= 40 }
        // Published after them, so it comes after anything still queued: then nothing more is on its way.
        try mosquittoPub(broker: broker, topic: Self.door + "/availability", message: "online")
        let all = try await outcomes.wait("the availability after them") { $0.count >= 41 }
        #expect(all.count == 41)
        #expect(all.allSatisfy { $0 == .batched })
        await ingestor.flush()
        #expect(try await journal.counts(sensor: "hall-door") == ["event": 40, "status": 1])
        await second.client.stop()
    }

    @Test("the broker restarted mid-stream loses no QoS 1 reading, and none is stored twice")
    func brokerRestartMidStream() async throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let journal = SensorJournal(database: try AppDatabase.inMemory())
        let ingestor = try Self.ingestor([try Self.counterBinding()], journal, inbox: try SensorInbox.inMemory())
        let outcomes = Recorder<SensorIngestor.Outcome>()
        let daemon = Self.client(broker, ingestor, outcomes: outcomes)
        try await daemon.startAndSubscribe(count: ingestor.subscriptions.count)
        // The network server's side: a persistent-session QoS 1 publisher, which keeps what it could not deliver.
        let gateway = TestClient(broker: broker, clientID: "network-server", subscriptions: [])
        try gateway.client.start()
        try await gateway.events.waitFor("the gateway connected") { $0.isConnected }
        func publish(_ frames: Range<Int>) throws {
            for frame in frames {
                try gateway.client.publish(topic: Self.counter, payload: Array(Self.uplink(frame: frame).utf8), qos: 1)
            }
        }
        let stored: @Sendable ([SensorIngestor.Outcome]) -> Int = { $0.filter { $0 == .batched }.count }
        let total = 200

        try publish(0..<50)
        try await outcomes.wait("the stream flowing") { stored($0) >= 10 }
        // More on the way as the broker goes down (SIGTERM: it saves its sessions, queues and messages in flight).
        try publish(50..<100)
        broker.stop()
        try await gateway.events.waitFor("the gateway disconnected") { $0.isDisconnected }
        try publish(100..<150)  // while the broker is away: kept by the gateway's client
        try broker.start()
        try await gateway.events.waitFor("the gateway back", times: 2) { $0.isConnected }
        try publish(150..<total)
        try await outcomes.wait("\(total) readings stored", timeout: .seconds(60)) { stored($0) >= total }

        // Published after everything: whatever was still queued or delivered again arrives before it.
        try mosquittoPub(broker: broker, topic: Self.counter, message: Self.uplink(frame: total))
        let all = try await outcomes.wait("the last reading") { stored($0) >= total + 1 }
        #expect(daemon.events.count(\.isConnected) == 2, "the daemon's connection went down with the broker")
        #expect(stored(all) == total + 1)
        // QoS 1 is at least once: a message delivered again is known by its frame counter.
        #expect(all.allSatisfy { $0 == .batched || $0 == .duplicate }, "\(all)")
        await ingestor.flush()
        let readings = try await journal.readings(space: "lumbardhi-cinema-hall", from: 0, to: .max)
        #expect(
            readings.compactMap { $0.observation.deduplicationKey.flatMap { Int($0) } }.sorted() == Array(0...total))
        #expect(try await journal.counts(sensor: "hall-counter") == ["event": total + 1])
        await gateway.client.stop()
        await daemon.client.stop()
    }

    @Test("retained state re-sent on every subscribe is a snapshot: broker and daemon restarts add no events")
    func retainedAfterReconnects() async throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let journal = SensorJournal(database: try AppDatabase.inMemory())
        let outcomes = Recorder<SensorIngestor.Outcome>()
        let inbox = try SensorInbox.inMemory()
        let ingestor = try Self.ingestor(try Self.bindings(), journal, inbox: inbox)
        let daemon = Self.client(broker, ingestor, outcomes: outcomes)
        try await daemon.startAndSubscribe(count: 2)

        // Zigbee2MQTT with `retain: true`: each state is kept by the broker; live, it arrives as a new message.
        // The last change comes without retain, so the retained state (open) is not the last value seen (closed).
        for closed in [false, true, false] {
            try mosquittoPub(broker: broker, topic: Self.door, message: Self.contact(closed), retain: true)
        }
        try mosquittoPub(broker: broker, topic: Self.door, message: Self.contact(true))
        let live = try await daemon.messages.wait("four door changes") { $0.count == 4 }
        #expect(live.allSatisfy { !$0.retained })
        await ingestor.flush()
        #expect(try await journal.counts(sensor: "hall-door") == ["event": 4])

        // The broker restarts: the client reconnects and subscribes again, and the broker re-sends its state.
        // (Once it has the acknowledgements: it would deliver again a message whose PUBACK it had not yet read,
        // and these payloads carry nothing to recognise that by.)
        for message in live { try await broker.waitForAcknowledgement(from: "hapesira-ingest", mid: message.mid) }
        try broker.restart()
        let again = try await daemon.messages.wait("the retained state again") { $0.contains(where: \.retained) }
        #expect(again.filter(\.retained).map(\.text) == [Self.contact(false)])
        try await outcomes.wait("the retained state handled") { $0.count == 5 }
        #expect(daemon.events.count(\.isConnected) == 2)
        await ingestor.flush()
        #expect(try await journal.counts(sensor: "hall-door") == ["event": 4, "snapshot": 1])
        for message in again.filter(\.retained) {
            try await broker.waitForAcknowledgement(from: "hapesira-ingest", mid: message.mid)
        }
        await daemon.client.stop()

        // The daemon restarts (a new ingestor, as in a new process, knows no last values): the state comes again.
        let restartedOutcomes = Recorder<SensorIngestor.Outcome>()
        let restartedIngestor = try Self.ingestor(try Self.bindings(), journal, inbox: inbox)
        let restarted = Self.client(broker, restartedIngestor, outcomes: restartedOutcomes)
        try await restarted.startAndSubscribe(count: 2)
        // (The test client records a message after the ingestor has handled it.)
        let resent = try await restarted.messages.wait("the retained state on subscribe") { !$0.isEmpty }
        #expect(resent.map(\.retained) == [true])
        #expect(restartedOutcomes.items == [.batched])
        try await restarted.events.waitFor("the connection event") { $0.isConnected }
        #expect(restarted.events.items.first == .connected(sessionPresent: true))
        await restartedIngestor.flush()
        #expect(try await journal.counts(sensor: "hall-door") == ["event": 4, "snapshot": 2])

        // A real change still counts.
        try mosquittoPub(broker: broker, topic: Self.door, message: Self.contact(true), retain: true)
        try await restarted.messages.wait("the door closing") { $0.count == 2 }
        await restartedIngestor.flush()
        #expect(try await journal.counts(sensor: "hall-door") == ["event": 5, "snapshot": 2])
        await restarted.client.stop()
    }
}

@Suite("Simulated sensor traffic")
struct SensorTrafficTests {
    static let belgrade = Zone("Europe/Belgrade")!

    static func binding(
        _ id: String, _ kind: SensorKind, _ topic: String, _ preset: SensorDecoder.Preset
    ) throws
        -> SensorBinding
    {
        SensorBinding(
            id: id, space: "s", kind: kind, topic: try TopicPattern(topic),
            decoder: SensorDecoder(preset: preset, zone: belgrade), settings: SensorSettings(id: id, kind: kind))
    }

    @Test("every simulated message decodes back to the value it was made for")
    func roundTrip() throws {
        let cases: [(SensorBinding, [SensorValue])] = [
            (
                try Self.binding("d", .door, "zigbee2mqtt/{room}/door", .zigbee2mqtt),
                [.door(open: true), .door(open: false)]
            ),
            (
                try Self.binding("m", .motion, "zigbee2mqtt/hall/motion", .zigbee2mqtt),
                [.motion(detected: true), .motion(detected: false)]
            ),
            (try Self.binding("p", .presence, "zigbee2mqtt/hall/fp1", .zigbee2mqtt), [.presence(present: true)]),
            (
                try Self.binding("e", .motion, "7arte/binary_sensor/m/state", .esphome),
                [.motion(detected: true), .motion(detected: false)]
            ),
            (
                try Self.binding("s", .door, "shellies/door-1/sensor/state", .shellyGen1),
                [.door(open: true), .door(open: false)]
            ),
            (
                try Self.binding("c", .counter, "v3/app@ttn/devices/{device}/up", .theThingsStack),
                [.count(PeopleCount(entered: 12, exited: 3, cumulative: true))]
            ),
        ]
        for (binding, values) in cases {
            for value in values {
                let message = try #require(
                    SensorTraffic.message(for: binding, value: value, sequence: 7, at: 1_800_000_000))
                #expect(binding.accepts(message.topic), "\(binding.id): \(message.topic)")
                let decoded = try binding.decoder.decode(
                    SensorMessage(topic: message.topic, text: message.payload), sensor: binding.id, kind: binding.kind)
                #expect(decoded?.value == value, "\(binding.id): \(message.payload)")
            }
        }
    }

    @Test("a visit opens and closes the door, shows motion while people are in, and counts them in and out")
    func visit() throws {
        let door = try Self.binding("d", .door, "z/door", .zigbee2mqtt)
        let motion = try Self.binding("m", .motion, "z/motion", .zigbee2mqtt)
        let counter = try Self.binding("c", .counter, "v3/a@t/devices/x/up", .theThingsStack)
        let steps = SensorTraffic.visit(of: [door, motion, counter], people: 9, minutes: 20, totals: (10, 10))
        #expect(steps.map(\.offset) == steps.map(\.offset).sorted())
        #expect(
            steps.filter { $0.binding.id == "d" }.map(\.value) == [
                .door(open: true), .door(open: false), .door(open: true), .door(open: false),
            ])
        #expect(
            steps.filter { $0.binding.id == "c" }.map(\.value) == [
                .count(PeopleCount(entered: 19, exited: 10, cumulative: true)),
                .count(PeopleCount(entered: 19, exited: 19, cumulative: true)),
            ])
        #expect(steps.last { $0.binding.id == "m" }?.value == .motion(detected: false))
    }
}

@Suite("Live space states")
struct SpaceStateTests {
    @Test(
        "booked or not, occupied, vacant or unknown",
        arguments: [
            (false, nil, SpaceState.free), (false, false, .free), (false, true, .inUse), (true, nil, .booked),
            (true, false, .bookedUnused), (true, true, .inUse),
        ] as [(Bool, Bool?, SpaceState)])
    func states(booked: Bool, occupied: Bool?, expected: SpaceState) {
        #expect(SpaceState.of(booked: booked, occupied: occupied) == expected)
    }

    @Test("Home Assistant discovery: one retained enum sensor per space, on the state and status topics")
    func discovery() throws {
        let configuration = try ConfigLoader.parse(
            """
            categories: [workshop]
            organisations: [{ id: a, name: A }]
            cities: [{ id: c, venues: [{ id: v, spaces: [{ id: hall, name: Main hall, kind: k, capacity: 5 }] }] }]
            """, file: "t.yaml")
        let messages = HomeAssistantDiscovery.messages(
            for: configuration.catalogue.spaces, statePrefix: "hapesira/spaces", statusTopic: "hapesira/status")
        #expect(messages.map(\.topic) == ["homeassistant/sensor/hapesira_hall/state/config"])
        let payload = try #require(messages.first).payload
        let object = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
        #expect(object["state_topic"] as? String == "hapesira/spaces/hall/state")
        #expect(object["availability_topic"] as? String == "hapesira/status")
        #expect(object["unique_id"] as? String == "hapesira_hall_state")
        #expect(object["name"] as? String == "Main hall")
        #expect(object["device_class"] as? String == "enum")
        #expect(object["options"] as? [String] == ["free", "booked", "in-use", "booked-unused"])
    }

    @Test("states come from the bookings and the journal; only changes are published")
    func publisher() async throws {
        let configuration = try ConfigLoader.parse(
            """
            categories: [workshop]
            organisations: [{ id: a, name: A }]
            cities:
              - id: c
                venues:
                  - id: v
                    time_zone: Europe/Belgrade
                    spaces: [{ id: hall, kind: k, capacity: 50 }, { id: room, kind: k, capacity: 10 }]
            sensors:
              - { id: hall-motion, space: hall, kind: motion, topic: "z/hall/motion", decoder: zigbee2mqtt }
            """, file: "t.yaml")
        let database = try AppDatabase.inMemory()
        let store = BookingStore(
            database: database,
            engine: BookingEngine(catalogue: configuration.catalogue, expander: LibicalRecurrenceExpander()))
        let journal = SensorJournal(database: database)
        let published = Recorder<String>()
        let publisher = SpaceStatePublisher(
            spaces: ["hall", "room"], store: store,
            usage: UsageTimelines(sensors: configuration.sensors, database: database), prefix: "hapesira/spaces",
            publish: { topic, payload in published.append("\(topic)=\(payload)") })

        let start: Int64 = 1_900_000_000
        let admin = Caller(tokenID: "t", organisation: "a", role: .admin)
        _ = try await store.create(
            BookingDraft(
                space: "hall", organisation: "a", title: "Workshop", category: "workshop", start: start,
                end: start + 7200),
            by: admin, now: start - 86_400)
        // The hall's motion sensor is alive (clear) before the booking and sees nobody.
        try journal.record(
            SensorObservation(sensor: "hall-motion", value: .motion(detected: false)), verdict: .event, space: "hall",
            topic: "z/hall/motion", receivedAt: start - 600)

        #expect(try await publisher.publishChanges(at: start + 60) == ["hall": .bookedUnused, "room": .free])
        #expect(published.items == ["hapesira/spaces/hall/state=booked-unused", "hapesira/spaces/room/state=free"])
        #expect(try await publisher.publishChanges(at: start + 120).isEmpty, "nothing changed, nothing published")

        // Someone comes in: in use.
        try journal.record(
            SensorObservation(sensor: "hall-motion", value: .motion(detected: true)), verdict: .event, space: "hall",
            topic: "z/hall/motion", receivedAt: start + 150)
        #expect(try await publisher.publishChanges(at: start + 160) == ["hall": .inUse])
        #expect(published.items.last == "hapesira/spaces/hall/state=in-use")
    }

    @Test("a state whose publication failed (broker not connected yet) is published on the next round")
    func retriesFailedPublications() async throws {
        let configuration = try ConfigLoader.parse(
            """
            categories: [workshop]
            organisations: [{ id: a, name: A }]
            cities: [{ id: c, venues: [{ id: v, spaces: [{ id: room, kind: k, capacity: 5 }] }] }]
            """, file: "t.yaml")
        let database = try AppDatabase.inMemory()
        let store = BookingStore(
            database: database,
            engine: BookingEngine(catalogue: configuration.catalogue, expander: LibicalRecurrenceExpander()))
        let connected = Mutex(false)
        let published = Recorder<String>()
        let publisher = SpaceStatePublisher(
            spaces: ["room"], store: store, usage: UsageTimelines(sensors: [], database: database), prefix: "p",
            publish: { topic, payload in
                guard connected.withLock({ $0 }) else { throw MQTTError.notRunning }
                published.append("\(topic)=\(payload)")
            })
        await #expect(throws: MQTTError.self) { try await publisher.publishChanges(at: 1_900_000_000) }
        connected.withLock { $0 = true }
        #expect(try await publisher.publishChanges(at: 1_900_000_030) == ["room": .free])
        #expect(published.items == ["p/room/state=free"])
    }
}
