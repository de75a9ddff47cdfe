/// What a sensor in a room measures.
public enum SensorKind: String, Sendable, Hashable, CaseIterable, Codable {
    case door
    case motion
    case presence
    /// A people counter (in/out or current occupancy).
    case counter
}

/// A people counter's figures as one message gives them; a field the message omits is nil
/// ("no information", not zero).
public struct PeopleCount: Sendable, Hashable {
    /// People who went in / out: since the previous message, or running totals when `cumulative`.
    public var entered: Int?
    public var exited: Int?
    /// The device's own count of people in the room now.
    public var present: Int?
    /// `entered`/`exited` are running totals (deltas are taken between messages; a total that goes
    /// down is a counter reset).
    public var cumulative: Bool

    public init(entered: Int? = nil, exited: Int? = nil, present: Int? = nil, cumulative: Bool = false) {
        self.entered = entered
        self.exited = exited
        self.present = present
        self.cumulative = cumulative
    }
}

/// The state a message reports.
public enum SensorValue: Sendable, Hashable {
    case door(open: Bool)
    case motion(detected: Bool)
    case presence(present: Bool)
    case count(PeopleCount)
}

/// One decoded message of one configured sensor. Every field is optional: a message may carry
/// only a battery level, or only availability.
public struct SensorObservation: Sendable, Hashable {
    /// The configured sensor's id.
    public var sensor: String
    /// What the message says for the sensor's kind; nil when it says nothing about it (a missing
    /// field is no information, not `false`).
    public var value: SensorValue?
    /// When the device says it happened (Unix seconds), if the payload carries it.
    public var eventTime: Int64?
    /// Battery percentage, if reported.
    public var battery: Int?
    /// `true`/`false` for an availability (online/offline, LWT) message.
    public var online: Bool?
    /// A key that is the same for the same reading delivered twice (a LoRaWAN frame counter, a
    /// ChirpStack deduplicationId); nil when the source gives none.
    public var deduplicationKey: String?

    public init(
        sensor: String, value: SensorValue? = nil, eventTime: Int64? = nil, battery: Int? = nil, online: Bool? = nil,
        deduplicationKey: String? = nil
    ) {
        self.sensor = sensor
        self.value = value
        self.eventTime = eventTime
        self.battery = battery
        self.online = online
        self.deduplicationKey = deduplicationKey
    }
}
