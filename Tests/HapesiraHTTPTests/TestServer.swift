import Foundation
import HapesiraConfig
import HapesiraCore
import HapesiraHTTP
import HapesiraICal
import HapesiraStore
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import Synchronization

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The demo configuration every HTTP test runs on.
let demoConfiguration: DaemonConfiguration = {
    do {
        return try ConfigLoader.load(path: repositoryRoot.appendingPathComponent("config/demo.yaml").path)
    } catch {
        fatalError("config/demo.yaml does not load: \(error)")
    }
}()

/// 2027-01-15T12:00:00Z: every test sees the same "now", so dates are deterministic.
let fixedNow: Int64 = 1_799_928_000

/// The test server's "now": `fixedNow` unless a test moves it.
final class TestClock: Sendable {
    private let instant = Mutex(fixedNow)
    var now: Int64 { instant.withLock { $0 } }
    func set(_ value: Int64) { instant.withLock { $0 = value } }
}

/// A daemon on a loopback port with its own database and a token per role.
struct TestServer {
    let store: BookingStore
    let clock = TestClock()
    let tokens: [String: String]
    let metrics = PrometheusCollectorRegistry()

    /// - Parameter databasePath: a file, or `nil` for a private in-memory database.
    init(databasePath: String? = nil) throws {
        let database = try databasePath.map { try AppDatabase.open(path: $0) } ?? AppDatabase.inMemory()
        let engine = BookingEngine(catalogue: demoConfiguration.catalogue, expander: LibicalRecurrenceExpander())
        store = BookingStore(database: database, engine: engine)
        let tokenStore = TokenStore(database: database)
        func make(_ organisation: String, _ role: Role) throws -> String {
            try tokenStore.create(organisation: organisation, role: role, label: nil, now: fixedNow).1
        }
        tokens = [
            "admin": try make("network-secretariat", .admin),
            "manager": try make("anibar", .manager(venues: ["kino-jusuf-gervalla"])),
            "anibar": try make("anibar", .member),
            "lumbardhi": try make("lumbardhi", .member),
            "7arte": try make("7arte", .member),
            "viewer": try make("komuna-peje", .viewer),
        ]
    }

    var dependencies: AppDependencies {
        var dependencies = AppDependencies(
            catalogue: demoConfiguration.catalogue, store: store, tokens: TokenStore(database: store.database),
            metrics: metrics, maxBodyBytes: 64 * 1024, now: { [clock] in clock.now })
        dependencies.sensors = demoConfiguration.sensors
        dependencies.journal = SensorJournal(database: store.database)
        dependencies.indicators = demoConfiguration.indicators
        return dependencies
    }

    /// Runs `test` against the real server on a loopback port.
    func run<Value: Sendable>(_ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        // The daemon's own application: the router with the feed revalidation handler in front.
        let app = buildApplication(dependencies, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        return try await app.test(.live, test)
    }

    func headers(_ who: String?) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let who, let token = tokens[who] { fields[.authorization] = "Bearer \(token)" }
        return fields
    }
}

/// A response body as JSON.
func json(_ response: TestResponse) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
    guard let dictionary = object as? [String: Any] else { throw JSONShapeError(body: String(buffer: response.body)) }
    return dictionary
}

struct JSONShapeError: Error {
    let body: String
}

/// A booking request body (times are Europe/Belgrade wall-clock with their zone).
func bookingBody(
    space: String = "kino-workshop-room", title: String = "Workshop", category: String = "workshop",
    start: String, end: String, extra: [String: Any] = [:]
) -> ByteBuffer {
    var object: [String: Any] = [
        "space": space, "title": title, "category": category, "start": start, "end": end,
    ]
    object.merge(extra) { _, new in new }
    return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}

extension TestClientProtocol {
    func post(
        _ path: String, _ server: TestServer, as who: String?, body: ByteBuffer, headers: HTTPFields = [:]
    )
        async throws -> TestResponse
    {
        var fields = server.headers(who)
        for field in headers { fields[field.name] = field.value }
        return try await executeRequest(uri: path, method: .post, headers: fields, body: body)
    }

    func get(_ path: String, _ server: TestServer, as who: String?) async throws -> TestResponse {
        try await executeRequest(uri: path, method: .get, headers: server.headers(who), body: nil)
    }

    func patch(_ path: String, _ server: TestServer, as who: String?, body: ByteBuffer) async throws -> TestResponse {
        try await executeRequest(uri: path, method: .patch, headers: server.headers(who), body: body)
    }

    /// Creates a booking that must succeed; returns its JSON.
    /// Anibar's screening in the main hall on Wednesday 20 January 2027, 18:00–20:00: pending, as
    /// the hall needs approval.
    func bookPendingScreening(_ server: TestServer) async throws -> [String: Any] {
        try await book(
            server, as: "anibar",
            body: bookingBody(
                space: "kino-main-hall", category: "screening", start: "2027-01-20T18:00:00+01:00",
                end: "2027-01-20T20:00:00+01:00"))
    }

    func book(_ server: TestServer, as who: String, body: ByteBuffer) async throws -> [String: Any] {
        let response = try await post("/api/v1/bookings", server, as: who, body: body)
        guard response.status == .created else {
            throw UnexpectedStatus(status: response.status.code, body: String(buffer: response.body))
        }
        return try json(response)
    }
}

struct UnexpectedStatus: Error {
    let status: Int
    let body: String
}

extension SensorJournal {
    /// Records a motion event (`detected` or cleared) of the demo main hall's motion sensor.
    func recordHallMotion(_ detected: Bool, at time: Int64) throws {
        try record(
            SensorObservation(sensor: "kino-hall-motion", value: .motion(detected: detected)), verdict: .event,
            space: "kino-main-hall", topic: "zigbee2mqtt/anibar/main-hall/motion", receivedAt: time)
    }
}
