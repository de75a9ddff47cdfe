import HTTPTypes
import HapesiraCore
import HapesiraStore
import Hummingbird
import NIOCore
import NIOHTTPTypes

extension HTTPField.Name {
    /// W3C Server Timing: how a feed or a week page was answered (cache hit, or database and build times).
    static let serverTiming = HTTPField.Name("Server-Timing")!
}

/// Decides, from the feed cache alone, whether a public feed request is a revalidation of the
/// current bytes (`304`). Calendar apps revalidate every few minutes; this is their common case.
final class FeedRevalidator: Sendable {
    private let cache: FeedCache
    private let store: BookingStore
    private let catalogue: Catalogue
    private let metrics: RequestMetrics
    private let now: @Sendable () -> Int64

    init(
        cache: FeedCache, store: BookingStore, catalogue: Catalogue, metrics: RequestMetrics,
        now: @escaping @Sendable () -> Int64
    ) {
        self.cache = cache
        self.store = store
        self.catalogue = catalogue
        self.metrics = metrics
        self.now = now
    }

    /// The `304` answer for a conditional GET or HEAD of a public feed whose cached bytes are
    /// current and match the request's validators; nil for everything else (the router answers).
    func notModified(_ request: HTTPRequest) -> HTTPResponse? {
        guard request.method == .get || request.method == .head,
            !request.headerFields[values: .ifNoneMatch].isEmpty || request.headerFields[.ifModifiedSince] != nil,
            !(request.headerFields[.connection]?.lowercased().contains("close") ?? false),
            let path = request.path, let scope = scope(of: path)
        else { return nil }
        let started = ContinuousClock.now
        let now = now()
        guard let feed = cache.feed(for: scope, dataVersion: store.dataVersion, day: now.floorDivided(by: 86_400)),
            FeedController.isNotModified(request.headerFields, feed: feed)
        else { return nil }
        var headers = FeedController.validators(of: feed, scope: scope)
        headers[.serverTiming] = "cache;desc=hit"
        // What Hummingbird adds to the answers the router gives.
        headers[.date] = HTTPDate.format(now)
        headers[.server] = "hapesira"
        metrics.record(method: request.method.rawValue, status: 304, duration: ContinuousClock.now - started)
        return HTTPResponse(status: .notModified, headerFields: headers)
    }

    /// The public feed a path names (`/ical/all.ics`, `/ical/{cities,venues,spaces}/ID.ics`).
    private func scope(of path: String) -> FeedScope? {
        let parts = path.split(separator: "?", maxSplits: 1)[0].split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].isEmpty, parts[1] == "ical" else { return nil }
        if parts.count == 3 { return parts[2] == "all.ics" ? .all : nil }
        guard parts.count == 4, parts[3].hasSuffix(".ics") else { return nil }
        let id = String(parts[3].dropLast(4))
        switch parts[2] {
        case "cities": return catalogue.city(id) != nil ? .city(id) : nil
        case "venues": return catalogue.venue(id) != nil ? .venue(id) : nil
        case "spaces": return catalogue.space(id) != nil ? .space(id) : nil
        default: return nil
        }
    }
}

/// Answers feed revalidations on the event loop, before a request reaches the router: a `304`
/// from the feed cache needs no task, no routing and no middleware. Everything else passes on.
final class FeedRevalidationHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let revalidator: FeedRevalidator
    /// Dropping the rest (body, end) of a request this handler has answered.
    private var answered = false

    init(revalidator: FeedRevalidator) { self.revalidator = revalidator }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if let response = revalidator.notModified(request) {
                answered = true
                context.write(wrapOutboundOut(.head(response)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            } else {
                answered = false
                context.fireChannelRead(data)
            }
        case .body:
            if !answered { context.fireChannelRead(data) }
        case .end:
            if answered { answered = false } else { context.fireChannelRead(data) }
        }
    }
}
