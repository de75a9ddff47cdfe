import Foundation
import HapesiraCore
import HapesiraMQTT
import HapesiraSensors
import HapesiraStore
import Logging
import ServiceLifecycle

/// Runs the MQTT client that feeds the sensor journal, from start-up until graceful shutdown, and
/// every 30 s derives the journal's new readings into stored usage, auto-releases occurrences
/// nobody came to, and publishes the spaces' live states.
struct SensorService: Service {
    let client: MQTTClient
    /// Its QoS 0 readings wait in a batch: committed once the client has stopped.
    let ingestor: SensorIngestor
    let usage: UsageTimelines
    let releaser: AutoReleaser
    let states: SpaceStatePublisher
    /// Home Assistant discovery messages, published retained after start.
    let discovery: [(topic: String, payload: String)]
    let logger: Logger

    /// How often usage is derived, auto-release checked and live states worked out.
    static let roundInterval: Duration = .seconds(30)

    func run() async throws {
        try client.start()
        // Log what the connection does, and publish the spaces' live states, until shutdown; then
        // say goodbye to the broker.
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await rounds() }
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

    private func rounds() async {
        while !Task.isCancelled {
            let now = Int64(Date().timeIntervalSince1970)
            do { try await usage.refresh(now: now) } catch { logger.warning("usage not derived: \(error)") }
            do {
                for booking in try await releaser.releaseDue(at: now) {
                    logger.info("auto-released an occurrence nobody came to", metadata: ["booking.id": "\(booking.id)"])
                }
            } catch {
                logger.warning("auto-release failed: \(error)")
            }
            do { try await states.publishChanges(at: now) } catch {
                logger.warning("live space states not published: \(error)")
            }
            try? await Task.sleep(for: Self.roundInterval)
        }
    }
}
