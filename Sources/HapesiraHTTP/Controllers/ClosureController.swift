import HapesiraCore
import HapesiraStore
import Hummingbird

/// `/api/v1/venues/{id}/closures`: the configured closures (read-only) and those managers add.
struct ClosureController: Sendable {
    let store: BookingStore
    let views: Views
    let body: BodyReader
    let now: @Sendable () -> Int64

    var catalogue: Catalogue { views.catalogue }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("venues/{id}/closures", use: list)
        group.post("venues/{id}/closures", use: add)
        group.delete("venues/{id}/closures/{closure}", use: remove)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireCaller()
        let venue = try venue(context)
        let added = try await store.closures(venue: venue.id)
        return JSONResponse.items(
            venue.closures.map { views.closure($0, in: venue, stored: nil) }
                + added.map { views.closure($0.closure, in: venue, stored: $0) })
    }

    @Sendable func add(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let venue = try venue(context)
        let (input, _) = try await body.read(ClosureBody.self, from: request)
        let result = try await store.addClosure(input.request, venue: venue.id, by: caller, now: now())
        guard case .object(var members) = views.closure(result.closure.closure, in: venue, stored: result.closure)
        else { preconditionFailure("a closure is a JSON object") }
        members["cancelled"] = .array(result.cancelled.map { views.busy($0, for: caller) })
        return JSONResponse.make(
            .object(members), status: .created,
            headers: [.location: "/api/v1/venues/\(venue.id)/closures/\(result.closure.id)"])
    }

    @Sendable func remove(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let venue = try venue(context)
        guard let id = context.parameters.get("closure", as: Int64.self) else {
            throw APIError.notFound("closure", context.parameters.get("closure") ?? "")
        }
        try await store.removeClosure(id, venue: venue.id, by: caller, now: now())
        return Response(status: .noContent)
    }

    private func venue(_ context: AppRequestContext) throws -> Venue {
        let id = context.parameters.get("id") ?? ""
        guard let venue = catalogue.venue(id) else { throw APIError.notFound("venue", id) }
        return venue
    }
}

/// `POST /api/v1/venues/{id}/closures`.
struct ClosureBody: Decodable {
    var from: String
    var to: String?
    var startTime: String?
    var endTime: String?
    var reason: String
    var cancelBookings: Bool?

    enum CodingKeys: String, CodingKey {
        case from, to, reason
        case startTime = "start_time"
        case endTime = "end_time"
        case cancelBookings = "cancel_bookings"
    }

    var request: ClosureRequest {
        ClosureRequest(
            from: from, to: to, startTime: startTime, endTime: endTime, reason: reason,
            cancelBookings: cancelBookings ?? false)
    }
}

extension Views {
    /// A closure with its venue-local dates and times and the instants it covers; `stored` for one
    /// added at run time (`source: "runtime"`), nil for a configured one (`source: "configuration"`).
    func closure(_ closure: Closure, in venue: Venue, stored: VenueClosure?) -> JSONValue {
        let interval = closure.interval(in: venue.zone)
        var object: [String: JSONValue] = [
            "venue": .string(venue.id), "from": .string("\(closure.from)"), "to": .string("\(closure.to)"),
            "start_time": .string(ClockTime.text(closure.startMinute)),
            "end_time": .string(ClockTime.text(closure.endMinute)), "whole_days": .bool(closure.isWholeDays),
            "start": time(interval.start, venue.zone), "end": time(interval.end, venue.zone),
            "reason": .string(closure.reason), "source": .string(stored == nil ? "configuration" : "runtime"),
        ]
        if let stored {
            object["id"] = .int(stored.id)
            object["created_by_organisation"] = .string(stored.createdByOrganisation)
            object["created_at"] = time(stored.createdAt, venue.zone)
        }
        return .object(object)
    }
}
