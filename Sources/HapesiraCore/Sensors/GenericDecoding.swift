/// A sensor binding for devices without a preset: where the value is, what its words mean, and
/// optionally where the time, the deduplication key and the battery level are.
public struct GenericDecoding: Sendable, Hashable {
    /// Where a payload's time is and how it is written.
    public struct TimeField: Sendable, Hashable {
        public var path: JSONPath
        public var format: TimestampFormat

        public init(path: JSONPath, format: TimestampFormat) {
            self.path = path
            self.format = format
        }
    }

    /// An availability topic and its two payloads.
    public struct Availability: Sendable, Hashable {
        public var topic: String
        public var online: String
        public var offline: String

        public init(topic: String, online: String = "online", offline: String = "offline") {
            self.topic = topic
            self.online = online
            self.offline = offline
        }
    }

    /// The JSON path of the value; `nil` reads the whole payload as raw text.
    public var valuePath: JSONPath?
    /// Value text → flag (`true` = open / detected / present), e.g. `["open": true, "closed": false]`;
    /// `nil` uses `true`/`false`, `ON`/`OFF`, `1`/`0`, `open`/`closed`. Counters read a number instead.
    public var values: [String: Bool]?
    /// Flip the flag the table gives.
    public var invert: Bool
    public var time: TimeField?
    public var deduplicationPath: JSONPath?
    public var batteryPath: JSONPath?
    public var availability: Availability?

    public init(
        valuePath: JSONPath? = nil, values: [String: Bool]? = nil, invert: Bool = false, time: TimeField? = nil,
        deduplicationPath: JSONPath? = nil, batteryPath: JSONPath? = nil, availability: Availability? = nil
    ) throws(SensorConfigError) {
        if let values, values.isEmpty { throw .emptyValueTable }
        self.valuePath = valuePath
        self.values = values
        self.invert = invert
        self.time = time
        self.deduplicationPath = deduplicationPath
        self.batteryPath = batteryPath
        self.availability = availability
    }

    static let defaultValues: [String: Bool] = [
        "true": true, "false": false, "on": true, "off": false, "1": true, "0": false, "open": true, "closed": false,
    ]
}

extension DecodeContext {
    mutating func generic(_ binding: GenericDecoding) throws(SensorDecodeError) -> Bool {
        if let availability = binding.availability, topic == availability.topic {
            try setOnline(try text(), online: availability.online, offline: availability.offline)
            return true
        }
        if isEmptyPayload { return true }
        let needsJSON =
            binding.valuePath != nil || binding.time != nil || binding.deduplicationPath != nil
            || binding.batteryPath != nil
        let root = needsJSON ? try json() : nil
        let raw: JSONValue?
        if let path = binding.valuePath, let root { raw = path.value(in: root) } else { raw = .string(try text()) }
        let fieldName = binding.valuePath?.description ?? "payload"
        if let raw, raw != .null {
            if kind == .counter {
                guard let count = raw.integer, count >= 0 else {
                    throw .wrongType(field: fieldName, expected: "a count", found: raw.scalarText ?? raw.typeName)
                }
                observation.value = .count(PeopleCount(present: Int(count)))
            } else {
                guard let text = raw.scalarText else {
                    throw .wrongType(field: fieldName, expected: "a scalar", found: raw.typeName)
                }
                let table = binding.values ?? GenericDecoding.defaultValues
                guard let flag = table[text] ?? table.first(where: { $0.key.lowercased() == text.lowercased() })?.value
                else { throw .unexpectedValue(field: fieldName, value: text) }
                set(flag != binding.invert)
            }
        }
        guard let root else { return true }
        if let time = binding.time {
            try setTime(time.path.value(in: root), field: time.path.description, format: time.format)
        }
        if let path = binding.deduplicationPath, let key = path.value(in: root), key != .null {
            guard let text = key.scalarText else {
                throw .wrongType(field: path.description, expected: "a scalar", found: key.typeName)
            }
            observation.deduplicationKey = text
        }
        if let path = binding.batteryPath { try setBattery(path.value(in: root), field: path.description) }
        return true
    }
}
