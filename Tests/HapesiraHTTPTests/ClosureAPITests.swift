import Foundation
import HapesiraHTTP
import HapesiraStore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Closures API")
struct ClosureAPITests {
    static let kino = "/api/v1/venues/kino-jusuf-gervalla/closures"

    static func body(_ object: [String: Any]) -> ByteBuffer {
        ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }

    @Test("only a manager of the venue or an admin may block time; everyone signed in may read")
    func roles() async throws {
        let server = try TestServer()
        try await server.run { client in
            let request = Self.body(["from": "2027-01-22", "reason": "Inventory"])
            #expect(try await client.post(Self.kino, server, as: nil, body: request).status == .unauthorized)
            for who in ["anibar", "viewer"] {
                let refused = try await client.post(Self.kino, server, as: who, body: request)
                #expect(refused.status == .forbidden, "\(who)")
                #expect(try json(refused)["error"] as? String == "forbidden")
            }
            // The manager of Kino Jusuf Gërvalla does not manage Kino Lumbardhi.
            let elsewhere = try await client.post(
                "/api/v1/venues/kino-lumbardhi/closures", server, as: "manager", body: request)
            #expect(elsewhere.status == .forbidden)
            #expect(try await client.post(Self.kino, server, as: "admin", body: request).status == .created)
            let listed = try json(try await client.get(Self.kino, server, as: "viewer"))
            #expect((listed["items"] as? [[String: Any]])?.count == 3)
            #expect(
                try await client.get("/api/v1/venues/nowhere/closures", server, as: "viewer").status == .notFound)
        }
    }

    @Test(
        "bad input is refused with 422 naming the field",
        arguments: [
            (["from": "2027-02-30", "reason": "x"], "from"),
            (["reason": "x"], "from"),
            (["from": "2027-01-22"], "reason"),
            (["from": "2027-01-22", "reason": " "], "reason"),
            (["from": "2027-01-22", "to": "2027-01-21", "reason": "x"], "to"),
            (["from": "2027-01-22", "start_time": "9:00", "reason": "x"], "start_time"),
            (["from": "2027-01-22", "start_time": "18:00", "end_time": "10:00", "reason": "x"], "end_time"),
            (["from": "2027-01-22", "reason": "x", "cancel_bookings": "yes"], "cancel_bookings"),
        ] as [([String: String], String)])
    func badInput(_ fields: [String: String], _ field: String) async throws {
        let server = try TestServer()
        try await server.run { client in
            let response = try await client.post(Self.kino, server, as: "manager", body: Self.body(fields))
            #expect(response.status == .unprocessableContent)
            #expect(try json(response)["field"] as? String == field)
        }
        #expect(try await server.store.closures(venue: "kino-jusuf-gervalla").isEmpty)
    }

    @Test("a blocked date refuses bookings (409 closed) and has no open time; removed, it is bookable again")
    func blockAndUnblock() async throws {
        let server = try TestServer()
        try await server.run { client in
            let created = try await client.post(
                Self.kino, server, as: "manager",
                body: Self.body([
                    "from": "2027-01-22", "start_time": "12:00", "end_time": "18:00", "reason": "Inventory",
                ]))
            #expect(created.status == .created)
            let closure = try json(created)
            let id = try #require(closure["id"] as? Int)
            #expect(created.headers[.location] == "\(Self.kino)/\(id)")
            #expect(closure["start"] as? String == "2027-01-22T12:00:00+01:00")
            #expect(closure["end"] as? String == "2027-01-22T18:00:00+01:00")
            #expect(closure["source"] as? String == "runtime")
            #expect(closure["whole_days"] as? Bool == false)

            let items = try #require(
                try json(try await client.get(Self.kino, server, as: "anibar"))["items"] as? [[String: Any]])
            #expect(items.map { $0["source"] as? String } == ["configuration", "configuration", "runtime"])
            #expect(items[0]["id"] == nil)

            let booking = bookingBody(start: "2027-01-22T13:00:00+01:00", end: "2027-01-22T14:00:00+01:00")
            let refused = try await client.post("/api/v1/bookings", server, as: "anibar", body: booking)
            #expect(refused.status == .conflict)
            let refusal = try json(refused)
            #expect(refusal["error"] as? String == "closed")
            #expect((refusal["message"] as? String)?.contains("Inventory") == true)

            let availability = try json(
                try await client.get(
                    "/api/v1/spaces/kino-workshop-room/availability?from=2027-01-22T00:00:00%2B01:00&to=2027-01-23T00:00:00%2B01:00",
                    server, as: "anibar"))
            #expect(
                availability["open"] as? [[String: String]] == [
                    ["start": "2027-01-22T09:00:00+01:00", "end": "2027-01-22T12:00:00+01:00"],
                    ["start": "2027-01-22T18:00:00+01:00", "end": "2027-01-22T23:00:00+01:00"],
                ])

            #expect(
                try await client.executeRequest(
                    uri: "\(Self.kino)/\(id)", method: .delete, headers: server.headers("anibar"), body: nil
                ).status == .forbidden)
            let removed = try await client.executeRequest(
                uri: "\(Self.kino)/\(id)", method: .delete, headers: server.headers("manager"), body: nil)
            #expect(removed.status == .noContent)
            #expect(try await client.post("/api/v1/bookings", server, as: "anibar", body: booking).status == .created)
            let again = try await client.executeRequest(
                uri: "\(Self.kino)/\(id)", method: .delete, headers: server.headers("manager"), body: nil)
            #expect(again.status == .notFound)

            // Both changes are in the audit trail, with who did them and the closure's dates.
            let audit = try json(try await client.get("/api/v1/audit", server, as: "viewer"))
            let entries = try #require(audit["items"] as? [[String: Any]]).filter {
                ($0["action"] as? String)?.hasPrefix("closure-") == true
            }
            #expect(entries.map { $0["action"] as? String } == ["closure-removed", "closure-added"])
            #expect(entries.allSatisfy { ($0["actor"] as? [String: String])?["organisation"] == "anibar" })
            #expect((entries.last?["details"] as? [String: String])?["from"] == "2027-01-22")
            #expect((entries.last?["details"] as? [String: String])?["start_minute"] == "720")
        }
    }

    @Test("blocking booked time is refused with the bookings listed, unless cancel_bookings says to cancel them")
    func bookingsInTheWay() async throws {
        let server = try TestServer()
        try await server.run { client in
            let booked = try await client.book(
                server, as: "anibar",
                body: bookingBody(start: "2027-01-21T10:00:00+01:00", end: "2027-01-21T12:00:00+01:00"))
            let id = try #require(booked["id"] as? Int)
            let request: [String: Any] = ["from": "2027-01-21", "reason": "Burst pipe"]
            let refused = try await client.post(Self.kino, server, as: "manager", body: Self.body(request))
            #expect(refused.status == .conflict)
            let error = try json(refused)
            #expect(error["error"] as? String == "bookings_in_the_way")
            #expect(error["field"] as? String == "cancel_bookings")
            #expect((error["conflicts"] as? [[String: Any]])?.map { $0["booking"] as? Int } == [id])
            #expect(
                try json(try await client.get("/api/v1/bookings/\(id)", server, as: "anibar"))["status"] as? String
                    == "confirmed")

            var forced = request
            forced["cancel_bookings"] = true
            let created = try await client.post(Self.kino, server, as: "manager", body: Self.body(forced))
            #expect(created.status == .created)
            #expect((try json(created)["cancelled"] as? [[String: Any]])?.map { $0["booking"] as? Int } == [id])
            #expect(
                try json(try await client.get("/api/v1/bookings/\(id)", server, as: "anibar"))["status"] as? String
                    == "cancelled")
            let audit = try json(try await client.get("/api/v1/bookings/\(id)/audit", server, as: "anibar"))
            let latest = try #require((audit["items"] as? [[String: Any]])?.first)
            #expect(latest["reason"] as? String == "venue closed: Burst pipe")
        }
    }
}
