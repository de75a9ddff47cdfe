/// Auto-release: a confirmed occurrence in which the sensors saw no one during its first minutes
/// gives its slot back. The decision is the same no-show test as attendance, on that opening
/// window, with a stricter coverage: an occurrence is never released on missing sensor data.
public struct AutoRelease: Sendable, Hashable {
    /// How long after its start an occurrence must have been seen empty.
    public var after: Int64
    /// The share of the window the sensors must have covered (known vacant, not unknown).
    public var minimumCoverage: Double

    public init(after: Int64, minimumCoverage: Double = 0.9) {
        self.after = after
        self.minimumCoverage = minimumCoverage
    }

    /// The opening window the sensors must have seen empty.
    public func window(of occurrence: Interval) -> Interval {
        Interval(start: occurrence.start, end: min(occurrence.end, occurrence.start + after))
    }

    /// Whether the occurrence is to be released at `now`: its window has passed, it has not ended,
    /// and the timeline (covering at least the window) shows nobody in the window while the
    /// sensors covered enough of it.
    public func isDue(_ occurrence: Interval, now: Int64, timeline: OccupancyTimeline) -> Bool {
        let window = window(of: occurrence)
        guard window.end <= now, now < occurrence.end, !window.isEmpty else { return false }
        let rules = AttendanceRules(minimumCoverage: minimumCoverage)
        return timeline.attendance(for: window, rules: rules).outcome == .noShow
    }
}
