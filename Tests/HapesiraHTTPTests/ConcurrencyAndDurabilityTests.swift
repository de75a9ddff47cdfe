import Foundation
import HTTPTypes
import HapesiraCore
import HapesiraHTTP
import HapesiraStore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Concurrency and durability", .serialized)
struct ConcurrencyAndDurabilityTests {
    @Test("50 clients asking for the same slot at once: exactly one 201, the rest 409", arguments: 1...3)
    func fiftyClientsOneSlot(round: Int) async throws {
        let directory = try temporaryDirectory()
        let server = try TestServer(databasePath: directory.appendingPathComponent("race.sqlite").path)
        let statuses = try await server.run { client in
            let port = try #require(client.port)
            let body = bookingBody(
                start: "2027-03-0\(round)T10:00:00+01:00", end: "2027-03-0\(round)T12:00:00+01:00")
            let members = ["anibar", "lumbardhi", "7arte"]
            return try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<50 {
                    let headers = server.headers(members[index % members.count])
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port) { connection in
                            let request = TestClient.Request(
                                "/api/v1/bookings", method: .post, authority: "127.0.0.1", headers: headers, body: body)
                            return try await connection.execute(request).status.code
                        }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        #expect(statuses.count == 50)
        #expect(statuses.filter { $0 == 201 }.count == 1)
        #expect(statuses.filter { $0 == 409 }.count == 49)
        let stored = try await server.store.bookings(BookingFilter(statuses: [.confirmed, .pending]))
        #expect(stored.count == 1)
    }

    @Test("bookings acknowledged before SIGKILL are all there after a restart")
    func survivesSigkill() async throws {
        let directory = try temporaryDirectory()
        let database = directory.appendingPathComponent("durable.sqlite").path
        let token = try runCommand([
            "token", "create", "--config", configPath, "--database", database, "--org", "anibar", "--role", "member",
        ]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("hps_"))

        var daemon = try Daemon(database: database)
        let ids = try await TestClient.withClient(host: "127.0.0.1", port: daemon.port) { connection in
            var acknowledged: [Int] = []
            for day in 1...20 {
                let body = bookingBody(
                    start: "2027-04-\(day < 10 ? "0" : "")\(day)T10:00:00+02:00",
                    end: "2027-04-\(day < 10 ? "0" : "")\(day)T11:00:00+02:00")
                let response = try await connection.execute(
                    TestClient.Request(
                        "/api/v1/bookings", method: .post, authority: "127.0.0.1",
                        headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: body))
                #expect(response.status == .created)
                let object = try JSONSerialization.jsonObject(with: Data((response.body ?? ByteBuffer()).readableBytesView))
                acknowledged.append(try #require((object as? [String: Any])?["id"] as? Int))
            }
            return acknowledged
        }
        #expect(ids.count == 20)
        daemon.kill()

        daemon = try Daemon(database: database)
        defer { daemon.kill() }
        try await TestClient.withClient(host: "127.0.0.1", port: daemon.port) { connection in
            for id in ids {
                let response = try await connection.execute(
                    TestClient.Request(
                        "/api/v1/bookings/\(id)", method: .get, authority: "127.0.0.1",
                        headers: [.authorization: "Bearer \(token)"], body: nil))
                #expect(response.status == .ok, "booking \(id) lost")
            }
        }
    }
}

let configPath = repositoryRoot.appendingPathComponent("config/demo.yaml").path

/// The `hapesira` binary built with the tests (`scripts/test` sets HAPESIRA_BINARY).
var binaryPath: String {
    ProcessInfo.processInfo.environment["HAPESIRA_BINARY"]
        ?? repositoryRoot.appendingPathComponent(".build/debug/hapesira").path
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("hapesira-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs a `hapesira` subcommand and returns its stdout; throws on a non-zero exit.
func runCommand(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binaryPath)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw UnexpectedStatus(status: Int(process.terminationStatus), body: "") }
    return String(decoding: data, as: UTF8.self)
}

/// `hapesira serve` as a child process on a free port; ready once it logs that it is serving.
struct Daemon {
    let process: Process
    let port: Int

    init(database: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: binaryPath)
        process.arguments = ["serve", "--config", configPath, "--database", database, "--listen", "127.0.0.1:0"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        // Wait for the "serving" log line (an event, not a timer) and read the bound port from it.
        var log = ""
        var port: Int?
        while port == nil {
            let chunk = errors.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw UnexpectedStatus(status: -1, body: "daemon exited: \(log)") }
            log += String(decoding: chunk, as: UTF8.self)
            if let line = log.split(separator: "\n").first(where: { $0.contains("hapesira is serving") }),
                let range = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression)
            {
                port = Int(line[range].split(separator: ":").last ?? "")
            }
        }
        self.port = port!
    }

    /// SIGKILL: no chance to flush or shut down.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
