/// A declared project indicator, e.g. "assemblies: category assembly, 2 per city per year"
/// (the configuration loader fills these).
public struct Indicator: Sendable, Hashable {
    public var name: String
    public var metric: IndicatorMetric
    /// What the target is per: the network, each city, each venue or each space.
    public var scope: IndicatorScope
    /// The calendar period the target is per (`year` for "per year").
    public var period: ReportPeriod
    public var target: Double

    public init(name: String, metric: IndicatorMetric, scope: IndicatorScope, period: ReportPeriod, target: Double) {
        self.name = name
        self.metric = metric
        self.scope = scope
        self.period = period
        self.target = target
    }
}

/// What an indicator counts, over the occurrences that took place in the given categories (empty: every category).
public enum IndicatorMetric: Sendable, Hashable {
    /// Occurrences, each counted once, in the period in which it starts.
    case occurrences(categories: [String])
    /// Hours of the occurrences (their whole time, opening hours or not), split at period boundaries.
    case programmeHours(categories: [String])
    /// People: the sum of the occurrences' peak counts, in the period in which each starts.
    case attendance(categories: [String])

    public var categories: [String] {
        switch self {
        case .occurrences(let categories), .programmeHours(let categories), .attendance(let categories): categories
        }
    }
}

/// The places an indicator's target applies to, each on its own.
public enum IndicatorScope: String, Sendable, Hashable, CaseIterable {
    /// All listed spaces together: one group, ``IndicatorScope/networkGroup``.
    case network
    case city, venue, space

    /// The group id of the network scope.
    public static let networkGroup = "network"

    func group(of space: ReportSpace) -> String {
        switch self {
        case .network: Self.networkGroup
        case .city: space.city
        case .venue: space.venue.id
        case .space: space.id
        }
    }
}

/// An indicator's actual against its target for one group and period.
///
/// An occurrence took place when it is `confirmed` (not pending, declined, cancelled or released)
/// and the sensors did not find it a no-show. It is *verified* when the sensors saw it occupied
/// (`attended` or `ended-early`) and *unverified* when they cannot tell (`unknown`: a space
/// without sensors, or sensors offline); unverified ones still count.
public struct IndicatorResult: Sendable, Hashable {
    public var indicator: String
    /// The city, venue or space id, or ``IndicatorScope/networkGroup``.
    public var group: String
    public var slot: PeriodSlot
    /// The target for a whole period (not prorated when `slot.isComplete` is false).
    public var target: Double
    /// From verified occurrences (a count, hours or people).
    public var verified: Double = 0
    /// From unverified occurrences.
    public var unverified: Double = 0
    /// Occurrences that took place, counted in the period in which they start.
    public var verifiedOccurrences = 0
    public var unverifiedOccurrences = 0
    /// Attendance only: occurrences that took place without counter data (they add no people).
    public var unmeasuredOccurrences = 0

    public init(indicator: String, group: String, slot: PeriodSlot, target: Double) {
        self.indicator = indicator
        self.group = group
        self.slot = slot
        self.target = target
    }

    /// Verified + unverified.
    public var actual: Double { verified + unverified }
    /// Actual / target; `nil` for a zero target.
    public var progress: Double? { target > 0 ? actual / target : nil }
    public var isMet: Bool { actual >= target }
}

extension ReportInput {
    /// Every indicator for every group of its scope and every period of its own kind within the range.
    /// Groups are the cities, venues or spaces of the listed spaces (a group with nothing held shows 0).
    /// Results are in the indicators' order, then by group id, then by period.
    public func indicators(_ indicators: [Indicator], over range: ReportRange) -> [IndicatorResult] {
        indicators.flatMap { evaluate($0, over: range) }
    }

    private func evaluate(_ indicator: Indicator, over range: ReportRange) -> [IndicatorResult] {
        let slots = range.slots(indicator.period)
        let groups = Set(spaces.map { indicator.scope.group(of: $0) }).sorted()
        let groupIndex = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($1, $0) })
        var results = groups.flatMap { group in
            slots.map { IndicatorResult(indicator: indicator.name, group: group, slot: $0, target: indicator.target) }
        }
        // Exact amounts (occurrences, seconds or people), verified and unverified, per result.
        var amounts = Array(repeating: (verified: Int64(0), unverified: Int64(0)), count: results.count)
        func add(_ amount: Int64, to result: Int, verified: Bool) {
            if verified { amounts[result].verified += amount } else { amounts[result].unverified += amount }
        }
        let named = Set(indicator.metric.categories)
        let wanted = Set(categories.indices.filter { named.contains(categories[$0]) }.map(Int32.init))
        var calendars = CalendarCache(slots: slots)
        for space in spaces {
            let instants = calendars.instants(in: space.zone)
            let base = groupIndex[indicator.scope.group(of: space)]! * slots.count
            for occurrence in bookings[space.id] ?? [] {
                guard occurrence.state == .confirmed, occurrence.outcome != .noShow,
                    named.isEmpty || wanted.contains(occurrence.category)
                else { continue }
                let isVerified = occurrence.outcome != .unknown
                if case .programmeHours = indicator.metric {
                    for (slot, seconds) in instants.split(occurrence.interval) {
                        add(seconds, to: base + slot, verified: isVerified)
                    }
                }
                guard let slot = instants.slot(containing: occurrence.interval.start) else { continue }
                if isVerified {
                    results[base + slot].verifiedOccurrences += 1
                } else {
                    results[base + slot].unverifiedOccurrences += 1
                }
                switch indicator.metric {
                case .occurrences:
                    add(1, to: base + slot, verified: isVerified)
                case .attendance:
                    if let people = occurrence.people {
                        add(Int64(people.peak), to: base + slot, verified: isVerified)
                    } else {
                        results[base + slot].unmeasuredOccurrences += 1
                    }
                case .programmeHours:
                    break
                }
            }
        }
        let unit: Double = if case .programmeHours = indicator.metric { 3600 } else { 1 }
        for index in results.indices {
            results[index].verified = Double(amounts[index].verified) / unit
            results[index].unverified = Double(amounts[index].unverified) / unit
        }
        return results
    }
}
