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

    @Test("under systemd: READY=1 once listening, watchdog pings, STOPPING=1 and a clean exit on SIGTERM")
    func systemdNotifyAndGracefulShutdown() async throws {
        let directory = try temporaryDirectory()
        let socketPath = directory.appendingPathComponent("notify.sock").path
        let listener = try NotifyListener(path: socketPath)
        let daemon = try Daemon(
            database: directory.appendingPathComponent("notify.sqlite").path,
            environment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "30000000"])
        // The first watchdog ping (at start) and READY=1 (once listening), in either order; the
        // next ping is 15 s away.
        let first = [try await listener.receive(), try await listener.receive()]
        #expect(Set(first) == ["READY=1", "WATCHDOG=1"])
        let started = ContinuousClock.now
        kill(daemon.process.processIdentifier, SIGTERM)
        #expect(try await listener.receive() == "STOPPING=1")
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)
        #expect(ContinuousClock.now - started < .seconds(5), "shutdown must not wait out the 15 s watchdog interval")
    }

    @Test("a token revoked by `hapesira token revoke` (another process) is refused by the running daemon at once")
    func revocationFromAnotherProcess() async throws {
        let (database, token) = try memberToken(in: "tokens.sqlite")
        let daemon = try Daemon(database: database)
        defer { daemon.kill() }
        try await TestClient.withClient(host: "127.0.0.1", port: daemon.port) { connection in
            func me() async throws -> HTTPResponse.Status {
                try await connection.execute(
                    TestClient.Request(
                        "/api/v1/me", method: .get, authority: "127.0.0.1",
                        headers: [.authorization: "Bearer \(token)"], body: nil)
                ).status
            }
            #expect(try await me() == .ok)
            let id = String(token.split(separator: "_")[1])
            _ = try runCommand(["token", "revoke", "--config", configPath, "--database", database, id])
            #expect(try await me() == .unauthorized)
        }
    }

    @Test("bookings acknowledged before SIGKILL are all there after a restart")
    func survivesSigkill() async throws {
        let (database, token) = try memberToken(in: "durable.sqlite")
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
                let object = try JSONSerialization.jsonObject(
                    with: Data((response.body ?? ByteBuffer()).readableBytesView))
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

/// A new database file named `file` in a new directory, with a member token of Anibar made by `hapesira token create`.
func memberToken(in file: String) throws -> (database: String, token: String) {
    let database = try temporaryDirectory().appendingPathComponent(file).path
    let token = try runCommand([
        "token", "create", "--config", configPath, "--database", database, "--org", "anibar", "--role", "member",
    ]).trimmingCharacters(in: .whitespacesAndNewlines)
    return (database, token)
}

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
    guard process.terminationStatus == 0 else {
        throw UnexpectedStatus(status: Int(process.terminationStatus), body: "")
    }
    return String(decoding: data, as: UTF8.self)
}

/// `hapesira serve` as a child process on a free port; ready once it logs that it is serving.
struct Daemon {
    let process: Process
    let port: Int

    init(database: String, environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: binaryPath)
        process.arguments = ["serve", "--config", configPath, "--database", database, "--listen", "127.0.0.1:0"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
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

/// A Unix datagram socket standing in for systemd's `$NOTIFY_SOCKET`.
final class NotifyListener: Sendable {
    private let descriptor: Int32

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard descriptor >= 0, bound == 0 else { throw UnexpectedStatus(status: Int(errno), body: "bind \(path)") }
    }

    deinit { close(descriptor) }

    /// The next datagram (waits up to 10 s, on a thread of its own rather than the cooperative pool).
    func receive() async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 256)
                let count = recv(self.descriptor, &buffer, buffer.count, 0)
                if count > 0 {
                    continuation.resume(returning: String(decoding: buffer[..<count], as: UTF8.self))
                } else {
                    continuation.resume(throwing: UnexpectedStatus(status: Int(errno), body: "no notification"))
                }
            }
        }
    }
}
