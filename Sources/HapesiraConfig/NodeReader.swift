import Yams

/// Reads a YAML node tree and records every problem with its line, column and path.
final class NodeReader {
    let file: String
    private(set) var problems: [ConfigProblem] = []

    init(file: String) { self.file = file }

    func problem(_ node: Node?, _ path: String, _ message: String) {
        problems.append(
            ConfigProblem(file: file, line: node?.mark?.line, column: node?.mark?.column, path: path, message: message))
    }

    /// A mapping, checking that it has no keys besides `allowed`.
    func mapping(_ node: Node?, _ path: String, allowed: Set<String>) -> Node.Mapping? {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            problem(node, path, "expected a mapping (key: value lines)")
            return nil
        }
        for (key, _) in mapping {
            guard let name = key.string else { continue }
            if !allowed.contains(name) {
                problem(
                    key, join(path, name),
                    "unknown setting; expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
        }
        return mapping
    }

    func sequence(_ node: Node?, _ path: String) -> [Node] {
        guard let node else { return [] }
        guard case .sequence(let sequence) = node else {
            problem(node, path, "expected a list")
            return []
        }
        return Array(sequence)
    }

    func string(_ mapping: Node.Mapping, _ key: String, _ path: String, required: Bool = false) -> String? {
        guard let node = mapping[key] else {
            if required { problem(Node.mapping(mapping), join(path, key), "is required") }
            return nil
        }
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            problem(node, join(path, key), "expected a non-empty text")
            return nil
        }
        return scalar.string
    }

    func identifier(_ mapping: Node.Mapping, _ key: String, _ path: String) -> String? {
        guard let value = string(mapping, key, path, required: true) else { return nil }
        let allowed = value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        guard allowed, value.count <= 64 else {
            problem(mapping[key], join(path, key), "'\(value)' must be 1-64 of a-z, 0-9, '-', '_'")
            return nil
        }
        return value
    }

    func int(_ mapping: Node.Mapping, _ key: String, _ path: String, range: ClosedRange<Int>) -> Int? {
        guard let node = mapping[key] else { return nil }
        guard let value = node.int, range.contains(value) else {
            problem(node, join(path, key), "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    func double(_ mapping: Node.Mapping, _ key: String, _ path: String, range: ClosedRange<Double>) -> Double? {
        guard let node = mapping[key] else { return nil }
        guard let value = node.float ?? node.int.map(Double.init), range.contains(value) else {
            problem(node, join(path, key), "expected a number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    func bool(_ mapping: Node.Mapping, _ key: String, _ path: String) -> Bool? {
        guard let node = mapping[key] else { return nil }
        guard let value = node.bool else {
            problem(node, join(path, key), "expected true or false")
            return nil
        }
        return value
    }

    func strings(_ mapping: Node.Mapping, _ key: String, _ path: String) -> [String] {
        sequence(mapping[key], join(path, key)).enumerated().compactMap { index, node in
            guard let value = node.string, case .scalar = node else {
                problem(node, "\(join(path, key))[\(index)]", "expected a text")
                return nil
            }
            return value
        }
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}
