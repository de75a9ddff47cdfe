import Foundation

/// Parsed `--name value` options of one subcommand.
struct Options {
    private var values: [String: String] = [:]

    init(_ arguments: ArraySlice<String>, allowed: Set<String>) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            guard argument.hasPrefix("--") else { throw BenchError("unexpected argument '\(argument)'") }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard allowed.contains(name) else {
                throw BenchError(
                    "unknown option --\(name); expected one of: \(allowed.sorted().map { "--" + $0 }.joined(separator: ", "))"
                )
            }
            guard let text = value ?? iterator.next() else { throw BenchError("--\(name) needs a value") }
            values[name] = text
        }
    }

    func string(_ name: String) throws -> String {
        guard let value = values[name] else { throw BenchError("--\(name) is required") }
        return value
    }

    func string(_ name: String, default fallback: String) -> String { values[name] ?? fallback }

    func int(_ name: String, default fallback: Int) throws -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), value >= 0 else {
            throw BenchError("--\(name) must be a whole number, got '\(text)'")
        }
        return value
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Monotonic nanoseconds (Dispatch's uptime clock). Not `clock_gettime`: linked with Hummingbird,
/// this module sees `timespec` as CDispatch's, which the release build refuses without its import.
@inline(__always) func monotonicNanoseconds() -> UInt64 {
    DispatchTime.now().uptimeNanoseconds
}

/// A small deterministic generator, so two runs probe the same times.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Latency samples in nanoseconds, summarised as percentiles in microseconds.
struct Samples {
    var nanoseconds: [UInt64] = []

    init(capacity: Int) { nanoseconds.reserveCapacity(capacity) }

    mutating func add(_ value: UInt64) { nanoseconds.append(value) }

    func summary() -> (p50: Double, p90: Double, p99: Double, max: Double, mean: Double) {
        let sorted = nanoseconds.sorted()
        guard !sorted.isEmpty else { return (0, 0, 0, 0, 0) }
        func percentile(_ p: Double) -> Double {
            let rank = max(0, min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
            return Double(sorted[rank]) / 1000
        }
        let mean = Double(sorted.reduce(0, +)) / Double(sorted.count) / 1000
        return (percentile(50), percentile(90), percentile(99), Double(sorted.last!) / 1000, mean)
    }
}

func formatted(_ value: Double, decimals: Int = 1) -> String { String(format: "%.\(decimals)f", value) }

/// Prints immediately even when stdout is a pipe (a killed run keeps its output).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
