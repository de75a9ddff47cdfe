import GRDB
import HapesiraCore

/// Reads what reports are computed from: the spaces' booking occurrences and their derived usage
/// (the stored spans, see ``UsageTimelines``), as a ``ReportInput``.
public struct ReportReader: Sendable {
    let database: AppDatabase
    let catalogue: Catalogue
    let usage: UsageTimelines

    public init(database: AppDatabase, catalogue: Catalogue, usage: UsageTimelines) {
        self.database = database
        self.catalogue = catalogue
        self.usage = usage
    }

    /// The input for `spaces` over `range` (venue-local days). Each occurrence's outcome is the
    /// sensors' verdict once it has begun by `now` (`unknown` before, and without sensors).
    public func input(spaces: [Space], range: ReportRange, now: Int64) async throws -> ReportInput {
        // Closures added at run time count like configured ones (available hours leave them out).
        let venues = Set(spaces.map(\.venue)).sorted()
        let added = try await database.writer.read { db in
            try venues.map { venue in (venue, try ClosureRows.closures(db, venue: venue).map(\.closure)) }
        }
        let closures = Dictionary(added, uniquingKeysWith: { first, _ in first })
        let places = spaces.compactMap { space in
            catalogue.venue(of: space).map { venue in
                var venue = venue
                venue.closures += closures[venue.id] ?? []
                return ReportSpace(space, venue: venue)
            }
        }
        guard !places.isEmpty else { return ReportInput(spaces: [], occurrences: [], usage: [:]) }
        // The instants the range covers in every venue's zone.
        let window = Interval(
            start: places.map { $0.zone.startOfDay(range.from) }.min()!,
            end: places.map { $0.zone.startOfDay(range.to) }.max()!)
        let rows = try await occurrences(spaces: places.map(\.id), window: window)
        var occurrences: [ReportOccurrence] = []
        var timelines: [String: OccupancyTimeline] = [:]
        for place in places {
            let own = rows[place.id] ?? []
            guard !usage.sensors(of: place.id).isEmpty else {
                occurrences += own
                continue
            }
            let timeline = try await usage.timeline(space: place.id, over: window)
            timelines[place.id] = timeline
            // Outcomes of the confirmed occurrences that have begun, in one pass over the timeline.
            let begun = own.indices.filter { own[$0].state == .confirmed && own[$0].interval.start <= now }
            let attendances = timeline.attendances(for: begun.map { own[$0].interval })
            var measured = own
            for (index, attendance) in zip(begun, attendances) { measured[index].outcome = attendance.outcome }
            occurrences += measured
        }
        return ReportInput(spaces: places, occurrences: occurrences, usage: timelines)
    }

    /// The occurrences overlapping `window` in `spaces`, by space, with their booking's organisation,
    /// category, status and visibility.
    private func occurrences(spaces: [String], window: Interval) async throws -> [String: [ReportOccurrence]] {
        try await database.writer.read { db in
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT o.space_id, b.organisation_id, b.category, b.status, b.visibility, o.start_at, o.end_at,
                        o.cancelled, o.released
                    FROM occurrence o JOIN booking b ON b.id = o.booking_id
                    WHERE o.start_at < ? AND o.end_at > ?
                        AND o.space_id IN (\(Array(repeating: "?", count: spaces.count).joined(separator: ",")))
                    """,
                arguments: StatementArguments([window.end, window.start]) + StatementArguments(spaces))
            var bySpace: [String: [ReportOccurrence]] = [:]
            while let row = try cursor.next() {
                let space: String = row[0]
                let status = BookingStatus(rawValue: row[3]) ?? .cancelled
                let state: ReportOccurrence.State =
                    if row[8] { .released } else if row[7] { .cancelled } else { Self.state(of: status) }
                bySpace[space, default: []].append(
                    ReportOccurrence(
                        space: space, organisation: row[1], category: row[2], state: state,
                        visibility: Visibility(rawValue: row[4]) ?? .private,
                        interval: Interval(start: row[5], end: row[6])))
            }
            return bySpace
        }
    }

    private static func state(of status: BookingStatus) -> ReportOccurrence.State {
        switch status {
        case .confirmed: .confirmed
        case .pending: .pending
        case .declined: .declined
        case .cancelled: .cancelled
        case .waiting: .waiting
        case .released: .released
        }
    }
}
