import Foundation
import HapesiraCore

/// Realistic messages for configured sensors: what a device of each preset sends to report a
/// value. `hapesira simulate` replays visits with them for the demo; tests check that decoding
/// them gives the value back.
public enum SensorTraffic {
    /// The topic and payload a device of `binding`'s preset publishes to report `value`; nil for
    /// presets and kinds that are not simulated (Tasmota, Shelly Gen2, ChirpStack, generic).
    /// `sequence` numbers counter uplinks; counter values are running totals.
    public static func message(
        for binding: SensorBinding, value: SensorValue, battery: Int = 90, sequence: Int = 0, at time: Int64 = 0
    ) -> (topic: String, payload: String)? {
        let topic = concreteTopic(binding.topic.subscriptionFilter)
        guard case .preset(let preset) = binding.decoder.format else { return nil }
        switch (preset, value) {
        case (.zigbee2mqtt, .door(let open)): return (topic, #"{"battery":\#(battery),"contact":\#(!open)}"#)
        case (.zigbee2mqtt, .motion(let detected)): return (topic, #"{"battery":\#(battery),"occupancy":\#(detected)}"#)
        case (.zigbee2mqtt, .presence(let present)): return (topic, #"{"presence":\#(present)}"#)
        case (.esphome, .door(let on)), (.esphome, .motion(let on)), (.esphome, .presence(let on)):
            return (topic, on ? "ON" : "OFF")
        case (.shellyGen1, .door(let open)): return (topic, open ? "open" : "close")
        case (.theThingsStack, .count(let count)):
            let received = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(time)))
            return (
                topic,
                #"{"end_device_ids":{"device_id":"demo"},"received_at":"\#(received)","uplink_message":{"f_port":85,"f_cnt":\#(sequence),"decoded_payload":{"line_1_total_in":\#(count.entered ?? 0),"line_1_total_out":\#(count.exited ?? 0)}}}"#
            )
        default: return nil
        }
    }

    /// One visit to a space, as its sensors see it: `(seconds after the start, sensor, value)`.
    /// The door opens, people come in (counters), motion while they are there, then they leave.
    public static func visit(
        of bindings: [SensorBinding], people: Int, minutes: Int, totals: (entered: Int, exited: Int)
    ) -> [(offset: Int, binding: SensorBinding, value: SensorValue)] {
        var steps: [(offset: Int, binding: SensorBinding, value: SensorValue)] = []
        let end = minutes * 60
        for binding in bindings {
            switch binding.kind {
            case .door:
                steps += [(0, binding, .door(open: true)), (60, binding, .door(open: false))]
                steps += [(end, binding, .door(open: true)), (end + 60, binding, .door(open: false))]
            case .motion:
                steps += stride(from: 30, through: end, by: 240).map { ($0, binding, .motion(detected: true)) }
                steps.append((end + 120, binding, .motion(detected: false)))
            case .presence:
                steps += [(30, binding, .presence(present: true)), (end + 30, binding, .presence(present: false))]
            case .counter:
                let inside = PeopleCount(entered: totals.entered + people, exited: totals.exited, cumulative: true)
                let left = PeopleCount(
                    entered: totals.entered + people, exited: totals.exited + people, cumulative: true)
                steps += [(90, binding, .count(inside)), (end + 90, binding, .count(left))]
            }
        }
        return steps.sorted { $0.offset < $1.offset }
    }

    /// A topic filter with its wildcards filled in (`+` and `#` become `demo`).
    static func concreteTopic(_ filter: String) -> String {
        filter.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0 == "+" || $0 == "#" ? "demo" : String($0) }.joined(separator: "/")
    }
}
