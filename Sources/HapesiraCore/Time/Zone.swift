import Foundation
import Synchronization

/// An IANA time zone that converts between venue wall-clock time and UTC instants.
public struct Zone: Sendable, Hashable, CustomStringConvertible {
    public let identifier: String
    private let offsets: OffsetTable

    /// `nil` when the identifier is not a zone in the system's tzdata.
    public init?(_ identifier: String) {
        guard identifier.contains("/") || identifier == "UTC", let zone = TimeZone(identifier: identifier) else {
            return nil
        }
        self.identifier = identifier
        self.offsets = OffsetTable.shared(for: zone)
    }

    public static let utc = Zone("UTC")!

    public var description: String { identifier }

    /// The zone's offset from UTC, in seconds, at an instant.
    public func offset(at instant: Int64) -> Int64 { offsets.offset(at: instant) }

    /// The wall-clock time at an instant.
    public func local(_ instant: Int64) -> LocalDateTime {
        LocalDateTime(localSeconds: instant + offset(at: instant))
    }

    /// Every instant at which the wall clock shows `local`: none in a spring-forward gap,
    /// two in a fall-back overlap (earlier first), otherwise one.
    public func instants(for local: LocalDateTime) -> [Int64] {
        let wall = local.localSeconds
        let candidateOffsets = Set([offset(at: wall - 86_400), offset(at: wall + 86_400), offset(at: wall)])
        return candidateOffsets.map { wall - $0 }.filter { offset(at: $0) == wall - $0 }.sorted()
    }

    /// The instant for a wall-clock time, resolved as RFC 5545 does for recurrences: in an overlap
    /// the first occurrence; in a gap the time is read with the offset before the transition
    /// (02:30 on a spring-forward night becomes 03:30).
    public func resolvedInstant(for local: LocalDateTime) -> Int64 {
        let candidates = instants(for: local)
        if let first = candidates.first { return first }
        let wall = local.localSeconds
        return wall - offset(at: wall - 86_400)
    }

    /// The instant at which the given local date begins (midnight, or the first existing time).
    public func startOfDay(_ date: LocalDate) -> Int64 {
        resolvedInstant(for: LocalDateTime(year: date.year, month: date.month, day: date.day))
    }

    public static func == (lhs: Zone, rhs: Zone) -> Bool { lhs.identifier == rhs.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }
}

/// A zone's UTC offsets as a table of its transitions from tzdata, computed once per zone: an
/// offset is then a binary search instead of a call into ICU behind a lock (feeds and reports
/// convert hundreds of thousands of instants).
private final class OffsetTable: Sendable {
    /// The table covers [1970, 2100); other instants ask the time zone itself.
    private static let covered: Range<Int64> = 0..<4_102_444_800
    private static let tables = Mutex<[String: OffsetTable]>([:])

    private let timeZone: TimeZone
    /// `starts[i]` is the instant from which `offsets[i]` applies; `starts[0]` is the start of the table.
    private let starts: [Int64]
    private let offsets: [Int64]

    static func shared(for zone: TimeZone) -> OffsetTable {
        if let table = tables.withLock({ $0[zone.identifier] }) { return table }
        let table = OffsetTable(zone)
        return tables.withLock { tables in
            if let existing = tables[zone.identifier] { return existing }
            tables[zone.identifier] = table
            return table
        }
    }

    private init(_ zone: TimeZone) {
        timeZone = zone
        var starts = [Self.covered.lowerBound]
        var offsets = [Self.direct(zone, Self.covered.lowerBound)]
        var cursor = Date(timeIntervalSince1970: TimeInterval(Self.covered.lowerBound))
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next > cursor {
            let instant = Int64(next.timeIntervalSince1970.rounded(.down))
            guard instant < Self.covered.upperBound else { break }
            let offset = Self.direct(zone, instant)
            if offset != offsets.last {
                starts.append(instant)
                offsets.append(offset)
            }
            cursor = next
        }
        self.starts = starts
        self.offsets = offsets
    }

    func offset(at instant: Int64) -> Int64 {
        guard Self.covered.contains(instant) else { return Self.direct(timeZone, instant) }
        // The last start at or before the instant.
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= instant { low = middle } else { high = middle - 1 }
        }
        return offsets[low]
    }

    private static func direct(_ zone: TimeZone, _ instant: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }
}

extension Zone {
    /// The instant `minute` minutes after local midnight of `day` (may be 1440, the next midnight);
    /// a local time skipped by a DST change resolves as ``resolvedInstant(for:)`` does.
    public func instant(_ day: LocalDate, minute: Int) -> Int64 {
        let date = day.adding(days: minute / 1440)
        let rest = minute % 1440
        return resolvedInstant(
            for: LocalDateTime(year: date.year, month: date.month, day: date.day, hour: rest / 60, minute: rest % 60))
    }
}
