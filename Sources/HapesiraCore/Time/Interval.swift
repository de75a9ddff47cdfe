/// A half-open span of time `[start, end)` in whole seconds since the Unix epoch (UTC).
public struct Interval: Hashable, Sendable, Comparable {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    /// Length in seconds (zero for an empty or inverted interval).
    public var duration: Int64 { max(0, end - start) }

    public var isEmpty: Bool { end <= start }

    /// Whether the two intervals share at least one second; touching intervals do not overlap.
    public func overlaps(_ other: Interval) -> Bool {
        start < other.end && other.start < end
    }

    public func contains(_ other: Interval) -> Bool {
        start <= other.start && other.end <= end
    }

    /// The overlap of two intervals, or `nil` when they do not overlap.
    public func intersection(_ other: Interval) -> Interval? {
        let result = Interval(start: max(start, other.start), end: min(end, other.end))
        return result.isEmpty ? nil : result
    }

    /// The interval widened by `before` seconds at the start and `after` seconds at the end.
    public func widened(before: Int64, after: Int64) -> Interval {
        Interval(start: start - before, end: end + after)
    }

    public func shifted(by seconds: Int64) -> Interval {
        Interval(start: start + seconds, end: end + seconds)
    }

    public static func < (lhs: Interval, rhs: Interval) -> Bool {
        (lhs.start, lhs.end) < (rhs.start, rhs.end)
    }
}

extension Array where Element == Interval {
    /// Sorted, with overlapping or touching intervals merged.
    public func merged() -> [Interval] {
        var result: [Interval] = []
        for interval in self.sorted() where !interval.isEmpty {
            if let last = result.last, interval.start <= last.end {
                result[result.count - 1].end = Swift.max(last.end, interval.end)
            } else {
                result.append(interval)
            }
        }
        return result
    }

    /// `span` minus every interval of `self` (which need not be sorted or disjoint).
    public func complement(within span: Interval) -> [Interval] {
        var free: [Interval] = []
        var cursor = span.start
        for busy in self.merged() {
            if busy.end <= cursor { continue }
            if busy.start >= span.end { break }
            if busy.start > cursor { free.append(Interval(start: cursor, end: busy.start)) }
            cursor = Swift.max(cursor, busy.end)
        }
        if cursor < span.end { free.append(Interval(start: cursor, end: span.end)) }
        return free
    }
}
