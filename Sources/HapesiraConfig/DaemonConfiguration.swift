import HapesiraCore

/// The daemon's settings, read from one YAML file.
public struct DaemonConfiguration: Sendable {
    public struct Server: Sendable {
        public var host: String
        public var port: Int
        /// Requests with a larger body are refused with 413.
        public var maxBodyBytes: Int
        /// The address people reach the daemon at (e.g. `https://hapesira.example.org`, behind a
        /// TLS proxy): the scheme and host of the links the pages give out to copy. Without it the
        /// links name the host the browser asked for, `http` on loopback and `https` elsewhere.
        public var publicURL: String?
    }

    /// The iCalendar feeds.
    public struct Feeds: Sendable {
        /// How far back a feed reaches, in seconds (default 90 days).
        public var past: Int64 = 90 * 86_400
        /// How far ahead a feed reaches, in months (default 18).
        public var futureMonths: Int = 18
        /// How often calendar apps are asked to refresh, in seconds (default 1 hour).
        public var refreshInterval: Int = 3600

        public init() {}
    }

    /// The MQTT broker the sensors report through (none: no sensor ingestion).
    public struct MQTT: Sendable {
        /// `mqtt://[user:pass@]host[:port]` or `mqtts://…`; `serve --mqtt` overrides it.
        public var url: String
        public var clientID: String = "hapesira"
        /// `5` (default) or `3.1.1`.
        public var protocolVersion: String = "5"
        public var username: String?
        public var password: String?
        /// How long the broker keeps the daemon's session (and queues its QoS 1 messages) while it is away.
        public var sessionExpiry: Int = 7 * 86_400
        public var statusTopic: String = "hapesira/status"
        /// Each space's live state is published, retained, at `<statePrefix>/<space>/state`.
        public var statePrefix: String = "hapesira/spaces"
        /// Publish Home Assistant MQTT discovery configs for the spaces' states under this prefix.
        public var homeAssistantDiscovery: String?
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?

        public init(url: String) { self.url = url }
    }

    public var server: Server
    public var feeds = Feeds()
    public var mqtt: MQTT?
    public var sensors: [SensorBinding] = []
    /// The network's indicators and their targets (`/api/v1/reports/indicators`).
    public var indicators: [Indicator] = []
    /// The SQLite file; relative paths are relative to the working directory.
    public var databasePath: String
    public var logLevel: String
    public var catalogue: Catalogue
    /// The most occurrences one recurring series may have.
    public var maxOccurrences: Int

    /// Parses `host:port` (IPv6 as `[::1]:8080`).
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// `server.public_url` as `scheme://host[:port]`: `http` or `https`, a host of letters, digits,
    /// `.`, `-` (or a bracketed IPv6 address), an optional port, and no path beyond a final `/`.
    public static func publicURL(_ text: String) -> String? {
        guard let scheme = ["https", "http"].first(where: { text.hasPrefix("\($0)://") }) else { return nil }
        var authority = text.dropFirst(scheme.count + 3)
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
        guard !authority.isEmpty, authority.allSatisfy(allowed.contains), !authority.hasPrefix(":"),
            authority.last != ":"
        else { return nil }
        return "\(scheme)://\(authority)"
    }
}
