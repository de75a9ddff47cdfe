import Foundation
import HapesiraCore
import HapesiraStore
import Hummingbird

/// An error answered as `{"error": code, "message": …, "field": …}` plus any extra members.
public struct APIError: Error, HTTPResponseError {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?
    /// Extra members of the body (conflicts, alternatives, violations).
    var extra: [String: JSONValue] = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = extra
        body["error"] = .string(code)
        body["message"] = .string(message)
        if let field { body["field"] = .string(field) }
        return JSONResponse.make(.object(body), status: status)
    }

    static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, "invalid_field", message, field: field)
    }

    static func notFound(_ what: String, _ id: String) -> APIError {
        APIError(.notFound, "not_found", "no \(what) '\(id)'", field: nil)
    }
}

extension APIError {
    /// Maps any error from the layers below to its HTTP form; unknown errors become a 500 without details.
    init(from error: any Error, views: Views, caller: Caller? = nil, space: String? = nil) {
        switch error {
        case let error as APIError:
            self = error
        case let error as BookingError:
            self = Self.booking(error, views: views, caller: caller, space: space)
        case let refusal as Refusal:
            self = Self.booking(.refused(refusal), views: views, caller: caller, space: space)
        case ClosureError.bookingsInTheWay(let occurrences):
            self = APIError(
                .conflict, "bookings_in_the_way",
                "\(occurrences.count) booked occurrence(s) fall in the closure: decline or cancel them first, "
                    + "or send cancel_bookings: true to cancel them", field: "cancel_bookings")
            extra["conflicts"] = .array(occurrences.map { views.busy($0, for: caller) })
        case StoreError.idempotencyKeyReused(let key):
            self = APIError(
                .unprocessableContent, "idempotency_key_reused",
                "Idempotency-Key '\(key)' was already used for a different request", field: "Idempotency-Key")
        case let error as HTTPError where error.status == .contentTooLarge:
            self = APIError(
                .contentTooLarge, "body_too_large",
                "the request body is larger than the limit of \(views.maxBodyBytes) bytes")
        case let error as HTTPError:
            self = APIError(error.status, "http_error", error.body ?? error.status.reasonPhrase)
        default:
            self = APIError(.internalServerError, "internal_error", "the server failed; the error is in its log")
        }
    }

    private static func booking(_ error: BookingError, views: Views, caller: Caller?, space: String?) -> APIError {
        switch error {
        case .invalid(let field, let message):
            return APIError(.unprocessableContent, "invalid_field", message, field: field)
        case .notFound(let what, let id):
            // A missing thing named in the body is a field error; a missing path resource is 404.
            if ["booking", "occurrence", "closure"].contains(what) { return .notFound(what, id) }
            return APIError(.unprocessableContent, "unknown_\(what)", "no \(what) '\(id)'", field: what)
        case .forbidden(let message):
            return APIError(.forbidden, "forbidden", message)
        case .wrongStatus(let status, let action):
            return APIError(
                .conflict, "wrong_status", "cannot \(action) a booking that is \(status.rawValue)", field: "status")
        case .refused(let refusal):
            let primary = refusal.primary
            var apiError = APIError(
                .conflict, primary?.code ?? "refused", refusal.summary, field: primary?.field)
            apiError.extra = views.refusal(refusal, caller: caller, space: space)
            return apiError
        }
    }
}

extension Refusal {
    /// One sentence for the `message` member.
    var summary: String {
        guard let primary else { return "the booking was refused" }
        let count = refused.count
        return count == 1 ? primary.message : "\(count) occurrences cannot be booked; the first: \(primary.message)"
    }

    /// The occurrences in the way, each once (in the order the refused occurrences name them).
    var conflicts: [BusyOccurrence] {
        var seen = Set<Int64>()
        var conflicts: [BusyOccurrence] = []
        for check in refused {
            for case .conflict(let others) in check.violations {
                for other in others where seen.insert(other.occurrenceID).inserted { conflicts.append(other) }
            }
        }
        return conflicts
    }
}
