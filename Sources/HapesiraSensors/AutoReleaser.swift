import HapesiraCore
import HapesiraStore

/// Releases confirmed occurrences nobody came to, in spaces with `auto_release_minutes`: once the
/// space's auto-release time has passed since an occurrence began and its sensors saw no one in
/// that time (see ``AutoRelease``), the occurrence's slot is given back (``BookingStore/release(occurrence:of:reason:now:)``).
public struct AutoReleaser: Sendable {
    private let policies: [String: AutoRelease]
    private let store: BookingStore
    private let usage: UsageTimelines

    /// `spaces` with an auto-release time and sensors take part; the others are left alone.
    public init(spaces: [Space], store: BookingStore, usage: UsageTimelines) {
        var policies: [String: AutoRelease] = [:]
        for space in spaces where !usage.sensors(of: space.id).isEmpty {
            if let after = space.rules.autoReleaseAfter { policies[space.id] = AutoRelease(after: after) }
        }
        self.policies = policies
        self.store = store
        self.usage = usage
    }

    /// Releases every occurrence due at `now`; returns the bookings released from.
    @discardableResult
    public func releaseDue(at now: Int64) async throws -> [Booking] {
        var released: [Booking] = []
        for candidate in try await store.underWay(spaces: policies.keys.sorted(), at: now) {
            guard let policy = policies[candidate.space] else { continue }
            let window = policy.window(of: candidate.occurrence.interval)
            guard window.end <= now else { continue }
            let timeline = try await usage.timeline(space: candidate.space, over: window)
            guard policy.isDue(candidate.occurrence.interval, now: now, timeline: timeline) else { continue }
            let reason = "auto-release: the sensors saw no one in the first \(policy.after / 60) minutes"
            if let booking = try await store.release(
                occurrence: candidate.occurrence.id, of: candidate.booking, reason: reason, now: now)
            {
                released.append(booking)
            }
        }
        return released
    }
}
