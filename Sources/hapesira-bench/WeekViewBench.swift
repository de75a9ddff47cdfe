import Foundation
import GRDB
import HTTPTypes
import HapesiraConfig
import HapesiraCore
import HapesiraHTTP
import HapesiraICal
import HapesiraStore
import Hummingbird
import Logging
import NIOEmbedded
import Prometheus

/// The week-view benchmark (issue 6: "Pages render in under 50 ms server time for a week view of a
/// venue with 500 bookings"). Seeds a new database with `bookings` bookings in one week of one
/// venue of the configuration (and, optionally, as many in each of `historyWeeks` earlier weeks),
/// then asks the daemon's own router for `/week/venues/{venue}?date=…` `renders` times — session
/// middleware, database read, template and body, everything but the socket — and reports the
/// time from the request to the last byte of the body: once for an anonymous visitor, once for a
/// member organisation signed in with a token (its token looked up on every request, each cell with
/// its "Book" link).
///
///     hapesira-bench week-view --config config/demo.yaml [--venue kino-jusuf-gervalla] [--bookings 500]
///                              [--history-weeks 0] [--renders 500]
enum WeekViewBench {
    /// Monday of the measured week (no daylight-saving change in it).
    static let monday = LocalDate(year: 2027, month: 3, day: 1)

    /// Parses the subcommand's options and runs it.
    static func run(_ arguments: ArraySlice<String>) async throws {
        let options = try Options(arguments, allowed: ["config", "venue", "bookings", "history-weeks", "renders"])
        try await run(
            configuration: try loadConfiguration(try options.string("config")),
            venueID: options.string("venue", default: "kino-jusuf-gervalla"),
            bookings: max(1, try options.int("bookings", default: 500)),
            historyWeeks: try options.int("history-weeks", default: 0),
            renders: max(1, try options.int("renders", default: 500)))
    }

    static func run(
        configuration: DaemonConfiguration, venueID: String, bookings: Int, historyWeeks: Int, renders: Int
    ) async throws {
        let catalogue = configuration.catalogue
        guard let venue = catalogue.venue(venueID) else {
            throw BenchError("the configuration has no venue \(venueID)")
        }
        let spaces = catalogue.spaces(inVenue: venue.id)
        guard !spaces.isEmpty else { throw BenchError("venue \(venueID) has no spaces") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hapesira-week-bench-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try AppDatabase.open(path: directory.appendingPathComponent("bench.sqlite").path)

        let started = monotonicNanoseconds()
        for week in 0...historyWeeks {
            try seed(
                database, venue: venue, spaces: spaces, organisations: catalogue.organisations.map(\.id),
                monday: monday.adding(days: -7 * week), count: bookings)
        }
        say(
            "seeded \(bookings) bookings in the week of \(monday) in \(venue.id) (\(spaces.count) spaces)"
                + (historyWeeks > 0 ? " and as many in each of the \(historyWeeks) weeks before" : "")
                + " in \(formatted(Double(monotonicNanoseconds() - started) / 1e9, decimals: 2)) s")

        let store = BookingStore(
            database: database,
            engine: BookingEngine(catalogue: catalogue, expander: LibicalRecurrenceExpander()))
        let dependencies = AppDependencies(
            catalogue: catalogue, store: store, tokens: TokenStore(database: database),
            metrics: PrometheusCollectorRegistry(), feeds: configuration.feeds,
            now: { Int64(Date().timeIntervalSince1970) })
        let responder = buildRouter(dependencies).buildResponder()
        let path = "/week/venues/\(venue.id)?date=\(monday.adding(days: 2))"
        let member = try TokenStore(database: database).create(
            organisation: catalogue.organisations[0].id, role: .member, label: "bench", now: 0
        ).1
        for (who, authorization) in [("anonymous", nil), ("signed-in member", "Bearer \(member)")] {
            try await measure(
                responder, path: path, authorization: authorization, who: who, bookings: bookings, renders: renders)
        }
    }

    /// Asks `responder` for `path` `renders` times (after a warm-up) and prints the figures.
    private static func measure(
        _ responder: some HTTPResponder<AppRequestContext>, path: String, authorization: String?, who: String,
        bookings: Int, renders: Int
    ) async throws {
        let logger = Logger(label: "hapesira-bench")
        let serverTiming = HTTPField.Name("Server-Timing")!
        var headers: HTTPFields = [:]
        if let authorization { headers[.authorization] = authorization }

        // The first renders warm the statement cache and the template library.
        let warmUp = min(20, renders)
        var total = Samples(capacity: renders)
        var databaseRead = Samples(capacity: renders)
        var shown = 0
        var size = 0
        for index in 0..<(warmUp + renders) {
            let request = Request(
                head: .init(method: .get, scheme: "http", authority: "localhost", path: path, headerFields: headers),
                body: RequestBody(buffer: ByteBuffer()))
            let context = AppRequestContext(
                source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: logger))
            let before = monotonicNanoseconds()
            let response = try await responder.respond(to: request, context: context)
            let body = BodyCollector()
            try await response.body.write(body)
            let after = monotonicNanoseconds()
            guard response.status == .ok else { throw BenchError("\(path) answered \(response.status)") }
            guard index >= warmUp else { continue }
            total.add(after - before)
            let timing = response.headers[serverTiming] ?? ""
            if let match = timing.firstMatch(of: /db;dur=([0-9.]+)/), let milliseconds = Double(match.output.1) {
                databaseRead.add(UInt64(milliseconds * 1e6))
            }
            if index == warmUp + renders - 1 {
                shown = String(buffer: body.buffer).components(separatedBy: #"<li class="booking"#).count - 1
                size = body.buffer.readableBytes
            }
        }
        guard shown == bookings else { throw BenchError("the page shows \(shown) bookings, expected \(bookings)") }

        let (p50, _, p99, max, mean) = total.summary()
        let (dbP50, _, dbP99, _, _) = databaseRead.summary()
        say(
            "GET \(path) (\(who)): \(shown) bookings shown, \(size / 1024) KiB of HTML, \(renders) renders after \(warmUp) warm-up"
        )
        say(
            String(
                format: "RESULT week_view_ms p50=%.2f p99=%.2f max=%.2f mean=%.2f", p50 / 1000, p99 / 1000,
                max / 1000, mean / 1000)
                + String(format: " (database read p50=%.2f p99=%.2f)", dbP50 / 1000, dbP99 / 1000)
                + " target<50 \(p99 / 1000 < 50 ? "MET" : "MISSED")")
    }

    /// `count` bookings in the week of `monday`, spread over the venue's spaces and days from 08:00
    /// local time on, 30 minutes each: every fifth private, every seventh pending, written as the
    /// store writes them (a booking row and its occurrence).
    private static func seed(
        _ database: AppDatabase, venue: Venue, spaces: [Space], organisations: [String], monday: LocalDate, count: Int
    ) throws {
        let perDay = (count + spaces.count * 7 - 1) / (spaces.count * 7)
        let step = Int64(min(40, 16 * 60 / max(1, perDay))) * 60
        try database.writer.write { db in
            let booking = try db.cachedStatement(
                sql: """
                    INSERT INTO booking (space_id, organisation_id, title, category, visibility, status, start_at,
                        end_at, series_policy, wait_if_busy, sequence, skipped, created_at, updated_at, created_by)
                    VALUES (?, ?, ?, 'workshop', ?, ?, ?, ?, 'all-or-nothing', 0, 0, '[]', 0, 0, 'bench')
                    """)
            let occurrence = try db.cachedStatement(
                sql: """
                    INSERT INTO occurrence (booking_id, space_id, organisation_id, start_at, end_at, block_start,
                        block_end, active)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1)
                    """)
            for index in 0..<count {
                let space = spaces[index % spaces.count]
                let slot = index / spaces.count
                let day = monday.adding(days: slot % 7)
                let start =
                    venue.zone.resolvedInstant(
                        for: LocalDateTime(year: day.year, month: day.month, day: day.day, hour: 8))
                    + Int64(slot / 7) * step
                let end = start + 30 * 60
                let organisation = organisations[index % organisations.count]
                try booking.execute(arguments: [
                    space.id, organisation, "Seeded booking \(index + 1) of the week of \(monday)",
                    index % 5 == 0 ? "private" : "public", index % 7 == 0 ? "pending" : "confirmed", start, end,
                ])
                let block = Interval(start: start, end: end).widened(
                    before: space.rules.setupBuffer, after: space.rules.teardownBuffer)
                try occurrence.execute(arguments: [
                    db.lastInsertedRowID, space.id, organisation, start, end, block.start, block.end,
                ])
            }
        }
    }
}

/// Collects a response body as the server would write it to the socket.
private final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws { self.buffer.writeImmutableBuffer(buffer) }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
