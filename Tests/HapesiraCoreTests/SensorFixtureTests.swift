import Foundation
import HapesiraCore
import Testing

/// The payload examples of `shared/fixtures/sensors/` (copied verbatim: `topic<TAB>retain<TAB>payload`),
/// each with what it means for its sensor and for the journal.
@Suite("Sensor fixtures")
struct SensorFixtureTests {
    struct Line: Sendable, CustomTestStringConvertible {
        var file: String
        var text: String
        var sensor: String
        var kind: SensorKind
        var expected: SensorObservation
        var verdict: ObservationVerdict
        var testDescription: String { "\(file): \(text.prefix(70))" }

        var message: SensorMessage {
            let parts = text.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            return SensorMessage(topic: String(parts[0]), text: String(parts[2]), retained: parts[1] == "1")
        }
    }

    static let belgrade = Zone("Europe/Belgrade")!

    static func decoder(for file: String) -> SensorDecoder {
        switch file {
        case "esphome.txt": SensorDecoder(preset: .esphome)
        case "shelly-gen1.txt": SensorDecoder(preset: .shellyGen1)
        case "tasmota.txt": SensorDecoder(preset: .tasmota, zone: belgrade)
        case "ttn-people-counter.txt": SensorDecoder(preset: .theThingsStack)
        default: SensorDecoder(preset: .zigbee2mqtt)
        }
    }

    static func obs(
        _ sensor: String, _ value: SensorValue? = nil, time: Int64? = nil, battery: Int? = nil, online: Bool? = nil,
        key: String? = nil
    ) -> SensorObservation {
        SensorObservation(
            sensor: sensor, value: value, eventTime: time, battery: battery, online: online, deduplicationKey: key)
    }

    static let lines: [Line] = [
        // esphome.txt
        Line(
            file: "esphome.txt", text: "7arte/status\t1\tonline", sensor: "pir", kind: .motion,
            expected: obs("pir", online: true), verdict: .snapshot),
        Line(
            file: "esphome.txt", text: "7arte/binary_sensor/workshop_motion/state\t1\tON", sensor: "pir",
            kind: .motion, expected: obs("pir", .motion(detected: true)), verdict: .snapshot),
        Line(
            file: "esphome.txt", text: "7arte/binary_sensor/workshop_motion/state\t0\tOFF", sensor: "pir",
            kind: .motion, expected: obs("pir", .motion(detected: false)), verdict: .event),
        // shelly-gen1.txt
        Line(
            file: "shelly-gen1.txt", text: "shellies/shellydw2-7A1B2C/online\t1\ttrue", sensor: "dw2", kind: .door,
            expected: obs("dw2", online: true), verdict: .snapshot),
        Line(
            file: "shelly-gen1.txt", text: "shellies/shellydw2-7A1B2C/sensor/state\t0\topen", sensor: "dw2",
            kind: .door, expected: obs("dw2", .door(open: true)), verdict: .event),
        Line(
            file: "shelly-gen1.txt", text: "shellies/shellydw2-7A1B2C/sensor/battery\t0\t88", sensor: "dw2",
            kind: .door, expected: obs("dw2", battery: 88), verdict: .status),
        Line(
            file: "shelly-gen1.txt", text: "shellies/shellydw2-7A1B2C/sensor/state\t0\tclose", sensor: "dw2",
            kind: .door, expected: obs("dw2", .door(open: false)), verdict: .event),
        // tasmota.txt: a switch is a contact, ON = closed door; SENSOR's Time is Belgrade time (UTC+1 in March)
        Line(
            file: "tasmota.txt", text: "tele/kino-peja-door/LWT\t1\tOnline", sensor: "sw", kind: .door,
            expected: obs("sw", online: true), verdict: .snapshot),
        Line(
            file: "tasmota.txt", text: #"stat/kino-peja-door/RESULT\#t0\#t{"Switch1":{"Action":"ON"}}"#, sensor: "sw",
            kind: .door, expected: obs("sw", .door(open: false)), verdict: .event),
        Line(
            file: "tasmota.txt",
            text: #"tele/kino-peja-door/SENSOR\#t0\#t{"Time":"2026-03-14T19:00:00","Switch1":"ON"}"#,
            sensor: "sw", kind: .door,
            expected: obs("sw", .door(open: false), time: Fixture.utc(2026, 3, 14, 18)), verdict: .repeat),
        Line(
            file: "tasmota.txt", text: #"stat/kino-peja-door/RESULT\#t0\#t{"Switch1":{"Action":"OFF"}}"#, sensor: "sw",
            kind: .door, expected: obs("sw", .door(open: true)), verdict: .event),
        Line(
            file: "tasmota.txt", text: "tele/kino-peja-door/LWT\t1\tOffline", sensor: "sw", kind: .door,
            expected: obs("sw", online: false), verdict: .snapshot),
        // ttn-people-counter.txt: running totals
        Line(
            file: "ttn-people-counter.txt",
            text:
                #"v3/hapesira-counters@ttn/devices/vs133-kino-peja/up\#t0\#t{"end_device_ids":{"device_id":"vs133-kino-peja","dev_eui":"24E124000000A1B2"},"received_at":"2026-03-14T18:30:05.123456789Z","uplink_message":{"f_port":85,"f_cnt":4121,"decoded_payload":{"line_1_total_in":72,"line_1_total_out":15},"rx_metadata":[{"time":"2026-03-14T18:30:05.100Z"}]}}"#,
            sensor: "vs133", kind: .counter,
            expected: obs(
                "vs133", .count(PeopleCount(entered: 72, exited: 15, cumulative: true)),
                time: Fixture.utc(2026, 3, 14, 18, 30, 5), key: "4121"), verdict: .event),
        Line(
            file: "ttn-people-counter.txt",
            text:
                #"v3/hapesira-counters@ttn/devices/vs133-kino-peja/up\#t0\#t{"end_device_ids":{"device_id":"vs133-kino-peja","dev_eui":"24E124000000A1B2"},"received_at":"2026-03-14T18:35:05.987654321Z","uplink_message":{"f_port":85,"f_cnt":4122,"decoded_payload":{"line_1_total_in":77,"line_1_total_out":15},"rx_metadata":[{"time":"2026-03-14T18:35:05.950Z"}]}}"#,
            sensor: "vs133", kind: .counter,
            expected: obs(
                "vs133", .count(PeopleCount(entered: 77, exited: 15, cumulative: true)),
                time: Fixture.utc(2026, 3, 14, 18, 35, 5), key: "4122"), verdict: .event),
        // zigbee2mqtt.txt: contact=true is a CLOSED door
        Line(
            file: "zigbee2mqtt.txt", text: #"zigbee2mqtt/lumbardhi/hall/door/availability\#t1\#t{"state":"online"}"#,
            sensor: "door", kind: .door, expected: obs("door", online: true), verdict: .snapshot),
        Line(
            file: "zigbee2mqtt.txt",
            text:
                #"zigbee2mqtt/lumbardhi/hall/door\#t0\#t{"battery":97,"contact":true,"linkquality":120,"voltage":3005}"#,
            sensor: "door", kind: .door, expected: obs("door", .door(open: false), battery: 97), verdict: .event),
        Line(
            file: "zigbee2mqtt.txt",
            text:
                #"zigbee2mqtt/lumbardhi/hall/door\#t0\#t{"battery":97,"contact":false,"linkquality":117,"voltage":3005}"#,
            sensor: "door", kind: .door, expected: obs("door", .door(open: true), battery: 97), verdict: .event),
        Line(
            file: "zigbee2mqtt.txt",
            text:
                #"zigbee2mqtt/lumbardhi/hall/door\#t0\#t{"battery":97,"contact":true,"linkquality":118,"voltage":3005,"last_seen":"2026-03-14T18:02:11.512Z"}"#,
            sensor: "door", kind: .door,
            expected: obs("door", .door(open: false), time: Fixture.utc(2026, 3, 14, 18, 2, 11), battery: 97),
            verdict: .event),
        Line(
            file: "zigbee2mqtt.txt",
            text:
                #"zigbee2mqtt/lumbardhi/hall/motion\#t0\#t{"battery":100,"illuminance":41,"linkquality":90,"occupancy":true}"#,
            sensor: "motion", kind: .motion, expected: obs("motion", .motion(detected: true), battery: 100),
            verdict: .event),
        Line(
            file: "zigbee2mqtt.txt",
            text:
                #"zigbee2mqtt/lumbardhi/hall/motion\#t0\#t{"battery":100,"illuminance":40,"linkquality":90,"occupancy":false}"#,
            sensor: "motion", kind: .motion, expected: obs("motion", .motion(detected: false), battery: 100),
            verdict: .event),
        Line(
            file: "zigbee2mqtt.txt", text: "zigbee2mqtt/lumbardhi/hall/motion/availability\t1\toffline",
            sensor: "motion", kind: .motion, expected: obs("motion", online: false), verdict: .snapshot),
        Line(
            file: "zigbee2mqtt.txt",
            text:
                #"zigbee2mqtt/anibar/studio/presence\#t0\#t{"presence":true,"presence_event":"enter","linkquality":150}"#,
            sensor: "fp1", kind: .presence, expected: obs("fp1", .presence(present: true)), verdict: .event),
        Line(
            file: "zigbee2mqtt.txt",
            text:
                #"zigbee2mqtt/anibar/studio/presence\#t0\#t{"presence":false,"presence_event":"leave","linkquality":150}"#,
            sensor: "fp1", kind: .presence, expected: obs("fp1", .presence(present: false)), verdict: .event),
    ]

    @Test("every fixture line decodes to what it means", arguments: lines)
    func decodes(_ line: Line) throws {
        let observation = try Self.decoder(for: line.file).decode(line.message, sensor: line.sensor, kind: line.kind)
        #expect(observation == line.expected)
    }

    @Test(
        "the lines of each file, in order, through the journal filter",
        arguments: ["esphome.txt", "shelly-gen1.txt", "tasmota.txt", "ttn-people-counter.txt", "zigbee2mqtt.txt"])
    func verdicts(_ file: String) throws {
        var filter = ObservationFilter()
        for line in Self.lines where line.file == file {
            let observation = try #require(
                try Self.decoder(for: file).decode(line.message, sensor: line.sensor, kind: line.kind))
            #expect(filter.admit(observation, retained: line.message.retained) == line.verdict, "\(line.text)")
        }
    }

    @Test("TTN fixture: 5 more people entered since the last uplink (72 → 77 in, 15 → 15 out)")
    func peopleCounterDelta() throws {
        let counter = Self.lines.filter { $0.file == "ttn-people-counter.txt" }
        let readings = try counter.map { line in
            let observation = try #require(
                try Self.decoder(for: line.file).decode(line.message, sensor: "vs133", kind: .counter))
            return SensorReading(time: observation.eventTime!, observation: observation)
        }
        let deriver = OccupancyDeriver(sensors: [SensorSettings(id: "vs133", kind: .counter)])
        let range = Interval(start: Fixture.utc(2026, 3, 14, 18), end: Fixture.utc(2026, 3, 14, 19))
        let timeline = deriver.derive(readings, over: range)
        // The first uplink is the baseline (0 present), the second adds 77 − 72 = 5.
        #expect(
            timeline.counts == [
                CountStep(start: range.start, count: 0),
                CountStep(start: Fixture.utc(2026, 3, 14, 18, 35, 5), count: 5),
            ])
        #expect(timeline.occupied == [Interval(start: Fixture.utc(2026, 3, 14, 18, 35, 5), end: range.end)])
        #expect(timeline.unknown == [Interval(start: range.start, end: Fixture.utc(2026, 3, 14, 18, 30, 5))])
    }

    /// The copies above are the shared fixtures line for line (checked when the shared folder is there).
    @Test func copiesMatchSharedFixtures() throws {
        let folder = "/work/shared/fixtures/sensors"
        guard FileManager.default.fileExists(atPath: folder) else { return }
        for file in Set(Self.lines.map(\.file)) {
            let content = try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8)
            let shared = content.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map(String.init)
            #expect(shared == Self.lines.filter { $0.file == file }.map(\.text), "\(file)")
        }
    }
}
