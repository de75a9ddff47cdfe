import Foundation
import HTTPTypes
import HapesiraHTTP
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A calendar object: lines joined with CRLF.
private func ics(_ lines: [String]) -> ByteBuffer { ByteBuffer(string: lines.joined(separator: "\r\n") + "\r\n") }

/// A VEVENT as a room-booking REQUEST (or another method) from Anibar's programme calendar.
private func event(
    method: String? = "REQUEST", uid: String = "screening-42@anibar.org", sequence: Int = 0,
    stamp: String = "20270115T090000Z", start: String = "20270210T100000", end: String = "20270210T120000",
    summary: String = "Animation workshop", organizer: String = "mailto:program@anibar.org",
    extra: [String] = [], instances: [[String]] = []
) -> ByteBuffer {
    var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Calendar//EN"]
    if let method { lines.append("METHOD:\(method)") }
    let master =
        [
            "BEGIN:VEVENT", "UID:\(uid)", "SEQUENCE:\(sequence)", "DTSTAMP:\(stamp)",
            "DTSTART;TZID=Europe/Belgrade:\(start)", "DTEND;TZID=Europe/Belgrade:\(end)", "SUMMARY:\(summary)",
            "ORGANIZER;CN=Anibar:\(organizer)",
            "ATTENDEE;CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Workshop room:mailto:workshop@kino.example",
        ] + extra + ["END:VEVENT"]
    lines += master
    for instance in instances {
        lines += ["BEGIN:VEVENT", "UID:\(uid)", "SEQUENCE:\(sequence)", "DTSTAMP:\(stamp)"] + instance + ["END:VEVENT"]
    }
    lines.append("END:VCALENDAR")
    return ics(lines)
}

/// The unfolded lines of a response.
private func lines(_ response: TestResponse) -> [String] {
    String(buffer: response.body).replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n")
}

@Suite("Booking by iCalendar (iTIP) over a real loopback server")
struct CalendarIntakeTests {
    private static let room = "/ical/spaces/kino-workshop-room"

    private func send(
        _ client: some TestClientProtocol, _ server: TestServer, _ body: ByteBuffer, path: String = room,
        as who: String? = "anibar", contentType: String = "text/calendar; charset=utf-8"
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: contentType]
        if let who, let token = server.tokens[who] { headers[.authorization] = "Bearer \(token)" }
        return try await client.executeRequest(uri: path, method: .post, headers: headers, body: body)
    }

    private func bookings(_ client: some TestClientProtocol, _ server: TestServer) async throws -> [[String: Any]] {
        let listed = try json(try await client.get("/api/v1/bookings?space=kino-workshop-room", server, as: "admin"))
        return try #require(listed["items"] as? [[String: Any]])
    }

    @Test("a REQUEST for a free room is ACCEPTED, echoing UID and SEQUENCE, and the booking is in the room's feed")
    func accept() async throws {
        let server = try TestServer()
        try await server.run { client in
            let response = try await send(client, server, event(sequence: 3))
            #expect(response.status == .created)
            #expect(response.headers[.contentType]?.hasPrefix("text/calendar") == true)
            let reply = lines(response)
            #expect(reply.contains("METHOD:REPLY"))
            #expect(reply.contains("UID:screening-42@anibar.org"))
            #expect(reply.contains("SEQUENCE:3"))
            #expect(reply.contains("REQUEST-STATUS:2.0;Success"))
            #expect(reply.filter { $0.hasPrefix("ATTENDEE") }.count == 1)
            #expect(reply.contains { $0.hasPrefix("ATTENDEE") && $0.contains("PARTSTAT=ACCEPTED") })
            #expect(reply.contains { $0.hasPrefix("DTSTAMP:") && $0.hasSuffix("Z") })

            let stored = try await bookings(client, server)
            #expect(stored.count == 1)
            #expect(stored.first?["title"] as? String == "Animation workshop")
            #expect(stored.first?["start"] as? String == "2027-02-10T10:00:00+01:00")

            let feed = try await client.executeRequest(
                uri: "/ical/spaces/kino-workshop-room.ics", method: .get, headers: [:], body: nil)
            #expect(String(buffer: feed.body).contains("UID:screening-42@anibar.org"))
        }
    }

    @Test("a REQUEST for a taken slot is DECLINED (4.0) with alternatives, and nothing is stored")
    func declineOnConflict() async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(start: "2027-02-10T11:00:00+01:00", end: "2027-02-10T13:00:00+01:00"))
            let response = try await send(client, server, event())
            #expect(response.status == .conflict)
            let reply = lines(response)
            #expect(reply.contains("REQUEST-STATUS:4.0;Event conflict. Date-time is busy"))
            #expect(reply.contains { $0.hasPrefix("ATTENDEE") && $0.contains("PARTSTAT=DECLINED") })
            #expect(reply.contains { $0.hasPrefix("X-HAPESIRA-ALTERNATIVE:") && $0.contains("Z/") })
            #expect(try await bookings(client, server).count == 1)
        }
    }

    @Test("a declined REQUEST names the free spaces of the same kind in its COMMENT, as the JSON API proposes them")
    func declineProposesSpaces() async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.book(
                server, as: "7arte",
                body: bookingBody(
                    space: "7arte-hall-a", start: "2027-02-10T10:00:00+01:00", end: "2027-02-10T12:00:00+01:00"))
            let response = try await send(client, server, event(), path: "/ical/spaces/7arte-hall-a")
            #expect(response.status == .conflict)
            #expect(lines(response).contains { $0.hasPrefix("COMMENT:conflict") && $0.contains("(7arte-hall-b)") })
        }
    }

    @Test("a room that needs approval answers TENTATIVE; the booking is pending")
    func tentative() async throws {
        let server = try TestServer()
        try await server.run { client in
            let response = try await send(
                client, server, event(start: "20270212T190000", end: "20270212T210000"),
                path: "/ical/spaces/kino-main-hall")
            #expect(response.status == .created)
            #expect(lines(response).contains { $0.hasPrefix("ATTENDEE") && $0.contains("PARTSTAT=TENTATIVE") })
            let listed = try json(try await client.get("/api/v1/bookings?space=kino-main-hall", server, as: "admin"))
            #expect((listed["items"] as? [[String: Any]])?.first?["status"] as? String == "pending")
        }
    }

    @Test(
        "a weekly series with one taken instance: declined whole (all-or-nothing), or accepted with that instance declined",
        arguments: [("", 409), ("?series_policy=skip-conflicts", 201)])
    func seriesWithOneConflict(query: String, status: Int) async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(start: "2027-02-17T10:00:00+01:00", end: "2027-02-17T11:00:00+01:00"))
            let response = try await send(
                client, server, event(extra: ["RRULE:FREQ=WEEKLY;COUNT=3"]), path: Self.room + query)
            #expect(response.status.code == status)
            let reply = lines(response)
            if status == 409 {
                #expect(reply.contains("REQUEST-STATUS:4.0;Event conflict. Date-time is busy"))
                #expect(try await bookings(client, server).count == 1)
            } else {
                #expect(reply.contains { $0.hasPrefix("ATTENDEE") && $0.contains("PARTSTAT=ACCEPTED") })
                // The taken instance (17 Feb) is declined on its own, by its RECURRENCE-ID.
                #expect(reply.contains { $0.hasPrefix("RECURRENCE-ID") && $0.contains("20270217T090000Z") })
                #expect(reply.filter { $0.contains("PARTSTAT=DECLINED") }.count == 1)
                let series = try #require(try await bookings(client, server).first { $0["recurrence"] is String })
                #expect((series["occurrences"] as? [Any])?.count == 2)
            }
        }
    }

    @Test("updates: a higher SEQUENCE moves the booking; a stale one is ignored; another ORGANIZER is refused")
    func updates() async throws {
        let server = try TestServer()
        try await server.run { client in
            #expect(try await send(client, server, event(sequence: 1)).status == .created)

            let moved = try await send(
                client, server,
                event(sequence: 2, stamp: "20270116T090000Z", start: "20270211T140000", end: "20270211T160000"))
            #expect(moved.status == .ok)
            #expect(lines(moved).contains("SEQUENCE:2"))
            #expect(try await bookings(client, server).first?["start"] as? String == "2027-02-11T14:00:00+01:00")

            let stale = try await send(client, server, event(sequence: 1, stamp: "20270117T090000Z"))
            #expect(stale.status == .ok)
            #expect(lines(stale).contains { $0.hasPrefix("COMMENT:Ignored") })
            #expect(try await bookings(client, server).first?["start"] as? String == "2027-02-11T14:00:00+01:00")

            let hijack = try await send(
                client, server,
                event(sequence: 5, start: "20270212T140000", end: "20270212T160000", organizer: "mailto:x@evil.example")
            )
            #expect(hijack.status == .forbidden)
            #expect(lines(hijack).contains { $0.hasPrefix("REQUEST-STATUS:3.7") })
            #expect(try await bookings(client, server).first?["start"] as? String == "2027-02-11T14:00:00+01:00")

            // Another organisation cannot take over the UID at all.
            let other = try await send(client, server, event(sequence: 9), as: "lumbardhi")
            #expect(other.status == .forbidden)
            #expect(try json(other)["field"] as? String == "UID")
        }
    }

    @Test("CANCEL with a RECURRENCE-ID releases that instance (EXDATE in the feed); without, the whole series")
    func cancel() async throws {
        let server = try TestServer()
        try await server.run { client in
            #expect(try await send(client, server, event(extra: ["RRULE:FREQ=WEEKLY;COUNT=3"])).status == .created)
            let one = try await send(
                client, server,
                event(
                    method: "CANCEL", sequence: 1, extra: ["RRULE:FREQ=WEEKLY;COUNT=3"],
                    instances: [
                        [
                            "RECURRENCE-ID;TZID=Europe/Belgrade:20270217T100000",
                            "DTSTART;TZID=Europe/Belgrade:20270217T100000",
                            "DTEND;TZID=Europe/Belgrade:20270217T120000",
                            "STATUS:CANCELLED",
                        ]
                    ]))
            #expect(one.status == .ok)
            let feed = try await client.executeRequest(
                uri: "/ical/spaces/kino-workshop-room.ics", method: .get, headers: [:], body: nil)
            let feedLines = lines(feed)
            #expect(
                feedLines.contains { $0.hasPrefix("EXDATE;TZID=Europe/Belgrade:") && $0.contains("20270217T100000") })

            // The freed instance can be booked by someone else.
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(start: "2027-02-17T10:00:00+01:00", end: "2027-02-17T11:00:00+01:00"))

            let all = try await send(client, server, event(method: "CANCEL", sequence: 2))
            #expect(all.status == .ok)
            let series = try #require(try await bookings(client, server).first { $0["recurrence"] is String })
            #expect(series["status"] as? String == "cancelled")
        }
    }

    @Test("an unsupported METHOD answers 3.14; a VFREEBUSY REQUEST gets the free/busy REPLY")
    func otherMethods() async throws {
        let server = try TestServer()
        try await server.run { client in
            let counter = try await send(client, server, event(method: "COUNTER"))
            #expect(counter.status == .unprocessableContent)
            #expect(lines(counter).contains("REQUEST-STATUS:3.14;Unsupported capability"))
            #expect(try await bookings(client, server).isEmpty)

            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(start: "2027-02-10T11:00:00+01:00", end: "2027-02-10T13:00:00+01:00"))
            let freeBusy = try await send(
                client, server,
                ics([
                    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "METHOD:REQUEST", "BEGIN:VFREEBUSY",
                    "UID:fb-1@anibar.org", "DTSTAMP:20270115T090000Z", "DTSTART:20270210T000000Z",
                    "DTEND:20270211T000000Z", "ORGANIZER:mailto:program@anibar.org",
                    "ATTENDEE;CUTYPE=ROOM:mailto:workshop@kino.example", "END:VFREEBUSY", "END:VCALENDAR",
                ]))
            #expect(freeBusy.status == .ok)
            let reply = lines(freeBusy)
            #expect(reply.contains("METHOD:REPLY"))
            #expect(reply.contains { $0.hasPrefix("FREEBUSY") && $0.contains("20270210T100000Z/") })
        }
    }

    @Test(
        "bad iCalendar is refused with the property named, and nothing is stored",
        arguments: [
            ("garbage", ics(["this is not a calendar"]), 400, "body"),
            (
                "date-only start",
                event(start: "X", extra: []).replacing(
                    "DTSTART;TZID=Europe/Belgrade:X", with: "DTSTART;VALUE=DATE:20270210"), 422, "DTSTART"
            ),
            ("end before start", event(start: "20270210T120000", end: "20270210T100000"), 422, "DTEND"),
            ("unknown zone", event().replacing("TZID=Europe/Belgrade", with: "TZID=Mars/Olympus"), 422, "DTSTART"),
            ("unbounded rule", event(extra: ["RRULE:FREQ=DAILY"]), 422, "RRULE"),
            ("no room attendee", event().replacing("CUTYPE=ROOM", with: "CUTYPE=INDIVIDUAL"), 422, "ATTENDEE"),
            ("two calendars", twice(event()), 422, "VCALENDAR"),
            ("two events", twoEvents(), 422, "VEVENT"),
            ("a zone that contradicts tzdata", wrongZone(), 422, "VTIMEZONE"),
            ("oversize", event(extra: ["DESCRIPTION:" + String(repeating: "x", count: 70_000)]), 413, "body"),
        ])
    func badInput(name: String, body: ByteBuffer, status: Int, field: String) async throws {
        let server = try TestServer()
        try await server.run { client in
            let response = try await send(client, server, body)
            #expect(response.status.code == status, "\(name): \(String(buffer: response.body))")
            #expect(try json(response)["field"] as? String == field, "\(name)")
            #expect(try await bookings(client, server).isEmpty)
        }
    }

    @Test("authentication: a bearer header or the token in the path; JSON bodies are 415")
    func authentication() async throws {
        let server = try TestServer()
        try await server.run { client in
            #expect(try await send(client, server, event(), as: nil).status == .unauthorized)
            let token = try #require(server.tokens["anibar"])
            #expect(try await send(client, server, event(), path: "\(Self.room)/\(token)", as: nil).status == .created)
            let json = try await send(client, server, event(uid: "x@y"), contentType: "application/json")
            #expect(json.status == .unsupportedMediaType)
        }
    }
}

/// The same calendar object twice in one body.
private func twice(_ body: ByteBuffer) -> ByteBuffer {
    var doubled = body
    var copy = body
    doubled.writeBuffer(&copy)
    return doubled
}

/// Two unrelated events (two UIDs) in one request.
private func twoEvents() -> ByteBuffer {
    ics(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN"]
            + ["a@anibar.org", "b@anibar.org"].flatMap { uid in
                [
                    "BEGIN:VEVENT", "UID:\(uid)", "DTSTAMP:20270115T090000Z", "DTSTART:20270210T090000Z",
                    "DTEND:20270210T100000Z", "SUMMARY:\(uid)", "END:VEVENT",
                ]
            } + ["END:VCALENDAR"])
}

/// An event in `Europe/Belgrade` whose VTIMEZONE says +05:00 all year.
private func wrongZone() -> ByteBuffer {
    event().replacing(
        "BEGIN:VEVENT",
        with: [
            "BEGIN:VTIMEZONE", "TZID:Europe/Belgrade", "BEGIN:STANDARD", "DTSTART:19700101T000000",
            "TZOFFSETFROM:+0500", "TZOFFSETTO:+0500", "END:STANDARD", "END:VTIMEZONE", "BEGIN:VEVENT",
        ].joined(separator: "\r\n"))
}

extension ByteBuffer {
    /// The same bytes with a text replaced (for building broken inputs from good ones).
    fileprivate func replacing(_ old: String, with new: String) -> ByteBuffer {
        ByteBuffer(string: String(buffer: self).replacingOccurrences(of: old, with: new))
    }
}
