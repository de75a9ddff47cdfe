import HapesiraCore
import Hummingbird
import Logging

/// Answers every error as JSON (`{"error", "message", "field"}`); only unexpected failures are 500s,
/// and those are logged with the request.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let views: Views

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError(from: error, views: views, caller: context.caller)
            if apiError.status == .internalServerError {
                context.logger.error(
                    "request failed",
                    metadata: [LogKey.error: "\(String(reflecting: error))", LogKey.path: "\(request.uri.path)"])
            }
            return try apiError.response(from: request, context: context)
        }
    }
}

/// Metadata keys used in logs, in one place.
public enum LogKey {
    public static let error = "error"
    public static let path = "http.path"
    public static let bookingID = "booking.id"
    public static let spaceID = "space.id"
    public static let address = "http.address"
    public static let database = "database.path"
}
