import Foundation
import Synchronization

/// Simple brute-force protection for `POST /login`, kept in memory (it starts empty when the daemon
/// restarts): after `limit` failed sign-ins for one username, or from one client address, within
/// `window` seconds, further attempts with that username or from that address are refused (429)
/// until the oldest of those failures is `window` old. Refused attempts are not checked, so they
/// cost no bcrypt time. A successful sign-in clears its username's failures.
///
/// Behind a reverse proxy every client has the proxy's address: the per-address limit then counts
/// everyone's failures together.
final class SignInThrottle: Sendable {
    let limit: Int
    let window: Int64
    /// Keys kept at most; past that, the oldest are dropped (a flood of names cannot grow memory).
    let capacity: Int
    private let failures = Mutex<[String: [Int64]]>([:])

    init(limit: Int = 10, window: Int64 = 15 * 60, capacity: Int = 50_000) {
        self.limit = limit
        self.window = window
        self.capacity = capacity
    }

    /// The keys an attempt counts against: its username (normalised like a login's key) and its address.
    static func keys(username: String?, address: String?) -> [String] {
        var keys: [String] = []
        if let username, !username.isEmpty {
            keys.append(
                "user:"
                    + username.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
                    .lowercased())
        }
        keys.append("address:" + (address ?? "unknown"))
        return keys
    }

    /// Seconds until an attempt counted against `keys` is allowed again, or nil when it is allowed now.
    func retryAfter(_ keys: [String], now: Int64) -> Int64? {
        failures.withLock { table in
            let waits = keys.compactMap { key -> Int64? in
                let recent = (table[key] ?? []).filter { $0 > now - window }
                guard recent.count >= limit, let oldest = recent.first else { return nil }
                return max(1, oldest + window - now)
            }
            return waits.max()
        }
    }

    func recordFailure(_ keys: [String], now: Int64) {
        failures.withLock { table in
            for key in keys {
                var recent = (table[key] ?? []).filter { $0 > now - window }
                recent.append(now)
                table[key] = Array(recent.suffix(limit))
            }
            if table.count > capacity {
                table = table.filter { $0.value.last.map { $0 > now - window } ?? false }
                if table.count > capacity {
                    let newest = table.sorted { ($0.value.last ?? 0) > ($1.value.last ?? 0) }.prefix(capacity / 2)
                    table = Dictionary(uniqueKeysWithValues: Array(newest))
                }
            }
        }
    }

    func recordSuccess(username: String) {
        let keys = Self.keys(username: username, address: nil).filter { $0.hasPrefix("user:") }
        failures.withLock { table in for key in keys { table[key] = nil } }
    }
}
