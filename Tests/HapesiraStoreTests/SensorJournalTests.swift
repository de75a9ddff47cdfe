import Foundation
import GRDB
import HapesiraCore
import HapesiraStore
import Testing

@Suite("Sensor journal")
struct SensorJournalTests {
    static func entry(
        _ sensor: String, _ value: SensorValue?, key: String? = nil, battery: Int? = nil, at time: Int64
    ) -> SensorJournal.Entry {
        SensorJournal.Entry(
            SensorObservation(sensor: sensor, value: value, battery: battery, deduplicationKey: key),
            verdict: value == nil ? .status : .event, space: "hall", topic: "t/\(sensor)", receivedAt: time)
    }

    static func openFile() throws -> AppDatabase {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        return try AppDatabase.open(path: directory.appendingPathComponent("journal.sqlite").path)
    }

    static func synchronous(_ database: AppDatabase) throws -> Int? {
        try database.writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
    }

    @Test("readings commit with synchronous=NORMAL and leave the shared writer at FULL for bookings")
    func relaxedCommitsRestoreFull() async throws {
        // Given the daemon's file database
        let database = try Self.openFile()
        #expect(try Self.synchronous(database) == 2)

        // When the journal commits, its own transactions run with NORMAL (1), every time (the switch is
        // a cached statement), and the writer is back at FULL (2) after each
        for round in 1...3 {
            let during = try database.writeWithoutFsync { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(during == 1, "round \(round)")
            try SensorJournal(database: database).record(
                SensorObservation(sensor: "door", value: .door(open: true)), verdict: .event, space: "hall",
                topic: "t", receivedAt: 1_900_000_000 + Int64(round))
            #expect(try Self.synchronous(database) == 2, "round \(round)")
        }

        // Then the writer is back at FULL (2), also after a journal transaction that failed
        #expect(try Self.synchronous(database) == 2)
        struct Refused: Error {}
        #expect(throws: Refused.self) { try database.writeWithoutFsync { (_: Database) -> Int in throw Refused() } }
        #expect(try Self.synchronous(database) == 2)
        // and a booking written next commits with FULL.
        let store = try makeStore(database)
        let inBooking = try await database.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(inBooking == 2)
        let created = try await store.create(draft(start: storeNow + 86_400), by: member, now: storeNow)
        #expect(created.booking.status == .confirmed)
        #expect(try Self.synchronous(database) == 2)
    }

    @Test("a batch is stored in order in one transaction; a deduplication key already stored is dropped")
    func batchOrderAndDuplicates() async throws {
        let database = try AppDatabase.inMemory()
        let journal = SensorJournal(database: database)
        try journal.record(
            SensorObservation(sensor: "counter", deduplicationKey: "7"), verdict: .status, space: "hall", topic: "t",
            receivedAt: 100)

        let batch = [
            Self.entry("door", .door(open: true), battery: 80, at: 200),
            Self.entry("counter", nil, key: "7", battery: 10, at: 200),  // stored before: a redelivery
            Self.entry("counter", nil, key: "8", at: 205),
            Self.entry("door", .door(open: false), at: 210),
            Self.entry("door", nil, at: 220),  // a sign of life only
        ]
        #expect(try journal.record(batch) == [true, false, true, true, true])
        #expect(try journal.record([]) == [])

        let readings = try await journal.readings(space: "hall", from: 0, to: 1_000)
        #expect(readings.map(\.observation.sensor) == ["counter", "door", "counter", "door", "door"])
        #expect(readings.map(\.observation.value) == [nil, .door(open: true), nil, .door(open: false), nil])
        // Health as if each stored reading had updated it in turn: the last battery given, the last event.
        let health = try await journal.health()
        let door = try #require(health["door"])
        #expect([door.lastSeen, door.lastEvent] == [220, 210] && door.battery == 80 && door.online == true)
        let counter = try #require(health["counter"])
        #expect(counter.lastSeen == 205 && counter.lastEvent == nil && counter.battery == nil && counter.online == true)
    }
}

@Suite("Sensor inbox")
struct SensorInboxTests {
    /// Readings with every column set and every optional one missing, of each value kind.
    static let entries: [SensorJournal.Entry] = [
        SensorJournal.Entry(
            SensorObservation(
                sensor: "counter", value: .count(PeopleCount(entered: 12, exited: 3, present: nil, cumulative: true)),
                eventTime: 1_900_000_001, battery: 80, online: true, deduplicationKey: "f-77"),
            verdict: .event, space: "hall", topic: "v3/app/devices/counter/up", receivedAt: 1_900_000_002),
        SensorJournal.Entry(
            SensorObservation(sensor: "door", value: .door(open: false)), verdict: .snapshot, space: "hall",
            topic: "zigbee2mqtt/door", receivedAt: 1_900_000_003),
        SensorJournal.Entry(
            SensorObservation(sensor: "door", online: false), verdict: .status, space: "hall",
            topic: "zigbee2mqtt/door/availability", receivedAt: 1_900_000_004),
        SensorJournal.Entry(
            SensorObservation(sensor: "pir", value: .motion(detected: true), battery: 0), verdict: .repeat,
            space: "foyer", topic: "shellies/pir", receivedAt: 1_900_000_005),
    ]

    /// Every column of every journaled reading, in order.
    static func rows(_ database: AppDatabase) throws -> [[DatabaseValue]] {
        try database.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT sensor_id, space_id, topic, received_at, event_at, verdict, value, battery, online, dedup_key
                    FROM sensor_reading ORDER BY id
                    """
            ).map { Array($0.databaseValues) }
        }
    }

    @Test("a reading kept in the inbox and recovered is journaled exactly as one journaled directly")
    func roundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("inbox.sqlite").path
        var kept = Self.entries
        let inbox = try SensorInbox.open(path: path)
        try inbox.keep(&kept)
        #expect(kept.map(\.inboxID) == [1, 2, 3, 4])
        try inbox.close()

        let recovered = try AppDatabase.inMemory()
        let reopened = try SensorInbox.open(path: path)
        #expect(try SensorJournal(database: recovered).recover(from: reopened) == 4)
        #expect(try reopened.count() == 0)
        let direct = try AppDatabase.inMemory()
        try SensorJournal(database: direct).record(Self.entries)
        #expect(try Self.rows(recovered) == Self.rows(direct))
        #expect(try Self.rows(recovered).count == 4)
        // Recovered again (a second start): nothing is journaled twice.
        #expect(try SensorJournal(database: recovered).recover(from: reopened) == 0)
        #expect(try Self.rows(recovered).count == 4)
    }
}
