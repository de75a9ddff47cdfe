import Foundation
import GRDB
import HapesiraStore
import Hummingbird
import HummingbirdTesting
import Testing

/// Every form of the web front, posted without the session's CSRF secret, with a wrong one, or from
/// another site: each is refused with 403 and nothing in the database changes.
@Suite("Web forms")
struct WebFormsTests {
    /// What a form could change: bookings and their statuses, active occurrences, audit entries,
    /// closures, active feed links and sessions.
    static func fingerprint(_ server: TestServer) async throws -> [String] {
        try await server.store.database.writer.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT 'booking ' || id || ' ' || status FROM booking
                    UNION ALL SELECT 'occurrences ' || count(*) FROM occurrence WHERE active = 1
                    UNION ALL SELECT 'audit ' || count(*) FROM audit
                    UNION ALL SELECT 'closures ' || count(*) FROM venue_closure
                    UNION ALL SELECT 'feed links ' || count(*) FROM feed_token WHERE revoked_at IS NULL
                    UNION ALL SELECT 'sessions ' || count(*) FROM web_session
                    """)
        }
    }

    @Test("every form refuses a post without the session's CSRF secret, with a wrong one, or from another site")
    func csrf() async throws {
        let server = try TestServer()
        try await server.run { client in
            // Something for every form to act on: a pending request, a weekly series, a closure, a feed link.
            let pending = try await client.bookPendingScreening(server)
            let series = try await client.book(
                server, as: "anibar",
                body: bookingBody(
                    start: "2027-02-03T18:00:00+01:00", end: "2027-02-03T20:00:00+01:00",
                    extra: ["recurrence": "FREQ=WEEKLY;COUNT=3"]))
            let closure = try json(
                try await client.post(
                    "/api/v1/venues/kino-jusuf-gervalla/closures", server, as: "manager",
                    body: ByteBuffer(string: #"{"from": "2027-03-01", "reason": "Inventory"}"#)))
            let (feedLink, _) = try await FeedTokenStore(database: server.store.database).create(
                organisation: "network-secretariat", label: nil, now: 0)
            let pendingID = try #require(pending["id"] as? Int)
            let seriesID = try #require(series["id"] as? Int)
            let occurrenceID = try #require((series["occurrences"] as? [[String: Any]])?.first?["id"] as? Int)
            let closureID = try #require(closure["id"] as? Int)

            let forms: [(String, [String: String])] = [
                ("/book", bookingForm(nil, date: "2027-02-17")),
                ("/bookings/\(seriesID)/cancel", ["reason": "x"]),
                ("/bookings/\(seriesID)/occurrences/\(occurrenceID)/cancel", [:]),
                ("/feed-links", ["label": "x"]),
                ("/feed-links/\(feedLink.id)/revoke", [:]),
                ("/desk/bookings/\(pendingID)/approve", [:]),
                ("/desk/bookings/\(pendingID)/decline", ["reason": "x"]),
                ("/desk/venues/kino-jusuf-gervalla/closures", ["from": "2027-03-08", "reason": "x"]),
                ("/desk/venues/kino-jusuf-gervalla/closures/\(closureID)/remove", [:]),
                ("/logout", [:]),
            ]
            // An admin may do all of these: only the CSRF check can refuse them.
            let admin = try await BrowserSession(client, server, as: "admin")
            let before = try await Self.fingerprint(server)
            #expect(before.contains("closures 1") && before.contains("feed links 1"), "the setup")
            for (path, fields) in forms {
                var wrong = fields
                wrong["csrf"] = "guess"
                var crossSite = fields
                crossSite["csrf"] = admin.csrf
                let missing = try await client.form(path, fields, cookie: admin.cookie)
                let guessed = try await client.form(path, wrong, cookie: admin.cookie)
                let foreign = try await client.form(
                    path, crossSite, cookie: admin.cookie, origin: "https://evil.example")
                #expect(missing.status == .forbidden, "\(path) without a CSRF secret")
                #expect(guessed.status == .forbidden, "\(path) with a wrong CSRF secret")
                #expect(foreign.status == .forbidden, "\(path) from another site")
            }
            #expect(try await Self.fingerprint(server) == before)

            // The same forms with the secret do act (the refusals above were the CSRF check's).
            let approved = try await client.form(
                "/desk/bookings/\(pendingID)/approve", ["csrf": admin.csrf], cookie: admin.cookie)
            #expect(approved.status == .seeOther)
            #expect(try await Self.fingerprint(server).contains("booking \(pendingID) confirmed"))
        }
    }
}
