/// A booking occurrence's outcome as the sensors saw it.
public enum AttendanceOutcome: String, Sendable, Hashable, CaseIterable {
    case attended
    case noShow = "no-show"
    case endedEarly = "ended-early"
    case unknown
    /// Auto-released because nobody came (see ``AutoRelease``); stored with the occurrence, never
    /// derived by ``OccupancyTimeline/attendance(for:rules:)``.
    case released
}

/// When an occurrence counts as covered, and when an end is "early".
public struct AttendanceRules: Sendable, Hashable {
    /// A never-occupied occurrence is a no-show only when sensors covered at least this share of it;
    /// with less it is `unknown`.
    public var minimumCoverage: Double
    /// Ended early: the last occupancy ends at least this share of the occurrence before its end …
    public var earlyShare: Double
    /// … and at least this many seconds before it, with that tail covered (known vacant).
    public var earlyMinimum: Int64

    public init(minimumCoverage: Double = 0.5, earlyShare: Double = 0.25, earlyMinimum: Int64 = 900) {
        self.minimumCoverage = minimumCoverage
        self.earlyShare = earlyShare
        self.earlyMinimum = earlyMinimum
    }
}

/// What the sensors say about one booking occurrence.
public struct Attendance: Sendable, Hashable {
    public var outcome: AttendanceOutcome
    /// Occupied seconds within the occurrence.
    public var occupiedSeconds: Int64
    /// Seconds of the occurrence some sensor covered.
    public var coveredSeconds: Int64
    /// The highest people count while covered (counters only).
    public var peakCount: Int?
    /// The time-weighted mean people count over the covered time (counters only).
    public var averageCount: Double?

    public init(
        outcome: AttendanceOutcome, occupiedSeconds: Int64, coveredSeconds: Int64, peakCount: Int? = nil,
        averageCount: Double? = nil
    ) {
        self.outcome = outcome
        self.occupiedSeconds = occupiedSeconds
        self.coveredSeconds = coveredSeconds
        self.peakCount = peakCount
        self.averageCount = averageCount
    }
}

extension OccupancyTimeline {
    /// The attendance of an occurrence inside `range`:
    /// - `attended`: occupied at some time during it (and not ended early);
    /// - `ended-early`: occupied, but vacant (covered, not unknown) for its last
    ///   max(`earlyShare` × length, `earlyMinimum`) seconds or more;
    /// - `no-show`: never occupied while covered for at least `minimumCoverage` of it;
    /// - `unknown`: never occupied and too little coverage.
    public func attendance(for occurrence: Interval, rules: AttendanceRules = AttendanceRules()) -> Attendance {
        attendance(for: occurrence, rules: rules, from: Cursor())
    }

    /// The attendance of many occurrences (in any order), as ``attendance(for:rules:)`` gives each, in
    /// one forward pass over the timeline: for reports over a year of spans.
    public func attendances(for occurrences: [Interval], rules: AttendanceRules = AttendanceRules()) -> [Attendance] {
        var result = Array(
            repeating: Attendance(outcome: .unknown, occupiedSeconds: 0, coveredSeconds: 0), count: occurrences.count)
        var cursor = Cursor()
        for index in occurrences.indices.sorted(by: { occurrences[$0].start < occurrences[$1].start }) {
            cursor.advance(to: occurrences[index].start, in: self)
            result[index] = attendance(for: occurrences[index], rules: rules, from: cursor)
        }
        return result
    }

    /// Where the spans that may reach an instant begin: the first occupied and unknown span ending
    /// after it, and the count step in force at it. Moves forward only.
    private struct Cursor {
        var occupied = 0
        var unknown = 0
        var step = 0

        mutating func advance(to instant: Int64, in timeline: OccupancyTimeline) {
            while occupied < timeline.occupied.count, timeline.occupied[occupied].end <= instant { occupied += 1 }
            while unknown < timeline.unknown.count, timeline.unknown[unknown].end <= instant { unknown += 1 }
            while step + 1 < timeline.counts.count, timeline.counts[step + 1].start <= instant { step += 1 }
        }
    }

    private func attendance(for occurrence: Interval, rules: AttendanceRules, from cursor: Cursor) -> Attendance {
        let occupiedParts = occupied[cursor.occupied...].prefix { $0.start < occurrence.end }
            .compactMap { $0.intersection(occurrence) }
        let unknownParts = unknown[cursor.unknown...].prefix { $0.start < occurrence.end }
        let coveredParts = Array(unknownParts).complement(within: occurrence)
        let occupiedSeconds = occupiedParts.reduce(0) { $0 + $1.duration }
        let coveredSeconds = coveredParts.reduce(0) { $0 + $1.duration }
        var result = Attendance(outcome: .unknown, occupiedSeconds: occupiedSeconds, coveredSeconds: coveredSeconds)
        if let lastEnd = occupiedParts.map(\.end).max() {
            let tail = Interval(start: lastEnd, end: occurrence.end)
            let threshold = max(
                rules.earlyMinimum, Int64((Double(occurrence.duration) * rules.earlyShare).rounded(.up)))
            let tailKnown = !unknownParts.contains { $0.overlaps(tail) }
            result.outcome = tail.duration >= threshold && tailKnown ? .endedEarly : .attended
        } else if occurrence.duration > 0,
            Double(coveredSeconds) >= rules.minimumCoverage * Double(occurrence.duration)
        {
            result.outcome = .noShow
        }
        if !counts.isEmpty && coveredSeconds > 0 {
            var peak = 0
            var weighted: Int64 = 0
            var index = cursor.step
            for part in coveredParts {
                while index + 1 < counts.count, counts[index + 1].start <= part.start { index += 1 }
                var current = index
                while current < counts.count, counts[current].start < part.end {
                    let stepEnd = current + 1 < counts.count ? counts[current + 1].start : range.end
                    if let overlap = Interval(start: counts[current].start, end: stepEnd).intersection(part) {
                        peak = max(peak, counts[current].count)
                        weighted += Int64(counts[current].count) * overlap.duration
                    }
                    current += 1
                }
            }
            result.peakCount = peak
            result.averageCount = Double(weighted) / Double(coveredSeconds)
        }
        return result
    }
}
