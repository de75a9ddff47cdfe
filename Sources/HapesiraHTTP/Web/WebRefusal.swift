import Hummingbird

/// Why a web request was not served, shown as a page in the visitor's language (see
/// ``WebRefusalMiddleware``) instead of the API's JSON error.
enum WebRefusal: Error, Sendable {
    /// The page needs a signed-in caller: the browser is sent to `/login` and back.
    case signInNeeded
    /// A form post without this session's CSRF secret, or from another site.
    case staleForm
    /// The caller's role does not allow this page or action; `text` names the reason's text.
    case forbidden(text: String)
    /// No such thing: `text` names what is missing, `detail` the identifier asked for.
    case notFound(text: String, detail: String)
}

/// Renders a ``WebRefusal`` thrown by a web route as a page: a redirect to sign in, or a `403`/`404`
/// page saying what was wrong.
struct WebRefusalMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let pages: WebPages

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let refusal as WebRefusal {
            switch refusal {
            case .signInNeeded:
                return WebPages.signIn(returningTo: request)
            case .staleForm:
                return pages.problem(
                    request, context, status: .forbidden, heading: "forbidden_title", message: "session_expired")
            case .forbidden(let text):
                return pages.problem(request, context, status: .forbidden, heading: "forbidden_title", message: text)
            case .notFound(let text, let detail):
                return pages.problem(
                    request, context, status: .notFound, heading: "not_found_title", message: text, detail: detail)
            }
        }
    }
}
