import Foundation
import HapesiraMQTT
import HapesiraSensors
import Logging
import ServiceLifecycle

/// Runs the MQTT client that feeds the sensor journal, from start-up until graceful shutdown.
struct SensorService: Service {
    let client: MQTTClient
    let states: SpaceStatePublisher
    /// Home Assistant discovery messages, published retained after start.
    let discovery: [(topic: String, payload: String)]
    let logger: Logger

    /// How often the spaces' live states are worked out (changes are published).
    static let stateInterval: Duration = .seconds(30)

    func run() async throws {
        try client.start()
        // Log what the connection does, and publish the spaces' live states, until shutdown; then
        // say goodbye to the broker.
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await publishStates() }
                for await event in client.events {
                    logger.info("mqtt: \(event)")
                    if case .connected = event { publishDiscovery() }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task { await client.stop() }
        }
    }

    /// The Home Assistant discovery configs, retained, on every connect (a broker may have lost them).
    private func publishDiscovery() {
        for message in discovery {
            do {
                _ = try client.publish(topic: message.topic, payload: Array(message.payload.utf8), retain: true)
            } catch {
                logger.warning("Home Assistant discovery not published: \(error)")
            }
        }
    }

    private func publishStates() async {
        while !Task.isCancelled {
            do {
                try await states.publishChanges(at: Int64(Date().timeIntervalSince1970))
            } catch {
                logger.warning("live space states not published: \(error)")
            }
            try? await Task.sleep(for: Self.stateInterval)
        }
    }
}
