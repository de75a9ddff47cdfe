import HapesiraCore
import HapesiraStore
import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the authenticated caller.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``BearerAuthMiddleware``, or by ``WebSessionMiddleware`` for a signed-in browser.
    public var caller: Caller?
    /// The browser's session, for web pages (its CSRF secret guards their forms).
    public var session: WebSession?

    /// The client's IP address (the proxy's, behind a reverse proxy), for sign-in throttling.
    public var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The caller, or 401 when the request carries no valid token.
    func requireCaller() throws(APIError) -> Caller {
        guard let caller else {
            throw APIError(.unauthorized, "unauthorized", "send Authorization: Bearer <token>", field: "Authorization")
        }
        return caller
    }
}
