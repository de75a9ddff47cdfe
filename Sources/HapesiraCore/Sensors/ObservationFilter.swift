/// What a decoded observation is to the journal.
public enum ObservationVerdict: String, Sendable, Hashable {
    /// A new value: a door opened, motion detected, people counted.
    case event
    /// A retained message: the state is known from now on, but nothing happened now.
    case snapshot
    /// The value the sensor already had (a periodic report, a cached state sent again).
    case `repeat`
    /// The same reading delivered twice (its deduplication key was seen).
    case duplicate
    /// No value: availability, battery or a sign of life only.
    case status
}

/// Decides which observations are events, keeping per sensor the last known value and the recent
/// deduplication keys. A value type: the daemon owns it (one per ingestor) and may persist it.
///
/// Rules, in order: a seen deduplication key → `duplicate`; a retained message → `snapshot` (it
/// sets the last value); no value → `status`; the last known value again → `repeat`; otherwise
/// `event`. Counts are compared only when they are running totals or the device's own count:
/// two equal deltas are two groups of people.
public struct ObservationFilter: Sendable, Hashable {
    /// How many deduplication keys are remembered per sensor (LoRaWAN duplicates arrive within seconds).
    public var keysPerSensor: Int
    public private(set) var lastValues: [String: SensorValue] = [:]
    private var recentKeys: [String: [String]] = [:]

    public init(keysPerSensor: Int = 64) {
        self.keysPerSensor = keysPerSensor
    }

    /// Classifies an observation and records it.
    public mutating func admit(_ observation: SensorObservation, retained: Bool) -> ObservationVerdict {
        let sensor = observation.sensor
        if let key = observation.deduplicationKey {
            if recentKeys[sensor]?.contains(key) == true { return .duplicate }
            // Changed in place: a copy of the list per reading would cost more than the check.
            recentKeys[sensor, default: []].append(key)
            let excess = recentKeys[sensor, default: []].count - keysPerSensor
            if excess > 0 { recentKeys[sensor, default: []].removeFirst(excess) }
        }
        guard let value = observation.value else { return retained ? .snapshot : .status }
        let previous = lastValues[sensor]
        lastValues[sensor] = value
        if retained { return .snapshot }
        if let previous, previous == value, Self.comparable(value) { return .repeat }
        return .event
    }

    private static func comparable(_ value: SensorValue) -> Bool {
        guard case .count(let count) = value else { return true }
        return count.cumulative || (count.entered == nil && count.exited == nil)
    }
}
