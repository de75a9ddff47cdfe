import Foundation
import HTTPTypes
import HapesiraCore
import HapesiraHTTP
import HapesiraStore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Web desk")
struct WebDeskTests {
    /// Thursday 2027-01-14 at `hour`:`minute` in Belgrade (`fixedNow` is 13:00).
    static func today(_ hour: Int, _ minute: Int = 0) -> Int64 {
        Zone("Europe/Belgrade")!.instant(LocalDate(year: 2027, month: 1, day: 14), minute: hour * 60 + minute)
    }

    /// The `<tr>` of a booking on the desk.
    static func row(_ html: String, booking id: Int) -> String? {
        guard let start = html.range(of: #"<tr data-booking="\#(id)">"#) else { return nil }
        return html[start.lowerBound...].components(separatedBy: "</tr>").first
    }

    static func status(_ client: any TestClientProtocol, _ server: TestServer, _ id: Int) async throws -> String? {
        try json(try await client.get("/api/v1/bookings/\(id)", server, as: "admin"))["status"] as? String
    }

    @Test("today's desk shows each room's bookings with the sensors' view, sensors needing care, and the queue")
    func today() async throws {
        let server = try TestServer()
        let journal = SensorJournal(database: server.store.database)
        func motion(_ detected: Bool, at time: Int64) throws { try journal.recordHallMotion(detected, at: time) }
        // The motion sensor wakes at 09:00 (clear) and sees people at 12:58 and 12:59:30.
        try motion(false, at: Self.today(9))
        try motion(true, at: Self.today(12, 58))
        try motion(true, at: Self.today(12, 59) + 30)
        try journal.record(
            SensorObservation(sensor: "kino-hall-door", battery: 12), verdict: .status, space: "kino-main-hall",
            topic: "zigbee2mqtt/anibar/main-hall/door", receivedAt: Self.today(12))
        try await server.run { client in
            // Booked early in the morning: a screening nobody came to, one under way, a workshop later.
            server.clock.set(Self.today(7))
            func book(_ space: String, _ from: String, _ to: String, as who: String = "manager") async throws -> Int {
                let booked = try await client.book(
                    server, as: who,
                    body: bookingBody(
                        space: space, category: space == "kino-main-hall" ? "screening" : "workshop",
                        start: "2027-01-14T\(from):00+01:00", end: "2027-01-14T\(to):00+01:00"))
                return try #require(booked["id"] as? Int)
            }
            let morning = try await book("kino-main-hall", "09:30", "10:30")
            let underWay = try await book("kino-main-hall", "12:00", "14:00")
            let later = try await book("kino-workshop-room", "15:00", "16:00")
            let pending = try await client.book(
                server, as: "anibar",
                body: bookingBody(
                    space: "kino-main-hall", title: "Assembly of members", category: "workshop",
                    start: "2027-01-20T18:00:00+01:00", end: "2027-01-20T20:00:00+01:00",
                    extra: ["expected_attendance": 80, "description": "Needs the stage"]))
            server.clock.set(fixedNow)

            let browser = try await BrowserSession(client, server, as: "manager")
            let response = try await client.page("/desk?lang=en", cookie: browser.cookie)
            #expect(response.status == .ok)
            let html = String(buffer: response.body)
            #expect(html.contains("Manager’s desk"))
            #expect(html.contains(#"<time datetime="2027-01-14">Thursday 2027-01-14</time>"#))
            // The main hall is in use now; its morning screening was a no-show; the workshop is ahead.
            #expect(html.contains(#"<td data-state="in-use">in use"#))
            #expect(Self.row(html, booking: morning)?.contains(#"data-sensors="no-show""#) == true)
            #expect(Self.row(html, booking: morning)?.contains("09:30–10:30") == true)
            #expect(Self.row(html, booking: underWay)?.contains(#"data-sensors="in-use""#) == true)
            #expect(Self.row(html, booking: later)?.contains(#"data-sensors="upcoming""#) == true)
            // The workshop room has no sensors: free now, and the desk says the sensors cannot tell.
            #expect(html.contains(#"<td data-state="free">free <span class="note">(no sensors)</span>"#))
            // The door's battery is low; the counter was never heard from.
            #expect(html.contains(#"<tr data-sensor="kino-hall-door">"#) && html.contains("12 %"))
            #expect(html.contains(#"<tr data-sensor="kino-hall-counter">"#))
            #expect(!html.contains(#"<tr data-sensor="kino-hall-motion">"#))
            // The queue: the member's request with its notes, and the forms to decide it.
            let id = try #require(pending["id"] as? Int)
            #expect(html.contains(#"<li class="request" data-booking="\#(id)">"#))
            #expect(html.contains("Assembly of members") && html.contains("Needs the stage"))
            #expect(html.contains(#"action="/desk/bookings/\#(id)/approve""#))
            #expect(html.contains(#"<label for="approve-reason-\#(id)">"#))
            // Past closures are history; the nav links the desk and the reports.
            #expect(!html.contains("New Year holidays"))
            #expect(html.contains(#"<a href="/desk">Desk</a>"#) && html.contains(#"href="/reports""#))
        }
    }

    @Test("approving by the form confirms the booking; without or with a wrong CSRF secret nothing changes")
    func approve() async throws {
        let server = try TestServer()
        try await server.run { client in
            let pending = try await client.bookPendingScreening(server)
            let id = try #require(pending["id"] as? Int)
            #expect(pending["status"] as? String == "pending")
            let browser = try await BrowserSession(client, server, as: "manager")
            let path = "/desk/bookings/\(id)/approve"

            let missing = try await client.form(path, ["date": "2027-01-20"], cookie: browser.cookie)
            #expect(missing.status == .forbidden)
            let wrong = try await client.form(path, ["csrf": "guess"], cookie: browser.cookie)
            #expect(wrong.status == .forbidden)
            let crossSite = try await client.form(
                path, ["csrf": browser.csrf], cookie: browser.cookie, origin: "https://evil.example")
            #expect(crossSite.status == .forbidden)
            #expect(try await Self.status(client, server, id) == "pending")

            let approved = try await client.form(
                path, ["csrf": browser.csrf, "date": "2027-01-20", "reason": ""], cookie: browser.cookie)
            #expect(approved.status == .seeOther)
            #expect(approved.headers[.location] == "/desk?done=approved&date=2027-01-20")
            #expect(try await Self.status(client, server, id) == "confirmed")
            let desk = String(
                buffer: try await client.page(approved.headers[.location]!, cookie: browser.cookie).body)
            #expect(desk.contains(#"<p class="done" role="status">Rezervimi u miratua.</p>"#))
            #expect(!desk.contains(#"<li class="request" data-booking="\#(id)">"#))

            // A second click on a decided booking says so instead of failing.
            let twice = try await client.form(path, ["csrf": browser.csrf], cookie: browser.cookie)
            #expect(twice.status == .conflict)
            #expect(String(buffer: twice.body).contains(#"role="alert""#))
        }
    }

    @Test("declining by the form records the reason")
    func decline() async throws {
        let server = try TestServer()
        try await server.run { client in
            let pending = try await client.bookPendingScreening(server)
            let id = try #require(pending["id"] as? Int)
            let browser = try await BrowserSession(client, server, as: "manager")
            let declined = try await client.form(
                "/desk/bookings/\(id)/decline", ["csrf": browser.csrf, "reason": "The hall is being repaired"],
                cookie: browser.cookie)
            #expect(declined.status == .seeOther)
            #expect(try await Self.status(client, server, id) == "declined")
            let audit = try json(try await client.get("/api/v1/bookings/\(id)/audit", server, as: "anibar"))
            let latest = try #require((audit["items"] as? [[String: Any]])?.first)
            #expect(latest["action"] as? String == "declined")
            #expect(latest["reason"] as? String == "The hall is being repaired")
        }
    }

    @Test("blocking a date by the form refuses bookings on it; over a booking it is refused, listing it")
    func blockADate() async throws {
        let server = try TestServer()
        try await server.run { client in
            let browser = try await BrowserSession(client, server, as: "manager")
            let path = "/desk/venues/kino-jusuf-gervalla/closures"
            let blocked = try await client.form(
                path, ["csrf": browser.csrf, "from": "2027-01-22", "reason": "Inventory", "date": "2027-01-22"],
                cookie: browser.cookie)
            #expect(blocked.status == .seeOther)
            #expect(blocked.headers[.location] == "/desk?done=blocked&date=2027-01-22")
            let refused = try await client.post(
                "/api/v1/bookings", server, as: "anibar",
                body: bookingBody(start: "2027-01-22T10:00:00+01:00", end: "2027-01-22T11:00:00+01:00"))
            #expect(refused.status == .conflict)
            #expect(try json(refused)["error"] as? String == "closed")

            let desk = String(buffer: try await client.page("/desk?lang=en", cookie: browser.cookie).body)
            let closure = try #require(try await server.store.closures(venue: "kino-jusuf-gervalla").first)
            #expect(
                desk.contains(#"<tr data-closure="\#(closure.id)"><th scope="row">2027-01-22</th><td>Inventory</td>"#))

            // Over a booked day: refused, the booking listed, nothing stored.
            let booked = try await client.book(
                server, as: "anibar",
                body: bookingBody(start: "2027-01-25T10:00:00+01:00", end: "2027-01-25T11:00:00+01:00"))
            let bookedID = try #require(booked["id"] as? Int)
            let over = try await client.form(
                path, ["csrf": browser.csrf, "from": "2027-01-25", "reason": "Painting"], cookie: browser.cookie)
            #expect(over.status == .conflict)
            let page = String(buffer: over.body)
            #expect(page.contains(#"role="alert""#) && page.contains("#\(bookedID) Workshop"))
            #expect(try await server.store.closures(venue: "kino-jusuf-gervalla").count == 1)
            // Asked to, it cancels the booking.
            let forced = try await client.form(
                path, ["csrf": browser.csrf, "from": "2027-01-25", "reason": "Painting", "cancel_bookings": "yes"],
                cookie: browser.cookie)
            #expect(forced.status == .seeOther)
            #expect(try await Self.status(client, server, bookedID) == "cancelled")

            // A wrong field is named on the page.
            let invalid = try await client.form(
                path, ["csrf": browser.csrf, "from": "2027-01-26", "to": "2027-01-24", "reason": "x"],
                cookie: browser.cookie)
            #expect(invalid.status == .unprocessableContent)
            #expect(String(buffer: invalid.body).contains("Deri më datën"))

            // Removed by its button, the date is bookable again.
            let removed = try await client.form(
                "/desk/venues/kino-jusuf-gervalla/closures/\(closure.id)/remove", ["csrf": browser.csrf],
                cookie: browser.cookie)
            #expect(removed.status == .seeOther)
            #expect(
                try await client.post(
                    "/api/v1/bookings", server, as: "anibar",
                    body: bookingBody(start: "2027-01-22T10:00:00+01:00", end: "2027-01-22T11:00:00+01:00")
                ).status == .created)
        }
    }

    @Test("members and viewers get a 403 page, even posting with their own CSRF secret; anonymous visitors sign in")
    func roles() async throws {
        let server = try TestServer()
        try await server.run { client in
            let anonymous = try await client.page("/desk")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/login?next=/desk")

            let pending = try await client.bookPendingScreening(server)
            let id = try #require(pending["id"] as? Int)
            for who in ["anibar", "viewer"] {
                let browser = try await BrowserSession(client, server, as: who)
                let page = try await client.page("/desk", cookie: browser.cookie)
                #expect(page.status == .forbidden, "\(who)")
                #expect(String(buffer: page.body).contains("Paneli është për menaxherët"))
                #expect(!String(buffer: page.body).contains(#"<a href="/desk">"#))
                let post = try await client.form(
                    "/desk/bookings/\(id)/approve", ["csrf": browser.csrf], cookie: browser.cookie)
                #expect(post.status == .forbidden)
                let block = try await client.form(
                    "/desk/venues/kino-jusuf-gervalla/closures",
                    ["csrf": browser.csrf, "from": "2027-01-22", "reason": "x"], cookie: browser.cookie)
                #expect(block.status == .forbidden)
            }
            #expect(try await Self.status(client, server, id) == "pending")
            #expect(try await server.store.closures(venue: "kino-jusuf-gervalla").isEmpty)
        }
    }

    @Test("the desk speaks Albanian by default, Serbian and English when chosen")
    func languages() async throws {
        let server = try TestServer()
        try await server.run { client in
            let browser = try await BrowserSession(client, server, as: "admin")
            let albanian = String(buffer: try await client.page("/desk", cookie: browser.cookie).body)
            #expect(albanian.contains("<h1>Paneli i menaxherit</h1>") && albanian.contains(#"<html lang="sq">"#))
            // An admin sees every venue.
            #expect(albanian.contains(#"id="venue-kino-lumbardhi""#))
            let serbian = String(buffer: try await client.page("/desk?lang=sr", cookie: browser.cookie).body)
            #expect(serbian.contains("<h1>Radni sto upravnika</h1>") && serbian.contains("Blokiraj datum"))
            let english = String(
                buffer: try await client.page("/desk?date=2027-02-01", cookie: browser.cookie, language: "en").body)
            #expect(english.contains("<h1>Manager’s desk</h1>") && english.contains("Monday 2027-02-01"))
            // Configured closures from the desk's day on, marked as such.
            let newYear = String(
                buffer: try await client.page("/desk?date=2027-01-01&lang=en", cookie: browser.cookie).body)
            #expect(newYear.contains("<th scope=\"row\">2027-01-01 – 2027-01-02</th><td>New Year holidays</td>"))
            #expect(newYear.contains("from the configuration") && !newYear.contains("2026-12-31</th>"))
            let bad = try await client.page("/desk?date=2027-13-01", cookie: browser.cookie)
            #expect(bad.status == .unprocessableContent)
        }
    }
}
