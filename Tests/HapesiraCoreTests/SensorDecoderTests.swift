import HapesiraCore
import Testing

@Suite("Sensor decoders")
struct SensorDecoderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var decoder: SensorDecoder
        var kind: SensorKind
        var topic: String
        var payload: String
        /// `nil`: the topic is not one the decoder reports on.
        var expected: SensorObservation?
        var testDescription: String { "\(decoder.format) \(kind) \(topic) \(payload.prefix(60))" }
    }

    static func obs(
        _ value: SensorValue? = nil, time: Int64? = nil, battery: Int? = nil, online: Bool? = nil, key: String? = nil
    ) -> SensorObservation {
        SensorObservation(
            sensor: "s", value: value, eventTime: time, battery: battery, online: online, deduplicationKey: key)
    }

    static let z2m = SensorDecoder(preset: .zigbee2mqtt)
    static let gen1 = SensorDecoder(preset: .shellyGen1)
    static let gen2 = SensorDecoder(preset: .shellyGen2)
    static let tasmota = SensorDecoder(preset: .tasmota, zone: Fixture.belgrade)
    static let esphome = SensorDecoder(preset: .esphome)
    static let ttn = SensorDecoder(preset: .theThingsStack)
    static let chirpstack = SensorDecoder(preset: .chirpstack)

    static let cases: [Case] = [
        // Zigbee2MQTT: a missing field is no information; the legacy plain availability; bridge and /set ignored.
        Case(
            decoder: z2m, kind: .door, topic: "zigbee2mqtt/d", payload: #"{"battery":50}"#, expected: obs(battery: 50)),
        Case(decoder: z2m, kind: .door, topic: "zigbee2mqtt/d", payload: #"{"contact":null}"#, expected: obs()),
        Case(decoder: z2m, kind: .door, topic: "zigbee2mqtt/d", payload: "", expected: obs()),
        Case(decoder: z2m, kind: .motion, topic: "zigbee2mqtt/m", payload: #"{"contact":true}"#, expected: obs()),
        Case(
            decoder: z2m, kind: .presence, topic: "zigbee2mqtt/fp2", payload: #"{"occupancy":true}"#,
            expected: obs(.presence(present: true))),
        Case(
            decoder: z2m, kind: .motion, topic: "zigbee2mqtt/m",
            payload: #"{"occupancy":true,"last_seen":1773511331512}"#,
            expected: obs(.motion(detected: true), time: 1_773_511_331)),
        Case(
            decoder: z2m, kind: .door, topic: "zigbee2mqtt/d/availability", payload: "online",
            expected: obs(online: true)),
        Case(
            decoder: z2m, kind: .door, topic: "zigbee2mqtt/d/availability", payload: #"{"state":"offline"}"#,
            expected: obs(online: false)),
        Case(decoder: z2m, kind: .door, topic: "zigbee2mqtt/d/set", payload: #"{"contact":true}"#, expected: nil),
        Case(decoder: z2m, kind: .door, topic: "zigbee2mqtt/bridge/state", payload: "online", expected: nil),
        Case(
            decoder: SensorDecoder(preset: .zigbee2mqtt, invert: true), kind: .door, topic: "zigbee2mqtt/d",
            payload: #"{"contact":true}"#, expected: obs(.door(open: true))),
        // Shelly Gen1: Shelly Motion status JSON, an input as a contact, unknown sub-topics ignored.
        Case(
            decoder: gen1, kind: .motion, topic: "shellies/shellymotionsensor-1/status",
            payload: #"{"motion":true,"timestamp":1773511200,"active":true,"vibration":false,"lux":12,"bat":77}"#,
            expected: obs(.motion(detected: true), time: 1_773_511_200, battery: 77)),
        Case(
            decoder: gen1, kind: .door, topic: "shellies/shelly1-1/input/0", payload: "1",
            expected: obs(.door(open: false))),
        Case(
            decoder: gen1, kind: .door, topic: "shellies/shelly1-1/input/0", payload: "0",
            expected: obs(.door(open: true))),
        Case(decoder: gen1, kind: .door, topic: "shellies/shelly1-1/input/1", payload: "0", expected: nil),
        Case(decoder: gen1, kind: .door, topic: "shellies/shellydw2-1/sensor/lux", payload: "41", expected: nil),
        Case(
            decoder: gen1, kind: .door, topic: "shellies/shellydw2-1/online", payload: "false",
            expected: obs(online: false)),
        // Shelly Gen2: NotifyStatus carries only what changed.
        Case(
            decoder: gen2, kind: .door, topic: "shellyplusi4-a8032ab1/events/rpc",
            payload:
                #"{"src":"shellyplusi4-a8032ab1","dst":"shellyplusi4-a8032ab1/events","method":"NotifyStatus","params":{"ts":1773511200.52,"input:0":{"id":0,"state":false}}}"#,
            expected: obs(.door(open: true), time: 1_773_511_200)),
        Case(
            decoder: gen2, kind: .door, topic: "shellyplusi4-a8032ab1/events/rpc",
            payload: #"{"src":"x","method":"NotifyStatus","params":{"ts":1773511260.0,"sys":{"uptime":300}}}"#,
            expected: obs(time: 1_773_511_260)),
        Case(
            decoder: gen2, kind: .motion, topic: "x/events/rpc",
            payload:
                #"{"method":"NotifyStatus","params":{"ts":1773511260,"input:0":{"id":0,"state":true},"devicepower:0":{"battery":{"V":3.1,"percent":64}}}}"#,
            expected: obs(.motion(detected: true), time: 1_773_511_260, battery: 64)),
        Case(
            decoder: gen2, kind: .door, topic: "x/events/rpc",
            payload:
                #"{"method":"NotifyEvent","params":{"ts":1,"events":[{"component":"input:0","event":"single_push"}]}}"#,
            expected: nil),
        Case(
            decoder: SensorDecoder(preset: .shellyGen2, field: "input:2"), kind: .door, topic: "x/status/input:2",
            payload: #"{"id":2,"state":true}"#, expected: obs(.door(open: false))),
        Case(decoder: gen2, kind: .door, topic: "x/status/input:1", payload: #"{"id":1,"state":true}"#, expected: nil),
        Case(decoder: gen2, kind: .door, topic: "x/online", payload: "true", expected: obs(online: true)),
        // Tasmota: a plain switch state, an offset in Time, STATE as a sign of life, POWER ignored.
        Case(
            decoder: tasmota, kind: .motion, topic: "stat/pir/RESULT", payload: #"{"Switch1":"ON"}"#,
            expected: obs(.motion(detected: true))),
        Case(
            decoder: tasmota, kind: .door, topic: "tele/d/SENSOR",
            payload: #"{"Time":"2026-07-14T19:00:00+02:00","Switch1":"OFF"}"#,
            expected: obs(.door(open: true), time: Fixture.utc(2026, 7, 14, 17))),
        Case(
            decoder: tasmota, kind: .door, topic: "tele/d/SENSOR",
            payload: #"{"Time":"2026-07-14T19:00:00","Switch2":"OFF"}"#,
            expected: obs(time: Fixture.utc(2026, 7, 14, 17))),
        Case(
            decoder: SensorDecoder(preset: .tasmota, field: "Switch2", zone: Fixture.belgrade), kind: .door,
            topic: "tele/d/SENSOR", payload: #"{"Time":"2026-07-14T19:00:00","Switch2":"OFF"}"#,
            expected: obs(.door(open: true), time: Fixture.utc(2026, 7, 14, 17))),
        Case(
            decoder: tasmota, kind: .door, topic: "tele/d/STATE",
            payload: #"{"Time":"2026-03-14T19:05:00","Uptime":"0T01:00:00"}"#,
            expected: obs(time: Fixture.utc(2026, 3, 14, 18, 5))),
        Case(decoder: tasmota, kind: .door, topic: "stat/d/POWER", payload: "ON", expected: nil),
        // ESPHome / Home Assistant: a door's ON is OPEN; a counter's sensor state is people present.
        Case(
            decoder: esphome, kind: .door, topic: "n/binary_sensor/door/state", payload: "ON",
            expected: obs(.door(open: true))),
        Case(
            decoder: esphome, kind: .presence, topic: "n/binary_sensor/mmwave/state", payload: "OFF",
            expected: obs(.presence(present: false))),
        Case(
            decoder: esphome, kind: .counter, topic: "n/sensor/people/state", payload: "12",
            expected: obs(.count(PeopleCount(present: 12)))),
        Case(
            decoder: esphome, kind: .motion, topic: "n/binary_sensor/pir/state", payload: "unavailable", expected: obs()
        ),
        Case(decoder: esphome, kind: .motion, topic: "n/binary_sensor/pir/command", payload: "ON", expected: nil),
        // The Things Stack: f_cnt omitted when 0; a zero out-total omitted; period counts are deltas; joins ignored.
        Case(
            decoder: ttn, kind: .counter, topic: "v3/a@ttn/devices/c/up",
            payload:
                #"{"received_at":"2026-03-14T18:00:00Z","uplink_message":{"decoded_payload":{"line_1_total_in":3}}}"#,
            expected: obs(
                .count(PeopleCount(entered: 3, exited: 0, cumulative: true)), time: Fixture.utc(2026, 3, 14, 18),
                key: "0")),
        Case(
            decoder: ttn, kind: .counter, topic: "v3/a@ttn/devices/c/up",
            payload:
                #"{"uplink_message":{"f_cnt":7,"decoded_payload":{"line_1_period_in":2,"line_1_period_out":1,"battery":91}}}"#,
            expected: obs(.count(PeopleCount(entered: 2, exited: 1)), battery: 91, key: "7")),
        Case(
            decoder: ttn, kind: .counter, topic: "v3/a@ttn/devices/c/up",
            payload: #"{"uplink_message":{"f_cnt":8,"decoded_payload":{"people_count_all":4}}}"#,
            expected: obs(.count(PeopleCount(present: 4)), key: "8")),
        Case(
            decoder: ttn, kind: .counter, topic: "v3/a@ttn/devices/c/up",
            payload: #"{"uplink_message":{"f_cnt":9,"decoded_payload":{"temperature":21.5}}}"#, expected: obs(key: "9")),
        Case(
            decoder: ttn, kind: .door, topic: "v3/a@ttn/devices/ws301/up",
            payload: #"{"uplink_message":{"f_cnt":10,"decoded_payload":{"magnet_status":"open","battery":84}}}"#,
            expected: obs(.door(open: true), battery: 84, key: "10")),
        Case(
            decoder: ttn, kind: .motion, topic: "v3/a@ttn/devices/ws202/up",
            payload: #"{"uplink_message":{"f_cnt":11,"decoded_payload":{"pir":"trigger"}}}"#,
            expected: obs(.motion(detected: true), key: "11")),
        Case(
            decoder: ttn, kind: .counter, topic: "v3/a@ttn/devices/c/join", payload: #"{"join_accept":{}}"#,
            expected: nil),
        // ChirpStack v4.
        Case(
            decoder: chirpstack, kind: .counter, topic: "application/0b1c/device/24e124000000a1b2/event/up",
            payload:
                #"{"deduplicationId":"3ac7e3c4-4401-4b8d-9386-a5c902f9202d","time":"2026-03-14T18:30:05.5+00:00","fCnt":10,"object":{"line_1_total_in":80,"line_1_total_out":20}}"#,
            expected: obs(
                .count(PeopleCount(entered: 80, exited: 20, cumulative: true)),
                time: Fixture.utc(2026, 3, 14, 18, 30, 5),
                key: "3ac7e3c4-4401-4b8d-9386-a5c902f9202d")),
        Case(
            decoder: chirpstack, kind: .presence, topic: "application/0b1c/device/e/event/up",
            payload: #"{"deduplicationId":"k","object":{"occupancy":"vacant"}}"#,
            expected: obs(.presence(present: false), key: "k")),
        Case(
            decoder: chirpstack, kind: .presence, topic: "application/0b1c/device/e/event/status",
            payload: #"{"deduplicationId":"k2","time":"2026-03-14T18:00:00Z","batteryLevel":87.5}"#,
            expected: obs(time: Fixture.utc(2026, 3, 14, 18), battery: 88)),
        Case(
            decoder: chirpstack, kind: .door, topic: "application/0b1c/device/e/event/join", payload: "{}",
            expected: nil),
    ]

    @Test("payload shapes per preset", arguments: cases)
    func decodes(_ c: Case) throws {
        #expect(
            try c.decoder.decode(SensorMessage(topic: c.topic, text: c.payload), sensor: "s", kind: c.kind)
                == c.expected)
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var decoder: SensorDecoder
        var kind: SensorKind
        var topic: String
        var payload: [UInt8]
        var error: SensorDecodeError
        var testDescription: String { "\(topic) \(error)" }

        init(
            _ decoder: SensorDecoder, _ kind: SensorKind, _ topic: String, _ payload: String, _ error: SensorDecodeError
        ) {
            self.init(decoder, kind, topic, Array(payload.utf8), error)
        }

        init(
            _ decoder: SensorDecoder, _ kind: SensorKind, _ topic: String, _ payload: [UInt8],
            _ error: SensorDecodeError
        ) {
            self.decoder = decoder
            self.kind = kind
            self.topic = topic
            self.payload = payload
            self.error = error
        }
    }

    static let malformed: [Malformed] = [
        Malformed(z2m, .door, "zigbee2mqtt/d", #"{"contact":tru"#, .notJSON(topic: "zigbee2mqtt/d")),
        Malformed(
            z2m, .door, "zigbee2mqtt/d", "[1,2]", .wrongType(field: "payload", expected: "an object", found: "array")),
        Malformed(
            z2m, .door, "zigbee2mqtt/d", #"{"contact":"yes"}"#,
            .wrongType(field: "contact", expected: "a boolean", found: "string")),
        Malformed(
            z2m, .door, "zigbee2mqtt/d", #"{"battery":"full"}"#,
            .wrongType(field: "battery", expected: "a number", found: "string")),
        Malformed(
            z2m, .door, "zigbee2mqtt/d", #"{"last_seen":"yesterday"}"#, .badTime(field: "last_seen", text: "yesterday")),
        Malformed(
            z2m, .door, "zigbee2mqtt/d/availability", "maybe", .unexpectedValue(field: "availability", value: "maybe")),
        Malformed(z2m, .door, "zigbee2mqtt/d", [0xFF, 0xFE], .notJSON(topic: "zigbee2mqtt/d")),
        Malformed(
            gen1, .door, "shellies/x/sensor/state", "ajar", .unexpectedValue(field: "sensor/state", value: "ajar")),
        Malformed(
            gen1, .door, "shellies/x/sensor/battery", "lots", .unexpectedValue(field: "sensor/battery", value: "lots")),
        Malformed(gen1, .door, "shellies/x/online", [0xC3, 0x28], .notText(topic: "shellies/x/online")),
        Malformed(
            gen2, .door, "x/events/rpc", #"{"method":"NotifyStatus","params":{"input:0":{"state":1}}}"#,
            .wrongType(field: "input:0.state", expected: "a boolean", found: "number")),
        Malformed(
            tasmota, .door, "tele/d/SENSOR", #"{"Time":"14.03.2026 19:00","Switch1":"ON"}"#,
            .badTime(field: "Time", text: "14.03.2026 19:00")),
        Malformed(
            tasmota, .door, "stat/d/RESULT", #"{"Switch1":{"Action":"MAYBE"}}"#,
            .unexpectedValue(field: "Switch1", value: "MAYBE")),
        Malformed(tasmota, .door, "tele/d/LWT", "online", .unexpectedValue(field: "LWT", value: "online")),
        Malformed(
            esphome, .motion, "n/binary_sensor/pir/state", "YES",
            .unexpectedValue(field: "n/binary_sensor/pir/state", value: "YES")),
        Malformed(
            esphome, .counter, "n/sensor/people/state", "-3",
            .unexpectedValue(field: "n/sensor/people/state", value: "-3")),
        Malformed(
            ttn, .counter, "v3/a@ttn/devices/c/up", #"{"uplink_message":{"f_cnt":"x"}}"#,
            .wrongType(field: "f_cnt", expected: "an integer", found: "string")),
        Malformed(
            ttn, .counter, "v3/a@ttn/devices/c/up", #"{"uplink_message":{"decoded_payload":{"line_1_total_in":-1}}}"#,
            .wrongType(field: "decoded_payload.line_1_total_in", expected: "a count", found: "-1")),
        Malformed(
            ttn, .door, "v3/a@ttn/devices/c/up", #"{"uplink_message":{"decoded_payload":{"magnet_status":"ajar"}}}"#,
            .unexpectedValue(field: "decoded_payload.magnet_status", value: "ajar")),
        Malformed(
            ttn, .counter, "v3/a@ttn/devices/c/up", #"{"received_at":"soon","uplink_message":{}}"#,
            .badTime(field: "received_at", text: "soon")),
        Malformed(
            chirpstack, .counter, "application/1/device/e/event/up", #"{"deduplicationId":5}"#,
            .wrongType(field: "deduplicationId", expected: "a string", found: "number")),
        Malformed(
            chirpstack, .counter, "application/1/device/e/event/up", #"{"object":[1]}"#,
            .wrongType(field: "object", expected: "an object", found: "array")),
    ]

    @Test("malformed payloads are typed errors", arguments: malformed)
    func rejects(_ c: Malformed) {
        #expect(throws: c.error) {
            try c.decoder.decode(SensorMessage(topic: c.topic, payload: c.payload), sensor: "s", kind: c.kind)
        }
    }

    @Test(
        "availability topics per preset",
        arguments: [
            (z2m, "zigbee2mqtt/lumbardhi/hall/door", "zigbee2mqtt/lumbardhi/hall/door/availability"),
            (gen1, "shellies/shellydw2-7A1B2C/sensor/state", "shellies/shellydw2-7A1B2C/online"),
            (gen2, "venue/shellyplusi4-1/events/rpc", "venue/shellyplusi4-1/online"),
            (tasmota, "stat/kino-peja-door/RESULT", "tele/kino-peja-door/LWT"),
            (esphome, "7arte/binary_sensor/workshop_motion/state", "7arte/status"),
        ] as [(SensorDecoder, String, String)])
    func availabilityTopics(_ decoder: SensorDecoder, _ state: String, _ availability: String) {
        #expect(decoder.availabilityTopic(forStateTopic: state) == availability)
        #expect(decoder.availabilityPayloads != nil)
    }

    @Test func loRaWANHasNoAvailability() {
        #expect(Self.ttn.availabilityTopic(forStateTopic: "v3/a@ttn/devices/c/up") == nil)
        #expect(Self.chirpstack.availabilityPayloads == nil)
    }

    @Test func presetsByName() throws {
        for preset in SensorDecoder.Preset.allCases {
            #expect(try SensorDecoder(named: preset.rawValue).format == .preset(preset))
        }
        #expect(throws: SensorConfigError.unknownDecoder("zwave")) { try SensorDecoder(named: "zwave") }
    }
}
