import Foundation

/// One MQTT message as received.
public struct SensorMessage: Sendable, Hashable {
    public var topic: String
    public var payload: [UInt8]
    /// The broker's retained flag: a stored state snapshot, not something that just happened.
    public var retained: Bool

    public init(topic: String, payload: [UInt8], retained: Bool = false) {
        self.topic = topic
        self.payload = payload
        self.retained = retained
    }

    public init(topic: String, text: String, retained: Bool = false) {
        self.init(topic: topic, payload: Array(text.utf8), retained: retained)
    }
}

/// Turns a message of one configured sensor into a `SensorObservation`, by a built-in preset for
/// an ecosystem or a `generic` binding.
///
/// Door values mean "the door is open". Contacts that report the *contact* (Zigbee2MQTT `contact`,
/// Tasmota switches, Shelly inputs) are closed when the door is closed, so `true`/`ON` there means
/// a closed door; Home Assistant / ESPHome door sensors and Shelly `open`/`close` say open directly.
/// `invert` flips whatever the preset reads, for sensors wired the other way.
public struct SensorDecoder: Sendable, Hashable {
    /// The built-in decoders, by their configuration names.
    public enum Preset: String, Sendable, Hashable, CaseIterable {
        case zigbee2mqtt
        case shellyGen1 = "shelly-gen1"
        case shellyGen2 = "shelly-gen2"
        case tasmota
        case esphome
        case theThingsStack = "the-things-stack"
        case chirpstack
    }

    public enum Format: Sendable, Hashable {
        case preset(Preset)
        case generic(GenericDecoding)
    }

    public var format: Format
    /// The field (or Tasmota switch, Shelly component) holding the value, when not the preset's default:
    /// e.g. `Switch2`, `input:1`, `people_count`.
    public var field: String?
    /// Flip the boolean the preset reads.
    public var invert: Bool
    /// The venue's zone, for payload times written without an offset (Tasmota).
    public var zone: Zone

    public init(preset: Preset, field: String? = nil, invert: Bool = false, zone: Zone = .utc) {
        self.format = .preset(preset)
        self.field = field
        self.invert = invert
        self.zone = zone
    }

    public init(generic: GenericDecoding, zone: Zone = .utc) {
        self.format = .generic(generic)
        self.field = nil
        self.invert = false
        self.zone = zone
    }

    /// A preset by its configuration name (`zigbee2mqtt`, `shelly-gen1`, …).
    public init(
        named name: String, field: String? = nil, invert: Bool = false, zone: Zone = .utc
    )
        throws(SensorConfigError)
    {
        guard let preset = Preset(rawValue: name) else { throw .unknownDecoder(name) }
        self.init(preset: preset, field: field, invert: invert, zone: zone)
    }

    /// Decodes one message for a sensor of the given kind.
    ///
    /// - Returns: `nil` when the topic is not one this format reports state or availability on (a
    ///   Zigbee2MQTT `/set`, a LoRaWAN join); otherwise an observation whose `value` is nil when the
    ///   message says nothing about the kind (a missing field is no information, not `false`).
    /// - Throws: `SensorDecodeError` for a malformed payload.
    public func decode(
        _ message: SensorMessage, sensor: String, kind: SensorKind
    ) throws(SensorDecodeError)
        -> SensorObservation?
    {
        var context = DecodeContext(
            message: message, kind: kind, field: field, invert: invert, zone: zone,
            observation: SensorObservation(sensor: sensor))
        switch format {
        case .preset(.zigbee2mqtt): guard try context.zigbee2mqtt() else { return nil }
        case .preset(.shellyGen1): guard try context.shellyGen1() else { return nil }
        case .preset(.shellyGen2): guard try context.shellyGen2() else { return nil }
        case .preset(.tasmota): guard try context.tasmota() else { return nil }
        case .preset(.esphome): guard try context.esphome() else { return nil }
        case .preset(.theThingsStack): guard try context.theThingsStack() else { return nil }
        case .preset(.chirpstack): guard try context.chirpstack() else { return nil }
        case .generic(let generic): guard try context.generic(generic) else { return nil }
        }
        return context.observation
    }

    /// Where the device publishes its availability, given the topic it publishes state on.
    public func availabilityTopic(forStateTopic topic: String) -> String? {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch format {
        case .preset(.zigbee2mqtt): return topic + "/availability"
        case .preset(.shellyGen1):
            guard levels.count >= 2, levels[0] == "shellies" else { return nil }
            return "shellies/\(levels[1])/online"
        case .preset(.shellyGen2):
            guard let range = topic.range(of: "/events/rpc") ?? topic.range(of: "/status/") else { return nil }
            return topic[..<range.lowerBound] + "/online"
        case .preset(.tasmota):
            guard levels.count >= 3 else { return nil }
            return "tele/\(levels[1])/LWT"
        case .preset(.esphome):
            guard let index = levels.lastIndex(where: { ["binary_sensor", "sensor"].contains($0) }), index > 0 else {
                return nil
            }
            return levels[..<index].joined(separator: "/") + "/status"
        case .preset(.theThingsStack), .preset(.chirpstack): return nil
        case .generic(let generic): return generic.availability?.topic
        }
    }

    /// The payloads that mean online and offline on the availability topic (JSON
    /// `{"state":"online"}` is accepted too for Zigbee2MQTT).
    public var availabilityPayloads: (online: String, offline: String)? {
        switch format {
        case .preset(.zigbee2mqtt), .preset(.esphome): ("online", "offline")
        case .preset(.shellyGen1), .preset(.shellyGen2): ("true", "false")
        case .preset(.tasmota): ("Online", "Offline")
        case .preset(.theThingsStack), .preset(.chirpstack): nil
        case .generic(let generic): generic.availability.map { ($0.online, $0.offline) }
        }
    }
}

/// The working state of one decode: the message, what the binding says, and the observation built so far.
struct DecodeContext {
    let message: SensorMessage
    let kind: SensorKind
    let field: String?
    let invert: Bool
    let zone: Zone
    var observation: SensorObservation

    var topic: String { message.topic }

    /// The payload as trimmed UTF-8 text.
    func text() throws(SensorDecodeError) -> String {
        guard let text = String(validating: message.payload, as: UTF8.self) else { throw .notText(topic: topic) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func json() throws(SensorDecodeError) -> JSONValue {
        guard let value = JSONValue.parse(message.payload) else { throw .notJSON(topic: topic) }
        return value
    }

    func jsonObject() throws(SensorDecodeError) -> [String: JSONValue] {
        let value = try json()
        guard let object = value.object else {
            throw .wrongType(field: "payload", expected: "an object", found: value.typeName)
        }
        return object
    }

    var isEmptyPayload: Bool { message.payload.allSatisfy { $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 } }

    /// Records a boolean reading for the sensor's kind (`true` = open / detected / present); counters
    /// take no boolean.
    mutating func set(_ flag: Bool) {
        let flag = flag != invert
        switch kind {
        case .door: observation.value = .door(open: flag)
        case .motion: observation.value = .motion(detected: flag)
        case .presence: observation.value = .presence(present: flag)
        case .counter: break
        }
    }

    mutating func setOnline(
        _ text: String, online: String, offline: String, field: String = "availability"
    )
        throws(SensorDecodeError)
    {
        switch text {
        case online: observation.online = true
        case offline: observation.online = false
        default: throw .unexpectedValue(field: field, value: text)
        }
    }

    mutating func setBattery(_ value: JSONValue?, field: String) throws(SensorDecodeError) {
        guard let value, value != .null else { return }
        guard case .number(let number) = value else {
            throw .wrongType(field: field, expected: "a number", found: value.typeName)
        }
        observation.battery = Int(number.rounded())
    }

    mutating func setTime(_ value: JSONValue?, field: String, format: TimestampFormat) throws(SensorDecodeError) {
        guard let value, value != .null else { return }
        guard let instant = format.instant(value) else {
            throw .badTime(field: field, text: value.scalarText ?? value.typeName)
        }
        observation.eventTime = instant
    }

    /// A JSON boolean field, or nil when missing or null.
    func bool(_ value: JSONValue?, field: String) throws(SensorDecodeError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw .wrongType(field: field, expected: "a boolean", found: other.typeName)
        }
    }

    /// `ON`/`OFF` text (Tasmota, Home Assistant); `nil` for the "no state" words.
    func onOff(_ text: String, field: String) throws(SensorDecodeError) -> Bool? {
        switch text.uppercased() {
        case "ON": return true
        case "OFF": return false
        case "UNKNOWN", "UNAVAILABLE", "NONE", "": return nil
        default: throw .unexpectedValue(field: field, value: text)
        }
    }
}
