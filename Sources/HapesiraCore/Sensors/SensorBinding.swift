/// One configured sensor: where it is, what it measures, where it publishes and how to read it.
public struct SensorBinding: Sendable, Hashable {
    public var id: String
    public var space: String
    public var kind: SensorKind
    /// The state topic (MQTT wildcards and `{capture}`s allowed).
    public var topic: TopicPattern
    public var decoder: SensorDecoder
    /// Hold time and heartbeat for occupancy derivation.
    public var settings: SensorSettings

    public init(
        id: String, space: String, kind: SensorKind, topic: TopicPattern, decoder: SensorDecoder,
        settings: SensorSettings
    ) {
        self.id = id
        self.space = space
        self.kind = kind
        self.topic = topic
        self.decoder = decoder
        self.settings = settings
    }

    /// The topic filters to subscribe to: the state topic and, where the preset has one, its availability topic.
    public var subscriptionFilters: [String] {
        let state = topic.subscriptionFilter
        guard let availability = decoder.availabilityTopic(forStateTopic: state), availability != state else {
            return [state]
        }
        return [state, availability]
    }

    /// Whether a message on `topic` is this sensor's (state or availability).
    public func accepts(_ topic: String) -> Bool {
        if self.topic.matches(topic) != nil { return true }
        guard let availability = decoder.availabilityTopic(forStateTopic: self.topic.subscriptionFilter) else {
            return false
        }
        return (try? TopicPattern(availability))?.matches(topic) != nil
    }
}
