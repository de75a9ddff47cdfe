import HapesiraCore
import Testing

@Suite("Observation filter")
struct ObservationFilterTests {
    static func door(_ open: Bool, sensor: String = "d", key: String? = nil) -> SensorObservation {
        SensorObservation(sensor: sensor, value: .door(open: open), deduplicationKey: key)
    }

    static func count(_ count: PeopleCount, key: String? = nil) -> SensorObservation {
        SensorObservation(sensor: "c", value: .count(count), deduplicationKey: key)
    }

    struct Step: Sendable {
        var observation: SensorObservation
        var retained: Bool
        var verdict: ObservationVerdict
        init(_ observation: SensorObservation, retained: Bool = false, _ verdict: ObservationVerdict) {
            self.observation = observation
            self.retained = retained
            self.verdict = verdict
        }
    }

    @Test(
        "sequences",
        arguments: [
            // A retained state initialises; the same state live is a repeat; a change is an event.
            [
                Step(door(false), retained: true, .snapshot), Step(door(false), .repeat), Step(door(true), .event),
                Step(door(true), .repeat), Step(door(false), retained: true, .snapshot), Step(door(false), .repeat),
            ],
            // A retained message is never an event, even when it changes the value.
            [Step(door(true), .event), Step(door(false), retained: true, .snapshot), Step(door(true), .event)],
            // Last values are per sensor.
            [Step(door(true), .event), Step(door(true, sensor: "e"), .event), Step(door(true), .repeat)],
            // A seen key is a duplicate (even with another value); a new key with the same value is a repeat.
            [
                Step(door(true, key: "1"), .event), Step(door(true, key: "1"), .duplicate),
                Step(door(false, key: "1"), .duplicate), Step(door(true, key: "2"), .repeat),
            ],
            // No value: a status message; retained availability is a snapshot.
            [
                Step(SensorObservation(sensor: "d", battery: 80), .status),
                Step(SensorObservation(sensor: "d", online: true), retained: true, .snapshot),
                Step(SensorObservation(sensor: "d", online: false), .status),
            ],
            // Equal deltas are two groups of people; equal totals or own counts are repeats.
            [
                Step(count(PeopleCount(entered: 2, exited: 0), key: "7"), .event),
                Step(count(PeopleCount(entered: 2, exited: 0), key: "8"), .event),
                Step(count(PeopleCount(entered: 2, exited: 0), key: "8"), .duplicate),
                Step(count(PeopleCount(entered: 70, exited: 5, cumulative: true)), .event),
                Step(count(PeopleCount(entered: 70, exited: 5, cumulative: true)), .repeat),
                Step(count(PeopleCount(present: 3)), .event), Step(count(PeopleCount(present: 3)), .repeat),
            ],
        ])
    func sequences(_ steps: [Step]) {
        var filter = ObservationFilter()
        for (index, step) in steps.enumerated() {
            #expect(filter.admit(step.observation, retained: step.retained) == step.verdict, "step \(index)")
        }
    }

    @Test func remembersOnlyRecentKeys() {
        var filter = ObservationFilter(keysPerSensor: 2)
        #expect(filter.admit(Self.door(true, key: "1"), retained: false) == .event)
        #expect(filter.admit(Self.door(false, key: "2"), retained: false) == .event)
        #expect(filter.admit(Self.door(true, key: "3"), retained: false) == .event)
        // "1" was forgotten after two newer keys; "3" is still known.
        #expect(filter.admit(Self.door(false, key: "1"), retained: false) == .event)
        #expect(filter.admit(Self.door(false, key: "3"), retained: false) == .duplicate)
        #expect(filter.lastValues["d"] == .door(open: false))
    }
}
