import ArgumentParser
import Foundation
import HapesiraConfig
import HapesiraCore
import HapesiraMQTT
import HapesiraSensors
import Logging

/// Publishes realistic sensor traffic for the configured sensors, so a demo shows usage appearing.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay visits to the configured spaces as their sensors would report them (for the demo).")

    @OptionGroup var options: ConfigOption

    @Option(help: "The MQTT broker, mqtt://host[:port] (overrides mqtt.url).")
    var mqtt: String?

    @Option(help: "How many visits per space.")
    var visits: Int = 3

    @Option(help: "Simulated seconds per real second.")
    var speed: Double = 60

    func run() async throws {
        let configuration = try loadConfiguration(options.config)
        guard var broker = configuration.mqtt ?? mqtt.map(DaemonConfiguration.MQTT.init(url:)) else {
            throw ValidationError("no broker: give --mqtt or set mqtt.url in the configuration")
        }
        if let mqtt { broker.url = mqtt }
        guard speed > 0, visits > 0 else { throw ValidationError("--speed and --visits must be positive") }
        // The daemon's credentials and TLS, but not its status topic.
        let settings: MQTTSettings
        do { settings = try .simulator(configuration: broker) } catch { throw ValidationError("\(error)") }
        let none: [MQTTSubscription] = []
        let client = MQTTClient(settings: settings, subscriptions: none, logger: Logger(label: "simulate")) { _ in }
        try client.start()
        for await event in client.events {
            if case .connected = event { break }
        }
        let bySpace = Dictionary(grouping: configuration.sensors, by: \.space)
        var sequence = 0
        var totals: [String: (entered: Int, exited: Int)] = [:]
        var clock = Int64(Date().timeIntervalSince1970)
        for round in 0..<visits {
            for (space, sensors) in bySpace.sorted(by: { $0.key < $1.key }) {
                let people = 5 + (round * 7 + space.count) % 40
                let steps = SensorTraffic.visit(
                    of: sensors, people: people, minutes: 20, totals: totals[space] ?? (0, 0))
                totals[space] = ((totals[space]?.entered ?? 0) + people, (totals[space]?.exited ?? 0) + people)
                var previous = 0
                print("visit \(round + 1) of \(visits) to \(space): \(people) people, \(steps.count) messages")
                for step in steps {
                    let wait = Double(step.offset - previous) / speed
                    if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
                    clock += Int64(step.offset - previous)
                    previous = step.offset
                    sequence += 1
                    guard
                        let message = SensorTraffic.message(
                            for: step.binding, value: step.value, sequence: sequence, at: clock)
                    else { continue }
                    try client.publish(topic: message.topic, payload: Array(message.payload.utf8), qos: 1)
                }
            }
        }
        await client.stop()
    }
}
