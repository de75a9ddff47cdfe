import Foundation
import HapesiraCore

/// The sensor traffic of the ingestion benchmark: what the publisher sends and the sensors the
/// ingestor is configured with, made from the same numbers so both sides agree.
///
/// Message `i` comes from sensor `i % sensors`. Most sensors are Zigbee2MQTT door, motion and
/// presence sensors (JSON state with battery, link quality and `last_seen` in milliseconds); every
/// tenth is a LoRaWAN people counter behind The Things Stack (an uplink with `f_cnt`, its
/// deduplication key). `last_seen` and `f_cnt` grow with `i`, so no two messages are alike and no
/// reading is a duplicate: all `count` must be journaled.
struct IngestStream {
    let sensors: Int
    /// `last_seen` of message 0, Unix milliseconds (fixed: the publisher and the checks agree).
    static let baseMilliseconds: Int64 = 1_800_000_000_000

    init(sensors: Int) { self.sensors = max(1, sensors) }

    enum Source { case zigbee(SensorKind), counter }

    func source(of sensor: Int) -> Source {
        if sensor % 10 == 9 { return .counter }
        switch sensor % 3 {
        case 0: return .zigbee(.door)
        case 1: return .zigbee(.motion)
        default: return .zigbee(.presence)
        }
    }

    func sensorID(_ sensor: Int) -> String {
        switch source(of: sensor) {
        case .zigbee(let kind): "bench-\(kind.rawValue)-\(sensor)"
        case .counter: "bench-counter-\(sensor)"
        }
    }

    func space(_ sensor: Int) -> String { Layout.spaceID(sensor % Layout.spaceCount) }

    func topic(_ sensor: Int) -> String {
        switch source(of: sensor) {
        case .zigbee(let kind): "zigbee2mqtt/bench/\(space(sensor))/\(kind.rawValue)-\(sensor)"
        case .counter: "v3/bench-counters@ttn/devices/counter-\(sensor)/up"
        }
    }

    /// The topic filters a plain subscriber needs for the whole stream.
    static let rawFilters = ["zigbee2mqtt/#", "v3/#"]

    /// The sensors as the daemon's configuration would declare them.
    func bindings() throws -> [SensorBinding] {
        try (0..<sensors).map { sensor in
            let kind: SensorKind
            let decoder: SensorDecoder
            switch source(of: sensor) {
            case .zigbee(let zigbeeKind):
                kind = zigbeeKind
                decoder = SensorDecoder(preset: .zigbee2mqtt)
            case .counter:
                kind = .counter
                decoder = SensorDecoder(preset: .theThingsStack)
            }
            let id = sensorID(sensor)
            return SensorBinding(
                id: id, space: space(sensor), kind: kind, topic: try TopicPattern(topic(sensor)), decoder: decoder,
                settings: SensorSettings(id: id, kind: kind))
        }
    }

    /// How many of the first `count` messages each sensor sends.
    func expectedCounts(_ count: Int) -> [String: Int] {
        var counts: [String: Int] = [:]
        for sensor in 0..<min(sensors, count) {
            counts[sensorID(sensor)] = count / sensors + (sensor < count % sensors ? 1 : 0)
        }
        return counts
    }

    /// Message `index`: its topic and payload, as the device (or its bridge) publishes it.
    func message(_ index: Int) -> (topic: String, payload: [UInt8]) {
        let sensor = index % sensors
        let round = index / sensors
        let lastSeen = Self.baseMilliseconds + Int64(index)
        let battery = 100 - (round / 50) % 60
        let linkQuality = 60 + (index * 7) % 180
        let payload: String
        switch source(of: sensor) {
        case .zigbee(.door):
            payload =
                #"{"battery":\#(battery),"contact":\#(round % 2 == 0),"device_temperature":23,"linkquality":\#(linkQuality),"power_outage_count":4,"voltage":3015,"last_seen":\#(lastSeen)}"#
        case .zigbee(.motion):
            payload =
                #"{"battery":\#(battery),"illuminance":\#(index % 900),"illuminance_lux":\#(index % 900),"linkquality":\#(linkQuality),"occupancy":\#(round % 3 != 0),"voltage":2985,"last_seen":\#(lastSeen)}"#
        case .zigbee:
            payload =
                #"{"illuminance":\#(index % 400),"linkquality":\#(linkQuality),"presence":\#(round % 4 < 2),"target_distance":\#(Double(index % 500) / 100),"last_seen":\#(lastSeen)}"#
        case .counter:
            // A running total in and out, and the frame counter that makes each uplink unique.
            let entered = round * 3
            let exited = round * 3 - round % 4
            let seconds = lastSeen / 1000
            let received = SensorClock.iso8601(seconds, milliseconds: Int(lastSeen % 1000))
            payload =
                #"{"end_device_ids":{"device_id":"counter-\#(sensor)","application_ids":{"application_id":"bench-counters"},"dev_eui":"24E124535B31\#(String(format: "%04X", sensor))","dev_addr":"260B\#(String(format: "%04X", sensor))"},"correlation_ids":["gs:uplink:01J\#(index)"],"received_at":"\#(received)","uplink_message":{"session_key_id":"AYz0k2xW","f_port":85,"f_cnt":\#(index),"frm_payload":"A3kEAQ==","decoded_payload":{"line_1_total_in":\#(entered),"line_1_total_out":\#(exited)},"rx_metadata":[{"gateway_ids":{"gateway_id":"kino-gw-1"},"rssi":-\#(60 + index % 50),"channel_rssi":-\#(60 + index % 50),"snr":\#(Double(index % 90) / 10),"received_at":"\#(received)"}],"settings":{"data_rate":{"lora":{"bandwidth":125000,"spreading_factor":7,"coding_rate":"4/5"}},"frequency":"868100000"},"received_at":"\#(received)","consumed_airtime":"0.061696s","network_ids":{"net_id":"000013","tenant_id":"ttn","cluster_id":"eu1"}}}"#
        }
        return (topic(sensor), Array(payload.utf8))
    }
}

/// Formats Unix times without Foundation's formatters (the publisher makes many messages).
enum SensorClock {
    static func iso8601(_ seconds: Int64, milliseconds: Int) -> String {
        let days = seconds / 86_400
        let second = Int(seconds % 86_400)
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(year), Int(month), Int(day), second / 3600,
            second / 60 % 60, second % 60, milliseconds)
    }
}
