import Foundation
import HapesiraConfig
import HapesiraSensors
import Testing

@testable import HapesiraMQTT

@Suite("MQTT settings from the configuration")
struct MQTTConfigurationTests {
    static func section(
        _ url: String, _ change: (inout DaemonConfiguration.MQTT) -> Void = { _ in }
    ) -> DaemonConfiguration.MQTT {
        var mqtt = DaemonConfiguration.MQTT(url: url)
        change(&mqtt)
        return mqtt
    }

    @Test("the url gives broker and credentials; the section's username and password replace the url's")
    func credentials() throws {
        let fromURL = try MQTTSettings(configuration: Self.section("mqtt://gw:p%40ss@broker:1884"))
        #expect(fromURL.host == "broker")
        #expect(fromURL.port == 1884)
        #expect(fromURL.username == "gw")
        #expect(fromURL.password == "p@ss")
        #expect(fromURL.tls == nil)

        let replaced = try MQTTSettings(
            configuration: Self.section("mqtt://gw:p%40ss@broker") {
                $0.username = "hapesira"
                $0.password = "s3cret"
            })
        #expect(replaced.username == "hapesira")
        #expect(replaced.password == "s3cret")

        let added = try MQTTSettings(
            configuration: Self.section("mqtt://broker") {
                $0.username = "hapesira"
                $0.password = "s3cret"
            })
        #expect(added.username == "hapesira")
        #expect(added.password == "s3cret")
    }

    @Test("client id, protocol, session expiry and status topic come from the section")
    func connection() throws {
        let settings = try MQTTSettings(
            configuration: Self.section("mqtt://broker") {
                $0.clientID = "venue-daemon"
                $0.protocolVersion = "3.1.1"
                $0.sessionExpiry = 3600
                $0.statusTopic = "venue/hapesira/status"
            })
        #expect(settings.clientID == "venue-daemon")
        #expect(settings.protocolVersion == .v311)
        #expect(settings.sessionExpiry == 3600)
        #expect(settings.statusTopic == "venue/hapesira/status")
        #expect(try MQTTSettings(configuration: Self.section("mqtt://broker")).protocolVersion == .v5)
    }

    @Test(
        "TLS: mqtts:// trusts the system store unless ca_file names a CA; cert_file and key_file add a client certificate"
    )
    func tls() throws {
        let system = try MQTTSettings(configuration: Self.section("mqtts://broker"))
        #expect(system.port == 8883)
        #expect(system.tls == MQTTSettings.TLS(caPath: "/etc/ssl/certs"))

        let own = try MQTTSettings(
            configuration: Self.section("mqtts://broker") {
                $0.caFile = "/etc/hapesira/ca.pem"
                $0.certFile = "/etc/hapesira/daemon.pem"
                $0.keyFile = "/etc/hapesira/daemon.key"
            })
        #expect(
            own.tls
                == MQTTSettings.TLS(
                    caFile: "/etc/hapesira/ca.pem", caPath: nil, certFile: "/etc/hapesira/daemon.pem",
                    keyFile: "/etc/hapesira/daemon.key"))

        let certificateOnly = try MQTTSettings(
            configuration: Self.section("mqtts://broker") {
                $0.certFile = "/etc/hapesira/daemon.pem"
                $0.keyFile = "/etc/hapesira/daemon.key"
            })
        #expect(certificateOnly.tls?.caPath == "/etc/ssl/certs")
        #expect(certificateOnly.tls?.caFile == nil)
        #expect(certificateOnly.tls?.certFile == "/etc/hapesira/daemon.pem")
    }

    @Test("mistakes are named: TLS files with mqtt://, half a client certificate, a bad url")
    func mistakes() {
        #expect(throws: MQTTConfigurationError.tlsFilesWithoutTLS(url: "mqtt://broker")) {
            try MQTTSettings(configuration: Self.section("mqtt://broker") { $0.caFile = "/etc/hapesira/ca.pem" })
        }
        #expect(throws: MQTTConfigurationError.incompleteClientCertificate) {
            try MQTTSettings(configuration: Self.section("mqtts://broker") { $0.certFile = "/etc/hapesira/daemon.pem" })
        }
        #expect(throws: MQTTConfigurationError.url(.unsupportedScheme("http"))) {
            try MQTTSettings(configuration: Self.section("http://broker"))
        }
        #expect(MQTTConfigurationError.tlsFilesWithoutTLS(url: "mqtt://b").description.contains("not mqtts://"))
    }

    @Test("simulate: the daemon's broker, credentials and TLS, but its own client id and status topic, no session kept")
    func simulator() throws {
        let daemon = Self.section("mqtts://gw:pw@broker") {
            $0.caFile = "/etc/hapesira/ca.pem"
            $0.statusTopic = "hapesira/status"
        }
        let settings = try MQTTSettings.simulator(configuration: daemon)
        #expect(settings.host == "broker")
        #expect(settings.username == "gw")
        #expect(settings.password == "pw")
        #expect(settings.tls?.caFile == "/etc/hapesira/ca.pem")
        #expect(settings.clientID != daemon.clientID)
        #expect(settings.statusTopic != daemon.statusTopic)
        #expect(settings.sessionExpiry == 0)
    }
}

@Suite("MQTT client settings checked at start")
struct MQTTClientSettingsCheckTests {
    /// What `start()` throws for settings changed by `change` (a client that starts is stopped again).
    static func startError(_ change: (inout MQTTSettings) -> Void) async -> MQTTError? {
        var settings = MQTTSettings(host: "127.0.0.1", port: 1, clientID: "checked")
        change(&settings)
        let client = MQTTClient(settings: settings, subscriptions: [MQTTSubscription](), logger: testLogger) { _ in }
        do {
            try client.start()
        } catch {
            return error
        }
        await client.stop()
        return nil
    }

    @Test("a password without a user name, TLS without trust anchors, half a client certificate, unreadable files")
    func refused() async throws {
        let readable = FileManager.default.temporaryDirectory.appendingPathComponent("hapesira-ca-\(UUID()).pem").path
        try "not checked before the handshake".write(toFile: readable, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: readable) }

        let cases: [(String, (inout MQTTSettings) -> Void)] = [
            ("no user name", { $0.password = "s3cret" }),
            ("trusted CA certificates", { $0.tls = MQTTSettings.TLS(caPath: nil) }),
            ("needs its key file", { $0.tls = MQTTSettings.TLS(certFile: readable) }),
            ("needs its key file", { $0.tls = MQTTSettings.TLS(keyFile: readable) }),
            ("'/nonexistent/ca.pem' is not readable", { $0.tls = MQTTSettings.TLS(caFile: "/nonexistent/ca.pem") }),
            (
                "'/nonexistent/daemon.key' is not readable",
                { $0.tls = MQTTSettings.TLS(certFile: readable, keyFile: "/nonexistent/daemon.key") }
            ),
        ]
        for (expected, change) in cases {
            let error = await Self.startError(change)
            guard case .invalidSettings(let problem)? = error else {
                Issue.record("\(expected): expected invalidSettings, got \(String(describing: error))")
                continue
            }
            #expect(problem.contains(expected), "\(problem)")
        }
        #expect(await Self.startError { $0.tls = MQTTSettings.TLS(caFile: readable) } == nil)
        #expect(await Self.startError { $0.username = "hapesira" } == nil)
    }
}
