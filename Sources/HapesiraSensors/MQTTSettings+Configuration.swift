import HapesiraConfig
import HapesiraMQTT

/// Why the `mqtt:` configuration gives no client settings.
public enum MQTTConfigurationError: Error, Equatable, CustomStringConvertible {
    case url(MQTTURLError)
    /// `ca_file`, `cert_file` or `key_file` with an `mqtt://` URL: the scheme alone decides on TLS.
    case tlsFilesWithoutTLS(url: String)
    /// `cert_file` without `key_file`, or the other way round.
    case incompleteClientCertificate

    public var description: String {
        switch self {
        case .url(let error): "mqtt.url: \(error)"
        case .tlsFilesWithoutTLS(let url):
            "mqtt.ca_file, cert_file and key_file are for TLS, but mqtt.url '\(url)' is not mqtts://"
        case .incompleteClientCertificate: "mqtt.cert_file and mqtt.key_file go together"
        }
    }
}

extension MQTTSettings {
    /// The daemon's client settings from the `mqtt:` section: broker, credentials and TLS from `url`; then
    /// `username` and `password` over the URL's, and for `mqtts://` `ca_file` (trusted instead of the system
    /// store), `cert_file` and `key_file` (a client certificate).
    public init(configuration mqtt: DaemonConfiguration.MQTT) throws(MQTTConfigurationError) {
        do {
            self = try MQTTSettings.parse(url: mqtt.url, clientID: mqtt.clientID)
        } catch {
            throw .url(error)
        }
        protocolVersion = mqtt.protocolVersion == "3.1.1" ? .v311 : .v5
        if let username = mqtt.username { self.username = username }
        if let password = mqtt.password { self.password = password }
        sessionExpiry = UInt32(clamping: mqtt.sessionExpiry)
        statusTopic = mqtt.statusTopic
        guard mqtt.caFile != nil || mqtt.certFile != nil || mqtt.keyFile != nil else { return }
        guard var tls else { throw .tlsFilesWithoutTLS(url: mqtt.url) }
        guard (mqtt.certFile == nil) == (mqtt.keyFile == nil) else { throw .incompleteClientCertificate }
        if let caFile = mqtt.caFile {
            tls.caFile = caFile
            tls.caPath = nil
        }
        tls.certFile = mqtt.certFile
        tls.keyFile = mqtt.keyFile
        self.tls = tls
    }

    /// Settings for `hapesira simulate`: the daemon's broker, credentials and TLS, but its own client id and
    /// status topic (its `offline` must not overwrite the daemon's status) and no session left behind.
    public static func simulator(
        configuration mqtt: DaemonConfiguration.MQTT
    ) throws(MQTTConfigurationError)
        -> MQTTSettings
    {
        var settings = try MQTTSettings(configuration: mqtt)
        settings.clientID = "hapesira-simulate"
        settings.statusTopic = "hapesira-simulate/status"
        settings.sessionExpiry = 0
        return settings
    }
}
