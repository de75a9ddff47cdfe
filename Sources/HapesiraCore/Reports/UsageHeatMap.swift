/// Used seconds by local weekday and hour of day: 7 × 24 cells. A fall-back night's repeated
/// hour adds up in its one cell (up to 7,200 s that day); a spring-forward night's skipped hour gets nothing.
public struct UsageHeatMap: Sendable, Hashable {
    /// `cells[(weekday - 1) * 24 + hour]`, ISO weekday 1 (Monday) … 7, local hour 0 … 23.
    public private(set) var cells: [Int64]

    public init() { cells = Array(repeating: 0, count: 7 * 24) }

    public func seconds(weekday: Int, hour: Int) -> Int64 { cells[(weekday - 1) * 24 + hour] }

    public var totalSeconds: Int64 { cells.reduce(0, +) }

    /// Adds the interval, split at local hour boundaries.
    mutating func add(_ interval: Interval, clock: inout LocalClock) {
        var cursor = interval.start
        while cursor < interval.end {
            let local = cursor + clock.offset(at: cursor)
            let days = local.floorDivided(by: 86_400)
            let secondOfDay = local - days * 86_400
            // To the next local hour, or to an offset change within the hour.
            let end = min(interval.end, cursor + 3600 - secondOfDay % 3600, clock.offsetHoldsUntil)
            let weekday = Int((days + 3).floorModulo(7)) + 1
            cells[(weekday - 1) * 24 + Int(secondOfDay / 3600)] += end - cursor
            cursor = end
        }
    }
}

/// A zone's offsets for instants mostly visited in increasing order: each offset is looked up once
/// per stretch without a change, not once per instant. Assumes, as holds for every zone in tzdata,
/// that a zone's offset changes at most once within any 24 hours.
struct LocalClock {
    let zone: Zone
    private var offset: Int64 = 0
    private var holdsFrom: Int64 = 1
    /// The end of the stretch in which the last offset looked up holds.
    private(set) var offsetHoldsUntil: Int64 = 0

    init(zone: Zone) { self.zone = zone }

    mutating func offset(at instant: Int64) -> Int64 {
        if holdsFrom <= instant && instant < offsetHoldsUntil { return offset }
        offset = zone.offset(at: instant)
        holdsFrom = instant
        offsetHoldsUntil = instant + 86_400
        if zone.offset(at: offsetHoldsUntil) != offset {
            // Bisect to the change: `low` has the offset, `offsetHoldsUntil` has another.
            var low = instant
            while offsetHoldsUntil - low > 1 {
                let middle = low + (offsetHoldsUntil - low) / 2
                if zone.offset(at: middle) == offset { low = middle } else { offsetHoldsUntil = middle }
            }
        }
        return offset
    }
}
