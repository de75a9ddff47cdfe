/// Why a sensor binding in the configuration cannot be used.
public enum SensorConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownDecoder(String)
    case invalidPath(String, String)
    case invalidTimeFormat(String, String)
    case emptyValueTable

    public var description: String {
        switch self {
        case .unknownDecoder(let name):
            "'\(name)' is not a decoder (known: \(SensorDecoder.Preset.allCases.map(\.rawValue).joined(separator: ", ")), generic)"
        case .invalidPath(let path, let why): "JSON path '\(path)': \(why)"
        case .invalidTimeFormat(let format, let why): "time format '\(format)': \(why)"
        case .emptyValueTable: "the value table is empty"
        }
    }
}

/// Why a message could not be decoded. The daemon counts and logs these; it never stops on one.
public enum SensorDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The payload bytes are not UTF-8 text.
    case notText(topic: String)
    /// The payload is not JSON where the format needs JSON.
    case notJSON(topic: String)
    /// A field holds a type the format does not allow.
    case wrongType(field: String, expected: String, found: String)
    /// A value outside the format's vocabulary (`"ajar"` for a door, `"maybe"` for availability).
    case unexpectedValue(field: String, value: String)
    /// A time field that cannot be read.
    case badTime(field: String, text: String)

    public var description: String {
        switch self {
        case .notText(let topic): "payload on '\(topic)' is not UTF-8 text"
        case .notJSON(let topic): "payload on '\(topic)' is not valid JSON"
        case .wrongType(let field, let expected, let found): "'\(field)' should be \(expected) but is \(found)"
        case .unexpectedValue(let field, let value): "'\(field)' has the unexpected value '\(value)'"
        case .badTime(let field, let text): "'\(field)' is not a readable time: '\(text)'"
        }
    }
}

/// Why a configured topic pattern is not valid.
public enum TopicPatternError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case nullCharacter(String)
    /// `#` anywhere but as the whole last level.
    case multiLevelWildcardNotLast(String)
    /// `+` or `#` sharing a level with other characters (`room+`).
    case wildcardInsideLevel(String)
    /// A `{capture}` sharing a level with other characters, or a stray brace.
    case captureInsideLevel(String)
    case invalidCaptureName(String)
    case duplicateCapture(String)

    public var description: String {
        switch self {
        case .empty: "the topic pattern is empty"
        case .nullCharacter(let pattern): "'\(pattern)' contains a NUL character"
        case .multiLevelWildcardNotLast(let pattern): "'\(pattern)': '#' must be the whole last level"
        case .wildcardInsideLevel(let level): "level '\(level)': '+' and '#' must fill a whole level"
        case .captureInsideLevel(let level): "level '\(level)': a {capture} must fill a whole level"
        case .invalidCaptureName(let name): "'\(name)' is not a capture name (letters, digits, '_' and '-')"
        case .duplicateCapture(let name): "the capture {\(name)} appears twice"
        }
    }
}
