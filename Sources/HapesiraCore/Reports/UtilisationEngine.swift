extension ReportInput {
    /// The utilisation report: every figure of every group per period, and each group's heat map.
    ///
    /// Per space, one sweep over the sorted edges of its available time, occupied, unknown and
    /// observed time, confirmed occurrences and period boundaries: between two edges nothing
    /// changes, so each elementary segment is added whole to its period (a booking crossing midnight
    /// and a month boundary is thereby split across periods). Cost: O(e log e) for e edges per space.
    ///
    /// - Available: opening hours minus closures (days of a closure are closed all day), per the
    ///   venue's calendar in its zone; every other figure is counted only within it.
    /// - Booked: inside a `confirmed` occurrence. Pending, declined, cancelled, waiting and released
    ///   occurrences are never booked time.
    /// - Used: occupied. Unknown: not occupied, and either marked unknown or outside the space's
    ///   timeline (or the space has none). Time neither used nor unknown is known vacant.
    /// - Occurrences (`confirmed` or `released`) are counted once, in the period in which they start
    ///   (none if they start outside the range); attendance is measured over their whole time.
    public func utilisation(_ request: UtilisationRequest) -> UtilisationReport {
        var builder = UtilisationBuilder(input: self, request: request)
        var calendars = CalendarCache(slots: builder.slots)
        for space in spaces {
            builder.sweep(space, bookings: bookings[space.id] ?? [], usage: usage[space.id], calendars: &calendars)
        }
        return builder.report()
    }
}

extension ReportGrouping {
    /// Rows per organisation or category, rather than per place.
    var isPerBooking: Bool { self == .organisation || self == .category }

    /// The group of a space when grouping by place; `nil` when grouping per booking.
    func place(of space: ReportSpace) -> String? {
        switch self {
        case .space: space.id
        case .venue: space.venue.id
        case .city: space.city
        case .organisation, .category: nil
        }
    }
}

/// Slot instants per zone and available time per venue, computed once per report.
struct CalendarCache {
    let slots: [PeriodSlot]
    private var instantsByZone: [String: SlotInstants] = [:]
    private var openByVenue: [String: [Interval]] = [:]

    init(slots: [PeriodSlot]) { self.slots = slots }

    mutating func instants(in zone: Zone) -> SlotInstants {
        if let known = instantsByZone[zone.identifier] { return known }
        let instants = SlotInstants(slots, zone: zone)
        instantsByZone[zone.identifier] = instants
        return instants
    }

    /// The venue's open time within the report's range, sorted and disjoint.
    mutating func available(_ venue: Venue) -> [Interval] {
        if let known = openByVenue[venue.id] { return known }
        let span = instants(in: venue.zone).span
        let open = VenueCalendar(venue: venue).openIntervals(overlapping: span).compactMap { $0.intersection(span) }
        openByVenue[venue.id] = open
        return open
    }
}

/// A change at an instant in one space's sweep.
private struct Edge {
    enum Kind: UInt8 {
        case open, occupied, unknown, observed, booking
        /// `index` is the slot that begins here (`slots.count` at the range's end).
        case boundary
    }

    var time: Int64
    var kind: Kind
    /// +1 or -1, except for bookings (the occurrence's index, +1 based, negative at its end) and boundaries.
    var index: Int32
}

/// One group's figures for one slot, as they add up.
private struct Tally {
    var available: Int64 = 0
    var booked: Int64 = 0
    var used: Int64 = 0
    var unknown: Int64 = 0
    var usedInBookings: Int64 = 0
    var unknownInBookings: Int64 = 0
    var unbookedUse: Int64 = 0
    var byOrganisation = KeyedSeconds()
    var byCategory = KeyedSeconds()
    var outcomes = OutcomeTally()
    var attendance = AttendanceFigures()
}

/// Seconds per key for the few keys one row has (a linear search beats hashing strings here).
private struct KeyedSeconds {
    private var keys: [Int32] = []
    private var seconds: [Int64] = []

    mutating func add(_ amount: Int64, to key: Int32) {
        if let index = keys.firstIndex(of: key) {
            seconds[index] += amount
        } else {
            keys.append(key)
            seconds.append(amount)
        }
    }

    func named(_ names: [String]) -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: zip(keys.map { names[Int($0)] }, seconds))
    }
}

/// The rows and heat maps of a report, filled space by space.
private struct UtilisationBuilder {
    let request: UtilisationRequest
    let slots: [PeriodSlot]
    /// Organisation and category names by key, ``UtilisationRequest/undisclosed`` among them.
    private let organisationNames: [String]
    private let categoryNames: [String]
    private let undisclosedOrganisation: Int32
    private let undisclosedCategory: Int32
    /// The groups by index: the places (sorted), or the organisation or category names (by key).
    private let groups: [String]
    private let placeIndex: [String: Int]
    /// Whether a group has rows: every place; an organisation or category once it has a counted occurrence.
    private var present: [Bool]
    /// `tallies[group * slots.count + slot]`.
    private var tallies: [Tally]
    private var heatMaps: [UsageHeatMap]
    /// Available time of every listed space per slot: what per-booking groups are measured against.
    private var scopeAvailable: [Int64]

    init(input: ReportInput, request: UtilisationRequest) {
        self.request = request
        slots = request.range.slots(request.period)
        (organisationNames, undisclosedOrganisation) = Self.withUndisclosed(input.organisations)
        (categoryNames, undisclosedCategory) = Self.withUndisclosed(input.categories)
        switch request.grouping {
        case .organisation: groups = organisationNames
        case .category: groups = categoryNames
        case .space, .venue, .city: groups = Set(input.spaces.compactMap { request.grouping.place(of: $0) }).sorted()
        }
        placeIndex =
            request.grouping.isPerBooking ? [:] : Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($1, $0) })
        present = Array(repeating: !request.grouping.isPerBooking, count: groups.count)
        tallies = Array(repeating: Tally(), count: groups.count * slots.count)
        heatMaps = Array(repeating: UsageHeatMap(), count: groups.count)
        scopeAvailable = Array(repeating: 0, count: slots.count)
    }

    /// The names with ``UtilisationRequest/undisclosed`` added unless present, and its key.
    private static func withUndisclosed(_ names: [String]) -> ([String], Int32) {
        if let index = names.firstIndex(of: UtilisationRequest.undisclosed) { return (names, Int32(index)) }
        return (names + [UtilisationRequest.undisclosed], Int32(names.count))
    }

    private func hides(_ occurrence: KeyedOccurrence) -> Bool { occurrence.isPrivate && !request.disclosesPrivate }

    /// The organisation an occurrence is reported under (undisclosed when private and so requested).
    private func organisation(_ occurrence: KeyedOccurrence) -> Int32 {
        hides(occurrence) ? undisclosedOrganisation : occurrence.organisation
    }

    private func category(_ occurrence: KeyedOccurrence) -> Int32 {
        hides(occurrence) ? undisclosedCategory : occurrence.category
    }

    /// The group of an occurrence when grouping per booking.
    private func groupKey(_ occurrence: KeyedOccurrence) -> Int32 {
        request.grouping == .category ? category(occurrence) : organisation(occurrence)
    }

    mutating func sweep(
        _ space: ReportSpace, bookings: [KeyedOccurrence], usage: SpaceUsage?, calendars: inout CalendarCache
    ) {
        var clock = LocalClock(zone: space.zone)
        let instants = calendars.instants(in: space.zone)
        let span = instants.span
        let open = calendars.available(space.venue)
        let place = request.grouping.place(of: space).flatMap { placeIndex[$0] }

        var edges: [Edge] = []
        edges.reserveCapacity(2 * (open.count + bookings.count + (usage?.occupied.count ?? 0)) + slots.count + 1)
        func add(_ intervals: [Interval], _ kind: Edge.Kind) {
            for interval in intervals {
                guard let inside = interval.intersection(span) else { continue }
                edges.append(Edge(time: inside.start, kind: kind, index: 1))
                edges.append(Edge(time: inside.end, kind: kind, index: -1))
            }
        }
        add(open, .open)
        if let usage {
            add(usage.occupied, .occupied)
            add(usage.unknown, .unknown)
            add([usage.range], .observed)
        }
        for (index, occurrence) in bookings.enumerated() where occurrence.isCounted {
            guard let inside = occurrence.interval.intersection(span) else { continue }
            if place == nil { present[Int(groupKey(occurrence))] = true }
            guard occurrence.state == .confirmed else { continue }
            edges.append(Edge(time: inside.start, kind: .booking, index: Int32(index + 1)))
            edges.append(Edge(time: inside.end, kind: .booking, index: -Int32(index + 1)))
        }
        for (slot, instant) in instants.instants.enumerated() {
            edges.append(Edge(time: instant, kind: .boundary, index: Int32(slot)))
        }
        // Mostly sorted runs already (each list is), which the sort merges cheaply.
        edges.sort { $0.time < $1.time }

        var depth = (open: 0, occupied: 0, unknown: 0, observed: 0)
        var active: [Int] = []
        var slot = -1
        var next = 0
        while next < edges.count {
            let time = edges[next].time
            while next < edges.count, edges[next].time == time {
                let edge = edges[next]
                switch edge.kind {
                case .open: depth.open += Int(edge.index)
                case .occupied: depth.occupied += Int(edge.index)
                case .unknown: depth.unknown += Int(edge.index)
                case .observed: depth.observed += Int(edge.index)
                case .booking:
                    if edge.index > 0 {
                        active.append(Int(edge.index) - 1)
                    } else if let position = active.firstIndex(of: Int(-edge.index) - 1) {
                        active.remove(at: position)
                    }
                case .boundary: slot = Int(edge.index)
                }
                next += 1
            }
            guard next < edges.count, depth.open > 0, slot >= 0, slot < slots.count else { continue }
            let segment = Interval(start: time, end: edges[next].time)
            let used = depth.occupied > 0
            let state = SegmentState(
                slot: slot, used: used, unknown: !used && (depth.unknown > 0 || depth.observed == 0))
            if let place {
                record(segment, state, group: place, only: nil, active: active, bookings, clock: &clock)
            } else {
                scopeAvailable[slot] += segment.duration
                for (position, index) in active.enumerated() {
                    let key = groupKey(bookings[index])
                    // Each group once, however many of its occurrences overlap here.
                    guard !active[..<position].contains(where: { groupKey(bookings[$0]) == key }) else { continue }
                    record(segment, state, group: Int(key), only: key, active: active, bookings, clock: &clock)
                }
            }
        }

        for occurrence in bookings where occurrence.isCounted {
            guard let slot = instants.slot(containing: occurrence.interval.start) else { continue }
            let row = (place ?? Int(groupKey(occurrence))) * slots.count + slot
            tallies[row].outcomes.count(occurrence)
            if let people = occurrence.people {
                tallies[row].attendance.add(peak: people.peak, average: people.average, capacity: space.capacity)
            }
        }
    }

    /// What holds throughout one elementary segment of available time.
    private struct SegmentState {
        var slot: Int
        var used: Bool
        var unknown: Bool
    }

    /// Adds a segment to a group's row. A place (`only` nil) takes all of the space's time, booked
    /// or not; an organisation or category takes only the time inside its own occurrences (`only`: its key).
    private mutating func record(
        _ segment: Interval, _ state: SegmentState, group: Int, only key: Int32?, active: [Int],
        _ bookings: [KeyedOccurrence], clock: inout LocalClock
    ) {
        let seconds = segment.duration
        let row = group * slots.count + state.slot
        if key == nil { tallies[row].available += seconds }
        if state.used {
            tallies[row].used += seconds
            heatMaps[group].add(segment, clock: &clock)
        } else if state.unknown {
            tallies[row].unknown += seconds
        }
        guard !active.isEmpty else {
            if state.used { tallies[row].unbookedUse += seconds }
            return
        }
        tallies[row].booked += seconds
        if state.used {
            tallies[row].usedInBookings += seconds
        } else if state.unknown {
            tallies[row].unknownInBookings += seconds
        }
        // Shares: each organisation and category once, among the occurrences that belong to the group.
        func belongs(_ index: Int) -> Bool { key == nil || groupKey(bookings[index]) == key }
        for (position, index) in active.enumerated() where belongs(index) {
            let organisation = organisation(bookings[index])
            let category = category(bookings[index])
            var newOrganisation = true
            var newCategory = true
            for earlier in active[..<position] where belongs(earlier) {
                if self.organisation(bookings[earlier]) == organisation { newOrganisation = false }
                if self.category(bookings[earlier]) == category { newCategory = false }
            }
            if newOrganisation { tallies[row].byOrganisation.add(seconds, to: organisation) }
            if newCategory { tallies[row].byCategory.add(seconds, to: category) }
        }
    }

    func report() -> UtilisationReport {
        let perBooking = request.grouping.isPerBooking
        var rows: [UtilisationRow] = []
        var maps: [String: UsageHeatMap] = [:]
        for (group, id) in groups.enumerated().sorted(by: { $0.element < $1.element }) where present[group] {
            for (slot, period) in slots.enumerated() {
                let tally = tallies[group * slots.count + slot]
                var row = UtilisationRow(
                    group: id, slot: period, unbookedUseSeconds: perBooking ? nil : tally.unbookedUse)
                row.availableSeconds = perBooking ? scopeAvailable[slot] : tally.available
                row.bookedSeconds = tally.booked
                row.usedSeconds = tally.used
                row.unknownSeconds = tally.unknown
                row.usedInBookingsSeconds = tally.usedInBookings
                row.unknownInBookingsSeconds = tally.unknownInBookings
                row.bookedByOrganisation = tally.byOrganisation.named(organisationNames)
                row.bookedByCategory = tally.byCategory.named(categoryNames)
                row.outcomes = tally.outcomes
                row.attendance = tally.attendance
                rows.append(row)
            }
            maps[id] = heatMaps[group]
        }
        return UtilisationReport(request: request, slots: slots, rows: rows, heatMaps: maps)
    }
}
