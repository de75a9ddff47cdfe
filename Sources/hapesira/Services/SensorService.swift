import Foundation
import HapesiraConfig
import HapesiraMQTT
import HapesiraSensors
import Logging
import ServiceLifecycle

/// Runs the MQTT client that feeds the sensor journal, from start-up until graceful shutdown.
struct SensorService: Service {
    let client: MQTTClient
    /// Its QoS 0 readings wait in a batch: committed once the client has stopped.
    let ingestor: SensorIngestor
    let states: SpaceStatePublisher
    /// Home Assistant discovery messages, published retained after start.
    let discovery: [(topic: String, payload: String)]
    let logger: Logger

    /// How often the spaces' live states are worked out (changes are published).
    static let stateInterval: Duration = .seconds(30)

    /// The MQTT settings of the configuration (`url` may be overridden by `serve --mqtt`).
    static func settings(_ mqtt: DaemonConfiguration.MQTT) throws -> MQTTSettings {
        var settings = try MQTTSettings.parse(url: mqtt.url, clientID: mqtt.clientID)
        settings.protocolVersion = mqtt.protocolVersion == "3.1.1" ? .v311 : .v5
        if let username = mqtt.username { settings.username = username }
        if let password = mqtt.password { settings.password = password }
        settings.sessionExpiry = UInt32(clamping: mqtt.sessionExpiry)
        settings.statusTopic = mqtt.statusTopic
        if mqtt.caFile != nil || mqtt.certFile != nil || mqtt.keyFile != nil {
            var tls = settings.tls ?? MQTTSettings.TLS()
            tls.caFile = mqtt.caFile ?? tls.caFile
            tls.certFile = mqtt.certFile
            tls.keyFile = mqtt.keyFile
            settings.tls = tls
        }
        return settings
    }

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
            // The events end once the client has stopped: no reading arrives after this.
            await ingestor.flush()
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
