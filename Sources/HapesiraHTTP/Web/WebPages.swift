import Foundation
import HapesiraCore
import HapesiraStore
import Hummingbird

/// What every web page shares: the renderer, and the values the layout needs (who is signed in,
/// the CSRF secret for its sign-out form, the language).
struct WebPages: Sendable {
    let renderer: WebRenderer
    let catalogue: Catalogue

    /// Renders `template` for this request, in its language; `error` names a text shown as an alert.
    func render(
        _ template: String, _ values: [String: Any], _ request: Request, _ context: AppRequestContext,
        error: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let language = Language.of(request)
        var values = values
        if let caller = context.caller {
            values["signed_in"] = true
            values["organisation_name"] = catalogue.organisation(caller.organisation)?.name ?? caller.organisation
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
        let body = try await request.body.collect(upTo: 16_384)
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body))
        } catch {
            throw APIError.invalid("body", "expected a form (application/x-www-form-urlencoded)")
        }
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
