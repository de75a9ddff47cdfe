import HapesiraCore
import HapesiraStore
import Hummingbird

/// Cities, venues, spaces, organisations, availability and `me`.
struct CatalogueController: Sendable {
    let store: BookingStore
    let views: Views
    let bookings: BookingController
    let now: @Sendable () -> Int64

    var catalogue: Catalogue { views.catalogue }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("me") { _, context in
            let caller = try context.requireCaller()
            var object: [String: JSONValue] = [
                "token": .string(caller.tokenID), "organisation": .string(caller.organisation),
                "role": .string(caller.role.name),
            ]
            if case .manager(let venues) = caller.role { object["venues"] = .array(venues.map(JSONValue.string)) }
            return JSONResponse.make(.object(object))
        }
        group.get("cities") { _, _ in JSONResponse.items(catalogue.cities.map(views.city)) }
        group.get("cities/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let city = catalogue.city(id) else { throw APIError.notFound("city", id) }
            return JSONResponse.make(views.city(city))
        }
        group.get("venues") { request, _ in
            let city = request.uri.queryParameters.get("city")
            if let city, catalogue.city(city) == nil { throw APIError.invalid("city", "no city '\(city)'") }
            return JSONResponse.items(catalogue.venues.filter { city == nil || $0.city == city }.map(views.venue))
        }
        group.get("venues/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let venue = catalogue.venue(id) else { throw APIError.notFound("venue", id) }
            return JSONResponse.make(views.venue(venue))
        }
        group.get("spaces") { request, _ in
            let query = request.uri.queryParameters
            let ids = try bookings.spaceFilter(query).map(Set.init)
            let kind = query.get("kind")
            let spaces = catalogue.spaces.filter { (ids?.contains($0.id) ?? true) && (kind == nil || $0.kind == kind) }
            return JSONResponse.items(spaces.map(views.space))
        }
        group.get("spaces/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let space = catalogue.space(id) else { throw APIError.notFound("space", id) }
            return JSONResponse.make(views.space(space))
        }
        group.get("spaces/{id}/availability", use: availability)
        group.get("organisations") { _, _ in JSONResponse.items(catalogue.organisations.map(views.organisation)) }
        group.get("organisations/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let organisation = catalogue.organisation(id) else { throw APIError.notFound("organisation", id) }
            return JSONResponse.make(views.organisation(organisation))
        }
    }

    /// Opening hours, busy time and free time of a space over a range (default: the next 7 days).
    @Sendable func availability(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = context.parameters.get("id") ?? ""
        guard let space = catalogue.space(id), let venue = catalogue.venue(of: space) else {
            throw APIError.notFound("space", id)
        }
        let range =
            try bookings.range(request.uri.queryParameters, required: false, maxSpan: 92 * 86_400)
            ?? Interval(start: now(), end: now() + 7 * 86_400)
        let busy = try await store.busy(space: space, within: range)
        let added = try await store.closures(venue: venue.id).map(\.closure)
        let open = VenueCalendar(venue: venue, adding: added).openIntervals(overlapping: range)
            .compactMap { $0.intersection(range) }
        // Free: open time a booking of this space could use, its own setup and teardown counted.
        let blocked = busy.map { $0.block.widened(before: space.rules.teardownBuffer, after: space.rules.setupBuffer) }
        let free = open.flatMap { blocked.complement(within: $0) }
        let zone = venue.zone
        return JSONResponse.make(
            .object([
                "space": .string(space.id), "time_zone": .string(zone.identifier),
                "from": views.time(range.start, zone), "to": views.time(range.end, zone),
                "open": .array(open.map { views.interval($0, zone) }),
                "busy": .array(busy.map { views.busy($0, for: caller) }),
                "free": .array(free.map { views.interval($0, zone) }),
            ]))
    }
}
