/// One thing wrong with a configuration file, with where it is.
public struct ConfigProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The dotted path of the setting, e.g. `cities[0].venues[1].time_zone`.
    public var path: String
    public var message: String

    public var description: String {
        let location = line.map { "\(file):\($0):\(column ?? 1)" } ?? file
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}

/// A configuration that could not be used: every problem found, not just the first.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
