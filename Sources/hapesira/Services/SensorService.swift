import HapesiraConfig
import HapesiraMQTT
import HapesiraSensors
import Logging
import ServiceLifecycle

/// Runs the MQTT client that feeds the sensor journal, from start-up until graceful shutdown.
struct SensorService: Service {
    let client: MQTTClient
    let logger: Logger

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
        // Log what the connection does until shutdown; then say goodbye to the broker.
        await withGracefulShutdownHandler {
            for await event in client.events {
                logger.info("mqtt: \(event)")
            }
        } onGracefulShutdown: {
            Task { await client.stop() }
        }
    }
}
