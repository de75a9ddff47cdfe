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
        var context = context
        context.caller = try await Self.caller(header: request.headers[.authorization], tokens: tokens)
        return try await next(request, context)
    }

    /// The caller an `Authorization: Bearer <token>` header stands for, or 401 naming what is wrong.
    static func caller(header: String?, tokens: TokenStore) async throws -> Caller {
        guard let header else {
            throw APIError(.unauthorized, "unauthorized", "send Authorization: Bearer <token>", field: "Authorization")
        }
        guard header.lowercased().hasPrefix("bearer ") else {
            throw APIError(
                .unauthorized, "unauthorized", "the Authorization header must be 'Bearer <token>'",
                field: "Authorization")
        }
        return try await caller(token: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), tokens: tokens)
    }

    /// The caller a token stands for, or 401 (a revoked token says so).
    static func caller(token: String, tokens: TokenStore) async throws -> Caller {
        do {
            return try await tokens.authenticate(token)
        } catch let error as TokenError {
            let message = error == .revoked ? "the token has been revoked" : "the token is not valid"
            throw APIError(.unauthorized, "unauthorized", message, field: "Authorization")
        }
    }
}
