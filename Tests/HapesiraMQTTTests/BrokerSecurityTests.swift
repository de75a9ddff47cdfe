import Foundation
import HapesiraConfig
import HapesiraSensors
import HapesiraStore
import Logging
import Prometheus
import Testing

@testable import HapesiraMQTT

/// User names, passwords and TLS against a mosquitto that insists on them.
@Suite("MQTT credentials and TLS against a real mosquitto", .serialized)
struct BrokerSecurityTests {
    static let user = "hapesira"
    /// With a colon and an at sign, which a URL must percent-encode.
    static let password = "s3cr:et@x"
    /// The sensors' gateway, publishing the test messages with `mosquitto_pub`.
    static let gateway = ["-u", "gateway", "-P", "gw-pass"]
    static let users = [user: password, "gateway": "gw-pass"]

    /// Starts `test` and waits until it has failed twice in a row (the attempt count restarts only on a
    /// connect): it does not get in, and keeps trying.
    static func expectNeverConnects(_ test: TestClient) async throws {
        try test.client.start()
        try await test.events.waitFor("two failed attempts") {
            if case .reconnecting(let attempt, _) = $0 { attempt >= 2 } else { false }
        }
        #expect(test.events.count(\.isConnected) == 0, "\(test.events.items)")
        await test.client.stop()
    }

    @Test("username and password from the URL: the right ones connect and receive; wrong ones are refused every time")
    func password() async throws {
        let broker = try MosquittoBroker(users: Self.users)
        try broker.start()
        let url = "mqtt://hapesira:s3cr%3Aet%40x@127.0.0.1:\(broker.port)"
        let member = TestClient(
            settings: try MQTTSettings.parse(url: url, clientID: "member"), subscriptions: [("sensors/#", 1)])
        try await member.startAndSubscribe(count: 1)
        try mosquittoPub(broker: broker, topic: "sensors/door", message: "open", options: Self.gateway)
        let received = try await member.messages.wait("the message") { !$0.isEmpty }
        #expect(received.map(\.text) == ["open"])
        // The broker does insist: without a user mosquitto_pub is turned away.
        #expect(throws: (any Error).self) { try mosquittoPub(broker: broker, topic: "sensors/door", message: "x") }

        for (name, url) in [
            ("wrong password", "mqtt://hapesira:s3cr%3Aet@127.0.0.1:\(broker.port)"),
            ("unknown user", "mqtt://stranger:s3cr%3Aet%40x@127.0.0.1:\(broker.port)"),
            ("no credentials", "mqtt://127.0.0.1:\(broker.port)"),
        ] {
            let outsider = TestClient(
                settings: try MQTTSettings.parse(url: url, clientID: name), subscriptions: [("sensors/#", 1)])
            try outsider.client.start()
            try await outsider.events.waitFor("\(name): refused twice", times: 2) { $0.isRefused }
            #expect(outsider.events.count(\.isConnected) == 0, "\(name): \(outsider.events.items)")
            #expect(
                outsider.events.items.filter(\.isRefused).allSatisfy {
                    $0 == .connectionRefused(reason: "Not authorized")
                },
                "\(name)")
            await outsider.client.stop()
        }
        await member.client.stop()
    }

    @Test(
        "TLS: trusting the broker's CA, an mqtts:// client connects and receives; trusting another CA it never connects"
    )
    func tls() async throws {
        let broker = try MosquittoBroker(tls: .init())
        try broker.start()
        let authority = try #require(broker.authority)
        var settings = try MQTTSettings.parse(url: "mqtts://127.0.0.1:\(broker.port)", clientID: "tls-client")
        settings.tls?.caFile = authority.certificate
        let trusting = TestClient(settings: settings, subscriptions: [("sensors/#", 1)])
        try await trusting.startAndSubscribe(count: 1)
        try mosquittoPub(
            broker: broker, topic: "sensors/door", message: "closed", options: ["--cafile", authority.certificate])
        let received = try await trusting.messages.wait("the message") { !$0.isEmpty }
        #expect(received.map(\.text) == ["closed"])
        await trusting.client.stop()

        // mqtts:// alone trusts the system store, which does not know the test CA.
        try await Self.expectNeverConnects(
            TestClient(
                settings: try MQTTSettings.parse(url: "mqtts://127.0.0.1:\(broker.port)", clientID: "system-store"),
                subscriptions: []))
        // Another CA's certificate as the trust anchor.
        let other = try TestCertificateAuthority(name: "other-ca", in: broker.directory)
        settings.clientID = "other-ca"
        settings.tls?.caFile = other.certificate
        try await Self.expectNeverConnects(TestClient(settings: settings, subscriptions: []))
        // Plain MQTT to the TLS listener.
        try await Self.expectNeverConnects(
            TestClient(
                settings: try MQTTSettings.parse(url: "mqtt://127.0.0.1:\(broker.port)", clientID: "plain"),
                subscriptions: []))
    }

    @Test("TLS: the broker's certificate must name the host connected to; `insecure` skips only that check")
    func hostname() async throws {
        let broker = try MosquittoBroker(tls: .init(serverHosts: ["broker.example"]))
        try broker.start()
        try await Self.expectNeverConnects(TestClient(settings: broker.settings(clientID: "strict"), subscriptions: []))

        var settings = broker.settings(clientID: "insecure")
        settings.tls?.insecure = true
        let lax = TestClient(settings: settings, subscriptions: [])
        try lax.client.start()
        try await lax.events.waitFor("connected") { $0.isConnected }
        await lax.client.stop()
    }

    @Test("TLS client certificates: one issued by the broker's CA gets in; none, or another CA's, does not")
    func clientCertificate() async throws {
        let broker = try MosquittoBroker(tls: .init(requireClientCertificate: true))
        try broker.start()
        let authority = try #require(broker.authority)
        let daemon = try authority.issue("hapesira-daemon")
        var settings = broker.settings(clientID: "with-certificate")
        settings.tls?.certFile = daemon.certificate
        settings.tls?.keyFile = daemon.key
        let member = TestClient(settings: settings, subscriptions: [("sensors/#", 1)])
        try await member.startAndSubscribe(count: 1)
        let gateway = try authority.issue("gateway")
        try mosquittoPub(
            broker: broker, topic: "sensors/door", message: "open",
            options: ["--cafile", authority.certificate, "--cert", gateway.certificate, "--key", gateway.key])
        let received = try await member.messages.wait("the message") { !$0.isEmpty }
        #expect(received.map(\.text) == ["open"])
        await member.client.stop()

        try await Self.expectNeverConnects(
            TestClient(settings: broker.settings(clientID: "without-certificate"), subscriptions: []))
        let forged = try TestCertificateAuthority(name: "other-ca", in: broker.directory).issue("intruder")
        settings.clientID = "other-ca-certificate"
        settings.tls?.certFile = forged.certificate
        settings.tls?.keyFile = forged.key
        try await Self.expectNeverConnects(TestClient(settings: settings, subscriptions: []))
    }

    static let recommendedConfiguration = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/mosquitto.conf")

    @Test(
        "config/mosquitto.conf, its TLS listener uncommented, runs: users only, on both listeners; QoS 1 kept over a restart"
    )
    func recommendedBrokerConfiguration() async throws {
        let broker = try MosquittoBroker(users: Self.users, tls: .init())
        let authority = try #require(broker.authority).certificate
        let server = try #require(broker.server)
        let tlsPort = try MosquittoBroker.freePort()
        // The installed paths become the test broker's; the commented TLS block is switched on.
        var lines = try String(contentsOf: Self.recommendedConfiguration, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (line, replacement) in [
            ("listener 1883 127.0.0.1", "listener \(broker.port) 127.0.0.1"),
            ("password_file /etc/mosquitto/passwd", "password_file \(try #require(broker.passwordFile))"),
            ("persistence_location /var/lib/mosquitto/", "persistence_location \(broker.directory.path)/"),
            ("log_dest syslog", "log_dest stderr"),
            ("#listener 8883", "listener \(tlsPort) 127.0.0.1"),
            ("#cafile /etc/mosquitto/certs/ca.crt", "cafile \(authority)"),
            ("#certfile /etc/mosquitto/certs/broker.crt", "certfile \(server.certificate)"),
            ("#keyfile /etc/mosquitto/certs/broker.key", "keyfile \(server.key)"),
        ] {
            let index = try #require(lines.firstIndex(of: line), "config/mosquitto.conf has no line '\(line)'")
            lines[index] = replacement
        }
        try broker.start(configuration: lines.joined(separator: "\n"))

        // Anonymous clients are turned away; users get in, on the plain and on the TLS listener.
        #expect(throws: (any Error).self) { try mosquittoPub(broker: broker, topic: "sensors/door", message: "x") }
        var settings = broker.settings(clientID: "hapesira")
        settings.tls = nil
        settings.username = Self.user
        settings.password = Self.password
        let plain = TestClient(settings: settings, subscriptions: [("sensors/#", 1)])
        try await plain.startAndSubscribe(count: 1)
        await plain.client.stop()
        var secure = broker.settings(clientID: "hapesira-tls")
        secure.port = tlsPort
        secure.username = Self.user
        secure.password = Self.password
        let overTLS = TestClient(settings: secure, subscriptions: [])
        try overTLS.client.start()
        try await overTLS.events.waitFor("connected over TLS") { $0.isConnected }
        await overTLS.client.stop()

        // A reading for the absent daemon outlives a broker restart (persistence) and arrives when it returns.
        try mosquittoPub(broker: broker, topic: "sensors/door", message: "open", options: Self.gateway)
        try broker.restart()
        let returned = TestClient(settings: settings, subscriptions: [("sensors/#", 1)])
        try returned.client.start()
        let received = try await returned.messages.wait("the queued reading") { !$0.isEmpty }
        #expect(received.map(\.text) == ["open"])
        // The events reach the recorder through a stream, the messages straight from the network thread.
        try await returned.events.waitFor("the connection event") { $0.isConnected }
        #expect(returned.events.items.first == .connected(sessionPresent: true))
        await returned.client.stop()
    }

    @Test(
        "from the configuration file: mqtts:// url, ca_file, username and password connect, and a reading is journaled")
    func fromConfiguration() async throws {
        let broker = try MosquittoBroker(users: Self.users, tls: .init())
        try broker.start()
        let authority = try #require(broker.authority).certificate
        let configuration = try ConfigLoader.parse(
            """
            categories: [x]
            organisations: [{ id: a, name: A }]
            cities: [{ id: c, venues: [{ id: v, spaces: [{ id: hall, kind: k, capacity: 5 }] }] }]
            mqtt:
              url: "mqtts://127.0.0.1:\(broker.port)"
              client_id: venue-daemon
              username: \(Self.user)
              password: "\(Self.password)"
              ca_file: "\(authority)"
            sensors:
              - { id: hall-door, space: hall, kind: door, topic: "zigbee2mqtt/hall/door", decoder: zigbee2mqtt }
            """, file: "hapesira.yaml")
        let settings = try MQTTSettings(configuration: try #require(configuration.mqtt))
        let journal = SensorJournal(database: try AppDatabase.inMemory())
        let ingestor = try SensorIngestor(
            bindings: configuration.sensors, journal: journal, inbox: try SensorInbox.inMemory(),
            metrics: PrometheusCollectorRegistry(), logger: Logger(label: "test"))
        let daemon = TestClient(
            settings: settings, subscriptions: ingestor.subscriptions.map { (filter: $0.filter, qos: $0.qos) },
            handler: { ingestor.handle($0) })
        try await daemon.startAndSubscribe(count: 2)
        #expect(daemon.events.items.first == .connected(sessionPresent: false))

        try mosquittoPub(
            broker: broker, topic: "zigbee2mqtt/hall/door", message: #"{"contact":false}"#,
            options: ["--cafile", authority] + Self.gateway)
        try await daemon.messages.wait("the reading") { !$0.isEmpty }
        await ingestor.flush()
        #expect(try await journal.counts(sensor: "hall-door") == ["event": 1])
        await daemon.client.stop()
    }
}
