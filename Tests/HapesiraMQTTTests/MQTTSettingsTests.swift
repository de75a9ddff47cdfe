import Testing

@testable import HapesiraMQTT

@Suite("MQTT broker URLs")
struct MQTTSettingsTests {
    struct Good: Sendable, CustomTestStringConvertible {
        let url: String
        let host: String
        let port: Int
        var username: String? = nil
        var password: String? = nil
        var tls = false
        var testDescription: String { url }
    }

    static let good: [Good] = [
        Good(url: "mqtt://localhost", host: "localhost", port: 1883),
        Good(url: "mqtt://broker.example:1884/", host: "broker.example", port: 1884),
        Good(url: "MQTT://10.0.0.5", host: "10.0.0.5", port: 1883),
        Good(url: "mqtts://broker.example", host: "broker.example", port: 8883, tls: true),
        Good(url: "mqtts://broker.example:443", host: "broker.example", port: 443, tls: true),
        Good(
            url: "mqtt://hapesira:s3cret@broker:1883", host: "broker", port: 1883, username: "hapesira",
            password: "s3cret"),
        Good(url: "mqtt://user@broker", host: "broker", port: 1883, username: "user"),
        Good(url: "mqtt://us%40er:p%3Ass:w@broker", host: "broker", port: 1883, username: "us@er", password: "p:ss:w"),
        Good(url: "mqtt://user:@broker", host: "broker", port: 1883, username: "user", password: ""),
        Good(url: "mqtt://[::1]:1999", host: "::1", port: 1999),
        Good(url: "mqtts://[fe80::1]", host: "fe80::1", port: 8883, tls: true),
    ]

    @Test("good URLs", arguments: good)
    func parsesGood(_ example: Good) throws {
        let settings = try MQTTSettings.parse(url: example.url, clientID: "venue-daemon")
        #expect(settings.host == example.host)
        #expect(settings.port == example.port)
        #expect(settings.username == example.username)
        #expect(settings.password == example.password)
        #expect((settings.tls != nil) == example.tls)
        #expect(settings.clientID == "venue-daemon")
        #expect(settings.protocolVersion == .v5)
        #expect(settings.statusTopic == "hapesira/status")
        #expect(settings.sessionExpiry == 7 * 24 * 3600)
    }

    static let bad: [(String, MQTTURLError, String)] = [
        ("localhost:1883", .missingScheme("localhost:1883"), "no scheme"),
        ("http://broker", .unsupportedScheme("http"), "scheme 'http' is not supported"),
        ("ws://broker:9001", .unsupportedScheme("ws"), "expected mqtt or mqtts"),
        ("mqtt://", .missingHost("mqtt://"), "names no host"),
        ("mqtt://:1883", .missingHost("mqtt://:1883"), "names no host"),
        ("mqtt://user:pw@", .missingHost("mqtt://user:pw@"), "names no host"),
        ("mqtt://broker:0", .invalidPort("0"), "port '0'"),
        ("mqtt://broker:65536", .invalidPort("65536"), "port '65536'"),
        ("mqtt://broker:abc", .invalidPort("abc"), "port 'abc'"),
        ("mqtt://broker:", .invalidPort(""), "from 1 to 65535"),
        ("mqtt://broker:18 83", .invalidPort("18 83"), "port '18 83'"),
        ("mqtt://:pw@broker", .emptyUsername("mqtt://:pw@broker"), "empty user name"),
        ("mqtt://us%zzer:pw@broker", .badPercentEncoding("us%zzer:pw"), "invalid percent-encoding"),
        ("mqtt://broker/sensors", .unexpectedPath("/sensors"), "no path"),
        ("mqtt://broker:1883?x=1", .unexpectedPath("?x=1"), "no path, query or fragment"),
        ("mqtt://[::1", .missingHost("mqtt://[::1"), "names no host"),
        ("mqtt://[::1]x", .unexpectedPath("x"), "after host and port"),
    ]

    @Test("bad URLs name the problem", arguments: bad)
    func rejectsBad(_ url: String, _ expected: MQTTURLError, _ message: String) {
        #expect(throws: expected) { try MQTTSettings.parse(url: url) }
        #expect(expected.description.contains(message), "\(expected.description)")
    }
}
