/// A configured MQTT topic with wildcards (`+`, `#`) and named one-level captures:
/// `zigbee2mqtt/{device}/occupancy`, `shellies/+/sensor/state`, `v3/{app}/devices/{device}/#`.
public struct TopicPattern: Sendable, Hashable, CustomStringConvertible {
    enum Level: Sendable, Hashable {
        case literal(String)
        case capture(String)
        case singleWildcard
        case multiWildcard
    }

    let levels: [Level]
    public let description: String

    public init(_ pattern: String) throws(TopicPatternError) {
        guard !pattern.isEmpty else { throw .empty }
        guard !pattern.contains("\0") else { throw .nullCharacter(pattern) }
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
        var levels: [Level] = []
        var names: Set<String> = []
        for (index, part) in parts.enumerated() {
            let level = try Self.level(part)
            if level == .multiWildcard && index != parts.count - 1 { throw .multiLevelWildcardNotLast(pattern) }
            if case .capture(let name) = level, !names.insert(name).inserted { throw .duplicateCapture(name) }
            levels.append(level)
        }
        self.levels = levels
        self.description = pattern
    }

    private static func level(_ part: Substring) throws(TopicPatternError) -> Level {
        switch part {
        case "+": return .singleWildcard
        case "#": return .multiWildcard
        default: break
        }
        if part.contains("+") || part.contains("#") { throw .wildcardInsideLevel(String(part)) }
        guard part.contains("{") || part.contains("}") else { return .literal(String(part)) }
        guard part.first == "{", part.last == "}", part.count >= 2 else { throw .captureInsideLevel(String(part)) }
        let name = part.dropFirst().dropLast()
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else { throw .invalidCaptureName(String(name)) }
        return .capture(String(name))
    }

    /// The names of the captures, in order.
    public var captureNames: [String] {
        levels.compactMap { if case .capture(let name) = $0 { name } else { nil } }
    }

    /// The filter to subscribe with: every capture becomes `+`.
    public var subscriptionFilter: String {
        levels.map { level in
            switch level {
            case .literal(let text): text
            case .capture, .singleWildcard: "+"
            case .multiWildcard: "#"
            }
        }.joined(separator: "/")
    }

    /// The captured levels when `topic` matches, else `nil`. As in MQTT, `#` also matches the parent
    /// level (`a/#` matches `a`), and a wildcard in the first level never matches a `$` topic.
    public func matches(_ topic: String) -> [String: String]? {
        guard !topic.isEmpty, !topic.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") })
        else { return nil }
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        if topic.hasPrefix("$"), let first = levels.first, first != .literal(String(parts[0])) { return nil }
        var captures: [String: String] = [:]
        for (index, level) in levels.enumerated() {
            if level == .multiWildcard { return captures }
            guard index < parts.count else { return nil }
            switch level {
            case .literal(let text): guard parts[index] == text else { return nil }
            case .capture(let name):
                // Unlike `+`, a capture names something: it never matches an empty level.
                guard !parts[index].isEmpty else { return nil }
                captures[name] = String(parts[index])
            case .singleWildcard, .multiWildcard: break
            }
        }
        return parts.count == levels.count ? captures : nil
    }
}
