import Foundation
import HapesiraConfig
import HapesiraCore
import HapesiraStore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus

/// What the HTTP application needs from the rest of the daemon.
public struct AppDependencies: Sendable {
    public var catalogue: Catalogue
    public var store: BookingStore
    public var tokens: TokenStore
    public var metrics: PrometheusCollectorRegistry
    public var maxBodyBytes: Int
    public var feeds: DaemonConfiguration.Feeds
    /// The configured sensors and their journal (`/api/v1/sensors`).
    public var sensors: [SensorBinding] = []
    public var journal: SensorJournal?
    /// The network's indicators (`/api/v1/reports/indicators`).
    public var indicators: [Indicator] = []
    /// `server.public_url`: the scheme and host of the links the pages give out.
    public var publicURL: String?
    /// The current time in Unix seconds (replaceable in tests).
    public var now: @Sendable () -> Int64

    public init(
        catalogue: Catalogue, store: BookingStore, tokens: TokenStore, metrics: PrometheusCollectorRegistry,
        maxBodyBytes: Int = 1 << 20, feeds: DaemonConfiguration.Feeds = .init(),
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.catalogue = catalogue
        self.store = store
        self.tokens = tokens
        self.metrics = metrics
        self.maxBodyBytes = maxBodyBytes
        self.feeds = feeds
        self.now = now
    }
}

/// Builds the router with every route of the daemon.
public func buildRouter(_ dependencies: AppDependencies) -> Router<AppRequestContext> {
    buildRouter(dependencies, parts: ServerParts(dependencies))
}

/// What the router and the channel handlers in front of it share.
struct ServerParts {
    let metrics: RequestMetrics
    let feedCache = FeedCache()
    let revalidator: FeedRevalidator

    init(_ dependencies: AppDependencies) {
        metrics = RequestMetrics(registry: dependencies.metrics)
        revalidator = FeedRevalidator(
            cache: feedCache, store: dependencies.store, catalogue: dependencies.catalogue, metrics: metrics,
            now: dependencies.now)
    }
}

func buildRouter(_ dependencies: AppDependencies, parts: ServerParts) -> Router<AppRequestContext> {
    let views = Views(catalogue: dependencies.catalogue, maxBodyBytes: dependencies.maxBodyBytes)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestMetricsMiddleware(metrics: parts.metrics))
    router.add(middleware: ErrorMiddleware(views: views))

    let database = dependencies.store.database
    router.get("healthz") { _, _ in
        try await database.ping()
        return JSONResponse.make(.object(["status": .string("ok")]))
    }
    router.get("metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: dependencies.metrics.emitToBuffer())))
    }
    router.get("api/v1/openapi.yaml") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
    }

    let api = router.group("api/v1").add(middleware: BearerAuthMiddleware(tokens: dependencies.tokens))
    let journal = dependencies.journal ?? SensorJournal(database: database)
    let usage = UsageTimelines(sensors: dependencies.sensors, database: database)
    let bookings = BookingController(
        store: dependencies.store, views: views, body: BodyReader(maxBodyBytes: dependencies.maxBodyBytes),
        metrics: parts.metrics, usage: usage, now: dependencies.now)
    bookings.addRoutes(to: api)
    CatalogueController(store: dependencies.store, views: views, bookings: bookings, now: dependencies.now)
        .addRoutes(to: api)
    ClosureController(
        store: dependencies.store, views: views, body: BodyReader(maxBodyBytes: dependencies.maxBodyBytes),
        now: dependencies.now
    ).addRoutes(to: api)

    SensorController(sensors: dependencies.sensors, journal: journal, now: dependencies.now).addRoutes(to: api)
    UsageController(store: dependencies.store, usage: usage, views: views, bookings: bookings).addRoutes(to: api)
    let reports = ReportService(
        reader: ReportReader(database: database, catalogue: dependencies.catalogue, usage: usage),
        catalogue: dependencies.catalogue, indicators: dependencies.indicators, bookings: bookings,
        now: dependencies.now)
    ReportController(reports: reports).addRoutes(to: api)

    let feedTokens = FeedTokenStore(database: database)
    FeedTokenController(
        tokens: feedTokens, catalogue: dependencies.catalogue,
        body: BodyReader(maxBodyBytes: dependencies.maxBodyBytes), now: dependencies.now
    ).addRoutes(to: api)
    let presenter = FeedPresenter(catalogue: dependencies.catalogue, installationID: database.installationID)
    FeedController(
        store: dependencies.store, feedTokens: feedTokens, settings: dependencies.feeds, presenter: presenter,
        cache: parts.feedCache, now: dependencies.now
    ).addRoutes(to: router)
    CalendarIntakeController(
        store: dependencies.store, tokens: dependencies.tokens, presenter: presenter,
        maxBodyBytes: dependencies.maxBodyBytes, now: dependencies.now
    ).addRoutes(to: router)

    // The web pages (server-rendered; `serve` refuses to start without their templates).
    if case .success(let renderer) = WebRenderer.bundled {
        let pages = WebPages(renderer: renderer, catalogue: dependencies.catalogue, publicURL: dependencies.publicURL)
        let web = router.group()
            .add(
                middleware: WebSessionMiddleware(
                    sessions: SessionStore(database: database), tokens: dependencies.tokens, now: dependencies.now)
            )
            .add(middleware: WebRefusalMiddleware(pages: pages))
        SignInController(
            pages: pages, sessions: SessionStore(database: database), throttle: SignInThrottle(), now: dependencies.now
        ).addRoutes(to: web)
        ReportPage(pages: pages, reports: reports, catalogue: dependencies.catalogue, now: dependencies.now)
            .addRoutes(to: web)
        PublicPages(pages: pages, store: dependencies.store, now: dependencies.now).addRoutes(to: web)
        BookingPages(
            pages: pages, views: views, store: dependencies.store, usage: usage, feedTokens: feedTokens,
            metrics: parts.metrics, now: dependencies.now
        ).addRoutes(to: web)
        DeskPage(pages: pages, store: dependencies.store, usage: usage, journal: journal, now: dependencies.now)
            .addRoutes(to: web)
    }
    return router
}

/// Builds the HTTP application listening on `host:port`: the router, with feed revalidations
/// answered in front of it (see ``FeedRevalidationHandler``).
public func buildApplication(
    _ dependencies: AppDependencies, host: String, port: Int, logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let parts = ServerParts(dependencies)
    let revalidator = parts.revalidator
    return Application(
        router: buildRouter(dependencies, parts: parts),
        server: HTTPServerBuilder { responder in
            EventLoopPinnedChannel(
                inner: HTTP1Channel(
                    responder: responder,
                    configuration: .init(additionalChannelHandlers: [FeedRevalidationHandler(revalidator: revalidator)])
                ))
        },
        configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "hapesira"),
        onServerRunning: onServerRunning,
        logger: logger)
}

/// The OpenAPI document shipped with the daemon.
public enum OpenAPIDocument {
    public static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let data = try? Data(contentsOf: url)
        else { return Array("openapi: 3.1.0\n".utf8) }
        return Array(data)
    }()

    public static var text: String { String(decoding: bytes, as: UTF8.self) }
}
