import HapesiraCore
import HapesiraStore
import Synchronization

/// Works out each space's live state (free, booked, in-use, booked-unused) from the bookings and
/// the spaces' usage timelines, and publishes the states that changed, retained, under a topic prefix
/// (`hapesira/spaces/<space>/state`), so a door display or Home Assistant sees the current state
/// as soon as it subscribes.
public final class SpaceStatePublisher: Sendable {
    public typealias Publish = @Sendable (_ topic: String, _ payload: String) throws -> Void

    private let spaces: [String]
    private let store: BookingStore
    private let usage: UsageTimelines
    private let prefix: String
    private let publish: Publish
    private let published = Mutex<[String: SpaceState]>([:])

    public init(
        spaces: [String], store: BookingStore, usage: UsageTimelines, prefix: String, publish: @escaping Publish
    ) {
        self.spaces = spaces
        self.store = store
        self.usage = usage
        self.prefix = prefix
        self.publish = publish
    }

    /// Every space's state at `now`.
    public func states(at now: Int64) async throws -> [String: SpaceState] {
        let instant = Interval(start: now, end: now + 1)
        let held = try await store.bookings(
            BookingFilter(spaces: spaces, statuses: [.confirmed], range: instant, limit: 10_000))
        let booked = Set(
            held.filter { $0.occurrences.contains { !$0.cancelled && $0.interval.overlaps(instant) } }.map(
                \.draft.space))
        var states: [String: SpaceState] = [:]
        for space in spaces {
            states[space] = .of(
                booked: booked.contains(space), occupied: try await usage.occupied(space: space, at: now))
        }
        return states
    }

    /// Publishes the states that changed since the last successful publication (all of them the
    /// first time); returns them. A state whose publication fails is tried again on the next call.
    @discardableResult
    public func publishChanges(at now: Int64) async throws -> [String: SpaceState] {
        let current = try await states(at: now)
        let changed = published.withLock { published in current.filter { published[$0.key] != $0.value } }
        for (space, state) in changed.sorted(by: { $0.key < $1.key }) {
            try publish("\(prefix)/\(space)/state", state.rawValue)
            published.withLock { $0[space] = state }
        }
        return changed
    }
}
