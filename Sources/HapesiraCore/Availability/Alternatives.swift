/// What a refused request could have instead.
public struct Alternatives: Sendable, Hashable {
    /// Free slots of the same length in the same space, nearest first.
    public var slots: [Interval]
    /// Spaces of the same kind and enough capacity in the same city, free at the requested time.
    public var spaces: [String]
    /// The requested occurrence the alternatives are for.
    public var requested: Interval?

    public init(slots: [Interval] = [], spaces: [String] = [], requested: Interval? = nil) {
        self.slots = slots
        self.spaces = spaces
        self.requested = requested
    }
}

/// Finds the nearest free slots and free spaces for a refused occurrence.
public struct AlternativeFinder: Sendable {
    public let engine: BookingEngine
    /// Candidate starts are this far apart, counted from the requested start.
    public var step: Int64 = 15 * 60
    /// How far before and after the requested start to look.
    public var searchBefore: Int64 = 7 * 86_400
    public var searchAfter: Int64 = 14 * 86_400
    public var maxSlots = 3
    public var maxSpaces = 5

    public init(engine: BookingEngine) { self.engine = engine }

    public func alternatives(
        for draft: BookingDraft, requested: Interval, now: Int64, ledger: some BookingLedger, excluding: Int64? = nil
    ) throws -> Alternatives {
        let catalogue = engine.catalogue
        guard let space = catalogue.space(draft.space), let venue = catalogue.venue(of: space) else {
            return Alternatives(requested: requested)
        }
        var result = Alternatives(requested: requested)
        var calendars = [venue.id: try engine.calendar(of: venue, ledger: ledger)]
        let rules = space.rules
        let fitsCapacity = (draft.expectedAttendance ?? 0) <= space.capacity
        if fitsCapacity && requested.duration >= rules.minDuration && requested.duration <= rules.maxDuration {
            result.slots = try freeSlots(
                like: requested, in: space, calendar: calendars[venue.id]!, now: now, ledger: ledger,
                excluding: excluding)
        }
        for other in catalogue.spaces(inCity: venue.city)
        where other.id != space.id && other.kind == space.kind && other.capacity >= (draft.expectedAttendance ?? 0) {
            guard let otherVenue = catalogue.venue(of: other) else { continue }
            if calendars[otherVenue.id] == nil {
                calendars[otherVenue.id] = try engine.calendar(of: otherVenue, ledger: ledger)
            }
            if try engine.check(
                requested, in: other, calendar: calendars[otherVenue.id]!, now: now, ledger: ledger,
                excluding: excluding
            ).isEmpty {
                result.spaces.append(other.id)
                if result.spaces.count == maxSpaces { break }
            }
        }
        return result
    }

    private func freeSlots(
        like requested: Interval, in space: Space, calendar: VenueCalendar, now: Int64, ledger: some BookingLedger,
        excluding: Int64?
    ) throws -> [Interval] {
        let rules = space.rules
        let earliest = max(requested.start - searchBefore, now + rules.minimumNotice)
        let latest = min(requested.start + searchAfter, now + rules.horizon)
        guard earliest <= latest else { return [] }
        let window = Interval(start: earliest, end: latest + requested.duration)
        let open = calendar.openIntervals(overlapping: window)
        let busy = try ledger.blockingOccurrences(
            spaces: engine.catalogue.blockingGroup(of: space),
            overlapping: window.widened(before: rules.setupBuffer, after: rules.teardownBuffer)
        ).filter { $0.bookingID != excluding }.map(\.block).merged()

        func isFree(_ candidate: Interval) -> Bool {
            guard candidate.start >= earliest, candidate.start <= latest,
                open.contains(where: { $0.contains(candidate) })
            else { return false }
            let block = candidate.widened(before: rules.setupBuffer, after: rules.teardownBuffer)
            return !busy.contains { $0.overlaps(block) }
        }

        var slots: [Interval] = []
        let steps = max(searchBefore, searchAfter) / step
        var k: Int64 = 1
        while k <= steps && slots.count < maxSlots {
            for candidate in [requested.shifted(by: k * step), requested.shifted(by: -k * step)]
            where slots.count < maxSlots && isFree(candidate) {
                slots.append(candidate)
            }
            k += 1
        }
        return slots
    }
}
