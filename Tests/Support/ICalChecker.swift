import Foundation

/// Runs `scripts/ical-check.py`: a feed read by independent parsers (Python `icalendar` +
/// `recurring-ical-events` and the strict `ical` package, pinned in `scripts/setup-ical-check`).
public enum ICalChecker {
    /// One occurrence the parsers must find.
    public struct Occurrence: Encodable, Sendable {
        public var uid: String
        public var start: Int64
        public var end: Int64

        public init(uid: String, start: Int64, end: Int64) {
            self.uid = uid
            self.start = start
            self.end = end
        }
    }

    /// The repository root.
    public static let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Checks `text`; returns the checker's exit status (0: both parsers found exactly `expected`
    /// among the occurrences starting in `[from, to)`) and its output.
    public static func check(_ text: String, expected: [Occurrence], from: Int64, to: Int64) throws -> (Int32, String) {
        let python = root.appending(path: ".venv-ical/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            return (-1, "\(python.path) is missing: run scripts/setup-ical-check")
        }
        let directory = FileManager.default.temporaryDirectory.appending(path: "ical-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let feed = directory.appending(path: "feed.ics")
        let occurrences = directory.appending(path: "expected.json")
        try Data(text.utf8).write(to: feed)
        try JSONEncoder().encode(expected).write(to: occurrences)

        let process = Process()
        process.executableURL = python
        process.arguments = [
            root.appending(path: "scripts/ical-check.py").path, feed.path, occurrences.path, "\(from)", "\(to)",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
