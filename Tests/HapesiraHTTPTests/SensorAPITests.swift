import Foundation
import HapesiraConfig
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

@Suite("Usage API")
struct UsageAPITests {
    /// 2027-02-10 at `hour`:`minute` UTC.
    static func feb10(_ hour: Int, _ minute: Int = 0, day: Int = 10) -> Int64 {
        LocalDateTime(year: 2027, month: 2, day: day, hour: hour, minute: minute).localSeconds
    }

    @Test("occupied and unknown time from the journal, and each booked occurrence's outcome")
    func usage() async throws {
        let server = try TestServer()
        let journal = SensorJournal(database: server.store.database)
        func motion(_ detected: Bool, at time: Int64) throws { try journal.recordHallMotion(detected, at: time) }
        // The motion sensor wakes at 16:50 UTC (clear), detects at 17:10 and at 18:50, and never again.
        try motion(false, at: Self.feb10(16, 50))
        try motion(true, at: Self.feb10(17, 10))
        try motion(true, at: Self.feb10(18, 50))
        try await server.run { client in
            // Two confirmed screenings (the manager confirms directly): the first with motion, the second without.
            var ids: [Int] = []
            for day in ["10", "11"] {
                let booked = try await client.book(
                    server, as: "manager",
                    body: bookingBody(
                        space: "kino-main-hall", category: "screening", start: "2027-02-\(day)T18:00:00+01:00",
                        end: "2027-02-\(day)T20:00:00+01:00"))
                ids.append(booked["id"] as? Int ?? 0)
            }
            let body = try json(
                try await client.get(
                    "/api/v1/usage?space=kino-main-hall&from=2027-02-10T00:00:00Z&to=2027-02-12T00:00:00Z", server,
                    as: "viewer"))
            // A detection holds the room for the sensor's 90 s.
            let occupied = try #require(body["occupied"] as? [[String: String]])
            #expect(
                occupied == [
                    ["start": "2027-02-10T18:10:00+01:00", "end": "2027-02-10T18:11:30+01:00"],
                    ["start": "2027-02-10T19:50:00+01:00", "end": "2027-02-10T19:51:30+01:00"],
                ])
            // Before the first sign of life nobody can tell.
            let unknown = try #require(body["unknown"] as? [[String: String]])
            #expect(unknown.first == ["start": "2027-02-10T01:00:00+01:00", "end": "2027-02-10T17:50:00+01:00"])
            let outcomes = try #require(body["occurrences"] as? [[String: Any]]).map { $0["outcome"] as? String }
            // Used until near its end: attended. The next day: covered by the sensor, never used: no-show.
            #expect(outcomes == ["attended", "no-show"])

            // A booking carries its occurrences' outcomes once they have begun.
            let before = try json(try await client.get("/api/v1/bookings/\(ids[0])", server, as: "viewer"))
            #expect((before["occurrences"] as? [[String: Any]])?.first?["outcome"] is NSNull)
            server.clock.set(Self.feb10(12, day: 12))
            for (id, outcome) in zip(ids, ["attended", "no-show"]) {
                let after = try json(try await client.get("/api/v1/bookings/\(id)", server, as: "viewer"))
                #expect((after["occurrences"] as? [[String: Any]])?.first?["outcome"] as? String == outcome)
            }

            // So does every booking of a list.
            let list = try json(
                try await client.get("/api/v1/bookings?space=kino-main-hall&status=confirmed", server, as: "viewer"))
            let listed = try #require(list["items"] as? [[String: Any]]).filter { ids.contains($0["id"] as? Int ?? 0) }
            #expect(
                listed.compactMap { ($0["occurrences"] as? [[String: Any]])?.first?["outcome"] as? String }
                    == ["attended", "no-show"])

            // Once derived and stored (as `serve` does every 30 s), the same usage is read from the stored spans.
            let usage = UsageTimelines(sensors: demoConfiguration.sensors, database: server.store.database)
            #expect(try await usage.refresh(now: Self.feb10(12, day: 12)).contains("kino-main-hall"))
            let stored = try await UsageStore(database: server.store.database).stored(
                space: "kino-main-hall", over: Interval(start: Self.feb10(0), end: Self.feb10(0, day: 12)))
            #expect(stored.occupied.count == 2)
            let again = try json(
                try await client.get(
                    "/api/v1/usage?space=kino-main-hall&from=2027-02-10T00:00:00Z&to=2027-02-12T00:00:00Z", server,
                    as: "viewer"))
            #expect(again["occupied"] as? [[String: String]] == occupied)
            #expect(again["unknown"] as? [[String: String]] == unknown)

            let missing = try await client.get(
                "/api/v1/usage?from=2027-02-10T00:00:00Z&to=2027-02-11T00:00:00Z", server, as: "viewer")
            #expect(missing.status == .unprocessableContent)
            #expect(try json(missing)["field"] as? String == "space")
        }
    }

    @Test("a released booking shows as released, is cancelled in the feeds, and its slot can be booked again")
    func released() async throws {
        let server = try TestServer()
        try await server.run { client in
            let booked = try await client.book(
                server, as: "manager",
                body: bookingBody(
                    space: "kino-main-hall", category: "screening", start: "2027-02-10T18:00:00+01:00",
                    end: "2027-02-10T20:00:00+01:00"))
            let id = Int64(try #require(booked["id"] as? Int))
            let occurrence = try #require((booked["occurrences"] as? [[String: Any]])?.first?["id"] as? Int)
            let released = try await server.store.release(
                occurrence: Int64(occurrence), of: id, reason: "auto-release", now: Self.feb10(17, 20))
            #expect(released?.status == .released)

            server.clock.set(Self.feb10(17, 20))
            let shown = try json(try await client.get("/api/v1/bookings/\(id)", server, as: "viewer"))
            #expect(shown["status"] as? String == "released")
            let first = try #require((shown["occurrences"] as? [[String: Any]])?.first)
            #expect(first["status"] as? String == "released")
            #expect(first["outcome"] as? String == "released")

            let feed = String(buffer: try await client.get("/ical/spaces/kino-main-hall.ics", server, as: nil).body)
            let event = try #require(feed.components(separatedBy: "BEGIN:VEVENT").first { $0.contains("UID:\(id)-") })
            #expect(event.contains("STATUS:CANCELLED"))

            let again = try await client.post(
                "/api/v1/bookings", server, as: "manager",
                body: bookingBody(
                    space: "kino-main-hall", category: "screening", start: "2027-02-10T19:30:00+01:00",
                    end: "2027-02-10T20:00:00+01:00"))
            #expect(again.status == .created, "\(String(buffer: again.body))")
        }
    }
}
