import Foundation
import HTTPTypes
import HapesiraHTTP
import HapesiraStore
import Hummingbird
import HummingbirdTesting
import Testing

/// Form posts and cookies as a browser sends them.
extension TestClientProtocol {
    func form(
        _ path: String, _ fields: [String: String], cookie: String? = nil, origin: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        if let origin { headers[.origin] = origin }
        let body = fields.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
        return try await executeRequest(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    func page(_ path: String, cookie: String? = nil, language: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        if let language { headers[.acceptLanguage] = language }
        return try await executeRequest(uri: path, method: .get, headers: headers, body: nil)
    }
}

/// The session cookie a response sets, as a `Cookie:` header value.
func sessionCookie(_ response: TestResponse) -> String? {
    response.headers[values: .setCookie].first { $0.hasPrefix("hapesira_session=") }?
        .split(separator: ";").first.map(String.init)
}

/// The value of `<input … name="csrf" value="…">` on a page.
func csrf(in html: String) -> String? {
    guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
    return String(html[range.upperBound...].prefix { $0 != "\"" })
}

/// A browser signed in with a role's token: its session cookie and the CSRF secret its forms carry.
struct BrowserSession {
    let cookie: String
    let csrf: String

    init(_ client: any TestClientProtocol, _ server: TestServer, as who: String) async throws {
        cookie = try #require(sessionCookie(try await client.form("/login", ["token": server.tokens[who]!])))
        csrf = try #require(HapesiraHTTPTests.csrf(in: String(buffer: try await client.page("/", cookie: cookie).body)))
    }
}

@Suite("Web sign-in")
struct WebSignInTests {
    @Test("the sign-in page speaks Albanian by default, the browser's language when asked, and ?lang= wins")
    func languages() async throws {
        let server = try TestServer()
        try await server.run { client in
            let albanian = String(buffer: try await client.page("/login").body)
            #expect(albanian.contains(#"<html lang="sq">"#))
            #expect(albanian.contains("Tokeni i qasjes"))
            let english = String(buffer: try await client.page("/login", language: "de-DE, en;q=0.8, sq;q=0.5").body)
            #expect(english.contains(#"<html lang="en">"#))
            #expect(english.contains("Access token"))
            let serbian = try await client.page("/login?lang=sr", language: "en")
            #expect(String(buffer: serbian.body).contains("Pristupni token"))
            #expect(serbian.headers[values: .setCookie].contains { $0.hasPrefix("hapesira_lang=sr") })
            // Every input has its label.
            #expect(albanian.contains(#"<label for="token">"#) && albanian.contains(#"id="token""#))
        }
    }

    @Test("a good token opens an HTTP-only SameSite session; a bad one, or a post from another site, does not")
    func signIn() async throws {
        let server = try TestServer()
        try await server.run { client in
            let bad = try await client.form("/login", ["token": "hps_nope_nope", "next": "/reports"])
            #expect(bad.status == .unauthorized)
            #expect(String(buffer: bad.body).contains("Tokeni nuk u pranua"))
            #expect(sessionCookie(bad) == nil)

            let crossSite = try await client.form(
                "/login", ["token": server.tokens["viewer"]!], origin: "https://evil.example")
            #expect(crossSite.status == .forbidden)
            #expect(sessionCookie(crossSite) == nil)

            let good = try await client.form("/login", ["token": server.tokens["viewer"]!, "next": "/reports?x=1"])
            #expect(good.status == .seeOther)
            #expect(good.headers[.location] == "/reports?x=1")
            let setCookie = try #require(good.headers[values: .setCookie].first { $0.hasPrefix("hapesira_session=") })
            #expect(
                setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && setCookie.contains("Path=/"))

            let cookie = try #require(sessionCookie(good))
            let page = String(buffer: try await client.page("/login", cookie: cookie).body)
            #expect(page.contains("Municipality of Peja"), "the layout names who is signed in")
            #expect(csrf(in: page)?.isEmpty == false)

            // Never sent to another site after signing in.
            let offsite = try await client.form(
                "/login", ["token": server.tokens["viewer"]!, "next": "//evil.example/x"])
            #expect(offsite.headers[.location] == "/reports")
        }
    }

    @Test("signing out needs the form's CSRF secret and ends the session; revoking the token ends it too")
    func signOut() async throws {
        let server = try TestServer()
        try await server.run { client in
            let cookie = try #require(
                sessionCookie(try await client.form("/login", ["token": server.tokens["manager"]!])))
            let page = String(buffer: try await client.page("/login", cookie: cookie).body)
            let secret = try #require(csrf(in: page))

            let forged = try await client.form("/logout", ["csrf": "guess"], cookie: cookie)
            #expect(forged.status == .forbidden)
            #expect(String(buffer: try await client.page("/login", cookie: cookie).body).contains("Anibar"))

            let out = try await client.form("/logout", ["csrf": secret], cookie: cookie)
            #expect(out.status == .seeOther)
            #expect(!String(buffer: try await client.page("/login", cookie: cookie).body).contains("Anibar"))

            // A new session, then its token is revoked: the session is over at once.
            let again = try #require(
                sessionCookie(try await client.form("/login", ["token": server.tokens["viewer"]!])))
            let tokens = TokenStore(database: server.store.database)
            let viewerID = try #require(try tokens.list().first { $0.organisation == "komuna-peje" }?.id)
            #expect(try tokens.revoke(id: viewerID, now: fixedNow))
            #expect(
                !String(buffer: try await client.page("/login", cookie: again).body).contains("Municipality of Peja"))
        }
    }

    @Test("templates and texts load (a template using a text missing in any language would not), same texts in each")
    func templatesAndTexts() throws {
        let renderer = try WebRenderer.bundled.get()
        let keys = Set(renderer.texts(.sq).keys)
        #expect(keys.count > 5)
        #expect(Set(renderer.texts(.sr).keys) == keys)
        #expect(Set(renderer.texts(.en).keys) == keys)
        for language in Language.allCases {
            #expect(renderer.texts(language).values.allSatisfy { !$0.isEmpty })
        }
    }
}
