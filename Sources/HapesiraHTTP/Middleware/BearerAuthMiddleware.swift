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
        guard let token = bearerToken(header) else {
            throw APIError(
                .unauthorized, "unauthorized", "the Authorization header must be 'Bearer <token>'",
                field: "Authorization")
        }
        return try await caller(token: token, tokens: tokens)
    }

    /// The token of `Bearer <token>` (the scheme in any case), without the spaces and tabs around it; nil for
    /// another scheme. Byte by byte: Foundation's case mapping and trimming cost more than the token lookup.
    static func bearerToken(_ header: String) -> String? {
        let bytes = header.utf8
        let scheme = "bearer ".utf8
        guard bytes.count >= scheme.count,
            zip(bytes, scheme).allSatisfy({ byte, expected in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 == expected : byte == expected
            })
        else { return nil }
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        var token = bytes.dropFirst(scheme.count).drop(while: blank)
        while let last = token.last, blank(last) { token = token.dropLast() }
        return String(decoding: token, as: UTF8.self)
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
