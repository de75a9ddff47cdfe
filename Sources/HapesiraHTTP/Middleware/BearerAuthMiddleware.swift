import Foundation
import HapesiraCore
import HapesiraStore
import Hummingbird

/// Reads `Authorization: Bearer <token>` and sets the caller; a present but invalid token is a 401.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tokens: TokenStore

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "unauthorized", "send Authorization: Bearer <token>", field: "Authorization")
        }
        guard header.lowercased().hasPrefix("bearer ") else {
            throw APIError(
                .unauthorized, "unauthorized", "the Authorization header must be 'Bearer <token>'",
                field: "Authorization")
        }
        var context = context
        do {
            context.caller = try await tokens.authenticate(
                String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        } catch let error as TokenError {
            let message = error == .revoked ? "the token has been revoked" : "the token is not valid"
            throw APIError(.unauthorized, "unauthorized", message, field: "Authorization")
        }
        return try await next(request, context)
    }
}
