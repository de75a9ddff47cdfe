import Foundation
import HTTPTypes
import HapesiraCore
import HapesiraHTTP
import HapesiraStore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Booking API over a real loopback server")
struct BookingAPITests {
    @Test("a free slot is booked (201), and a second request for it is refused with the conflict and alternatives")
    func conflictWithAlternatives() async throws {
        let server = try TestServer()
        try await server.run { client in
            let first = try await client.book(
                server, as: "anibar",
                body: bookingBody(start: "2027-02-10T10:00:00+01:00", end: "2027-02-10T12:00:00+01:00"))
            #expect(first["status"] as? String == "confirmed")
            #expect((first["occurrences"] as? [Any])?.count == 1)

            // 11:00-13:00 overlaps; the workshop room has a 15-minute teardown.
            let refused = try await client.post(
                "/api/v1/bookings", server, as: "lumbardhi",
                body: bookingBody(start: "2027-02-10T11:00:00+01:00", end: "2027-02-10T13:00:00+01:00"))
            #expect(refused.status == .conflict)
            let body = try json(refused)
            #expect(body["error"] as? String == "conflict")
            let conflicts = try #require(body["conflicts"] as? [[String: Any]])
            #expect(conflicts.count == 1)
            #expect(conflicts.first?["booking"] as? Int == first["id"] as? Int)
            let alternatives = try #require(body["alternatives"] as? [String: Any])
            let slots = try #require(alternatives["slots"] as? [[String: Any]])
            #expect(!slots.isEmpty)
            // Every proposed slot really is free: booking it succeeds.
            let slot = try #require(slots.first)
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(start: slot["start"] as! String, end: slot["end"] as! String))

            // The room's 15-minute teardown: a booking ending at 10:00 would overlap the 10:00 one…
            let intoBuffer = try await client.post(
                "/api/v1/bookings", server, as: "lumbardhi",
                body: bookingBody(start: "2027-02-10T09:00:00+01:00", end: "2027-02-10T10:00:00+01:00"))
            #expect(intoBuffer.status == .conflict)
            // …one ending at 09:45 has its teardown end exactly when the next begins.
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(start: "2027-02-10T09:00:00+01:00", end: "2027-02-10T09:45:00+01:00"))
        }
    }

    @Test(
        "bad input is refused with the field named, and nothing is written",
        arguments: [
            ("{not json", 400, "malformed_json", nil),
            (
                #"{"title":"x","category":"workshop","start":"2027-02-10T10:00:00+01:00","end":"2027-02-10T11:00:00+01:00"}"#,
                422, "invalid_field", "space"
            ),
            (
                #"{"space":"nowhere","title":"x","category":"workshop","start":"2027-02-10T10:00:00+01:00","end":"2027-02-10T11:00:00+01:00"}"#,
                422, "unknown_space", "space"
            ),
            (
                #"{"space":"kino-workshop-room","title":"x","category":"workshop","start":"2027-02-10T10:00:00+01:00","end":"2027-02-10T10:00:00+01:00"}"#,
                422, "invalid_field", "end"
            ),
            (
                #"{"space":"kino-workshop-room","title":"x","category":"workshop","start":"2027-02-10T10:00:00","end":"2027-02-10T11:00:00+01:00"}"#,
                422, "invalid_field", "start"
            ),
            (
                #"{"space":"kino-workshop-room","title":"x","category":"workshop","start":"2027-03-28T02:30:00[Europe/Belgrade]","end":"2027-03-28T04:00:00+02:00"}"#,
                422, "invalid_field", "start"
            ),
            (
                #"{"space":"kino-workshop-room","title":"x","category":"dance","start":"2027-02-10T10:00:00+01:00","end":"2027-02-10T11:00:00+01:00"}"#,
                422, "invalid_field", "category"
            ),
            (
                #"{"space":"kino-workshop-room","title":"x","category":"workshop","start":"2027-02-10T10:00:00+01:00","end":"2027-02-10T11:00:00+01:00","expected_attendance":"many"}"#,
                422, "invalid_field", "expected_attendance"
            ),
            (
                #"{"space":"kino-workshop-room","title":"x","category":"workshop","start":"2027-02-10T10:00:00+01:00","end":"2027-02-10T11:00:00+01:00","series_policy":"some"}"#,
                422, "invalid_field", "series_policy"
            ),
            (
                #"{"space":"kino-workshop-room","title":"x","category":"workshop","start":"2027-02-10T10:00:00+01:00","end":"2027-02-10T11:00:00+01:00","recurrence":"FREQ=DAILY"}"#,
                422, "invalid_field", "recurrence"
            ),
            (
                #"{"space":"kino-workshop-room","title":"x","category":"workshop","start":"2027-02-10T10:00:00+01:00","end":"2027-02-10T11:00:00+01:00","recurrence":"FREQ=SOMETIMES"}"#,
                422, "invalid_field", "recurrence"
            ),
        ] as [(String, Int, String, String?)])
    func badInput(body: String, status: Int, code: String, field: String?) async throws {
        let server = try TestServer()
        try await server.run { client in
            let response = try await client.post(
                "/api/v1/bookings", server, as: "anibar", body: ByteBuffer(string: body))
            #expect(response.status.code == status, "\(String(buffer: response.body))")
            let error = try json(response)
            #expect(error["error"] as? String == code)
            #expect(error["field"] as? String == field)
            #expect((error["message"] as? String)?.isEmpty == false)
            let list = try json(try await client.get("/api/v1/bookings", server, as: "admin"))
            #expect((list["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("an oversize body is refused with 413 and JSON")
    func oversizeBody() async throws {
        let server = try TestServer()
        try await server.run { client in
            let huge = bookingBody(
                start: "2027-02-10T10:00:00+01:00", end: "2027-02-10T11:00:00+01:00",
                extra: ["description": String(repeating: "x", count: 100_000)])
            let response = try await client.post("/api/v1/bookings", server, as: "anibar", body: huge)
            #expect(response.status == .contentTooLarge)
            #expect(try json(response)["error"] as? String == "body_too_large")
        }
    }

    @Test("requests without a valid token are 401; a viewer cannot book (403)")
    func authentication() async throws {
        let server = try TestServer()
        try await server.run { client in
            #expect(try await client.get("/api/v1/cities", server, as: nil).status == .unauthorized)
            let forged = try await client.executeRequest(
                uri: "/api/v1/cities", method: .get, headers: [.authorization: "Bearer hps_abc_def"], body: nil)
            #expect(forged.status == .unauthorized)
            #expect(try await client.get("/api/v1/cities", server, as: "viewer").status == .ok)
            let viewerBooking = try await client.post(
                "/api/v1/bookings", server, as: "viewer",
                body: bookingBody(start: "2027-02-10T10:00:00+01:00", end: "2027-02-10T11:00:00+01:00"))
            #expect(viewerBooking.status == .forbidden)
            let onBehalf = try await client.post(
                "/api/v1/bookings", server, as: "anibar",
                body: bookingBody(
                    start: "2027-02-10T10:00:00+01:00", end: "2027-02-10T11:00:00+01:00",
                    extra: ["organisation": "lumbardhi"]))
            #expect(onBehalf.status == .forbidden)
        }
    }

    @Test("a private booking is only busy time to other members")
    func privateBookings() async throws {
        let server = try TestServer()
        try await server.run { client in
            let created = try await client.book(
                server, as: "anibar",
                body: bookingBody(
                    title: "Board of Anibar", category: "board-meeting", start: "2027-02-11T18:00:00+01:00",
                    end: "2027-02-11T20:00:00+01:00", extra: ["visibility": "private", "description": "budget"]))
            let id = try #require(created["id"] as? Int)
            let outsider = try json(try await client.get("/api/v1/bookings/\(id)", server, as: "lumbardhi"))
            #expect(outsider["title"] as? String == "Busy")
            #expect(outsider["organisation"] == nil)
            #expect(outsider["description"] == nil)
            let owner = try json(try await client.get("/api/v1/bookings/\(id)", server, as: "anibar"))
            #expect(owner["title"] as? String == "Board of Anibar")
            #expect(owner["description"] as? String == "budget")
        }
    }

    @Test("approval: pending blocks the slot, members cannot approve, the venue's manager can; all is audited")
    func approval() async throws {
        let server = try TestServer()
        try await server.run { client in
            let created = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(
                    space: "kino-main-hall", title: "Screening", category: "screening",
                    start: "2027-02-12T19:00:00+01:00", end: "2027-02-12T21:00:00+01:00"))
            #expect(created["status"] as? String == "pending")
            let id = try #require(created["id"] as? Int)
            let blocked = try await client.post(
                "/api/v1/bookings", server, as: "7arte",
                body: bookingBody(
                    space: "kino-main-hall", category: "screening", start: "2027-02-12T20:00:00+01:00",
                    end: "2027-02-12T22:00:00+01:00"))
            #expect(blocked.status == .conflict)

            let byMember = try await client.post(
                "/api/v1/bookings/\(id)/approve", server, as: "lumbardhi", body: ByteBuffer())
            #expect(byMember.status == .forbidden)
            let approved = try await client.post(
                "/api/v1/bookings/\(id)/approve", server, as: "manager", body: ByteBuffer(string: #"{"reason":"ok"}"#))
            #expect(approved.status == .ok)
            #expect(try json(approved)["status"] as? String == "confirmed")
            let again = try await client.post(
                "/api/v1/bookings/\(id)/approve", server, as: "manager", body: ByteBuffer())
            #expect(again.status == .conflict)
            #expect(try json(again)["error"] as? String == "wrong_status")

            let audit = try json(try await client.get("/api/v1/bookings/\(id)/audit", server, as: "viewer"))
            let actions = (audit["items"] as? [[String: Any]])?.compactMap { $0["action"] as? String }
            #expect(actions == ["approved", "created"])
        }
    }

    @Test("a waiting request is promoted when the slot is cancelled")
    func waitingIsPromoted() async throws {
        let server = try TestServer()
        try await server.run { client in
            let first = try await client.book(
                server, as: "anibar",
                body: bookingBody(start: "2027-02-15T10:00:00+01:00", end: "2027-02-15T12:00:00+01:00"))
            let waiting = try await client.post(
                "/api/v1/bookings", server, as: "lumbardhi",
                body: bookingBody(
                    start: "2027-02-15T10:00:00+01:00", end: "2027-02-15T12:00:00+01:00",
                    extra: ["wait_if_busy": true]))
            #expect(waiting.status == .accepted)
            let waitingBody = try json(waiting)
            #expect(waitingBody["status"] as? String == "waiting")
            #expect((waitingBody["blocked_by"] as? [Any])?.count == 1)
            let waitingID = try #require(waitingBody["id"] as? Int)
            // Renaming a waiting request keeps it waiting (it is not checked again).
            let renamed = try await client.patch(
                "/api/v1/bookings/\(waitingID)", server, as: "lumbardhi",
                body: ByteBuffer(string: #"{"title":"Sound lab"}"#))
            #expect(renamed.status == .ok)
            #expect(try json(renamed)["status"] as? String == "waiting")

            let cancelled = try await client.post(
                "/api/v1/bookings/\(first["id"] as! Int)/cancel", server, as: "anibar",
                body: ByteBuffer(string: #"{"reason":"festival moved"}"#))
            #expect(try json(cancelled)["status"] as? String == "cancelled")
            let promoted = try json(try await client.get("/api/v1/bookings/\(waitingID)", server, as: "lumbardhi"))
            #expect(promoted["status"] as? String == "confirmed")
            let audit = try json(try await client.get("/api/v1/bookings/\(waitingID)/audit", server, as: "lumbardhi"))
            #expect((audit["items"] as? [[String: Any]])?.first?["action"] as? String == "promoted")
        }
    }

    @Test("a retried create with the same Idempotency-Key returns the first booking; another body is refused")
    func idempotency() async throws {
        let server = try TestServer()
        try await server.run { client in
            let body = bookingBody(start: "2027-02-16T10:00:00+01:00", end: "2027-02-16T11:00:00+01:00")
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "retry-1"]
            let first = try await client.post("/api/v1/bookings", server, as: "anibar", body: body, headers: key)
            let second = try await client.post("/api/v1/bookings", server, as: "anibar", body: body, headers: key)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(try json(first)["id"] as? Int == json(second)["id"] as? Int)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let other = try await client.post(
                "/api/v1/bookings", server, as: "anibar",
                body: bookingBody(start: "2027-02-16T12:00:00+01:00", end: "2027-02-16T13:00:00+01:00"), headers: key)
            #expect(other.status == .unprocessableContent)
            #expect(try json(other)["field"] as? String == "Idempotency-Key")
        }
    }

    @Test("recurring series: all-or-nothing refuses, skip-conflicts books the rest; one occurrence can be cancelled")
    func recurringSeries() async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(start: "2027-02-17T18:00:00+01:00", end: "2027-02-17T20:00:00+01:00"))
            let weekly: [String: Any] = ["recurrence": "FREQ=WEEKLY;COUNT=4"]
            let strict = try await client.post(
                "/api/v1/bookings", server, as: "anibar",
                body: bookingBody(start: "2027-02-03T18:00:00+01:00", end: "2027-02-03T20:00:00+01:00", extra: weekly))
            #expect(strict.status == .conflict)
            #expect((try json(strict)["violations"] as? [Any])?.count == 1)

            var lenient = weekly
            lenient["series_policy"] = "skip-conflicts"
            let series = try await client.book(
                server, as: "anibar",
                body: bookingBody(start: "2027-02-03T18:00:00+01:00", end: "2027-02-03T20:00:00+01:00", extra: lenient))
            let occurrences = try #require(series["occurrences"] as? [[String: Any]])
            #expect(
                occurrences.map { $0["start"] as? String } == [
                    "2027-02-03T18:00:00+01:00", "2027-02-10T18:00:00+01:00", "2027-02-24T18:00:00+01:00",
                ])
            #expect((series["skipped"] as? [[String: Any]])?.first?["start"] as? String == "2027-02-17T18:00:00+01:00")

            let seriesID = try #require(series["id"] as? Int)
            let occurrenceID = try #require(occurrences[1]["id"] as? Int)
            let afterCancel = try json(
                try await client.post(
                    "/api/v1/bookings/\(seriesID)/occurrences/\(occurrenceID)/cancel", server, as: "anibar",
                    body: ByteBuffer()))
            let statuses = (afterCancel["occurrences"] as? [[String: Any]])?.map { $0["status"] as? String }
            #expect(statuses == ["scheduled", "cancelled", "scheduled"])
            // The cancelled occurrence's slot is free again.
            _ = try await client.book(
                server, as: "7arte",
                body: bookingBody(start: "2027-02-10T18:00:00+01:00", end: "2027-02-10T20:00:00+01:00"))
        }
    }

    @Test("a change that moves a booking onto another is refused; a free move is saved and audited")
    func changes() async throws {
        let server = try TestServer()
        try await server.run { client in
            let a = try await client.book(
                server, as: "anibar",
                body: bookingBody(start: "2027-02-18T10:00:00+01:00", end: "2027-02-18T11:00:00+01:00"))
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(start: "2027-02-18T14:00:00+01:00", end: "2027-02-18T15:00:00+01:00"))
            let id = try #require(a["id"] as? Int)
            let clash = try await client.patch(
                "/api/v1/bookings/\(id)", server, as: "anibar",
                body: ByteBuffer(string: #"{"start":"2027-02-18T14:30:00+01:00","end":"2027-02-18T15:30:00+01:00"}"#))
            #expect(clash.status == .conflict)
            let moved = try await client.patch(
                "/api/v1/bookings/\(id)", server, as: "anibar",
                body: ByteBuffer(
                    string: #"{"start":"2027-02-18T16:00:00+01:00","end":"2027-02-18T17:00:00+01:00","title":"Moved"}"#)
            )
            #expect(moved.status == .ok)
            let body = try json(moved)
            #expect(body["start"] as? String == "2027-02-18T16:00:00+01:00")
            #expect(body["title"] as? String == "Moved")
            #expect(body["sequence"] as? Int == 1)
            let byOther = try await client.patch(
                "/api/v1/bookings/\(id)", server, as: "lumbardhi", body: ByteBuffer(string: #"{"title":"mine"}"#))
            #expect(byOther.status == .forbidden)
        }
    }

    @Test("availability lists busy and free time within opening hours")
    func availability() async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.book(
                server, as: "anibar",
                body: bookingBody(start: "2027-02-10T10:00:00+01:00", end: "2027-02-10T12:00:00+01:00"))
            let response = try await client.get(
                "/api/v1/spaces/kino-workshop-room/availability?from=2027-02-10T00:00:00%2B01:00&to=2027-02-11T00:00:00%2B01:00",
                server, as: "lumbardhi")
            #expect(response.status == .ok)
            let body = try json(response)
            let open = try #require(body["open"] as? [[String: String]])
            #expect(open == [["start": "2027-02-10T09:00:00+01:00", "end": "2027-02-10T23:00:00+01:00"]])
            let free = try #require(body["free"] as? [[String: String]])
            #expect(
                free == [
                    // A booking here needs its own 15-minute teardown before 10:00.
                    ["start": "2027-02-10T09:00:00+01:00", "end": "2027-02-10T09:45:00+01:00"],
                    ["start": "2027-02-10T12:15:00+01:00", "end": "2027-02-10T23:00:00+01:00"],
                ])
        }
    }

    @Test("healthz answers and /metrics counts bookings and refusals")
    func operations() async throws {
        let server = try TestServer()
        try await server.run { client in
            #expect(try await client.get("/healthz", server, as: nil).status == .ok)
            let body = bookingBody(start: "2027-02-10T10:00:00+01:00", end: "2027-02-10T12:00:00+01:00")
            _ = try await client.book(server, as: "anibar", body: body)
            _ = try await client.post("/api/v1/bookings", server, as: "anibar", body: body)
            let metrics = String(buffer: try await client.get("/metrics", server, as: nil).body)
            #expect(metrics.contains(#"hapesira_bookings_created_total{status="confirmed"} 1"#))
            #expect(metrics.contains(#"hapesira_booking_refusals_total{reason="conflict"} 1"#))
            #expect(metrics.contains("hapesira_http_request_duration_seconds_bucket"))
            #expect(metrics.contains(#"hapesira_http_requests_total{method="POST",status="409"} 1"#))
        }
    }
}
