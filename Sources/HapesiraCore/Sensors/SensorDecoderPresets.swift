import Foundation

// The built-in presets. Each returns `false` for a topic it does not report on.
extension DecodeContext {
    /// The topic's levels, split on its UTF-8 bytes (`/` is ASCII; splitting by `Character` cost more than
    /// parsing the payload). Computed on each use: take a copy where it is needed more than once.
    private var levels: [Substring] {
        topic.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { Substring($0) }
    }

    /// `zigbee2mqtt/<friendly name>` JSON state; `…/availability` `online`/`offline` or `{"state":"online"}`.
    mutating func zigbee2mqtt() throws(SensorDecodeError) -> Bool {
        if topic.hasSuffix("/availability") {
            if isEmptyPayload { return true }
            let text = try text()
            if text.hasPrefix("{") {
                let state = try jsonObject()["state"]
                guard case .string(let value)? = state else {
                    throw .wrongType(field: "state", expected: "a string", found: state?.typeName ?? "missing")
                }
                try setOnline(value, online: "online", offline: "offline", field: "state")
            } else {
                try setOnline(text, online: "online", offline: "offline")
            }
            return true
        }
        let levels = levels
        if levels.count >= 2 && levels[1] == "bridge" { return false }
        if levels.last == "set" || levels.last == "get" || levels.dropLast().last == "set" { return false }
        // An empty payload clears a retained state: no information.
        if isEmptyPayload { return true }
        let state = try jsonObject()
        switch kind {
        case .door:
            // `contact: true` means the contact is made: the door is CLOSED.
            let name = field ?? "contact"
            if let contact = try bool(state[name], field: name) { set(!contact) }
        case .motion:
            let name = field ?? "occupancy"
            if let detected = try bool(state[name], field: name) { set(detected) }
        case .presence:
            let name = field ?? (state["presence"] != nil ? "presence" : "occupancy")
            if let present = try bool(state[name], field: name) { set(present) }
        case .counter:
            let name = field ?? "people"
            if let value = state[name], value != .null {
                guard let count = value.integer else {
                    throw .wrongType(field: name, expected: "an integer", found: value.typeName)
                }
                observation.value = .count(PeopleCount(present: Int(count)))
            }
        }
        try setBattery(state["battery"], field: "battery")
        // `last_seen` is ISO 8601 or epoch milliseconds, as the bridge is configured.
        if case .number? = state["last_seen"] {
            try setTime(state["last_seen"], field: "last_seen", format: .unixMilliseconds)
        } else {
            try setTime(state["last_seen"], field: "last_seen", format: .iso8601)
        }
        return true
    }

    /// Shelly Gen1: `shellies/<id>/online`, `…/sensor/state` `open`/`close`, `…/sensor/battery`,
    /// `…/sensor/motion`, `…/input/<n>` `0`/`1`, and the Shelly Motion's `…/status` JSON.
    mutating func shellyGen1() throws(SensorDecodeError) -> Bool {
        let levels = levels
        guard levels.count >= 3, levels[0] == "shellies" else { return false }
        let rest = levels[2...].joined(separator: "/")
        switch rest {
        case "online":
            try setOnline(try text(), online: "true", offline: "false")
        case "sensor/state":
            let text = try text()
            guard text == "open" || text == "close" else { throw .unexpectedValue(field: rest, value: text) }
            if kind == .door { set(text == "open") }
        case "sensor/motion":
            let text = try text()
            guard text == "true" || text == "false" else { throw .unexpectedValue(field: rest, value: text) }
            if kind == .motion || kind == .presence { set(text == "true") }
        case "sensor/battery":
            let text = try text()
            guard let battery = Int(text) else { throw .unexpectedValue(field: rest, value: text) }
            observation.battery = battery
        case "status":
            let status = try jsonObject()
            if kind == .motion || kind == .presence, let motion = try bool(status["motion"], field: "motion") {
                set(motion)
            }
            try setBattery(status["bat"], field: "bat")
            try setTime(status["timestamp"], field: "timestamp", format: .unix)
        default:
            guard levels.count == 4, levels[2] == "input", rest == "input/\(field ?? "0")" else { return false }
            let text = try text()
            guard text == "0" || text == "1" else { throw .unexpectedValue(field: rest, value: text) }
            // A closed input is a made contact: for a door, closed.
            set(kind == .door ? text == "0" : text == "1")
        }
        return true
    }

    /// Shelly Gen2+: `<prefix>/online` `true`/`false`; `<prefix>/events/rpc` `NotifyStatus` (partial:
    /// only changed components) / `NotifyFullStatus`; `<prefix>/status/<component>`. Inputs read as
    /// contacts (`state: true` = closed door); battery from `devicepower:0`.
    mutating func shellyGen2() throws(SensorDecodeError) -> Bool {
        let component = field ?? "input:0"
        if topic.hasSuffix("/online") {
            try setOnline(try text(), online: "true", offline: "false")
            return true
        }
        if let range = topic.range(of: "/status/", options: .backwards) {
            let name = String(topic[range.upperBound...])
            guard name == component || name == "devicepower:0" else { return false }
            try apply(component: name, try json(), expected: component)
            return true
        }
        guard topic.hasSuffix("/events/rpc") else { return false }
        let rpc = try jsonObject()
        guard case .string(let method)? = rpc["method"], method == "NotifyStatus" || method == "NotifyFullStatus"
        else { return false }
        guard let params = rpc["params"] else { return true }
        guard let members = params.object else {
            throw .wrongType(field: "params", expected: "an object", found: params.typeName)
        }
        for name in [component, "devicepower:0"] {
            if let status = members[name] { try apply(component: name, status, expected: component) }
        }
        try setTime(members["ts"], field: "params.ts", format: .unix)
        return true
    }

    private mutating func apply(
        component name: String, _ status: JSONValue, expected: String
    )
        throws(SensorDecodeError)
    {
        guard let members = status.object else {
            throw .wrongType(field: name, expected: "an object", found: status.typeName)
        }
        if name == "devicepower:0" {
            try setBattery(members["battery"]?["percent"], field: "devicepower:0.battery.percent")
        } else if let state = try bool(members["state"], field: "\(name).state") {
            set(kind == .door ? !state : state)
        }
    }

    /// Tasmota: `tele/<t>/LWT` `Online`/`Offline`; `stat/<t>/RESULT` `{"Switch1":{"Action":"ON"}}` or
    /// `{"Switch1":"ON"}`; `tele/<t>/SENSOR` (repeated every TelePeriod) with `Time` in the device's local
    /// time, read in the venue's zone unless it carries an offset; `tele/<t>/STATE` as a sign of life.
    /// A switch is a contact: `ON` is a closed door.
    mutating func tasmota() throws(SensorDecodeError) -> Bool {
        let levels = levels
        guard levels.count == 3 else { return false }
        let name = field ?? "Switch1"
        switch (levels[0], levels[2]) {
        case ("tele", "LWT"):
            try setOnline(try text(), online: "Online", offline: "Offline", field: "LWT")
        case ("stat", "RESULT"), ("tele", "SENSOR"), ("tele", "STATE"):
            let result = try jsonObject()
            if levels[2] != "STATE", let value = result[name] {
                let state = value["Action"] ?? value["State"] ?? value
                guard case .string(let text) = state else {
                    throw .wrongType(field: name, expected: "ON or OFF", found: state.typeName)
                }
                if let on = try onOff(text, field: name) { set(kind == .door ? !on : on) }
            }
            if let time = result["Time"] {
                guard case .string(let text) = time, let instant = SensorTime.iso8601(text, zone: zone) else {
                    throw .badTime(field: "Time", text: time.scalarText ?? time.typeName)
                }
                observation.eventTime = instant
            }
        default: return false
        }
        return true
    }

    /// ESPHome / Home Assistant MQTT: `<node>/status` `online`/`offline`;
    /// `<node>/binary_sensor/<name>/state` `ON`/`OFF` (a door sensor's `ON` is OPEN);
    /// `<node>/sensor/<name>/state` a number (a counter's people present).
    mutating func esphome() throws(SensorDecodeError) -> Bool {
        let levels = levels
        if levels.last == "status" {
            try setOnline(try text(), online: "online", offline: "offline", field: "status")
            return true
        }
        guard levels.count >= 3, levels.last == "state" else { return false }
        let text = try text()
        switch levels[levels.count - 3] {
        case "binary_sensor":
            if let on = try onOff(text, field: topic) { set(on) }
        case "sensor":
            guard kind == .counter else { return true }
            if ["unknown", "unavailable", "nan", ""].contains(text.lowercased()) { return true }
            guard let number = Double(text), number >= 0 else { throw .unexpectedValue(field: topic, value: text) }
            observation.value = .count(PeopleCount(present: Int(number.rounded())))
        default: return false
        }
        return true
    }

    /// The Things Stack v3: `v3/<app>@<tenant>/devices/<dev>/up`. The reading is
    /// `uplink_message.decoded_payload`; `f_cnt` (omitted when zero) is the deduplication key and
    /// `received_at` the event time.
    mutating func theThingsStack() throws(SensorDecodeError) -> Bool {
        let levels = levels
        guard levels.count >= 5, levels[0] == "v3", levels.last == "up" else { return false }
        let uplink = try jsonObject()
        guard let message = uplink["uplink_message"] else { return false }
        guard message.object != nil else {
            throw .wrongType(field: "uplink_message", expected: "an object", found: message.typeName)
        }
        let counter = message["f_cnt"] ?? .number(0)
        guard let frame = counter.integer else {
            throw .wrongType(field: "f_cnt", expected: "an integer", found: counter.typeName)
        }
        observation.deduplicationKey = String(frame)
        try setTime(uplink["received_at"], field: "received_at", format: .iso8601)
        if let decoded = message["decoded_payload"] { try lorawan(decoded, field: "decoded_payload") }
        return true
    }

    /// ChirpStack v4: `application/<id>/device/<eui>/event/up` with the codec's `object`,
    /// `deduplicationId` and `time`; `…/event/status` with `batteryLevel`.
    mutating func chirpstack() throws(SensorDecodeError) -> Bool {
        let levels = levels
        guard levels.count == 6, levels[0] == "application", levels[2] == "device", levels[4] == "event" else {
            return false
        }
        switch levels[5] {
        case "up":
            let event = try jsonObject()
            if let id = event["deduplicationId"] {
                guard case .string(let key) = id else {
                    throw .wrongType(field: "deduplicationId", expected: "a string", found: id.typeName)
                }
                observation.deduplicationKey = key
            }
            try setTime(event["time"], field: "time", format: .iso8601)
            if let object = event["object"] { try lorawan(object, field: "object") }
        case "status":
            let event = try jsonObject()
            try setBattery(event["batteryLevel"], field: "batteryLevel")
            try setTime(event["time"], field: "time", format: .iso8601)
        default: return false
        }
        return true
    }
}
