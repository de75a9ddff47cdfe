import HapesiraCore
import HapesiraStore

/// A space's opening hours, busy time and free time over a range: what
/// `GET /api/v1/spaces/{id}/availability` answers and the booking form shows as free slots.
struct SpaceAvailability: Sendable {
    /// The venue's open time within the range (closures, configured or added at run time, taken out).
    let open: [Interval]
    /// Occurrences holding time in the space or a space linked to it.
    let busy: [BusyOccurrence]
    /// Open time a booking of this space could use, its own setup and teardown counted.
    let free: [Interval]

    static func of(
        _ space: Space, in venue: Venue, within range: Interval, store: BookingStore
    ) async throws -> SpaceAvailability {
        let busy = try await store.busy(space: space, within: range)
        let added = try await store.closures(venue: venue.id).map(\.closure)
        let open = VenueCalendar(venue: venue, adding: added).openIntervals(overlapping: range)
            .compactMap { $0.intersection(range) }
        let blocked = busy.map { $0.block.widened(before: space.rules.teardownBuffer, after: space.rules.setupBuffer) }
        return SpaceAvailability(open: open, busy: busy, free: open.flatMap { blocked.complement(within: $0) })
    }
}
