import Foundation
import HTTPTypes
import HapesiraCore
import HapesiraHTTP
import HapesiraStore
import Hummingbird
import HummingbirdTesting
import Testing

/// The booking form's fields for the workshop room on Wednesday 10 February 2027 (local times).
func bookingForm(
    _ csrf: String?, space: String = "kino-workshop-room", title: String = "Animation workshop",
    date: String = "2027-02-10", start: String = "10:00", end: String = "12:00", extra: [String: String] = [:]
) -> [String: String] {
    var fields = [
        "space": space, "title": title, "category": "workshop", "date": date, "start": start, "end": end,
        "visibility": "public", "policy": "all-or-nothing",
    ]
    if let csrf { fields["csrf"] = csrf }
    fields.merge(extra) { _, new in new }
    return fields
}

/// The hidden fields of each `<form class="alternative">` on a page.
func alternativeForms(in html: String) -> [[String: String]] {
    html.components(separatedBy: #"<form class="alternative""#).dropFirst().map { part in
        let form = part.components(separatedBy: "</form>")[0]
        var fields: [String: String] = [:]
        for match in form.matches(of: /<input type="hidden" name="([a-z]+)" value="([^"]*)">/) {
            fields[String(match.output.1)] = String(match.output.2).replacingOccurrences(of: "&amp;", with: "&")
        }
        return fields
    }
}

@Suite("Web booking pages")
struct WebBookingPagesTests {
    static func csrfSecret(_ response: TestResponse) -> String? { csrf(in: String(buffer: response.body)) }

    /// Every booking in the database, any organisation or status.
    static func allBookings(_ server: TestServer) async throws -> [Booking] {
        try await server.store.bookings(BookingFilter())
    }

    static func bookingID(_ response: TestResponse) throws -> Int64 {
        #expect(response.status == .seeOther, "\(String(buffer: response.body).prefix(3000))")
        let location = try #require(response.headers[.location])
        return try #require(Int64(location.dropFirst("/bookings/".count)))
    }

    @Test("the form has a label for every input, groups choices in fieldsets, is preselected and translated")
    func form() async throws {
        let server = try TestServer()
        try await server.run { client in
            let anonymous = try await client.page("/book?space=kino-workshop-room")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/login?next=/book%3Fspace%3Dkino-workshop-room")
            #expect(!String(buffer: try await client.page("/").body).contains(#"href="/bookings""#))

            let session = try await BrowserSession(client, server, as: "anibar")
            let response = try await client.page(
                "/book?space=kino-workshop-room&date=2027-02-10&lang=en", cookie: session.cookie)
            #expect(response.status == .ok)
            let html = String(buffer: response.body)
            for id in [
                "space", "date", "start", "end", "title", "category", "attendance", "description", "repeats", "until",
                "count", "rrule", "visibility-public", "visibility-private", "policy-all", "policy-skip", "wait",
                "check-space", "check-date",
            ] {
                #expect(html.contains(#"<label for="\#(id)">"#) && html.contains(#"id="\#(id)""#), "label of \(id)")
            }
            #expect(html.components(separatedBy: "<legend>").count == 1 + 6)
            #expect(html.contains(#"<optgroup label="Peja — Kino Jusuf Gërvalla (Anibar)">"#))
            #expect(html.contains(#"<option value="kino-workshop-room" selected>Workshop room"#))
            #expect(!html.contains(#"id="organisation""#), "a member books for its own organisation only")
            #expect(html.contains(#"<a href="/book">Book a room</a>"#) && html.contains(#"<a href="/bookings">"#))
            // The free time of the day, each slot a link that fills the form in.
            #expect(html.contains("Wednesday 10.02.2027, 09:00–23:00"))
            #expect(
                links(in: html).contains("/book?space=kino-workshop-room&date=2027-02-10&start=09%3A00&end=10%3A00"))
            for script in ["<script", "<link rel=\"stylesheet\"", "src="] { #expect(!html.contains(script)) }
            // A free-slot link fills the form in.
            let picked = String(
                buffer: try await client.page(
                    "/book?space=kino-workshop-room&date=2027-02-10&start=09%3A00&end=10%3A00&title=Q%26A",
                    cookie: session.cookie
                ).body)
            #expect(picked.contains(#"id="start" name="start" type="time" value="09:00""#))
            #expect(picked.contains(#"id="end" name="end" type="time" value="10:00""#))
            #expect(picked.contains(#"id="title" name="title" value="Q&amp;A""#))

            let albanian = String(buffer: try await client.page("/book?lang=sq", cookie: session.cookie).body)
            #expect(albanian.contains("<h1>Rezervo një hapësirë</h1>") && albanian.contains("Pjesëmarrja e pritur"))
            let serbian = String(buffer: try await client.page("/bookings?lang=sr", cookie: session.cookie).body)
            #expect(serbian.contains("<h1>Moje rezervacije</h1>") && serbian.contains("Privatni kalendar"))
        }
    }

    @Test("a booking made with the form is on My bookings and its page; it can be cancelled there")
    func bookAndCancel() async throws {
        let server = try TestServer()
        try await server.run { client in
            let session = try await BrowserSession(client, server, as: "anibar")
            let id = try Self.bookingID(
                try await client.form(
                    "/book",
                    bookingForm(
                        session.csrf, extra: ["attendance": "20", "description": "Stop-motion for beginners"]),
                    cookie: session.cookie))
            let booking = try #require(try await server.store.booking(id))
            #expect(booking.draft.organisation == "anibar" && booking.status == .confirmed)
            #expect(booking.draft.start == (try TimeInput.parse("2027-02-10T10:00:00+01:00")))
            #expect(booking.draft.end == (try TimeInput.parse("2027-02-10T12:00:00+01:00")))
            #expect(booking.draft.expectedAttendance == 20 && booking.draft.description == "Stop-motion for beginners")

            let list = String(buffer: try await client.page("/bookings?lang=en", cookie: session.cookie).body)
            #expect(list.contains(#"<a href="/bookings/\#(id)">Animation workshop</a>"#))
            #expect(list.contains("Wednesday 10.02.2027, 10:00–12:00") && list.contains("Confirmed"))
            let filtered = String(
                buffer: try await client.page("/bookings?status=cancelled&lang=en", cookie: session.cookie).body)
            #expect(!filtered.contains("Animation workshop") && filtered.contains("No bookings."))
            let outside = String(
                buffer: try await client.page("/bookings?from=2027-02-11&to=2027-03-01", cookie: session.cookie).body)
            #expect(!outside.contains("Animation workshop"))
            let inside = String(
                buffer: try await client.page("/bookings?from=2027-02-10&to=2027-02-10", cookie: session.cookie).body)
            #expect(inside.contains("Animation workshop"))

            let page = String(buffer: try await client.page("/bookings/\(id)?lang=en", cookie: session.cookie).body)
            #expect(page.contains("<h1>Animation workshop</h1>") && page.contains("Stop-motion for beginners"))
            #expect(page.contains("Wednesday 10.02.2027, 10:00–12:00") && page.contains("Europe/Belgrade"))
            #expect(page.contains("Scheduled") && page.contains(#"action="/bookings/\#(id)/cancel""#))
            #expect(page.contains("Created — Anibar"), "the history")
            #expect(page.contains(#"<form method="post" action="/feed-links">"#))

            // The free time of that day now leaves the booking out, its teardown included.
            let form = String(
                buffer: try await client.page(
                    "/book?space=kino-workshop-room&date=2027-02-10&lang=en", cookie: session.cookie
                )
                .body)
            #expect(form.contains("10.02.2027, 09:00–09:45") && form.contains("10.02.2027, 12:15–23:00"))
            // And the week view offers "Book" links to a signed-in member only.
            let week = "/week/venues/kino-jusuf-gervalla?date=2027-02-10"
            #expect(
                links(in: String(buffer: try await client.page(week, cookie: session.cookie).body)).contains(
                    "/book?space=kino-workshop-room&date=2027-02-10"))
            #expect(!String(buffer: try await client.page(week).body).contains(#"href="/book?"#))

            let cancelled = try await client.form(
                "/bookings/\(id)/cancel", ["csrf": session.csrf, "reason": "Trainer is ill"], cookie: session.cookie)
            #expect(cancelled.status == .seeOther && cancelled.headers[.location] == "/bookings/\(id)")
            #expect(try await server.store.booking(id)?.status == .cancelled)
            let after = String(buffer: try await client.page("/bookings/\(id)?lang=en", cookie: session.cookie).body)
            #expect(after.contains("Cancelled — Anibar (Reason: Trainer is ill)"))
            #expect(!after.contains(#"action="/bookings/\#(id)/cancel""#), "nothing left to cancel")
        }
    }

    @Test("a refused booking shows what is in the way (private as busy) and alternatives; one click books one")
    func refusalAndAlternative() async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(
                    title: "Budget talks", category: "board-meeting", start: "2027-02-10T10:00:00+01:00",
                    end: "2027-02-10T12:00:00+01:00", extra: ["visibility": "private"]))
            let session = try await BrowserSession(client, server, as: "anibar")
            let refused = try await client.form(
                "/book?lang=en", bookingForm(session.csrf, extra: ["attendance": "12"]), cookie: session.cookie)
            #expect(refused.status == .conflict)
            let html = String(buffer: refused.body)
            #expect(html.contains("The time is not free") && html.contains(#"<div role="alert">"#))
            #expect(html.contains("Wednesday 10.02.2027, 10:00–12:00"))
            #expect(html.contains("Taken by: <strong>Busy</strong>, Workshop room"))
            #expect(!html.contains("Budget talks") && !html.contains("Lumbardhi Foundation"))
            #expect(html.contains(#"id="title" name="title" value="Animation workshop""#), "the values are kept")
            #expect(try await Self.allBookings(server).count == 1, "nothing written")

            let alternatives = alternativeForms(in: html)
            #expect(alternatives.count == 3)
            let first = try #require(alternatives.first)
            #expect(first["csrf"] == session.csrf && first["title"] == "Animation workshop")
            #expect(first["attendance"] == "12" && first["space"] == "kino-workshop-room")
            #expect(first["date"] == "2027-02-10" && first["start"] != "10:00")
            let id = try Self.bookingID(try await client.form("/book", first, cookie: session.cookie))
            let booked = try #require(try await server.store.booking(id))
            #expect(booked.draft.title == "Animation workshop" && booked.draft.expectedAttendance == 12)
            let start = "2027-02-10T\(first["start"]!):00+01:00"
            #expect(booked.draft.start == (try TimeInput.parse(start)))
            #expect(booked.draft.end - booked.draft.start == 2 * 3600)

            // Asked to wait instead: queued for the slot, nothing else in the way.
            let waiting = try Self.bookingID(
                try await client.form(
                    "/book", bookingForm(session.csrf, title: "Patient workshop", extra: ["wait": "on"]),
                    cookie: session.cookie))
            #expect(try await server.store.booking(waiting)?.status == .waiting)
            #expect(
                String(buffer: try await client.page("/bookings/\(waiting)?lang=en", cookie: session.cookie).body)
                    .contains("On the waiting list"))

            // Counted like the API's bookings and refusals (the first one was made with the API).
            let metrics = String(buffer: try await client.page("/metrics").body)
            #expect(metrics.contains(#"hapesira_bookings_created_total{status="confirmed"} 2"#))
            #expect(metrics.contains(#"hapesira_bookings_created_total{status="waiting"} 1"#))
            #expect(metrics.contains(#"hapesira_booking_refusals_total{reason="conflict"} 1"#))

            // Another rule: the venue closes at 23:00 on weekdays.
            let late = String(
                buffer: try await client.form(
                    "/book?lang=en", bookingForm(session.csrf, start: "22:00", end: "23:30"), cookie: session.cookie
                ).body)
            #expect(late.contains("The venue is not open for the whole of this time."))

            // The owner of the booking in the way sees it in full.
            let owner = try await BrowserSession(client, server, as: "lumbardhi")
            let own = String(
                buffer: try await client.form(
                    "/book?lang=en", bookingForm(owner.csrf, start: "11:00", end: "12:00"), cookie: owner.cookie
                ).body)
            #expect(own.contains("Taken by: <strong>Budget talks</strong> (Lumbardhi Foundation)"))
        }
    }

    @Test("a form without this session's CSRF secret, or posted from another site, writes nothing")
    func csrfAndOrigin() async throws {
        let server = try TestServer()
        try await server.run { client in
            let session = try await BrowserSession(client, server, as: "anibar")
            for (secret, origin) in [(nil, nil), ("guess", nil), (session.csrf, "https://evil.example")] {
                let response = try await client.form(
                    "/book", bookingForm(secret), cookie: session.cookie, origin: origin)
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("Seanca juaj ka skaduar"))
            }
            #expect(try await Self.allBookings(server).isEmpty)

            let id = try Self.bookingID(
                try await client.form("/book", bookingForm(session.csrf), cookie: session.cookie))
            #expect(
                try await client.form("/bookings/\(id)/cancel", ["csrf": "guess"], cookie: session.cookie).status
                    == .forbidden)
            #expect(
                try await client.form(
                    "/bookings/\(id)/cancel", ["csrf": session.csrf], cookie: session.cookie,
                    origin: "https://evil.example"
                ).status == .forbidden)
            #expect(try await server.store.booking(id)?.status == .confirmed)
            #expect(
                try await client.form("/feed-links", ["csrf": "guess"], cookie: session.cookie).status == .forbidden)
            #expect(try await FeedTokenStore(database: server.store.database).list(organisation: "anibar").isEmpty)
        }
    }

    @Test("anonymous visitors are sent to sign in; a viewer may not book (403 page), and nothing is written")
    func rolesAndSignIn() async throws {
        let server = try TestServer()
        try await server.run { client in
            for path in ["/book", "/bookings", "/bookings/1"] {
                let response = try await client.page(path)
                #expect(response.status == .seeOther)
                #expect(response.headers[.location]?.hasPrefix("/login?next=") == true, "\(path)")
            }
            let anonymous = try await client.form("/book", bookingForm(nil))
            #expect(anonymous.status == .seeOther && anonymous.headers[.location]?.hasPrefix("/login") == true)

            let viewer = try await BrowserSession(client, server, as: "viewer")
            let form = try await client.page("/book?lang=en", cookie: viewer.cookie)
            #expect(form.status == .forbidden)
            #expect(String(buffer: form.body).contains("This access is read-only"))
            #expect(!String(buffer: form.body).contains(#"<a href="/book">"#))
            let post = try await client.form("/book", bookingForm(viewer.csrf), cookie: viewer.cookie)
            #expect(post.status == .forbidden)
            #expect(try await Self.allBookings(server).isEmpty)
            #expect(try await client.page("/bookings", cookie: viewer.cookie).status == .ok)

            // An admin books for another organisation.
            let admin = try await BrowserSession(client, server, as: "admin")
            #expect(
                String(buffer: try await client.page("/book", cookie: admin.cookie).body).contains(
                    #"<select id="organisation" name="organisation""#))
            let id = try Self.bookingID(
                try await client.form(
                    "/book", bookingForm(admin.csrf, extra: ["organisation": "dokufest"]), cookie: admin.cookie))
            #expect(try await server.store.booking(id)?.draft.organisation == "dokufest")
            let own = String(buffer: try await client.page("/bookings", cookie: admin.cookie).body)
            #expect(!own.contains("Animation workshop") && own.contains(#"<select id="organisation""#))
            let theirs = String(
                buffer: try await client.page("/bookings?organisation=dokufest", cookie: admin.cookie).body)
            #expect(theirs.contains(#"<a href="/bookings/\#(id)">Animation workshop</a>"#))
            #expect(!theirs.contains(#"action="/feed-links""#), "the feed link form is for the own organisation")
            // A member cannot list another organisation's bookings as its own.
            let member = try await BrowserSession(client, server, as: "anibar")
            let ignored = String(
                buffer: try await client.page("/bookings?organisation=dokufest", cookie: member.cookie).body)
            #expect(!ignored.contains("Animation workshop") && !ignored.contains(#"id="organisation""#))
        }
    }

    @Test("a member sees another organisation's booking as the API shows it and cannot cancel it")
    func otherOrganisation() async throws {
        let server = try TestServer()
        try await server.run { client in
            let open = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(
                    title: "Open rehearsal", category: "rehearsal", start: "2027-02-10T10:00:00+01:00",
                    end: "2027-02-10T12:00:00+01:00"))
            let hidden = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(
                    title: "Budget talks", category: "board-meeting", start: "2027-02-11T10:00:00+01:00",
                    end: "2027-02-11T12:00:00+01:00", extra: ["visibility": "private"]))
            let openID = try #require(open["id"] as? Int)
            let hiddenID = try #require(hidden["id"] as? Int)
            let session = try await BrowserSession(client, server, as: "anibar")

            let page = String(buffer: try await client.page("/bookings/\(openID)?lang=en", cookie: session.cookie).body)
            #expect(page.contains("<h1>Open rehearsal</h1>") && page.contains("Lumbardhi Foundation"))
            #expect(!page.contains("/cancel\""), "no cancel buttons")
            #expect(!page.contains("History"), "members read their own organisation's trail only")
            #expect(!page.contains("/feed-links"))
            let busy = String(
                buffer: try await client.page("/bookings/\(hiddenID)?lang=en", cookie: session.cookie).body)
            #expect(busy.contains("<h1>Busy</h1>") && !busy.contains("Budget talks") && !busy.contains("Lumbardhi"))

            let refused = try await client.form(
                "/bookings/\(openID)/cancel?lang=en", ["csrf": session.csrf], cookie: session.cookie)
            #expect(refused.status == .forbidden)
            #expect(String(buffer: refused.body).contains("This booking is not yours to cancel."))
            #expect(try await server.store.booking(Int64(openID))?.status == .confirmed)
            #expect(try await client.page("/bookings/999999", cookie: session.cookie).status == .notFound)
            #expect(try await client.page("/bookings/abc", cookie: session.cookie).status == .notFound)
            // The venue's manager may cancel it, and reads its history.
            let manager = try await BrowserSession(client, server, as: "manager")
            let managed = String(
                buffer: try await client.page("/bookings/\(hiddenID)?lang=en", cookie: manager.cookie).body)
            #expect(managed.contains("Budget talks") && managed.contains("History"))
            #expect(managed.contains(#"action="/bookings/\#(hiddenID)/cancel""#))
        }
    }

    @Test("a weekly series skips the taken date when asked; one occurrence can be cancelled")
    func recurringSeries() async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(start: "2027-02-17T10:00:00+01:00", end: "2027-02-17T12:00:00+01:00"))
            let session = try await BrowserSession(client, server, as: "anibar")
            let weekly = ["repeats": "weekly", "count": "4"]
            let allOrNothing = try await client.form(
                "/book?lang=en", bookingForm(session.csrf, extra: weekly), cookie: session.cookie)
            #expect(allOrNothing.status == .conflict)
            #expect(String(buffer: allOrNothing.body).contains("Wednesday 17.02.2027, 10:00–12:00"))
            #expect(try await Self.allBookings(server).count == 1)

            let skip = weekly.merging(["policy": "skip-conflicts"]) { _, new in new }
            let id = try Self.bookingID(
                try await client.form("/book", bookingForm(session.csrf, extra: skip), cookie: session.cookie))
            let booking = try #require(try await server.store.booking(id))
            #expect(booking.draft.recurrence == "FREQ=WEEKLY;COUNT=4" && booking.draft.seriesPolicy == .skipConflicts)
            #expect(booking.occurrences.count == 3 && booking.skipped.count == 1)

            let page = String(buffer: try await client.page("/bookings/\(id)?lang=en", cookie: session.cookie).body)
            #expect(
                page.contains("Skipped dates (taken)") && page.contains("<li>Wednesday 17.02.2027, 10:00–12:00</li>"))
            #expect(page.contains("Wednesday 03.03.2027, 10:00–12:00"))
            #expect(page.contains("<dt>The series starts</dt><dd>Wednesday 10.02.2027, 10:00–12:00"))
            let second = booking.occurrences[1]
            let cancelURL = "/bookings/\(id)/occurrences/\(second.id)/cancel"
            #expect(page.contains(#"action="\#(cancelURL)""#))
            let cancelled = try await client.form(cancelURL, ["csrf": session.csrf], cookie: session.cookie)
            #expect(cancelled.status == .seeOther)
            let after = try #require(try await server.store.booking(id))
            #expect(after.status == .confirmed && after.occurrences.filter(\.cancelled).map(\.id) == [second.id])

            // A series that ends on a date: the end of that day in the venue's zone, in UTC.
            let until = try Self.bookingID(
                try await client.form(
                    "/book",
                    bookingForm(
                        session.csrf, space: "kino-meeting-room", start: "18:00", end: "19:00",
                        extra: ["repeats": "biweekly", "until": "2027-03-10"]),
                    cookie: session.cookie))
            let series = try #require(try await server.store.booking(until))
            #expect(series.draft.recurrence == "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270310T225959Z")
            #expect(series.occurrences.count == 3)
        }
    }

    @Test("wrong fields are shown next to the field (aria-describedby) with status 422, values kept")
    func fieldErrors() async throws {
        let server = try TestServer()
        try await server.run { client in
            let session = try await BrowserSession(client, server, as: "anibar")
            let cases: [([String: String], String, String)] = [
                (["title": "  "], "title", "Give a title"),
                (["end": "09:00"], "end", "The end must be after the start."),
                (["date": "2027-02-30"], "date", "Give a date as YYYY-MM-DD"),
                (["start": "25:00"], "start", "Give a time as HH:MM"),
                (["date": "2027-03-28", "start": "02:30", "end": "04:00"], "start", "does not exist"),
                (["repeats": "weekly"], "until", "give the last date or the number of times"),
                (["repeats": "custom", "rrule": "FREQ=SOMETIMES"], "rrule", "This value is not accepted"),
                (["space": "atlantis"], "space", "Choose a space"),
            ]
            for (fields, field, message) in cases {
                let response = try await client.form(
                    "/book?lang=en", bookingForm(session.csrf, extra: fields), cookie: session.cookie)
                #expect(response.status == .unprocessableContent, "\(fields)")
                let html = String(buffer: response.body)
                #expect(html.contains(#"aria-describedby="\#(field)-error""#) || field == "rrule", "\(fields)")
                #expect(html.contains(#"<p class="error" id="\#(field)-error">"#), "\(fields)")
                #expect(html.contains(message), "\(fields)")
                #expect(html.contains(#"role="alert""#) && html.contains(##"<a href="#\##(field)">"##), "\(fields)")
            }
            let kept = String(
                buffer: try await client.form(
                    "/book?lang=en", bookingForm(session.csrf, extra: ["end": "09:00", "description": "Q&A <b>"]),
                    cookie: session.cookie
                ).body)
            #expect(kept.contains(#"value="Animation workshop""#) && kept.contains("Q&amp;A &lt;b&gt;</textarea>"))
            #expect(try await Self.allBookings(server).isEmpty)
        }
    }

    @Test("the private feed link is made with a form and serves the organisation's bookings")
    func privateFeedLink() async throws {
        let server = try TestServer()
        try await server.run { client in
            let session = try await BrowserSession(client, server, as: "anibar")
            _ = try Self.bookingID(
                try await client.form(
                    "/book", bookingForm(session.csrf, extra: ["visibility": "private"]), cookie: session.cookie))
            let response = try await client.form(
                "/feed-links?lang=en", ["csrf": session.csrf, "label": "Office"], cookie: session.cookie)
            #expect(response.status == .ok)
            let html = String(buffer: response.body)
            let url = try #require(
                html.firstMatch(of: /value="(http:\/\/localhost\/ical\/orgs\/anibar\/hpf_[A-Za-z0-9_-]+\.ics)"/))
            #expect(
                html.contains("webcal://localhost/ical/orgs/anibar/hpf_") && html.contains(#"<label for="feed-url">"#))
            let feed = try await client.page(String(url.output.1.dropFirst("http://localhost".count)))
            #expect(feed.status == .ok)
            #expect(String(buffer: feed.body).contains("SUMMARY:Animation workshop"))
            let tokens = try await FeedTokenStore(database: server.store.database).list(organisation: "anibar")
            #expect(tokens.map(\.label) == ["Office"])
            let id = try #require(tokens.first?.id)

            // Listed with a revoke button; a stale form revokes nothing, the button does.
            let list = String(buffer: try await client.page("/bookings?lang=en", cookie: session.cookie).body)
            #expect(list.contains("<td>Office</td>") && list.contains(#"action="/feed-links/\#(id)/revoke""#))
            let stale = try await client.form("/feed-links/\(id)/revoke", ["csrf": "guess"], cookie: session.cookie)
            #expect(stale.status == .forbidden)
            #expect(try await client.page(String(url.output.1.dropFirst("http://localhost".count))).status == .ok)
            let revoked = try await client.form(
                "/feed-links/\(id)/revoke", ["csrf": session.csrf], cookie: session.cookie)
            #expect(revoked.status == .seeOther && revoked.headers[.location] == "/bookings")
            #expect(try await client.page(String(url.output.1.dropFirst("http://localhost".count))).status != .ok)
            let after = String(buffer: try await client.page("/bookings?lang=en", cookie: session.cookie).body)
            #expect(!after.contains("<td>Office</td>") && after.contains("No active links yet."))
            // Another organisation's link, or one already revoked: a 404 page.
            let again = try await client.form(
                "/feed-links/\(id)/revoke", ["csrf": session.csrf], cookie: session.cookie)
            #expect(again.status == .notFound)
        }
    }
}
