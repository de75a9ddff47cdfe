import Foundation
import HapesiraCore
import HapesiraStore
import Hummingbird

/// Signing in and out of the web pages. A browser signs in with its organisation's API token and
/// gets an HTTP-only, SameSite=Lax session cookie; signing out needs the session's CSRF secret.
/// A sign-in posted from another site (its `Origin` is not this host) is refused.
struct SignInController: Sendable {
    let pages: WebPages
    let sessions: SessionStore
    let now: @Sendable () -> Int64

    private struct SignInForm: Decodable {
        var token: String?
        var next: String?
    }

    private struct SignOutForm: Decodable {
        var csrf: String?
    }

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("login") { request, context in
            pages.render("login", ["next": Self.safeNext(request.uri.queryParameters.get("next"))], request, context)
        }
        router.post("login") { request, context in
            let form = try await WebPages.form(SignInForm.self, from: request)
            let next = Self.safeNext(form.next)
            guard WebPages.isSameOrigin(request) else {
                return pages.render(
                    "login", ["next": next], request, context, error: "session_expired", status: .forbidden)
            }
            do {
                let (secret, session) = try await sessions.start(
                    token: (form.token ?? "").trimmingCharacters(in: .whitespaces), now: now())
                var response = Response.redirect(to: next)
                response.setCookie(
                    Cookie(
                        name: WebSessionMiddleware.cookie, value: secret, maxAge: Int(session.expiresAt - now()),
                        path: "/", httpOnly: true, sameSite: .lax))
                return response
            } catch is TokenError {
                return pages.render(
                    "login", ["next": next], request, context, error: "login_failed", status: .unauthorized)
            }
        }
        router.post("logout") { request, context in
            let form = try await WebPages.form(SignOutForm.self, from: request)
            if let session = context.session, SessionStore.csrfMatches(form.csrf, session),
                let secret = request.cookies[WebSessionMiddleware.cookie]?.value
            {
                try await sessions.end(secret: secret)
            } else if context.session != nil {
                return pages.render(
                    "login", ["next": "/"], request, context, error: "session_expired", status: .forbidden)
            }
            var response = Response.redirect(to: "/")
            response.setCookie(
                Cookie(name: WebSessionMiddleware.cookie, value: "", maxAge: 0, path: "/", sameSite: .lax))
            return response
        }
    }

    /// Where to go after signing in: a path on this site, never another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return "/reports" }
        return next
    }
}
