import Foundation

/// An IANA time zone that converts between venue wall-clock time and UTC instants.
public struct Zone: Sendable, Hashable, CustomStringConvertible {
    public let identifier: String
    private let timeZone: TimeZone

    /// `nil` when the identifier is not a zone in the system's tzdata.
    public init?(_ identifier: String) {
        guard identifier.contains("/") || identifier == "UTC", let zone = TimeZone(identifier: identifier) else {
            return nil
        }
        self.identifier = identifier
        self.timeZone = zone
    }

    public static let utc = Zone("UTC")!

    public var description: String { identifier }

    /// The zone's offset from UTC, in seconds, at an instant.
    public func offset(at instant: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }

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
