import HapesiraCore
import Hummingbird

/// The request context: Hummingbird's core storage plus the authenticated caller.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``BearerAuthMiddleware``.
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// The caller, or 401 when the request carries no valid token.
    func requireCaller() throws(APIError) -> Caller {
        guard let caller else {
            throw APIError(.unauthorized, "unauthorized", "send Authorization: Bearer <token>", field: "Authorization")
        }
        return caller
    }
}
