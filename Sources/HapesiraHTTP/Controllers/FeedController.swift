import Foundation
import HTTPTypes
import HapesiraConfig
import HapesiraCore
import HapesiraICal
import HapesiraStore
import Hummingbird
import NIOCore

/// iCalendar subscription feeds and free/busy, for calendar apps (no bearer token: public feeds
/// are public, an organisation's own feed carries a feed token in its URL).
struct FeedController: Sendable {
    let store: BookingStore
    let feedTokens: FeedTokenStore
    let settings: DaemonConfiguration.Feeds
    let presenter: FeedPresenter
    let cache: FeedCache
    let now: @Sendable () -> Int64

    var catalogue: Catalogue { presenter.catalogue }

    func addRoutes(to router: Router<AppRequestContext>) {
        for method in [HTTPRequest.Method.get, .head] {
            router.on("ical/all.ics", method: method) { request, _ in try await serve(.all, request) }
            router.on("ical/cities/{id}.ics", method: method) { request, context in
                let id = context.parameters.get("id") ?? ""
                guard catalogue.city(id) != nil else { throw APIError.notFound("city", id) }
                return try await serve(.city(id), request)
            }
            router.on("ical/venues/{id}.ics", method: method) { request, context in
                let id = context.parameters.get("id") ?? ""
                guard catalogue.venue(id) != nil else { throw APIError.notFound("venue", id) }
                return try await serve(.venue(id), request)
            }
            router.on("ical/spaces/{id}.ics", method: method) { request, context in
                let id = context.parameters.get("id") ?? ""
                guard catalogue.space(id) != nil else { throw APIError.notFound("space", id) }
                return try await serve(.space(id), request)
            }
            // The token in the query (`?token=`) or as the file name (`/ical/orgs/ID/TOKEN.ics`).
            router.on("ical/orgs/{id}.ics", method: method) { request, context in
                try await serveOrganisation(
                    context.parameters.get("id") ?? "", token: request.uri.queryParameters.get("token"), request)
            }
            router.on("ical/orgs/{id}/{token}.ics", method: method) { request, context in
                try await serveOrganisation(
                    context.parameters.get("id") ?? "", token: context.parameters.get("token"), request)
            }
            router.on("ical/spaces/{id}/freebusy.ics", method: method, use: freeBusy)
        }
    }

    private func serveOrganisation(_ id: String, token: String?, _ request: Request) async throws -> Response {
        guard catalogue.organisation(id) != nil else { throw APIError.notFound("organisation", id) }
        guard let token, try await feedTokens.isValid(token, organisation: id) else {
            // Same answer for a missing, wrong or revoked token: the URL is the credential.
            throw APIError(
                .unauthorized, "unauthorized", "an organisation's feed needs one of its active feed tokens",
                field: "token")
        }
        return try await serve(.organisation(id), request)
    }

    /// Answers GET/HEAD for a feed, with `304` only when the client's copy is exactly current.
    private func serve(_ scope: FeedScope, _ request: Request) async throws -> Response {
        let (feed, timing) = try await rendered(scope)
        var headers = Self.validators(of: feed, scope: scope)
        headers[.serverTiming] = timing
        if Self.isNotModified(request.headers, feed: feed) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentDisposition] = "inline; filename=\"calendar.ics\""
        if request.method == .head {
            headers[.contentLength] = String(feed.bytes.readableBytes)
            return Response(status: .ok, headers: headers, body: ResponseBody())
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: feed.bytes))
    }

    /// The headers a feed's answer carries, 200 or 304.
    static func validators(of feed: RenderedFeed, scope: FeedScope) -> HTTPFields {
        [
            .contentType: "text/calendar; charset=utf-8",
            .eTag: feed.etag,
            .lastModified: feed.lastModifiedText,
            .cacheControl: scope.organisation == nil ? "no-cache" : "private, no-cache",
        ]
    }

    /// RFC 9110 §13.1: `If-None-Match` (weak comparison, lists, `*`) wins over `If-Modified-Since`.
    static func isNotModified(_ headers: HTTPFields, feed: RenderedFeed) -> Bool {
        let values = headers[values: .ifNoneMatch]
        if values.count == 1, values[0] == feed.etag { return true }  // what calendar apps send
        let tags = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        if !tags.isEmpty {
            return tags.contains { $0 == "*" || ($0.hasPrefix("W/") ? String($0.dropFirst(2)) : $0) == feed.etag }
        }
        if let since = headers[.ifModifiedSince].flatMap(HTTPDate.parse) {
            return feed.lastModified <= since
        }
        return false
    }

    /// The feed, from the cache or rendered now, and a `Server-Timing` value saying which and how long.
    private func rendered(_ scope: FeedScope) async throws -> (RenderedFeed, String) {
        let now = now()
        let day = now.floorDivided(by: 86_400)
        let version = store.dataVersion
        if let cached = cache.feed(for: scope, dataVersion: version, day: day) { return (cached, "cache;desc=hit") }
        let clock = ContinuousClock()
        let started = clock.now

        let dayStart = day * 86_400
        let window = Interval(
            start: dayStart - settings.past, end: dayStart + Int64(settings.futureMonths) * 2_629_746 + 86_400)
        let bookings = try await store.bookings(
            BookingFilter(
                spaces: scope.spaces(in: catalogue), organisation: scope.organisation,
                statuses: [.confirmed, .pending, .cancelled, .declined, .released], range: window, limit: Int.max))
        let loaded = clock.now
        let events = bookings.compactMap { presenter.event(for: $0, showPrivateDetails: scope.showsPrivateDetails) }
        let calendar = FeedCalendar(
            names: scope.names(in: catalogue), refreshInterval: settings.refreshInterval, events: events)
        let bytes = ByteBuffer(string: FeedWriter.write(calendar))
        let feed = cache.store(bytes, for: scope, dataVersion: version, day: day, now: now)
        let built = clock.now
        func milliseconds(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            return String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
        }
        return (
            feed,
            "cache;desc=miss, db;dur=\(milliseconds(loaded - started)), build;dur=\(milliseconds(built - loaded));desc=\"\(events.count) events\""
        )
    }

    /// The time a space is held within `interval` (its own and its linked spaces' bookings, buffers
    /// included), as free/busy periods: tentative for pending requests.
    static func busyPeriods(
        _ store: BookingStore, space: Space, within interval: Interval
    ) async throws
        -> [BusyPeriod]
    {
        try await store.busy(space: space, within: interval)
            .map { BusyPeriod(interval: $0.block, tentative: $0.status == .pending) }
    }

    /// `GET /ical/spaces/{id}/freebusy.ics?from=&to=`: a VFREEBUSY (in UTC) of the time the space
    /// is held, by its own bookings and those of linked spaces, buffers included.
    @Sendable func freeBusy(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let space = catalogue.space(id) else { throw APIError.notFound("space", id) }
        let now = now()
        let query = request.uri.queryParameters
        let from = try query.get("from").map { try BookingController.time($0, field: "from") } ?? now
        let to = try query.get("to").map { try BookingController.time($0, field: "to") } ?? from + 30 * 86_400
        guard to > from else { throw APIError.invalid("to", "to must be after from") }
        guard to - from <= 366 * 86_400 else { throw APIError.invalid("to", "the range may span at most 366 days") }
        let busy = try await Self.busyPeriods(store, space: space, within: Interval(start: from, end: to))
        let text = FreeBusyWriter.write(
            method: nil, uid: "freebusy-\(id)-\(from)-\(to)@hapesira", stamp: now, from: from, to: to,
            organizer: nil, attendee: CalendarAddress(uri: "urn:hapesira:space:\(id)", commonName: space.name),
            busy: busy)
        return Response(
            status: .ok, headers: [.contentType: "text/calendar; charset=utf-8", .cacheControl: "no-cache"],
            body: request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
