import Foundation
import HTTPTypes
import HapesiraCore
import HapesiraStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HapesiraHTTP

/// bcrypt's lowest cost: these tests check behaviour, not strength.
private let cost = 4
private let password = "Kino-Jusuf-Gervalla-27"

extension TestServer {
    /// Creates a login in the server's database.
    func login(_ username: String, _ organisation: String, _ role: Role) throws {
        try LoginStore(database: store.database).create(
            username: username, password: password, organisation: organisation, role: role, cost: cost, now: fixedNow)
    }
}

@Suite("Web sign-in with a username and password")
struct WebLoginTests {
    @Test("the sign-in page offers both ways, every input labelled")
    func page() async throws {
        let server = try TestServer()
        try await server.run { client in
            let html = String(buffer: try await client.page("/login?lang=en").body)
            for id in ["username", "password", "token"] {
                #expect(html.contains(#"<label for="\#(id)">"#) && html.contains(#"id="\#(id)""#))
            }
            #expect(html.contains("With a username and password") && html.contains("With an access token"))
            #expect(html.contains(#"autocomplete="current-password""#))
        }
    }

    @Test("a manager's login opens an HTTP-only SameSite session that sees what the manager's token sees")
    func signIn() async throws {
        let server = try TestServer()
        try server.login("Anibar-Kino", "anibar", .manager(venues: ["kino-jusuf-gervalla"]))
        try server.login("peja-viewer", "komuna-peje", .viewer)
        try await server.run { client in
            _ = try await client.book(
                server, as: "lumbardhi",
                body: bookingBody(
                    space: "kino-meeting-room", title: "Budget talks", category: "board-meeting",
                    start: "2027-02-11T18:00:00+01:00", end: "2027-02-11T20:00:00+01:00",
                    extra: ["visibility": "private"]))
            let week = "/week/venues/kino-jusuf-gervalla?date=2027-02-10"

            // The name is matched whatever its case.
            let good = try await client.form(
                "/login", ["username": " anibar-kino", "password": password, "next": "/week/cities/peja"])
            #expect(good.status == .seeOther)
            #expect(good.headers[.location] == "/week/cities/peja")
            let setCookie = try #require(good.headers[values: .setCookie].first { $0.hasPrefix("hapesira_session=") })
            #expect(
                setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && setCookie.contains("Path=/"))
            let cookie = try #require(sessionCookie(good))
            let page = String(buffer: try await client.page(week, cookie: cookie).body)
            #expect(page.contains("Budget talks"), "the venue's manager sees another organisation's private booking")
            #expect(page.contains("Anibar") && csrf(in: page)?.isEmpty == false)
            let token = try #require(
                sessionCookie(try await client.form("/login", ["token": server.tokens["manager"]!])))
            #expect(String(buffer: try await client.page(week, cookie: token).body).contains("Budget talks"))

            // A viewer's login sees it as "Busy", like a viewer's token and an anonymous visitor.
            let viewer = try #require(
                sessionCookie(try await client.form("/login", ["username": "peja-viewer", "password": password])))
            let viewerPage = String(buffer: try await client.page(week, cookie: viewer).body)
            #expect(viewerPage.contains("Municipality of Peja") && !viewerPage.contains("Budget talks"))

            // Signing out ends the login's session like a token's.
            let out = try await client.form("/logout", ["csrf": csrf(in: page)!], cookie: cookie)
            #expect(out.status == .seeOther)
            #expect(!String(buffer: try await client.page(week, cookie: cookie).body).contains("Budget talks"))

            // Never sent to another site after signing in.
            let offsite = try await client.form(
                "/login", ["username": "peja-viewer", "password": password, "next": "//evil.example/"])
            #expect(offsite.headers[.location] == "/reports")
        }
    }

    @Test("a wrong password and an unknown user are refused alike (401, no cookie); so is a post from another site")
    func refusals() async throws {
        let server = try TestServer()
        try server.login("anibar-desk", "anibar", .member)
        try await server.run { client in
            let wrong = try await client.form("/login", ["username": "anibar-desk", "password": password + "!"])
            let unknown = try await client.form("/login", ["username": "nobody-here", "password": password])
            for response in [wrong, unknown] {
                #expect(response.status == .unauthorized)
                #expect(sessionCookie(response) == nil)
                #expect(String(buffer: response.body).contains("Emri i përdoruesit ose fjalëkalimi nuk është i saktë."))
            }
            let english = try await client.form(
                "/login?lang=en", ["username": "nobody-here", "password": password])
            #expect(String(buffer: english.body).contains("The username or password is not right."))
            #expect(String(buffer: english.body).contains(#"value="nobody-here""#), "the name is kept for a retry")

            let crossSite = try await client.form(
                "/login", ["username": "anibar-desk", "password": password], origin: "https://evil.example")
            #expect(crossSite.status == .forbidden)
            #expect(sessionCookie(crossSite) == nil)

            // Disabling the login ends the session it has.
            let cookie = try #require(
                sessionCookie(try await client.form("/login", ["username": "anibar-desk", "password": password])))
            #expect(String(buffer: try await client.page("/login", cookie: cookie).body).contains("Anibar"))
            #expect(try LoginStore(database: server.store.database).disable(username: "anibar-desk", now: fixedNow))
            #expect(!String(buffer: try await client.page("/login", cookie: cookie).body).contains("Anibar"))
            let disabled = try await client.form("/login", ["username": "anibar-desk", "password": password])
            #expect(disabled.status == .unauthorized && sessionCookie(disabled) == nil)
        }
    }

    @Test("after 10 failures within 15 minutes sign-in is refused with 429, even with the right password, then allowed")
    func lockout() async throws {
        let server = try TestServer()
        try server.login("anibar-desk", "anibar", .member)
        try await server.run { client in
            for attempt in 1...10 {
                let response = try await client.form(
                    "/login", ["username": "anibar-desk", "password": "guess-number-\(attempt)"])
                #expect(response.status == .unauthorized)
            }
            let locked = try await client.form("/login?lang=en", ["username": "ANIBAR-DESK", "password": password])
            #expect(locked.status == .tooManyRequests)
            #expect(sessionCookie(locked) == nil)
            #expect(String(buffer: locked.body).contains("Too many failed sign-ins"))
            #expect(locked.headers[.retryAfter] == "900")
            // The address has had its 10 failures too: a token from it waits as well.
            let token = try await client.form("/login", ["token": server.tokens["viewer"]!])
            #expect(token.status == .tooManyRequests)

            server.clock.set(fixedNow + 15 * 60)
            let later = try await client.form("/login", ["username": "anibar-desk", "password": password])
            #expect(later.status == .seeOther && sessionCookie(later) != nil)
        }
    }

    @Test("the throttle counts failures per username and per address, within the window")
    func throttle() {
        let throttle = SignInThrottle(limit: 3, window: 60)
        for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] {
            throttle.recordFailure(SignInThrottle.keys(username: "Desk", address: address), now: 100)
        }
        #expect(throttle.retryAfter(SignInThrottle.keys(username: " desk", address: "10.0.0.9"), now: 110) == 50)
        #expect(throttle.retryAfter(SignInThrottle.keys(username: "other", address: "10.0.0.9"), now: 110) == nil)
        #expect(throttle.retryAfter(SignInThrottle.keys(username: "desk", address: "10.0.0.9"), now: 160) == nil)

        for name in ["a-name", "b-name", "c-name"] {
            throttle.recordFailure(SignInThrottle.keys(username: name, address: "10.0.0.7"), now: 200)
        }
        #expect(throttle.retryAfter(SignInThrottle.keys(username: "d-name", address: "10.0.0.7"), now: 201) == 59)
        #expect(throttle.retryAfter(SignInThrottle.keys(username: nil, address: "10.0.0.7"), now: 201) == 59)

        throttle.recordFailure(SignInThrottle.keys(username: "e-name", address: "10.0.0.8"), now: 300)
        throttle.recordFailure(SignInThrottle.keys(username: "e-name", address: "10.0.0.8"), now: 300)
        throttle.recordSuccess(username: "E-name")
        throttle.recordFailure(SignInThrottle.keys(username: "e-name", address: "10.0.0.9"), now: 300)
        #expect(throttle.retryAfter(SignInThrottle.keys(username: "e-name", address: "10.0.0.10"), now: 301) == nil)
    }
}
