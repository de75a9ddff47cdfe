/// A space as reports see it: where it is, its capacity, and its venue's clock, opening hours and closures.
public struct ReportSpace: Sendable, Hashable {
    public var id: String
    public var capacity: Int
    public var venue: Venue

    public init(id: String, capacity: Int, venue: Venue) {
        self.id = id
        self.capacity = capacity
        self.venue = venue
    }

    public init(_ space: Space, venue: Venue) {
        self.init(id: space.id, capacity: space.capacity, venue: venue)
    }

    public var city: String { venue.city }
    public var zone: Zone { venue.zone }
}

/// One booking occurrence as reports see it.
public struct ReportOccurrence: Sendable, Hashable {
    /// What became of the occurrence. Only `confirmed` is booked time; `confirmed` and `released`
    /// are the occurrences that count (no-show rate, indicators).
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Confirmed, and neither cancelled nor released.
        case confirmed
        /// Confirmed, then released because nobody came: a no-show, and no longer booked time.
        case released
        case pending
        case declined
        /// The booking, or this one occurrence, was cancelled.
        case cancelled
        case waiting
    }

    public var space: String
    public var organisation: String
    public var category: String
    public var state: State
    public var visibility: Visibility
    public var interval: Interval
    /// What the sensors say (`unknown` without sensor coverage); a `released` state overrides it.
    public var outcome: AttendanceOutcome

    public init(
        space: String, organisation: String, category: String, state: State, visibility: Visibility = .public,
        interval: Interval, outcome: AttendanceOutcome = .unknown
    ) {
        self.space = space
        self.organisation = organisation
        self.category = category
        self.state = state
        self.visibility = visibility
        self.interval = interval
        self.outcome = outcome
    }
}

/// Everything reports are computed from: the spaces, their booking occurrences, and per space the
/// derived usage (occupied and unknown intervals, people counts) from the occupancy store. Build it
/// once and compute several reports from it.
///
/// Only occurrences of the listed spaces count (to report on a subset, list only those spaces).
/// A space without a timeline has no sensor data: all its time is unknown. Time outside a
/// timeline's `range` is unknown too. Occupied time is never unknown, even where an unknown
/// interval overlaps it; occupancy outside a timeline's `range` is ignored. The timelines' `counts`
/// must be sorted by `start`, as the deriver makes them.
public struct ReportInput: Sendable {
    /// Sorted by id; of duplicate ids the first wins.
    public let spaces: [ReportSpace]
    /// The organisations and categories of the listed spaces' occurrences, sorted: what keys index.
    let organisations: [String]
    let categories: [String]
    /// Per space, its occurrences sorted by interval.
    let bookings: [String: [KeyedOccurrence]]
    let usage: [String: SpaceUsage]

    public init(spaces: [ReportSpace], occurrences: [ReportOccurrence], usage: [String: OccupancyTimeline]) {
        let byID = Dictionary(spaces.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.spaces = byID.values.sorted { $0.id < $1.id }
        let listed = occurrences.filter { byID[$0.space] != nil && !$0.interval.isEmpty }
        organisations = Set(listed.map(\.organisation)).sorted()
        categories = Set(listed.map(\.category)).sorted()
        let organisationKey = Dictionary(uniqueKeysWithValues: organisations.enumerated().map { ($1, Int32($0)) })
        let categoryKey = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, Int32($0)) })
        var grouped: [String: [KeyedOccurrence]] = [:]
        for occurrence in listed {
            grouped[occurrence.space, default: []].append(
                KeyedOccurrence(
                    interval: occurrence.interval, state: occurrence.state, outcome: occurrence.outcome,
                    isPrivate: occurrence.visibility == .private,
                    organisation: organisationKey[occurrence.organisation]!,
                    category: categoryKey[occurrence.category]!, people: nil))
        }
        let prepared = usage.filter { byID[$0.key] != nil }.mapValues(SpaceUsage.init)
        var bookings: [String: [KeyedOccurrence]] = [:]
        for (space, own) in grouped {
            let sorted = own.sorted { $0.interval < $1.interval }
            bookings[space] = prepared[space]?.measured(sorted) ?? sorted
        }
        self.bookings = bookings
        self.usage = prepared
    }
}

/// An occurrence with its organisation and category as indices into the input's sorted lists (no
/// strings to hash or retain in the sweeps).
struct KeyedOccurrence: Sendable {
    var interval: Interval
    var state: ReportOccurrence.State
    var outcome: AttendanceOutcome
    var isPrivate: Bool
    var organisation: Int32
    var category: Int32
    /// Measured for confirmed occurrences of spaces with people counts.
    var people: MeasuredPeople?

    /// Confirmed or released: counted in no-show figures (released ones are not booked time).
    var isCounted: Bool { state == .confirmed || state == .released }
}

/// A space's timeline prepared for reports.
struct SpaceUsage: Sendable {
    let range: Interval
    /// Clipped to `range`: occupancy outside it is not trusted.
    let occupied: [Interval]
    let unknown: [Interval]
    let counts: [CountStep]
    /// Inside `range`, and occupied or not unknown: sorted and disjoint.
    let covered: [Interval]

    init(_ timeline: OccupancyTimeline) {
        range = timeline.range
        occupied = timeline.occupied.compactMap { $0.intersection(timeline.range) }
        unknown = timeline.unknown
        counts = timeline.counts
        covered = (timeline.unknown.complement(within: timeline.range) + occupied).merged()
    }

    /// The occurrences (sorted by start) with the people count of each confirmed one measured.
    /// The cursors into `covered` and `counts` only move forward: one pass over the three lists.
    func measured(_ occurrences: [KeyedOccurrence]) -> [KeyedOccurrence] {
        guard !counts.isEmpty else { return occurrences }
        var result = occurrences
        // The first covered part ending after the occurrence's start, and the step in force at its start.
        var part = 0
        var step = 0
        for index in result.indices where result[index].state == .confirmed {
            let occurrence = result[index].interval
            while part < covered.count, covered[part].end <= occurrence.start { part += 1 }
            while step + 1 < counts.count, counts[step + 1].start <= occurrence.start { step += 1 }
            result[index].people = people(during: occurrence, part: part, step: step)
        }
        return result
    }

    /// The highest count over the covered part of an occurrence, and the time-weighted mean over
    /// the seconds that have both coverage and a count; `nil` when there are none.
    private func people(during occurrence: Interval, part first: Int, step firstStep: Int) -> MeasuredPeople? {
        var peak = 0
        var weighted: Int64 = 0
        var seconds: Int64 = 0
        var part = first
        var step = firstStep
        while part < covered.count, covered[part].start < occurrence.end {
            if let known = covered[part].intersection(occurrence) {
                while step + 1 < counts.count, counts[step + 1].start <= known.start { step += 1 }
                var current = step
                while current < counts.count, counts[current].start < known.end {
                    let stepEnd = current + 1 < counts.count ? counts[current + 1].start : range.end
                    if let overlap = Interval(start: counts[current].start, end: stepEnd).intersection(known) {
                        peak = max(peak, counts[current].count)
                        weighted += Int64(counts[current].count) * overlap.duration
                        seconds += overlap.duration
                    }
                    current += 1
                }
            }
            part += 1
        }
        return seconds > 0 ? MeasuredPeople(peak: peak, average: Double(weighted) / Double(seconds)) : nil
    }
}

/// People at one occurrence, from counters: the highest count and the time-weighted mean.
struct MeasuredPeople: Sendable {
    var peak: Int
    var average: Double
}
