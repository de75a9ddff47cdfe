import Foundation
import HapesiraCore
import HapesiraStore
import Hummingbird

/// What every web page shares: the renderer, and the values the layout needs (who is signed in,
/// the CSRF secret for its sign-out form, the language).
struct WebPages: Sendable {
    let renderer: WebRenderer
    let catalogue: Catalogue
    /// `server.public_url`, when configured.
    var publicURL: String? = nil

    /// The subscribe links of this request's pages.
    func feedLinks(_ request: Request) -> FeedLinks {
        publicURL.map(FeedLinks.init(publicURL:)) ?? FeedLinks(request)
    }

    /// Renders `template` for this request, in its language; `error` names a text shown as an alert.
    func render(
        _ template: String, _ values: [String: Any], _ request: Request, _ context: AppRequestContext,
        error: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let language = Language.of(request)
        var values = values
        if let caller = context.caller {
            values["signed_in"] = true
            values["may_book"] = caller.role != .viewer
            values["organisation_name"] = catalogue.organisation(caller.organisation)?.name ?? caller.organisation
            values["manages"] = caller.managesVenues
        }
        if let session = context.session { values["csrf"] = session.csrf }
        if let error { values["error"] = renderer.texts(language)[error] ?? error }
        return renderer.page(
            template, values, language: language, path: request.uri.path, query: request.uri.query, status: status)
    }

    /// A sign-in redirect for pages that need a caller.
    static func signIn(returningTo request: Request) -> Response {
        let next = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
        let encoded =
            next.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "?"])) ?? "/"
        return .redirect(to: "/login?next=\(encoded)")
    }

    /// A posted form (`application/x-www-form-urlencoded`, at most 16 kB).
    static func form<Form: Decodable>(_ type: Form.Type, from request: Request) async throws -> Form {
        try decode(Form.self, String(buffer: try await request.body.collect(upTo: 16_384)))
    }

    /// A form posted by the caller of this request: from this site and, for a browser session,
    /// carrying the session's CSRF secret (field `csrf`). A caller with a bearer token has no
    /// session and sends no CSRF secret. Throws ``WebRefusal/signInNeeded`` without a caller and
    /// ``WebRefusal/staleForm`` for a post that fails either check.
    static func postedForm<Form: Decodable>(
        _ type: Form.Type, _ request: Request, _ context: AppRequestContext
    ) async throws -> (Form, Caller) {
        guard let caller = context.caller else { throw WebRefusal.signInNeeded }
        let text = String(buffer: try await request.body.collect(upTo: 16_384))
        guard isSameOrigin(request) else { throw WebRefusal.staleForm }
        if let session = context.session {
            guard SessionStore.csrfMatches(try decode(CSRFField.self, text).csrf, session) else {
                throw WebRefusal.staleForm
            }
        }
        return (try decode(Form.self, text), caller)
    }

    /// The caller of a page that needs one, or ``WebRefusal/signInNeeded``.
    static func caller(_ context: AppRequestContext) throws(WebRefusal) -> Caller {
        guard let caller = context.caller else { throw .signInNeeded }
        return caller
    }

    private struct CSRFField: Decodable { var csrf: String? }

    private static func decode<Form: Decodable>(_ type: Form.Type, _ text: String) throws -> Form {
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: text)
        } catch {
            throw APIError.invalid("body", "expected a form (application/x-www-form-urlencoded)")
        }
    }

    /// A page saying what was wrong with the request, in the visitor's language: `heading`,
    /// `message` and `hint` name texts; `detail` is shown as given.
    func problem(
        _ request: Request, _ context: AppRequestContext, status: HTTPResponse.Status, heading: String,
        message: String, detail: String? = nil, hint: String? = nil
    ) -> Response {
        let texts = renderer.texts(Language.of(request))
        var values: [String: Any] = ["heading": texts[heading] ?? heading, "message": texts[message] ?? message]
        if let detail { values["detail"] = detail }
        if let hint { values["hint"] = texts[hint] ?? hint }
        return render("problem", values, request, context, status: status)
    }

    /// Whether a form post comes from this site: its `Origin` (or, without one, its `Referer`) names
    /// this host. Browsers send `Origin` with every cross-site POST.
    static func isSameOrigin(_ request: Request) -> Bool {
        guard let source = request.headers[.origin] ?? request.headers[.referer] else { return true }
        guard let host = URLComponents(string: source)?.host, let own = request.head.authority
        else { return false }
        let ownHost = own.split(separator: ":").first.map(String.init) ?? own
        return host == ownHost
    }
}
