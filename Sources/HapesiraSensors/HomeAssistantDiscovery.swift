import Foundation
import HapesiraCore

/// Home Assistant MQTT discovery for the spaces' live states: one retained config message per
/// space makes each state topic appear in Home Assistant as an enum sensor, without YAML there.
public enum HomeAssistantDiscovery {
    /// The discovery messages (topic, retained JSON payload) for `spaces`, whose states are
    /// published at `<statePrefix>/<space>/state`.
    public static func messages(
        for spaces: [Space], statePrefix: String, statusTopic: String, discoveryPrefix: String = "homeassistant"
    ) -> [(topic: String, payload: String)] {
        spaces.map { space in
            let object: [String: Any] = [
                "name": space.name,
                "unique_id": "hapesira_\(space.id)_state",
                "object_id": "hapesira_\(space.id)",
                "state_topic": "\(statePrefix)/\(space.id)/state",
                "availability_topic": statusTopic,
                "payload_available": "online",
                "payload_not_available": "offline",
                "device_class": "enum",
                "options": SpaceState.allCases.map(\.rawValue),
                "icon": "mdi:door",
                "device": [
                    "identifiers": ["hapesira_\(space.venue)"], "name": space.venue, "manufacturer": "Hapësira",
                ],
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return (
                "\(discoveryPrefix)/sensor/hapesira_\(space.id)/state/config", String(decoding: data, as: UTF8.self)
            )
        }
    }
}
