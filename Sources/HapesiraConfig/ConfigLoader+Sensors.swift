import HapesiraCore
import Yams

extension ConfigParser {
    /// `mqtt:` — the broker the sensors report through.
    func mqtt(_ node: Node?) -> DaemonConfiguration.MQTT? {
        guard
            let mapping = reader.mapping(
                node, "mqtt",
                allowed: [
                    "url", "client_id", "protocol", "username", "password", "session_expiry_hours", "status_topic",
                    "state_prefix", "home_assistant_discovery",
                    "ca_file", "cert_file", "key_file",
                ])
        else { return nil }
        guard let url = reader.string(mapping, "url", "mqtt", required: true) else { return nil }
        if !(url.hasPrefix("mqtt://") || url.hasPrefix("mqtts://")) {
            reader.problem(mapping["url"], "mqtt.url", "expected mqtt://host[:port] or mqtts://host[:port]")
        }
        var mqtt = DaemonConfiguration.MQTT(url: url)
        mqtt.clientID = reader.string(mapping, "client_id", "mqtt") ?? mqtt.clientID
        if let version = reader.string(mapping, "protocol", "mqtt") {
            if ["5", "3.1.1"].contains(version) {
                mqtt.protocolVersion = version
            } else {
                reader.problem(mapping["protocol"], "mqtt.protocol", "expected \"5\" or \"3.1.1\"")
            }
        }
        mqtt.username = reader.string(mapping, "username", "mqtt")
        mqtt.password = reader.string(mapping, "password", "mqtt")
        mqtt.sessionExpiry =
            (reader.int(mapping, "session_expiry_hours", "mqtt", range: 0...8760) ?? mqtt.sessionExpiry / 3600) * 3600
        mqtt.statusTopic = reader.string(mapping, "status_topic", "mqtt") ?? mqtt.statusTopic
        mqtt.statePrefix = reader.string(mapping, "state_prefix", "mqtt") ?? mqtt.statePrefix
        mqtt.homeAssistantDiscovery = reader.string(mapping, "home_assistant_discovery", "mqtt")
        mqtt.caFile = reader.string(mapping, "ca_file", "mqtt")
        mqtt.certFile = reader.string(mapping, "cert_file", "mqtt")
        mqtt.keyFile = reader.string(mapping, "key_file", "mqtt")
        // The scheme alone decides on TLS: certificate files with mqtt:// are a mistake, not a switch.
        if url.hasPrefix("mqtt://"),
            let key = ["ca_file", "cert_file", "key_file"].first(where: { mapping[$0] != nil })
        {
            reader.problem(mapping[key], "mqtt.\(key)", "is for TLS, but the url is mqtt://: use mqtts://")
        }
        if (mqtt.certFile == nil) != (mqtt.keyFile == nil) {
            let key = mqtt.certFile == nil ? "key_file" : "cert_file"
            reader.problem(mapping[key], "mqtt.\(key)", "cert_file and key_file go together")
        }
        return mqtt
    }

    /// `sensors:` — each sensor's space, kind, topic and decoder.
    func sensors(_ node: Node?, catalogue: Catalogue) -> [SensorBinding] {
        var seen = Set<String>()
        return reader.sequence(node, "sensors").enumerated().compactMap { index, item -> SensorBinding? in
            let path = "sensors[\(index)]"
            guard
                let mapping = reader.mapping(
                    item, path,
                    allowed: [
                        "id", "space", "kind", "topic", "decoder", "field", "invert", "hold_seconds",
                        "heartbeat_minutes", "value_path", "values", "availability_topic",
                    ]),
                let id = reader.identifier(mapping, "id", path)
            else { return nil }
            if !seen.insert(id).inserted { reader.problem(mapping["id"], "\(path).id", "duplicate sensor id '\(id)'") }
            let spaceID = reader.string(mapping, "space", path, required: true)
            let space = spaceID.flatMap { catalogue.space($0) }
            if let spaceID, space == nil {
                reader.problem(mapping["space"], "\(path).space", "no space '\(spaceID)'")
            }
            let kindText = reader.string(mapping, "kind", path, required: true)
            let kind = kindText.flatMap(SensorKind.init(rawValue:))
            if kindText != nil, kind == nil {
                reader.problem(mapping["kind"], "\(path).kind", "expected door, motion, presence or counter")
            }
            var topic: TopicPattern?
            if let text = reader.string(mapping, "topic", path, required: true) {
                do { topic = try TopicPattern(text) } catch {
                    reader.problem(mapping["topic"], "\(path).topic", "\(error)")
                }
            }
            let zone = space.flatMap { catalogue.venue(of: $0)?.zone } ?? .utc
            let decoder = decoder(mapping, path, zone: zone)
            let hold = Int64(reader.int(mapping, "hold_seconds", path, range: 1...3600) ?? 90)
            let heartbeat = reader.int(mapping, "heartbeat_minutes", path, range: 1...10_080).map { Int64($0) * 60 }
            guard let space, let kind, let topic, let decoder else { return nil }
            return SensorBinding(
                id: id, space: space.id, kind: kind, topic: topic, decoder: decoder,
                settings: SensorSettings(id: id, kind: kind, hold: hold, heartbeat: heartbeat))
        }
    }

    /// A preset by name, or `generic` with `value_path`, `values` and `availability_topic`.
    private func decoder(_ mapping: Node.Mapping, _ path: String, zone: Zone) -> SensorDecoder? {
        guard let name = reader.string(mapping, "decoder", path, required: true) else { return nil }
        let invert = reader.bool(mapping, "invert", path) ?? false
        if name == "generic" {
            do {
                let valuePath = try reader.string(mapping, "value_path", path).map { try JSONPath($0) }
                var values: [String: Bool]?
                if case .mapping(let table)? = mapping["values"] {
                    values = [:]
                    for (key, value) in table {
                        guard let text = key.string, let flag = value.bool else {
                            reader.problem(value, "\(path).values", "expected text: true|false pairs")
                            continue
                        }
                        values?[text] = flag
                    }
                }
                let availability = reader.string(mapping, "availability_topic", path).map {
                    GenericDecoding.Availability(topic: $0)
                }
                return SensorDecoder(
                    generic: try GenericDecoding(
                        valuePath: valuePath, values: values, invert: invert, availability: availability),
                    zone: zone)
            } catch {
                reader.problem(mapping["decoder"], "\(path).decoder", "\(error)")
                return nil
            }
        }
        do {
            return try SensorDecoder(
                named: name, field: reader.string(mapping, "field", path), invert: invert, zone: zone)
        } catch {
            reader.problem(
                mapping["decoder"], "\(path).decoder",
                "\(error.description); expected generic or one of: "
                    + SensorDecoder.Preset.allCases.map(\.rawValue).joined(separator: ", "))
            return nil
        }
    }
}
