import Foundation
import HapesiraCore
import HapesiraHTTP
import HapesiraStore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Sensors API")
struct SensorAPITests {
    @Test("each configured sensor with its status, battery and last times; filtered by space; members and up")
    func sensors() async throws {
        let server = try TestServer()
        let journal = SensorJournal(database: server.store.database)
        // The door spoke a minute ago (battery 88); the counter said it went offline; the motion sensor never spoke.
        try journal.record(
            SensorObservation(sensor: "kino-hall-door", value: .door(open: true), battery: 88), verdict: .event,
            space: "kino-main-hall", topic: "zigbee2mqtt/anibar/main-hall/door", receivedAt: fixedNow - 60)
        try journal.record(
            SensorObservation(sensor: "kino-hall-counter", online: false), verdict: .status, space: "kino-main-hall",
            topic: "v3/…/up", receivedAt: fixedNow - 30)
        try await server.run { client in
            #expect(try await client.get("/api/v1/sensors", server, as: nil).status == .unauthorized)
            let body = try json(try await client.get("/api/v1/sensors?space=kino-main-hall", server, as: "viewer"))
            let items = try #require(body["items"] as? [[String: Any]])
            let byID = Dictionary(uniqueKeysWithValues: items.map { ($0["id"] as? String ?? "", $0) })
            #expect(Set(byID.keys) == ["kino-hall-door", "kino-hall-motion", "kino-hall-counter"])
            #expect(byID["kino-hall-door"]?["status"] as? String == "online")
            #expect(byID["kino-hall-door"]?["battery"] as? Int == 88)
            #expect(byID["kino-hall-door"]?["decoder"] as? String == "zigbee2mqtt")
            #expect(byID["kino-hall-door"]?["last_event"] as? String == TimeInput.format(fixedNow - 60, in: .utc))
            #expect(byID["kino-hall-counter"]?["status"] as? String == "offline")
            #expect(byID["kino-hall-motion"]?["status"] as? String == "never-seen")
            #expect(byID["kino-hall-motion"]?["last_seen"] is NSNull)
        }
    }
}
