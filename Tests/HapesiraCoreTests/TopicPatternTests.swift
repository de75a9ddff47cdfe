import HapesiraCore
import Testing

@Suite("Topic patterns")
struct TopicPatternTests {
    @Test(
        "matches and captures",
        arguments: [
            ("zigbee2mqtt/{device}/occupancy", "zigbee2mqtt/hall-pir/occupancy", ["device": "hall-pir"]),
            ("zigbee2mqtt/{device}/occupancy", "zigbee2mqtt/hall/pir/occupancy", nil),
            ("zigbee2mqtt/{device}/occupancy", "zigbee2mqtt//occupancy", nil),
            ("shellies/+/sensor/state", "shellies/dw2-1/sensor/state", [:]),
            ("shellies/+/sensor/state", "shellies/dw2-1/sensor/battery", nil),
            ("v3/{app}/devices/{dev}/#", "v3/c@ttn/devices/vs133/up", ["app": "c@ttn", "dev": "vs133"]),
            ("v3/{app}/devices/{dev}/#", "v3/c@ttn/devices/vs133", ["app": "c@ttn", "dev": "vs133"]),
            ("v3/{app}/devices/{dev}/#", "v3/c@ttn/devices", nil),
            ("#", "tele/x/LWT", [:]),
            ("#", "$SYS/broker/uptime", nil),
            ("+/broker/uptime", "$SYS/broker/uptime", nil),
            ("$SYS/#", "$SYS/broker/uptime", [:]),
            ("tele/{t}/LWT", "tele/kino/LWT/extra", nil),
            ("tele/{t}/LWT", "tele/kino", nil),
            ("a/+", "a/", [:]),
            ("a/b", "a/b", [:]),
            ("a/b", "a/+", nil),
        ] as [(String, String, [String: String]?)])
    func matches(_ pattern: String, _ topic: String, _ captures: [String: String]?) throws {
        #expect(try TopicPattern(pattern).matches(topic) == captures)
    }

    @Test(
        "subscription filters",
        arguments: [
            ("zigbee2mqtt/{device}/occupancy", "zigbee2mqtt/+/occupancy"),
            ("v3/{app}/devices/{dev}/#", "v3/+/devices/+/#"),
            ("tele/kino/LWT", "tele/kino/LWT"),
        ])
    func filters(_ pattern: String, _ filter: String) throws {
        #expect(try TopicPattern(pattern).subscriptionFilter == filter)
    }

    @Test(
        "invalid patterns name the problem",
        arguments: [
            ("", TopicPatternError.empty),
            ("a/#/b", .multiLevelWildcardNotLast("a/#/b")),
            ("a/room+", .wildcardInsideLevel("room+")),
            ("a/b#", .wildcardInsideLevel("b#")),
            ("a/dev{ice}", .captureInsideLevel("dev{ice}")),
            ("a/{device", .captureInsideLevel("{device")),
            ("a/{}", .invalidCaptureName("")),
            ("a/{dev ice}", .invalidCaptureName("dev ice")),
            ("{d}/x/{d}", .duplicateCapture("d")),
            ("a/\u{0}", .nullCharacter("a/\u{0}")),
        ] as [(String, TopicPatternError)])
    func invalid(_ pattern: String, _ error: TopicPatternError) {
        #expect(throws: error) { try TopicPattern(pattern) }
    }

    @Test func captureNames() throws {
        #expect(try TopicPattern("v3/{app}/devices/{dev}/up").captureNames == ["app", "dev"])
    }
}
