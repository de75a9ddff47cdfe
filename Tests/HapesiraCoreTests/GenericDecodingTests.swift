import HapesiraCore
import Testing

@Suite("Generic sensor binding")
struct GenericDecodingTests {
    static func obs(
        _ value: SensorValue? = nil, time: Int64? = nil, battery: Int? = nil, online: Bool? = nil, key: String? = nil
    ) -> SensorObservation {
        SensorObservation(
            sensor: "g", value: value, eventTime: time, battery: battery, online: online, deduplicationKey: key)
    }

    static func decoder(
        _ path: String? = nil, values: [String: Bool]? = nil, invert: Bool = false, time: (String, String)? = nil,
        key: String? = nil, battery: String? = nil
    ) throws -> SensorDecoder {
        let generic = try GenericDecoding(
            valuePath: path.map { try JSONPath($0) }, values: values, invert: invert,
            time: try time.map {
                GenericDecoding.TimeField(
                    path: try JSONPath($0.0), format: try TimestampFormat($0.1, zone: Fixture.belgrade))
            },
            deduplicationPath: try key.map { try JSONPath($0) }, batteryPath: try battery.map { try JSONPath($0) },
            availability: GenericDecoding.Availability(topic: "room/avail", online: "up", offline: "down"))
        return SensorDecoder(generic: generic)
    }

    static let table = ["open": true, "closed": false]

    @Test func rawValueTable() throws {
        let door = try Self.decoder(values: Self.table)
        #expect(
            try door.decode(SensorMessage(topic: "room/door", text: "open"), sensor: "g", kind: .door)
                == Self.obs(.door(open: true)))
        #expect(
            try door.decode(SensorMessage(topic: "room/door", text: "closed\n"), sensor: "g", kind: .door)
                == Self.obs(.door(open: false)))
        #expect(
            try door.decode(SensorMessage(topic: "room/door", text: "OPEN"), sensor: "g", kind: .door)
                == Self.obs(.door(open: true)))
        #expect(throws: SensorDecodeError.unexpectedValue(field: "payload", value: "ajar")) {
            try door.decode(SensorMessage(topic: "room/door", text: "ajar"), sensor: "g", kind: .door)
        }
        let inverted = try Self.decoder(values: Self.table, invert: true)
        #expect(
            try inverted.decode(SensorMessage(topic: "room/door", text: "open"), sensor: "g", kind: .door)
                == Self.obs(.door(open: false)))
    }

    @Test func availability() throws {
        let decoder = try Self.decoder()
        #expect(
            try decoder.decode(SensorMessage(topic: "room/avail", text: "down"), sensor: "g", kind: .motion)
                == Self.obs(online: false))
        #expect(decoder.availabilityTopic(forStateTopic: "room/pir") == "room/avail")
        #expect(decoder.availabilityPayloads?.online == "up")
    }

    @Test(
        "JSON paths, default words, counts",
        arguments: [
            (
                "data.sensors[1].state", SensorKind.motion, #"{"data":{"sensors":[{"state":"x"},{"state":true}]}}"#,
                obs(.motion(detected: true))
            ),
            ("data.sensors[1].state", .motion, #"{"data":{"sensors":[{"state":"x"}]}}"#, obs()),
            ("state", .presence, #"{"state":"OFF"}"#, obs(.presence(present: false))),
            ("state", .presence, #"{"state":1}"#, obs(.presence(present: true))),
            ("state", .presence, #"{"state":null}"#, obs()),
            ("count", .counter, #"{"count":7}"#, obs(.count(PeopleCount(present: 7)))),
            ("[0]", .motion, #"[false]"#, obs(.motion(detected: false))),
        ] as [(String, SensorKind, String, SensorObservation)])
    func paths(_ path: String, _ kind: SensorKind, _ payload: String, _ expected: SensorObservation) throws {
        #expect(
            try Self.decoder(path).decode(SensorMessage(topic: "t", text: payload), sensor: "g", kind: kind) == expected
        )
    }

    @Test(
        "event time formats",
        arguments: [
            ("unix", #"{"v":true,"t":1773511200}"#, Fixture.utc(2026, 3, 14, 18)),
            ("unix", #"{"v":true,"t":"1773511200.9"}"#, Fixture.utc(2026, 3, 14, 18)),
            ("unix-ms", #"{"v":true,"t":1773511200999}"#, Fixture.utc(2026, 3, 14, 18)),
            ("iso8601", #"{"v":true,"t":"2026-03-14T19:00:00+01:00"}"#, Fixture.utc(2026, 3, 14, 18)),
            ("iso8601", #"{"v":true,"t":"2026-03-14T18:00:00.250Z"}"#, Fixture.utc(2026, 3, 14, 18)),
            // Belgrade is UTC+1 in March, UTC+2 in July; 02:30 on 25 Oct happens twice: the first (CEST).
            ("dd.MM.yyyy HH:mm:ss", #"{"v":true,"t":"14.03.2026 19:00:00"}"#, Fixture.utc(2026, 3, 14, 18)),
            ("dd.MM.yyyy HH:mm", #"{"v":true,"t":"14.07.2026 19:00"}"#, Fixture.utc(2026, 7, 14, 17)),
            ("yyyy-MM-dd HH:mm:ss", #"{"v":true,"t":"2026-10-25 02:30:00"}"#, Fixture.utc(2026, 10, 25, 0, 30)),
        ] as [(String, String, Int64)])
    func times(_ format: String, _ payload: String, _ instant: Int64) throws {
        let decoder = try Self.decoder("v", time: ("t", format))
        #expect(
            try decoder.decode(SensorMessage(topic: "t", text: payload), sensor: "g", kind: .motion)
                == Self.obs(.motion(detected: true), time: instant))
    }

    @Test(
        "unreadable times",
        arguments: [
            ("iso8601", #"{"t":"2026-03-14T19:00:00"}"#, "2026-03-14T19:00:00"),
            ("iso8601", #"{"t":"2026-02-30T19:00:00Z"}"#, "2026-02-30T19:00:00Z"),
            ("unix", #"{"t":"soon"}"#, "soon"),
            ("dd.MM.yyyy HH:mm", #"{"t":"2026-03-14 19:00"}"#, "2026-03-14 19:00"),
        ] as [(String, String, String)])
    func badTimes(_ format: String, _ payload: String, _ text: String) throws {
        let decoder = try Self.decoder("v", time: ("t", format))
        #expect(throws: SensorDecodeError.badTime(field: "t", text: text)) {
            try decoder.decode(SensorMessage(topic: "t", text: payload), sensor: "g", kind: .motion)
        }
    }

    @Test func keyAndBattery() throws {
        let decoder = try Self.decoder("v", key: "frame.id", battery: "bat.level")
        #expect(
            try decoder.decode(
                SensorMessage(topic: "t", text: #"{"v":"on","frame":{"id":42},"bat":{"level":66.4}}"#), sensor: "g",
                kind: .motion) == Self.obs(.motion(detected: true), battery: 66, key: "42"))
        #expect(throws: SensorDecodeError.notJSON(topic: "t")) {
            try decoder.decode(SensorMessage(topic: "t", text: "on"), sensor: "g", kind: .motion)
        }
        #expect(throws: SensorDecodeError.wrongType(field: "v", expected: "a scalar", found: "object")) {
            try decoder.decode(SensorMessage(topic: "t", text: #"{"v":{}}"#), sensor: "g", kind: .motion)
        }
    }

    @Test(
        "configuration errors",
        arguments: ["", "a..b", "a[x]", "a]", "a[-1]", "a[0]b"])
    func badPaths(_ path: String) {
        #expect(throws: SensorConfigError.self) { try JSONPath(path) }
    }

    @Test func badConfiguration() {
        #expect(throws: SensorConfigError.invalidTimeFormat("HH:mm", "a local pattern needs yyyy")) {
            try TimestampFormat("HH:mm", zone: .utc)
        }
        #expect(throws: SensorConfigError.emptyValueTable) { try GenericDecoding(values: [:]) }
    }
}
