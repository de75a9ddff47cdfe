import HapesiraCore
import HapesiraStore
import Hummingbird

/// For web pages: the caller of a signed-in browser (the session cookie), or of a bearer token
/// (so the pages can be fetched by scripts too). No credentials is not an error here: each page
/// decides what an anonymous visitor sees.
struct WebSessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let cookie = "hapesira_session"

    let sessions: SessionStore
    let tokens: TokenStore
    let now: @Sendable () -> Int64

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var context = context
        if let secret = request.cookies[Self.cookie]?.value,
            let session = try await sessions.session(secret: secret, now: now())
        {
            context.session = session
            context.caller = session.caller
        } else if let header = request.headers[.authorization] {
            context.caller = try await BearerAuthMiddleware.caller(header: header, tokens: tokens)
        }
        return try await next(request, context)
    }
}
