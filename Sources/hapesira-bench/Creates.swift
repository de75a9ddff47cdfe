import Foundation
import HapesiraConfig
import HapesiraCore
import HapesiraICal
import HapesiraStore

/// Durable bookings per second through `BookingStore.create` alone (no HTTP): separates the
/// storage engine's share of figure (b) from the HTTP server's.
enum CreateBench {
    static func run(
        configuration: DaemonConfiguration, databasePath: String, origin: Int64, firstSlot: Int64, count: Int,
        clients: Int
    ) async throws {
        let database = try AppDatabase.open(path: databasePath)
        let store = BookingStore(
            database: database,
            engine: BookingEngine(catalogue: configuration.catalogue, expander: LibicalRecurrenceExpander()))
        let caller = Caller(tokenID: "bench", organisation: Layout.organisation, role: .member)
        let now = Int64(Date().timeIntervalSince1970)
        func draft(_ index: Int) -> BookingDraft {
            let slot = firstSlot + Int64(index / Layout.spaceCount)
            let start = origin + slot * Layout.slotSeconds + Layout.httpOffset
            return BookingDraft(
                space: Layout.spaceID(index % Layout.spaceCount), organisation: Layout.organisation,
                title: "store booking \(index)", category: "workshop", start: start, end: start + Layout.httpDuration)
        }
        let started = monotonicNanoseconds()
        let perClient = count / clients
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    for index in stride(from: client, to: perClient * clients, by: clients) {
                        _ = try await store.create(draft(index), by: caller, now: now)
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Double(monotonicNanoseconds() - started) / 1e9
        let rate = Double(perClient * clients) / seconds
        say(
            "store creates, \(clients) client(s): \(perClient * clients) in \(formatted(seconds, decimals: 2)) s = \(formatted(rate)) /s"
        )
        say("RESULT store_creates_per_s=\(formatted(rate)) clients=\(clients)")
    }
}
