import Foundation

/// A parsed JSON document, as sensor payloads carry it (numbers as `Double`, exact for integers up to 2⁵³).
enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses payload bytes; `nil` when they are not JSON.
    static func parse(_ bytes: [UInt8]) -> JSONValue? { JSONReader.parse(bytes) }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    var object: [String: JSONValue]? { if case .object(let members) = self { members } else { nil } }

    /// The value as an integer when it is an integral number (or a string holding one).
    var integer: Int64? {
        switch self {
        case .number(let number):
            guard number.rounded(.towardZero) == number, abs(number) < 9e15 else { return nil }
            return Int64(number)
        case .string(let text): return Int64(text)
        default: return nil
        }
    }

    /// A scalar as the text a value table is keyed by: strings as they are, `true`/`false`,
    /// integral numbers without a fraction.
    var scalarText: String? {
        switch self {
        case .string(let text): text
        case .bool(let value): value ? "true" : "false"
        case .number(let number): integer.map(String.init) ?? String(number)
        default: nil
        }
    }

    /// A short name of the JSON type, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A dot path into a JSON payload with array indexes: `uplink_message.decoded_payload.count`,
/// `params.input:0.state`, `readings[2].value`.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    let steps: [Step]
    public let description: String

    /// Parses a path; names may hold any character but `.`, `[` and `]`.
    public init(_ text: String) throws(SensorConfigError) {
        var steps: [Step] = []
        guard !text.isEmpty else { throw .invalidPath(text, "the path is empty") }
        for segment in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard let open = segment.firstIndex(of: "[") else {
                guard !segment.isEmpty, !segment.contains("]") else { throw .invalidPath(text, "empty or broken name") }
                steps.append(.key(String(segment)))
                continue
            }
            let name = segment[..<open]
            if !name.isEmpty {
                steps.append(.key(String(name)))
            } else if segment.startIndex != text.startIndex {
                throw .invalidPath(text, "an index must follow a name")
            }
            var rest = segment[open...]
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]"),
                    let index = Int(rest[rest.index(after: rest.startIndex)..<close]), index >= 0
                else { throw .invalidPath(text, "indexes are written [0], [1], …") }
                steps.append(.index(index))
                rest = rest[rest.index(after: close)...]
            }
        }
        self.steps = steps
        self.description = text
    }

    /// The value at the path, or `nil` when any step is missing.
    func value(in root: JSONValue) -> JSONValue? {
        var current = root
        for step in steps {
            switch (step, current) {
            case (.key(let key), .object(let members)):
                guard let next = members[key] else { return nil }
                current = next
            case (.index(let index), .array(let items)):
                guard index < items.count else { return nil }
                current = items[index]
            default: return nil
            }
        }
        return current
    }
}
