import Foundation
import HTTPTypes
import HapesiraCore
import HapesiraHTTP
import HapesiraStore
import HapesiraTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("iCalendar feeds and free/busy over a real loopback server")
struct FeedAPITests {
    private static let spaceFeed = "/ical/spaces/kino-workshop-room.ics"

    private func fetch(
        _ client: some TestClientProtocol, _ path: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await client.executeRequest(uri: path, method: method, headers: headers, body: nil)
    }

    /// Lines of a feed, unfolded.
    private func lines(_ response: TestResponse) -> [String] {
        String(buffer: response.body).replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n")
    }

    @Test("a space's feed shows public bookings in full and other organisations' private ones as Busy")
    func spaceFeed() async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.book(
                server, as: "anibar",
                body: bookingBody(
                    title: "Animation workshop, day 1", start: "2027-02-10T10:00:00+01:00",
                    end: "2027-02-10T12:00:00+01:00"))
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(
                    title: "Secret board meeting", category: "board-meeting", start: "2027-02-11T10:00:00+01:00",
                    end: "2027-02-11T12:00:00+01:00", extra: ["visibility": "private"]))

            let response = try await fetch(client, Self.spaceFeed)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/calendar; charset=utf-8")
            #expect(response.headers[.eTag]?.hasPrefix("\"") == true)
            #expect(response.headers[.lastModified]?.hasSuffix(" GMT") == true)
            let lines = lines(response)
            #expect(lines.first == "BEGIN:VCALENDAR")
            #expect(lines.contains("SUMMARY:Animation workshop\\, day 1"))
            #expect(lines.contains("SUMMARY:Busy"))
            #expect(lines.contains("CLASS:PRIVATE"))
            #expect(!String(buffer: response.body).contains("Secret"))
            #expect(!lines.contains { $0.hasPrefix("METHOD") })
            #expect(lines.contains { $0.hasPrefix("X-WR-CALNAME:") && $0.contains("Workshop room") })
            #expect(lines.contains { $0.hasPrefix("NAME;LANGUAGE=sq:") })
            #expect(lines.contains { $0.hasPrefix("DTSTART;TZID=Europe/Belgrade:20270210T100000") })
            #expect(lines.filter { $0 == "BEGIN:VTIMEZONE" }.count == 1)
        }
    }

    @Test("conditional GET: 304 only while the feed is unchanged; HEAD carries the same headers")
    func conditionalGet() async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.book(
                server, as: "anibar",
                body: bookingBody(start: "2027-02-10T10:00:00+01:00", end: "2027-02-10T12:00:00+01:00"))
            let first = try await fetch(client, Self.spaceFeed)
            let etag = try #require(first.headers[.eTag])
            let lastModified = try #require(first.headers[.lastModified])

            let again = try await fetch(client, Self.spaceFeed)
            let timing = try #require(HTTPField.Name("Server-Timing"))
            #expect(first.headers[timing]?.hasPrefix("cache;desc=miss, db;dur=") == true)
            #expect(again.headers[timing] == "cache;desc=hit")
            #expect(again.headers[.eTag] == etag, "equal data gives equal bytes")
            #expect(again.body == first.body)

            for headers: HTTPFields in [
                [.ifNoneMatch: etag], [.ifNoneMatch: "W/\(etag)"], [.ifNoneMatch: "\"other\", \(etag)"],
                [.ifNoneMatch: "*"], [.ifModifiedSince: lastModified],
            ] {
                let response = try await fetch(client, Self.spaceFeed, headers: headers)
                #expect(response.status == .notModified, "\(headers)")
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.eTag] == etag)
                #expect(response.headers[.date]?.hasSuffix(" GMT") == true)
            }
            // Every 304 was counted, including those answered in front of the router.
            let metrics = try await fetch(client, "/metrics")
            #expect(
                String(buffer: metrics.body).contains(#"hapesira_http_requests_total{method="GET",status="304"} 5"#))
            // If-None-Match wins over If-Modified-Since.
            let mismatch = try await fetch(
                client, Self.spaceFeed, headers: [.ifNoneMatch: "\"other\"", .ifModifiedSince: lastModified])
            #expect(mismatch.status == .ok)

            let head = try await fetch(client, Self.spaceFeed, method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(head.headers[.eTag] == etag)
            #expect(head.headers[.contentLength] == String(first.body.readableBytes))

            // A change to a booking in the feed changes the bytes: the old validators no longer match.
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(start: "2027-02-12T10:00:00+01:00", end: "2027-02-12T12:00:00+01:00"))
            let changed = try await fetch(
                client, Self.spaceFeed, headers: [.ifNoneMatch: etag, .ifModifiedSince: lastModified])
            #expect(changed.status == .ok)
            #expect(changed.headers[.eTag] != etag)
            let changedSince = try await fetch(client, Self.spaceFeed, headers: [.ifModifiedSince: lastModified])
            #expect(
                changedSince.status == .ok, "Last-Modified moved forward although the change was in the same second")

            // A write elsewhere (another venue) leaves this feed's bytes, and so its validators, alone.
            let current = try #require(changed.headers[.eTag])
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(
                    space: "lumbardhi-cinema-hall", category: "screening", start: "2027-02-12T18:00:00+01:00",
                    end: "2027-02-12T20:00:00+01:00"))
            let unrelated = try await fetch(client, Self.spaceFeed, headers: [.ifNoneMatch: current])
            #expect(unrelated.status == .notModified)
        }
    }

    @Test("an organisation's feed needs one of its feed tokens, shows its private bookings, and stops on revocation")
    func organisationFeed() async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.book(
                server, as: "anibar",
                body: bookingBody(
                    title: "Private rehearsal", category: "rehearsal", start: "2027-02-10T10:00:00+01:00",
                    end: "2027-02-10T12:00:00+01:00", extra: ["visibility": "private"]))
            let created = try await client.post(
                "/api/v1/organisations/anibar/feed-tokens", server, as: "anibar",
                body: ByteBuffer(string: #"{"label":"Google calendar"}"#))
            #expect(created.status == .created)
            let body = try json(created)
            let token = try #require(body["token"] as? String)
            let path = try #require(body["path"] as? String)
            #expect(path == "/ical/orgs/anibar/\(token).ics")

            for url in [path, "/ical/orgs/anibar.ics?token=\(token)"] {
                let feed = try await fetch(client, url)
                #expect(feed.status == .ok, "\(url)")
                #expect(lines(feed).contains("SUMMARY:Private rehearsal"))
                #expect(feed.headers[.cacheControl] == "private, no-cache")
            }
            #expect(try await fetch(client, "/ical/orgs/anibar.ics").status == .unauthorized)
            #expect(try await fetch(client, "/ical/orgs/anibar.ics?token=\(token)x").status == .unauthorized)
            #expect(try await fetch(client, "/ical/orgs/lumbardhi/\(token).ics").status == .unauthorized)

            let other = try await client.post(
                "/api/v1/organisations/anibar/feed-tokens", server, as: "lumbardhi", body: ByteBuffer())
            #expect(other.status == .forbidden)

            let listed = try json(
                try await client.get("/api/v1/organisations/anibar/feed-tokens", server, as: "anibar"))
            let items = try #require(listed["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["label"] as? String == "Google calendar")
            #expect(items.first?["token"] == nil, "the secret is shown only once")
            let id = try #require(items.first?["id"] as? String)

            let revoked = try await client.executeRequest(
                uri: "/api/v1/organisations/anibar/feed-tokens/\(id)", method: .delete,
                headers: server.headers("anibar"), body: nil)
            #expect(revoked.status == .noContent)
            #expect(try await fetch(client, path).status == .unauthorized)
        }
    }

    @Test(
        "the served venue feed, read by independent Python parsers, expands to exactly the daemon's own occurrences, across the DST change"
    )
    func independentParsersAgree() async throws {
        let server = try TestServer()
        try await server.run { client in
            // A weekly series across the spring-forward change (28 March 2027), one occurrence cancelled.
            let series = try await client.book(
                server, as: "anibar",
                body: bookingBody(
                    title: "Network assembly", category: "assembly", start: "2027-03-17T18:00:00+01:00",
                    end: "2027-03-17T20:00:00+01:00", extra: ["recurrence": "FREQ=WEEKLY;COUNT=4"]))
            let seriesID = try #require(series["id"] as? Int)
            let second = try #require((series["occurrences"] as? [[String: Any]])?[1]["id"] as? Int)
            let cancelled = try await client.post(
                "/api/v1/bookings/\(seriesID)/occurrences/\(second)/cancel", server, as: "anibar", body: ByteBuffer())
            #expect(cancelled.status == .ok)
            // A private booking of another organisation, a pending one (main hall), and a cancelled one.
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(
                    title: "Private", start: "2027-03-18T10:00:00+01:00", end: "2027-03-18T11:00:00+01:00",
                    extra: ["visibility": "private"]))
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(
                    space: "kino-main-hall", category: "screening", start: "2027-03-19T19:00:00+01:00",
                    end: "2027-03-19T21:00:00+01:00"))
            let dropped = try await client.book(
                server, as: "anibar",
                body: bookingBody(start: "2027-03-20T10:00:00+01:00", end: "2027-03-20T11:00:00+01:00"))
            _ = try await client.post(
                "/api/v1/bookings/\(dropped["id"] as? Int ?? 0)/cancel", server, as: "anibar", body: ByteBuffer())

            // The daemon's own list: every scheduled occurrence of a booking that holds its slot.
            let listed = try json(
                try await client.get("/api/v1/bookings?venue=kino-jusuf-gervalla&limit=100", server, as: "admin"))
            var expected: [ICalChecker.Occurrence] = []
            for booking in try #require(listed["items"] as? [[String: Any]]) {
                guard ["confirmed", "pending"].contains(booking["status"] as? String) else { continue }
                let uid = "\(booking["id"] as? Int ?? 0)-\(server.store.database.installationID)@hapesira"
                for occurrence in booking["occurrences"] as? [[String: Any]] ?? []
                where occurrence["status"] as? String == "scheduled" {
                    expected.append(
                        ICalChecker.Occurrence(
                            uid: uid, start: try TimeInput.parse(occurrence["start"] as? String ?? ""),
                            end: try TimeInput.parse(occurrence["end"] as? String ?? "")))
                }
            }
            #expect(expected.count == 3 + 1 + 1)

            let feed = try await fetch(client, "/ical/venues/kino-jusuf-gervalla.ics")
            let (status, output) = try ICalChecker.check(
                String(buffer: feed.body), expected: expected, from: fixedNow - 90 * 86_400,
                to: fixedNow + 540 * 86_400)
            #expect(status == 0, "\(output)")
        }
    }

    @Test("unknown feeds are 404; every scope answers")
    func scopes() async throws {
        let server = try TestServer()
        try await server.run { client in
            for path in [
                "/ical/all.ics", "/ical/cities/peja.ics", "/ical/venues/kino-jusuf-gervalla.ics", Self.spaceFeed,
            ] {
                #expect(try await fetch(client, path).status == .ok, "\(path)")
            }
            for path in ["/ical/spaces/nowhere.ics", "/ical/venues/nowhere.ics", "/ical/cities/atlantis.ics"] {
                let response = try await fetch(client, path)
                #expect(response.status == .notFound, "\(path)")
                #expect(try json(response)["error"] as? String == "not_found")
            }
        }
    }

    @Test("free/busy: a VFREEBUSY in UTC with the space's held time; bad ranges name the field")
    func freeBusy() async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.book(
                server, as: "anibar",
                body: bookingBody(start: "2027-02-10T10:00:00+01:00", end: "2027-02-10T12:00:00+01:00"))
            let response = try await fetch(
                client, "/ical/spaces/kino-workshop-room/freebusy.ics?from=2027-02-10T00:00:00Z&to=2027-02-11T00:00:00Z"
            )
            #expect(response.status == .ok)
            let lines = lines(response)
            #expect(lines.contains("BEGIN:VFREEBUSY"))
            #expect(lines.contains("DTSTART:20270210T000000Z"))
            // 09:00-11:00 UTC, widened by the room's buffers.
            #expect(lines.contains { $0.hasPrefix("FREEBUSY;FBTYPE=BUSY:") && $0.contains("Z/") })

            let bad = try await fetch(
                client, "/ical/spaces/kino-workshop-room/freebusy.ics?from=2027-02-10T00:00:00Z&to=2027-02-09T00:00:00Z"
            )
            #expect(bad.status == .unprocessableContent)
            #expect(try json(bad)["field"] as? String == "to")
        }
    }
}
