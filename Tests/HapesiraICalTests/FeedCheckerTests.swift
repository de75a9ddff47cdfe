import Foundation
import HapesiraCore
import HapesiraICal
import Testing

/// The feed read by independent parsers: Python `icalendar` + `recurring-ical-events` and the
/// strict `ical` package (`scripts/ical-check.py`, installed by `scripts/setup-ical-check`).
@Suite("Feed with independent parsers")
struct FeedCheckerTests {
    typealias F = FeedFixtures

    static let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Occurrence: Encodable {
        var uid: String
        var start: Int64
        var end: Int64
    }

    /// Runs the checker on `text`; returns its exit status and output.
    static func check(_ text: String, expected: [Occurrence], from: Int64, to: Int64) throws -> (Int32, String) {
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

    static var expected: [Occurrence] {
        F.expectedOccurrences.map { Occurrence(uid: $0.uid, start: $0.start, end: $0.end) }
    }

    @Test func pythonParsersAgreeOnTheOccurrences() throws {
        let (status, output) = try Self.check(
            FeedWriter.write(F.calendar), expected: Self.expected, from: F.windowStart, to: F.windowEnd)
        #expect(status == 0, "\(output)")
    }

    /// The checker is only worth something if it notices a wrong occurrence list.
    @Test func checkerNoticesADifference() throws {
        var wrong = Self.expected
        wrong.removeLast()
        let (status, output) = try Self.check(
            FeedWriter.write(F.calendar), expected: wrong, from: F.windowStart, to: F.windowEnd)
        #expect(status == 1, "\(output)")
        #expect(output.contains("unexpected"), "\(output)")
    }
}
