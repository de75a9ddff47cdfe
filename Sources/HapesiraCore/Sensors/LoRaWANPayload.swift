// Decoded LoRaWAN payloads (The Things Stack `decoded_payload`, ChirpStack `object`): the field
// names are the device codec's; these are the common ones (Milesight, Dragino).
extension DecodeContext {
    static let flagFields: [SensorKind: [String]] = [
        .door: ["door", "magnet_status", "door_open_status", "DOOR_OPEN_STATUS", "open"],
        .motion: ["motion", "pir", "occupancy"],
        .presence: ["presence", "occupancy", "occupied"],
    ]

    /// In/out pairs, running totals first; counter codecs such as the Milesight VS133's.
    static let countPairs: [(entered: String, exited: String, cumulative: Bool)] = [
        ("line_1_total_in", "line_1_total_out", true), ("total_in", "total_out", true),
        ("line_1_period_in", "line_1_period_out", false), ("period_in", "period_out", false),
        ("people_in", "people_out", false),
    ]
    static let presentFields = ["people_count_all", "people_count", "people_total"]

    static let trueWords: Set<String> = [
        "open", "opened", "trigger", "triggered", "occupied", "on", "true", "detected", "yes", "1", "present",
    ]
    static let falseWords: Set<String> = [
        "close", "closed", "idle", "vacant", "off", "false", "clear", "no", "0", "normal", "absent",
    ]

    mutating func lorawan(_ decoded: JSONValue, field path: String) throws(SensorDecodeError) {
        guard let values = decoded.object else {
            throw .wrongType(field: path, expected: "an object", found: decoded.typeName)
        }
        try setBattery(values["battery"], field: "\(path).battery")
        if kind == .counter {
            observation.value = try count(values, path: path)
            return
        }
        for name in field.map({ [$0] }) ?? Self.flagFields[kind] ?? [] {
            guard let value = values[name], value != .null else { continue }
            set(try Self.word(value, field: "\(path).\(name)"))
            return
        }
    }

    /// A flag written as a boolean, 0/1 or a word (`open`, `trigger`, `vacant`, …).
    static func word(_ value: JSONValue, field: String) throws(SensorDecodeError) -> Bool {
        guard let text = value.scalarText?.lowercased() else {
            throw .wrongType(field: field, expected: "a flag", found: value.typeName)
        }
        if trueWords.contains(text) { return true }
        if falseWords.contains(text) { return false }
        throw .unexpectedValue(field: field, value: text)
    }

    /// Protobuf JSON omits zero values, so when one of an in/out pair is there the other is zero.
    private func count(_ values: [String: JSONValue], path: String) throws(SensorDecodeError) -> SensorValue? {
        func integer(_ name: String) throws(SensorDecodeError) -> Int? {
            guard let value = values[name], value != .null else { return nil }
            guard let number = value.integer, number >= 0 else {
                throw .wrongType(
                    field: "\(path).\(name)", expected: "a count", found: value.scalarText ?? value.typeName)
            }
            return Int(number)
        }
        if let field { return try integer(field).map { .count(PeopleCount(present: $0)) } }
        var count = PeopleCount()
        for pair in Self.countPairs {
            let entered = try integer(pair.entered)
            let exited = try integer(pair.exited)
            guard entered != nil || exited != nil else { continue }
            count = PeopleCount(entered: entered ?? 0, exited: exited ?? 0, cumulative: pair.cumulative)
            break
        }
        for name in Self.presentFields {
            if let present = try integer(name) {
                count.present = present
                break
            }
        }
        return count == PeopleCount() ? nil : .count(count)
    }
}
