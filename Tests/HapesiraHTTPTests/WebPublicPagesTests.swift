import Foundation
import HTTPTypes
import HapesiraConfig
import HapesiraCore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HapesiraHTTP

/// The `<td>` of a space in the row of a date of a week table (empty when either is missing).
func weekCell(_ html: String, date: String, space: String) -> String {
    guard let row = html.range(of: #"<tr data-date="\#(date)">"#),
        let rowEnd = html.range(of: "</tr>", range: row.upperBound..<html.endIndex)
    else { return "" }
    let cells = html[row.upperBound..<rowEnd.lowerBound]
    guard let cell = cells.range(of: #"<td data-space="\#(space)">"#),
        let cellEnd = cells.range(of: "</td>", range: cell.upperBound..<cells.endIndex)
    else { return "" }
    return String(cells[cell.upperBound..<cellEnd.lowerBound])
}

/// Every `href="…"` of a page, HTML entities of `&` undone.
func links(in html: String) -> [String] {
    html.matches(of: /href="([^"]*)"/).map { String($0.output.1).replacingOccurrences(of: "&amp;", with: "&") }
}

@Suite("Public web pages")
struct WebPublicPagesTests {
    let catalogue = demoConfiguration.catalogue
    let venue = "kino-jusuf-gervalla"

    @Test("the home page lists every city, venue and space with its week view and working subscribe links")
    func home() async throws {
        let server = try TestServer()
        try await server.run { client in
            let response = try await client.page("/")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: response.body)
            let hrefs = Set(links(in: html))
            let places =
                catalogue.cities.map { ("cities", $0.id) } + catalogue.venues.map { ("venues", $0.id) }
                + catalogue.spaces.map { ("spaces", $0.id) }
            #expect(places.count == 3 + 3 + 11)
            for (kind, id) in places {
                #expect(hrefs.contains("/week/\(kind)/\(id)"), "week view of \(id)")
                let webcal = "webcal://localhost/ical/\(kind)/\(id).ics"
                #expect(hrefs.contains(webcal), "webcal link of \(id)")
                let encoded = "webcal%3A%2F%2Flocalhost%2Fical%2F\(kind)%2F\(id).ics"
                #expect(hrefs.contains("https://calendar.google.com/calendar/r?cid=\(encoded)"), "Google link of \(id)")
                // The address to copy (plain http on the loopback the test server listens on) serves the feed.
                let plain = "http://localhost/ical/\(kind)/\(id).ics"
                #expect(html.contains(#"href="\#(plain)">\#(plain)</a>"#), "feed URL of \(id)")
                let feed = try await client.page(String(plain.dropFirst("http://localhost".count)))
                #expect(feed.status == .ok)
                #expect(feed.headers[.contentType] == "text/calendar; charset=utf-8")
                #expect(String(buffer: feed.body).hasPrefix("BEGIN:VCALENDAR"))
            }
            // Headings in order, and nothing loaded from anywhere.
            #expect(html.contains(#"<h2 id="city-peja">Peja</h2>"#))
            #expect(html.contains(#"<h3 id="venue-kino-jusuf-gervalla">Kino Jusuf Gërvalla (Anibar)</h3>"#))
            // (The layout's one link is the empty inline icon, so browsers ask for no favicon.)
            let page = html.replacingOccurrences(of: #"<link rel="icon" href="data:,">"#, with: "")
            for external in ["<script", "<link", "src=", "@import", "url("] { #expect(!page.contains(external)) }
            #expect(html.contains(#"<a href="/">Faqja kryesore</a>"#), "the layout's Home link")
        }
    }

    @Test("subscribe links name the host the browser asked for; the plain URL is https except on loopback")
    func feedLinks() {
        let place = PublicPlace.venue(catalogue.venue(venue)!)
        let online = FeedLinks(authority: "hapesira.example.org").values(place)
        #expect(online["url"] as? String == "https://hapesira.example.org/ical/venues/kino-jusuf-gervalla.ics")
        #expect(online["webcal"] as? String == "webcal://hapesira.example.org/ical/venues/kino-jusuf-gervalla.ics")
        #expect(
            online["google"] as? String
                == "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fhapesira.example.org%2Fical%2Fvenues%2Fkino-jusuf-gervalla.ics"
        )
        for loopback in ["localhost:8080", "127.0.0.1:8080", "[::1]:8080"] {
            #expect(FeedLinks(authority: loopback).scheme == "http")
        }
        #expect(FeedLinks(authority: "192.168.1.20:8080").scheme == "https")
        // A configured public address wins over what the browser asked for.
        let configured = FeedLinks(publicURL: "http://hapesira.lan:8080").values(place)
        #expect(configured["url"] as? String == "http://hapesira.lan:8080/ical/venues/kino-jusuf-gervalla.ics")
        #expect(configured["webcal"] as? String == "webcal://hapesira.lan:8080/ical/venues/kino-jusuf-gervalla.ics")
    }

    @Test("a venue's week: confirmed and pending occurrences by space and local day, as the viewer may see them")
    func venueWeek() throws {
        let place = try #require(catalogue.venue(venue))
        let week = CalendarWeek(containing: LocalDate(year: 2026, month: 10, day: 25))
        #expect(week.monday == LocalDate(year: 2026, month: 10, day: 19))
        #expect(week.interval(in: place.zone).duration == 7 * 86_400 + 3600, "the autumn change adds an hour")
        func at(_ text: String) throws -> Int64 { try TimeInput.parse(text) }
        func booking(
            _ id: Int64, _ space: String = "kino-workshop-room", organisation: String = "anibar",
            visibility: Visibility = .public, status: BookingStatus = .confirmed, times: [(String, String, Bool)]
        ) throws -> Booking {
            let occurrences = try times.enumerated().map { index, time in
                Occurrence(
                    id: id * 10 + Int64(index), interval: Interval(start: try at(time.0), end: try at(time.1)),
                    cancelled: time.2)
            }
            let draft = BookingDraft(
                space: space, organisation: organisation, title: "Booking \(id)", category: "workshop",
                start: occurrences[0].interval.start, end: occurrences[0].interval.end, visibility: visibility)
            return Booking(
                id: id, draft: draft, status: status, createdAt: 0, updatedAt: 0, createdBy: "test",
                occurrences: occurrences)
        }
        let bookings = [
            // Begins on the Sunday before: shown on Monday, with its start date.
            try booking(1, times: [("2026-10-18T23:00:00+02:00", "2026-10-19T01:00:00+02:00", false)]),
            // A series with its second occurrence cancelled.
            try booking(
                2,
                times: [
                    ("2026-10-20T10:00:00+02:00", "2026-10-20T11:00:00+02:00", false),
                    ("2026-10-21T10:00:00+02:00", "2026-10-21T11:00:00+02:00", true),
                ]),
            try booking(
                3, "kino-meeting-room", organisation: "lumbardhi", visibility: .private, status: .pending,
                times: [("2026-10-25T12:00:00+01:00", "2026-10-25T13:00:00+01:00", false)]),
            try booking(
                4, status: .declined, times: [("2026-10-22T10:00:00+02:00", "2026-10-22T11:00:00+02:00", false)]),
            try booking(
                5, status: .cancelled, times: [("2026-10-22T12:00:00+02:00", "2026-10-22T13:00:00+02:00", true)]),
            try booking(
                6, status: .waiting, times: [("2026-10-22T14:00:00+02:00", "2026-10-22T15:00:00+02:00", false)]),
            try booking(
                7, status: .released, times: [("2026-10-22T16:00:00+02:00", "2026-10-22T17:00:00+02:00", true)]),
            // Another venue's space, and the week after.
            try booking(
                8, "lumbardhi-garden", times: [("2026-10-22T10:00:00+02:00", "2026-10-22T11:00:00+02:00", false)]),
            try booking(9, times: [("2026-10-26T00:00:00+01:00", "2026-10-26T01:00:00+01:00", false)]),
        ]
        let spaces = catalogue.spaces(inVenue: venue)
        let anonymous = VenueWeek(
            venue: place, spaces: spaces, week: week, bookings: bookings, caller: nil, catalogue: catalogue)
        #expect(anonymous.count == 3)
        let workshop = try #require(spaces.firstIndex { $0.id == "kino-workshop-room" })
        let meeting = try #require(spaces.firstIndex { $0.id == "kino-meeting-room" })
        let night = try #require(anonymous.entries[workshop][0].first)
        #expect(night.title == "Booking 1" && night.organisation == "Anibar")
        #expect(WeekText.time(night.interval.start, on: week.monday, zone: place.zone) == "18.10. 23:00")
        #expect(WeekText.time(night.interval.end, on: week.monday, zone: place.zone, isEnd: true) == "01:00")
        #expect(anonymous.entries[workshop][1].map(\.title) == ["Booking 2"])
        #expect(anonymous.entries[workshop][2].isEmpty, "a cancelled occurrence")
        let pending = try #require(anonymous.entries[meeting][6].first)
        #expect(pending.title == nil && pending.organisation == nil && pending.tentative && pending.isPrivate)

        // Each entry's list item: times in the venue's zone, text escaped, tags for the visitor.
        let english = try WebRenderer.bundled.get().texts(.en)
        #expect(
            night.listItem(on: week.monday, zone: place.zone, texts: english)
                == #"<li class="booking"><span class="when"><time datetime="2026-10-18T23:00:00+02:00">18.10. 23:00</time>–<time datetime="2026-10-19T01:00:00+02:00">01:00</time></span> <span class="what">Booking 1</span> <span class="who">Anibar</span></li>"#
        )
        var tricky = night
        tricky.title = #"Q&A <b>live</b> "quoted" 'single'"#
        #expect(
            tricky.listItem(on: week.monday, zone: place.zone, texts: english).contains(
                #"<span class="what">Q&amp;A &lt;b&gt;live&lt;/b&gt; &quot;quoted&quot; &#39;single&#39;</span>"#))
        let busy = pending.listItem(on: week.sunday, zone: place.zone, texts: english)
        #expect(busy.hasPrefix(#"<li class="booking busy tentative">"#))
        #expect(busy.contains(#"<span class="what">Busy</span> <span class="tag">awaiting approval</span></li>"#))
        #expect(!busy.contains("who") && !busy.contains("private"))

        let owner = Caller(tokenID: "t", organisation: "lumbardhi", role: .member)
        let own = VenueWeek(
            venue: place, spaces: spaces, week: week, bookings: bookings, caller: owner, catalogue: catalogue)
        #expect(own.entries[meeting][6].first?.title == "Booking 3")
        #expect(own.entries[meeting][6].first?.organisation == "Lumbardhi Foundation")
    }

    @Test("a week view shows each booking on its day at its local time; private ones as Busy to outsiders")
    func weekView() async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.book(
                server, as: "anibar",
                body: bookingBody(
                    title: "Animation workshop", start: "2027-02-10T10:00:00+01:00", end: "2027-02-10T12:00:00+01:00"))
            _ = try await client.book(
                server, as: "anibar",
                body: bookingBody(
                    title: "Q&A <b>live</b>", start: "2027-02-10T14:00:00+01:00", end: "2027-02-10T15:00:00+01:00"))
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(
                    space: "kino-meeting-room", title: "Budget talks", category: "board-meeting",
                    start: "2027-02-11T18:00:00+01:00", end: "2027-02-11T20:00:00+01:00",
                    extra: ["visibility": "private"]))
            let pending = try await client.book(
                server, as: "7arte",
                body: bookingBody(
                    space: "kino-main-hall", title: "Premiere", category: "screening",
                    start: "2027-02-12T19:00:00+01:00", end: "2027-02-12T21:00:00+01:00"))
            #expect(pending["status"] as? String == "pending")
            let cancelled = try await client.book(
                server, as: "anibar",
                body: bookingBody(
                    title: "Called off", start: "2027-02-13T10:00:00+01:00", end: "2027-02-13T12:00:00+01:00"))
            let cancel = try await client.post(
                "/api/v1/bookings/\(cancelled["id"] as! Int)/cancel", server, as: "anibar", body: ByteBuffer())
            #expect(cancel.status == .ok)

            let path = "/week/venues/\(venue)?date=2027-02-10&lang=en"
            let anonymous = try await client.page(path)
            #expect(anonymous.status == .ok)
            let html = String(buffer: anonymous.body)
            let workshop = weekCell(html, date: "2027-02-10", space: "kino-workshop-room")
            #expect(
                workshop.contains(
                    #"<time datetime="2027-02-10T10:00:00+01:00">10:00</time>–<time datetime="2027-02-10T12:00:00+01:00">12:00</time>"#
                ))
            #expect(workshop.contains("Animation workshop") && workshop.contains("Anibar"))
            #expect(workshop.contains("Q&amp;A &lt;b&gt;live&lt;/b&gt;") && !html.contains("<b>live"), "escaped")
            #expect(workshop.range(of: "Animation")!.lowerBound < workshop.range(of: "Q&amp;A")!.lowerBound, "by time")
            #expect(!weekCell(html, date: "2027-02-09", space: "kino-workshop-room").contains("Animation workshop"))

            let meeting = weekCell(html, date: "2027-02-11", space: "kino-meeting-room")
            #expect(meeting.contains(#"class="booking busy""#) && meeting.contains("Busy"))
            #expect(meeting.contains(">18:00</time>–<time"))
            #expect(!html.contains("Budget talks") && !html.contains("Lumbardhi Foundation"))

            let hall = weekCell(html, date: "2027-02-12", space: "kino-main-hall")
            #expect(
                hall.contains("booking tentative") && hall.contains("Premiere") && hall.contains("awaiting approval"))
            #expect(!html.contains("Called off"), "cancelled bookings are not shown")
            #expect(
                anonymous.headers[.serverTiming]?.contains("occurrences") == true,
                "server time of the database and page")

            // The organisation's own session sees its private booking in full; another member does not.
            let own = try #require(
                sessionCookie(try await client.form("/login", ["token": server.tokens["lumbardhi"]!])))
            let ownCell = weekCell(
                String(buffer: try await client.page(path, cookie: own).body), date: "2027-02-11",
                space: "kino-meeting-room")
            #expect(ownCell.contains("Budget talks") && ownCell.contains("Lumbardhi Foundation"))
            #expect(ownCell.contains(#"<span class="tag">private</span>"#) && !ownCell.contains("Busy"))
            let other = try #require(
                sessionCookie(try await client.form("/login", ["token": server.tokens["anibar"]!])))
            #expect(!String(buffer: try await client.page(path, cookie: other).body).contains("Budget talks"))
            // The venue's manager sees it, as in the API.
            let manager = try #require(
                sessionCookie(try await client.form("/login", ["token": server.tokens["manager"]!])))
            #expect(String(buffer: try await client.page(path, cookie: manager).body).contains("Budget talks"))

            // The same booking in the space's and the city's views.
            let space = String(buffer: try await client.page("/week/spaces/kino-workshop-room?date=2027-02-14").body)
            #expect(weekCell(space, date: "2027-02-10", space: "kino-workshop-room").contains("Animation workshop"))
            #expect(!space.contains("Premiere"))
            let city = String(buffer: try await client.page("/week/cities/peja?date=2027-02-08").body)
            #expect(weekCell(city, date: "2027-02-10", space: "kino-workshop-room").contains("Animation workshop"))
        }
    }

    @Test("weeks with a daylight-saving change show every booking at its local time")
    func daylightSaving() async throws {
        let server = try TestServer()
        server.clock.set(Zone.utc.startOfDay(LocalDate(year: 2026, month: 10, day: 1)))
        try await server.run { client in
            for (start, end) in [
                ("2026-10-19T18:00:00+02:00", "2026-10-19T20:00:00+02:00"),
                ("2026-10-25T18:00:00+01:00", "2026-10-25T20:00:00+01:00"),
                ("2026-10-25T22:00:00+01:00", "2026-10-26T00:00:00+01:00"),
                ("2027-03-28T18:00:00+02:00", "2027-03-28T19:30:00+02:00"),
            ] {
                _ = try await client.book(server, as: "anibar", body: bookingBody(start: start, end: end))
            }
            let autumn = String(buffer: try await client.page("/week/spaces/kino-workshop-room?date=2026-10-25").body)
            #expect(autumn.contains(#"<time datetime="2026-10-19">19.10.–25.10.2026</time>"#))
            #expect(
                weekCell(autumn, date: "2026-10-19", space: "kino-workshop-room").contains(
                    #"<time datetime="2026-10-19T18:00:00+02:00">18:00</time>–<time datetime="2026-10-19T20:00:00+02:00">20:00</time>"#
                ))
            let sunday = weekCell(autumn, date: "2026-10-25", space: "kino-workshop-room")
            #expect(
                sunday.contains(
                    #"<time datetime="2026-10-25T18:00:00+01:00">18:00</time>–<time datetime="2026-10-25T20:00:00+01:00">20:00</time>"#
                ))
            #expect(sunday.contains(#">22:00</time>–<time datetime="2026-10-26T00:00:00+01:00">24:00</time>"#))
            let hrefs = links(in: autumn)
            #expect(hrefs.contains("/week/spaces/kino-workshop-room?date=2026-10-12"))
            #expect(hrefs.contains("/week/spaces/kino-workshop-room?date=2026-10-26"))

            let spring = String(buffer: try await client.page("/week/spaces/kino-workshop-room?date=2027-03-22").body)
            #expect(
                weekCell(spring, date: "2027-03-28", space: "kino-workshop-room").contains(
                    #"<time datetime="2027-03-28T18:00:00+02:00">18:00</time>–<time datetime="2027-03-28T19:30:00+02:00">19:30</time>"#
                ))
        }
    }

    @Test("previous and next week links, this week by default, and the language switch keeps the week")
    func navigation() async throws {
        let server = try TestServer()
        try await server.run { client in
            // Now is Friday 2027-01-15: this week starts on Monday the 11th.
            let current = String(buffer: try await client.page("/week/venues/\(venue)").body)
            #expect(current.contains(#"<time datetime="2027-01-11">11.01.–17.01.2027</time>"#))
            let hrefs = links(in: current)
            #expect(hrefs.contains("/week/venues/\(venue)?date=2027-01-04"))
            let next = try #require(hrefs.first { $0 == "/week/venues/\(venue)?date=2027-01-18" })
            #expect(current.contains(#"<a rel="next" href="/week/venues/kino-jusuf-gervalla?date=2027-01-18">"#))
            #expect(current.contains(#"<a rel="prev" href="/week/venues/kino-jusuf-gervalla?date=2027-01-04">"#))

            let following = String(buffer: try await client.page(next).body)
            #expect(following.contains(#"<time datetime="2027-01-18">18.01.–24.01.2027</time>"#))
            #expect(links(in: following).contains("/week/venues/\(venue)?date=2027-01-18&lang=sr"))
            // Across a new year.
            let newYear = String(buffer: try await client.page("/week/venues/\(venue)?date=2027-01-01").body)
            #expect(newYear.contains(#"<time datetime="2026-12-28">28.12.2026–03.01.2027</time>"#))
            // The breadcrumb leads back to the city and home.
            let space = String(buffer: try await client.page("/week/spaces/kino-main-hall?date=2027-01-20").body)
            #expect(links(in: space).contains("/week/cities/peja?date=2027-01-18"))
            #expect(links(in: space).contains("/week/venues/\(venue)?date=2027-01-18"))
            #expect(space.contains(#"aria-current="page">Main hall</a>"#))
        }
    }

    @Test("an unknown place is a 404 page, a bad date a 422 page naming the parameter, both translated")
    func problems() async throws {
        let server = try TestServer()
        try await server.run { client in
            for kind in ["cities", "venues", "spaces"] {
                let missing = try await client.page("/week/\(kind)/atlantis?lang=en")
                #expect(missing.status == .notFound)
                #expect(missing.headers[.contentType] == "text/html; charset=utf-8")
                let html = String(buffer: missing.body)
                #expect(html.contains("Not found") && html.contains("<code>atlantis</code>"))
            }
            let albanian = String(buffer: try await client.page("/week/venues/atlantis?lang=sq").body)
            #expect(albanian.contains("Nuk ka objekt me këtë identifikues:"))

            for bad in ["2027-02-30", "tomorrow", "", "2027-2-3"] {
                let response = try await client.page("/week/venues/\(venue)?date=\(bad)&lang=sr")
                #expect(response.status == .unprocessableContent, "date=\(bad)")
                let html = String(buffer: response.body)
                #expect(html.contains("Neispravan parametar: <code>date=\(bad)</code>"))
                #expect(html.contains("GGGG-MM-DD"))
            }
            // What the visitor typed is shown as text, never as markup.
            let injected = String(
                buffer: try await client.page("/week/venues/\(venue)?date=%3Cscript%3Ex%3C/script%3E").body)
            #expect(!injected.contains("<script>") && injected.contains("&lt;script&gt;"))
        }
    }

    @Test("every public page renders in Albanian, Serbian and English, with labelled, semantic markup")
    func languages() async throws {
        let server = try TestServer()
        let renderer = try WebRenderer.bundled.get()
        try await server.run { client in
            let paths = [
                "/", "/week/cities/mitrovica", "/week/venues/\(venue)", "/week/spaces/kino-main-hall",
                "/week/spaces/nowhere", "/week/spaces/kino-main-hall?date=x",
            ]
            for path in paths {
                for language in Language.allCases {
                    let texts = renderer.texts(language)
                    let separator = path.contains("?") ? "&" : "?"
                    let response = try await client.page("\(path)\(separator)lang=\(language.rawValue)")
                    let html = String(buffer: response.body)
                    #expect(html.contains(#"<html lang="\#(language.rawValue)">"#), "\(path) in \(language)")
                    #expect(html.contains(texts["nav_home"]!), "\(path) in \(language)")
                    #expect(!html.contains("{{") && !html.contains("}}"))
                    if path.hasPrefix("/week/"), response.status == .ok {
                        #expect(html.contains(texts["week_previous"]!) && html.contains(texts["weekday_name_1"]!))
                        #expect(html.contains("<caption>") && html.contains(#"<th scope="col">"#))
                        #expect(html.contains(#"<th scope="row"><time datetime="#))
                        #expect(html.contains(#"<label for="date">"#) && html.contains(#"id="date""#))
                    }
                }
            }
            // The Serbian city page of Mitrovica lists its four spaces in one table.
            let mitrovica = String(buffer: try await client.page("/week/cities/mitrovica?lang=sr").body)
            #expect(mitrovica.contains("ponedeljak") && mitrovica.contains("nedelja"))
            #expect(mitrovica.components(separatedBy: #"<td data-space="7arte-"#).count == 1 + 4 * 7)
        }
    }
}
