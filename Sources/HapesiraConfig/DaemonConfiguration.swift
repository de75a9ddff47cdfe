import HapesiraCore

/// The daemon's settings, read from one YAML file.
public struct DaemonConfiguration: Sendable {
    public struct Server: Sendable {
        public var host: String
        public var port: Int
        /// Requests with a larger body are refused with 413.
        public var maxBodyBytes: Int
    }

    public var server: Server
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
}
