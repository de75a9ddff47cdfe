import Foundation
import GRDB
import HapesiraCore
import HapesiraICal
import HapesiraStore
import Testing

/// A small catalogue: one venue open every day, two linked spaces.
let storeCatalogue = Catalogue(
    cities: [City(id: "peja", name: "Peja")],
    venues: [Venue(id: "kino", name: "Kino", city: "peja", zone: Zone("Europe/Belgrade")!, openingHours: .always)],
    spaces: [
        Space(
            id: "hall", name: "Hall", venue: "kino", kind: "hall", capacity: 100,
            rules: SpaceRules(teardownBuffer: 900), linked: ["hall-a"]),
        Space(id: "hall-a", name: "Hall A", venue: "kino", kind: "room", capacity: 50),
    ],
    organisations: [Organisation(id: "anibar", name: "Anibar", kind: "member")],
    categories: ["workshop"])

let member = Caller(tokenID: "t1", organisation: "anibar", role: .member)
let storeNow: Int64 = 1_799_928_000

func makeStore(_ database: AppDatabase? = nil) throws -> BookingStore {
    BookingStore(
        database: try database ?? AppDatabase.inMemory(),
        engine: BookingEngine(catalogue: storeCatalogue, expander: LibicalRecurrenceExpander()))
}

func draft(_ space: String = "hall", start: Int64, hours: Int64 = 1) -> BookingDraft {
    BookingDraft(
        space: space, organisation: "anibar", title: "Test", category: "workshop", start: start,
        end: start + hours * 3600)
}

@Suite("SQLite store")
struct StoreTests {
    @Test("migrations are named and applied once")
    func migrations() throws {
        let database = try AppDatabase.inMemory()
        let all = [
            "v1-bookings-tokens-audit", "v2-feeds", "v3-ical-intake", "v4-sensor-journal", "v5-derived-usage",
            "v6-web-sessions", "v7-venue-closures", "v8-web-logins",
        ]
        #expect(try database.appliedMigrations() == all)
        try database.migrate()
        #expect(try database.appliedMigrations() == all)
        // The installation id that makes feed UIDs unique: 16 hex digits, stable across opens.
        #expect(database.installationID.count == 16)
        #expect(database.installationID.allSatisfy { $0.isHexDigit })
    }

    @Test(
        "the file database commits with synchronous=FULL on its writer (GRDB's WAL set-up lowers it to NORMAL) and checkpoints every 4,000 frames"
    )
    func commitsAreFsynced() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        let database = try AppDatabase.open(path: directory.appendingPathComponent("db.sqlite").path)
        let mode = try database.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(mode == 2)  // FULL
        let checkpoint = try database.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        #expect(checkpoint == 4_000)
        let journal = try database.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test("a booking is stored with its occurrences and an audit entry; a linked space conflicts")
    func createAndConflict() async throws {
        let store = try makeStore()
        let start = storeNow + 86_400
        let result = try await store.create(draft(start: start), by: member, now: storeNow)
        #expect(result.booking.status == .confirmed)
        #expect(result.booking.occurrences.map(\.interval) == [Interval(start: start, end: start + 3600)])
        let audit = try await store.audit(bookingID: result.booking.id)
        #expect(audit.map(\.action) == ["created"])

        // hall-a is linked to hall; the hall's 15-minute teardown keeps it until +1h15.
        await #expect(throws: BookingError.self) {
            _ = try await store.create(draft("hall-a", start: start + 3600 + 600), by: member, now: storeNow)
        }
        let free = try await store.create(draft("hall-a", start: start + 3600 + 900), by: member, now: storeNow)
        #expect(free.booking.status == .confirmed)
    }

    @Test("active bookings of some spaces in a range: through the index, whole series, nothing cancelled")
    func activeBookings() async throws {
        let store = try makeStore()
        let range = Interval(start: storeNow + 7 * 86_400, end: storeNow + 14 * 86_400)
        func book(_ draft: BookingDraft) async throws -> Booking {
            try await store.create(draft, by: member, now: storeNow).booking
        }
        let inside = try await book(draft(start: range.start + 86_400))
        let overnight = try await book(draft(start: range.start - 1800))  // begins before the range
        var weekly = draft(start: range.start - 7 * 86_400 + 3 * 3600)
        weekly.recurrence = "FREQ=WEEKLY;COUNT=3"
        let series = try await book(weekly)
        var other = draft(start: range.start - 7 * 86_400 + 6 * 3600)
        other.recurrence = "FREQ=WEEKLY;COUNT=2"
        let cancelledInRange = try await book(other)
        _ = try await store.cancelOccurrence(
            cancelledInRange.id, occurrence: cancelledInRange.occurrences[1].id, by: member, reason: nil, now: storeNow)
        let cancelled = try await book(draft(start: range.start + 2 * 86_400))
        _ = try await store.cancel(cancelled.id, by: member, reason: nil, now: storeNow)
        _ = try await book(draft("hall-a", start: range.start + 3 * 86_400))
        _ = try await book(draft(start: range.end))  // begins as the range ends

        let found = try await store.activeBookings(spaces: ["hall"], overlapping: range)
        #expect(found.map(\.id) == [series.id, overnight.id, inside.id], "by start")
        #expect(found.first { $0.id == series.id }?.occurrences.count == 3, "a series comes with all its occurrences")
        #expect(try await store.activeBookings(spaces: [], overlapping: range).isEmpty)
        #expect(try await store.activeBookings(spaces: ["hall", "hall-a"], overlapping: range).count == 4)
    }

    @Test("concurrent creates for one slot through the group committer: exactly one succeeds")
    func groupCommitSerialises() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        let store = try makeStore(try AppDatabase.open(path: directory.appendingPathComponent("db.sqlite").path))
        let start = storeNow + 2 * 86_400
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<40 {
                group.addTask { (try? await store.create(draft(start: start), by: member, now: storeNow)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        // Free slots asked for concurrently are all granted, each in its own savepoint.
        let granted = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                group.addTask {
                    (try? await store.create(draft(start: start + Int64(index + 2) * 7200), by: member, now: storeNow))
                        != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(granted.allSatisfy { $0 })
        #expect(try await store.bookings(BookingFilter(limit: 1000)).count == 41)
    }

    @Test("backup writes a consistent copy that opens with every booking")
    func backup() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        let source = try AppDatabase.open(path: directory.appendingPathComponent("live.sqlite").path)
        let store = try makeStore(source)
        for day in 1...5 {
            _ = try await store.create(draft(start: storeNow + Int64(day) * 86_400), by: member, now: storeNow)
        }
        let copy = directory.appendingPathComponent("copy.sqlite").path
        try source.backup(to: copy)
        #expect(throws: StoreError.self) { try source.backup(to: copy) }
        let restored = try makeStore(try AppDatabase.open(path: copy))
        #expect(try await restored.bookings(BookingFilter()).count == 5)
    }

    @Test("tokens: shown once, authenticate by hash, revocation takes effect, tampering fails")
    func tokens() async throws {
        let tokens = TokenStore(database: try AppDatabase.inMemory())
        let (info, token) = try tokens.create(
            organisation: "anibar", role: .manager(venues: ["kino"]), label: "desk", now: storeNow)
        let caller = try await tokens.authenticate(token)
        #expect(caller == Caller(tokenID: info.id, organisation: "anibar", role: .manager(venues: ["kino"])))
        await #expect(throws: TokenError.unknown) { try await tokens.authenticate(token + "x") }
        await #expect(throws: TokenError.malformed) { try await tokens.authenticate("nonsense") }
        #expect(try tokens.list().map(\.id) == [info.id])
        #expect(try tokens.revoke(id: info.id, now: storeNow))
        #expect(try !tokens.revoke(id: info.id, now: storeNow))
        await #expect(throws: TokenError.revoked) { try await tokens.authenticate(token) }
    }
}
