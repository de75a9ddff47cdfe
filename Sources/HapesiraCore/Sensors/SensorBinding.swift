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
    /// The preset's availability topic for this sensor, parsed once (messages are matched against it).
    private let availability: TopicPattern?

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
        self.availability = decoder.availabilityTopic(forStateTopic: topic.subscriptionFilter)
            .flatMap { try? TopicPattern($0) }
    }

    /// The topic filters to subscribe to: the state topic and, where the preset has one, its availability topic.
    public var subscriptionFilters: [String] {
        let state = topic.subscriptionFilter
        guard let availability = availability?.subscriptionFilter, availability != state else { return [state] }
        return [state, availability]
    }

    /// Whether a message on `topic` is this sensor's (state or availability).
    public func accepts(_ topic: String) -> Bool {
        self.topic.matches(topic) != nil || availability?.matches(topic) != nil
    }
}
