import ArgumentParser
import Foundation
import HapesiraConfig
import HapesiraCore
import HapesiraHTTP
import HapesiraMQTT
import HapesiraSensors
import HapesiraStore
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon (HTTP API) until SIGTERM or SIGINT.")

    @OptionGroup var store: StoreOptions

    @Option(help: "HOST:PORT to listen on (overrides server.listen).")
    var listen: String?

    @Option(help: "The MQTT broker the sensors report through, mqtt://host[:port] (overrides mqtt.url).")
    var mqtt: String?

    func run() async throws {
        if case .failure(let error) = WebRenderer.bundled { throw ValidationError(error.description) }
        let (loaded, store) = try self.store.open()
        var configuration = loaded
        if let listen {
            guard let (host, port) = DaemonConfiguration.parseListen(listen) else {
                throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080")
            }
            configuration.server.host = host
            configuration.server.port = port
        }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "hapesira")

        if let mqtt {
            configuration.mqtt = configuration.mqtt ?? DaemonConfiguration.MQTT(url: mqtt)
            configuration.mqtt?.url = mqtt
        }
        let metrics = PrometheusCollectorRegistry()
        let journal = SensorJournal(database: store.database)
        var dependencies = AppDependencies(
            catalogue: configuration.catalogue, store: store, tokens: TokenStore(database: store.database),
            metrics: metrics, maxBodyBytes: configuration.server.maxBodyBytes, feeds: configuration.feeds)
        dependencies.sensors = configuration.sensors
        dependencies.journal = journal
        dependencies.indicators = configuration.indicators
        dependencies.publicURL = configuration.server.publicURL
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var discovery: [(topic: String, payload: String)] = []
        let databasePath = self.store.database ?? configuration.databasePath
        if let mqtt = configuration.mqtt {
            let settings: MQTTSettings
            do { settings = try MQTTSettings(configuration: mqtt) } catch { throw ValidationError("\(error)") }
            let inbox = try SensorInbox.open(
                path: SensorInbox.path(besideDatabase: databasePath))
            let ingestor = try SensorIngestor(
                bindings: configuration.sensors, journal: journal, inbox: inbox, metrics: metrics, logger: logger)
            let client = MQTTClient(
                settings: settings, subscriptions: ingestor.subscriptions, logger: logger,
                handler: { ingestor.handle($0) })
            let usage = UsageTimelines(sensors: configuration.sensors, database: store.database)
            let states = SpaceStatePublisher(
                spaces: configuration.catalogue.spaces.map(\.id), store: store, usage: usage, prefix: mqtt.statePrefix,
                publish: { topic, payload in
                    _ = try client.publish(topic: topic, payload: Array(payload.utf8), retain: true)
                })
            if let prefix = mqtt.homeAssistantDiscovery {
                // Queued now, sent once connected (QoS 1, retained): Home Assistant keeps them.
                for message in HomeAssistantDiscovery.messages(
                    for: configuration.catalogue.spaces, statePrefix: mqtt.statePrefix, statusTopic: mqtt.statusTopic,
                    discoveryPrefix: prefix)
                {
                    discovery.append(message)
                }
            }
            let releaser = AutoReleaser(spaces: configuration.catalogue.spaces, store: store, usage: usage)
            services.append(
                .init(
                    service: SensorService(
                        client: client, ingestor: ingestor, usage: usage, releaser: releaser, states: states,
                        discovery: discovery, logger: logger)))
        }
        let notifier = SystemdNotifier()
        let host = configuration.server.host
        let app = buildApplication(
            dependencies, host: host, port: configuration.server.port, logger: logger,
            onServerRunning: { channel in
                logger.notice(
                    "hapesira is serving",
                    metadata: [
                        LogKey.address: "\(channel.localAddress?.description ?? host)",
                        LogKey.database: "\(databasePath)",
                    ])
                notifier.notify("READY=1")
            })
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: app), .init(service: SystemdWatchdogService(notifier: notifier)),
                ] + services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
