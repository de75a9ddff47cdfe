import Foundation

/// How the daemon connects to its MQTT broker.
public struct MQTTSettings: Sendable, Equatable {
    /// The MQTT protocol version spoken to the broker.
    public enum ProtocolVersion: Sendable, Equatable {
        case v311
        case v5
    }

    /// TLS for `mqtts://`: trust anchors, an optional client certificate, and an escape hatch.
    public struct TLS: Sendable, Equatable {
        /// A PEM file of trusted CA certificates.
        public var caFile: String?
        /// A directory of trusted CA certificates (hashed names); used when `caFile` is nil.
        public var caPath: String?
        /// The client certificate (PEM), with `keyFile`, for brokers that authenticate clients by certificate.
        public var certFile: String?
        public var keyFile: String?
        /// Skips the check that the broker's certificate names `host`. For tests only.
        public var insecure: Bool

        public init(
            caFile: String? = nil, caPath: String? = "/etc/ssl/certs", certFile: String? = nil, keyFile: String? = nil,
            insecure: Bool = false
        ) {
            self.caFile = caFile
            self.caPath = caPath
            self.certFile = certFile
            self.keyFile = keyFile
            self.insecure = insecure
        }
    }

    public var host: String
    public var port: Int
    /// Stable across restarts (from config): the broker keeps the persistent session under this id.
    public var clientID: String
    public var protocolVersion: ProtocolVersion
    /// Seconds between PINGREQs when idle.
    public var keepAlive: Int
    public var username: String?
    public var password: String?
    public var tls: TLS?
    /// MQTT 5 Session Expiry Interval in seconds: how long the broker keeps the session (and queues QoS ≥ 1
    /// messages) while the daemon is away. Ignored with MQTT 3.1.1, where a persistent session never expires.
    public var sessionExpiry: UInt32
    /// Reconnect back-off in whole seconds (libmosquitto's unit), growing from `min` to `max`.
    public var reconnectDelay: ClosedRange<UInt32>
    /// Retained `online` on every connect; `offline` as the last will and on a clean stop.
    public var statusTopic: String

    public init(
        host: String, port: Int = 1883, clientID: String, protocolVersion: ProtocolVersion = .v5,
        keepAlive: Int = 30, username: String? = nil, password: String? = nil, tls: TLS? = nil,
        sessionExpiry: UInt32 = 7 * 24 * 3600, reconnectDelay: ClosedRange<UInt32> = 1...60,
        statusTopic: String = "hapesira/status"
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.protocolVersion = protocolVersion
        self.keepAlive = keepAlive
        self.username = username
        self.password = password
        self.tls = tls
        self.sessionExpiry = sessionExpiry
        self.reconnectDelay = reconnectDelay
        self.statusTopic = statusTopic
    }
}

/// Why a broker URL was rejected.
public enum MQTTURLError: Error, Equatable, CustomStringConvertible {
    case missingScheme(String)
    case unsupportedScheme(String)
    case missingHost(String)
    case invalidPort(String)
    case emptyUsername(String)
    case badPercentEncoding(String)
    case unexpectedPath(String)

    public var description: String {
        switch self {
        case .missingScheme(let url): "MQTT URL '\(url)' has no scheme: expected mqtt:// or mqtts://"
        case .unsupportedScheme(let scheme): "MQTT URL scheme '\(scheme)' is not supported: expected mqtt or mqtts"
        case .missingHost(let url): "MQTT URL '\(url)' names no host"
        case .invalidPort(let port): "MQTT URL port '\(port)' is not a number from 1 to 65535"
        case .emptyUsername(let url): "MQTT URL '\(url)' has credentials with an empty user name"
        case .badPercentEncoding(let part): "MQTT URL credentials '\(part)' have invalid percent-encoding"
        case .unexpectedPath(let rest): "MQTT URL has '\(rest)' after host and port: no path, query or fragment allowed"
        }
    }
}

extension MQTTSettings {
    /// Settings from `mqtt://[user[:password]@]host[:port]` (port 1883) or `mqtts://…` (port 8883, TLS with the
    /// system trust store). User and password may be percent-encoded; IPv6 hosts go in brackets.
    public static func parse(url: String, clientID: String = "hapesira") throws(MQTTURLError) -> MQTTSettings {
        guard let schemeEnd = url.range(of: "://") else { throw .missingScheme(url) }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let secure: Bool
        switch scheme {
        case "mqtt": secure = false
        case "mqtts": secure = true
        default: throw .unsupportedScheme(scheme)
        }
        var rest = Substring(url[schemeEnd.upperBound...])
        if rest.hasSuffix("/") { rest = rest.dropLast() }

        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let user = parts[0].removingPercentEncoding,
                let pass = parts.count > 1 ? parts[1].removingPercentEncoding : ""
            else { throw .badPercentEncoding(String(userInfo)) }
            guard !user.isEmpty else { throw .emptyUsername(url) }
            username = user
            password = parts.count > 1 ? pass : nil
        }
        if let junk = rest.firstIndex(where: { "/?#".contains($0) }) { throw .unexpectedPath(String(rest[junk...])) }

        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .missingHost(url) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .unexpectedPath(String(after)) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw .missingHost(url) }
        var port = secure ? 8883 : 1883
        if let portText {
            guard portText.allSatisfy(\.isASCII), let number = Int(portText), (1...65535).contains(number) else {
                throw .invalidPort(String(portText))
            }
            port = number
        }
        return MQTTSettings(
            host: String(host), port: port, clientID: clientID, username: username, password: password,
            tls: secure ? TLS() : nil)
    }
}
