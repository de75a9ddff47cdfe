import Foundation
import HapesiraCore
import HapesiraStore
import Hummingbird

/// Signing in and out of the web pages. A browser signs in with a login's username and password,
/// or with its organisation's API token, and gets an HTTP-only, SameSite=Lax session cookie;
/// signing out needs the session's CSRF secret. A sign-in or sign-out posted from another site (its `Origin`
/// is not this host) is refused, and so are sign-ins past ``SignInThrottle``'s limit (429).
struct SignInController: Sendable {
    let pages: WebPages
    let sessions: SessionStore
    let throttle: SignInThrottle
    let now: @Sendable () -> Int64

    private struct SignInForm: Decodable {
        var token: String?
        var username: String?
        var password: String?
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
            let username = form.username.flatMap { $0.isEmpty ? nil : $0 }
            let values: [String: Any] = ["next": next, "username": username ?? ""]
            guard WebPages.isSameOrigin(request) else {
                return pages.render(
                    "login", values, request, context, error: "session_expired", status: .forbidden)
            }
            let keys = SignInThrottle.keys(username: username, address: context.clientAddress)
            if let wait = throttle.retryAfter(keys, now: now()) {
                var response = pages.render(
                    "login", values, request, context, error: "login_locked", status: .tooManyRequests)
                response.headers[.retryAfter] = String(wait)
                return response
            }
            let (secret, session): (String, WebSession)
            do {
                if let username {
                    (secret, session) = try await sessions.start(
                        username: username, password: form.password ?? "", now: now())
                    throttle.recordSuccess(username: username)
                } else {
                    (secret, session) = try await sessions.start(
                        token: (form.token ?? "").trimmingCharacters(in: .whitespaces), now: now())
                }
            } catch let error where error is LoginError || error is TokenError {
                throttle.recordFailure(keys, now: now())
                return pages.render(
                    "login", values, request, context,
                    error: username == nil ? "login_failed" : "login_password_failed",
                    status: .unauthorized)
            }
            var response = Response.redirect(to: next)
            response.setCookie(
                Cookie(
                    name: WebSessionMiddleware.cookie, value: secret, maxAge: Int(session.expiresAt - now()),
                    path: "/", httpOnly: true, sameSite: .lax))
            return response
        }
        router.post("logout") { request, context in
            let form = try await WebPages.form(SignOutForm.self, from: request)
            if let session = context.session, WebPages.isSameOrigin(request),
                SessionStore.csrfMatches(form.csrf, session),
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
