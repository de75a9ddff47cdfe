import HapesiraConfig
import HapesiraCore
import HapesiraICal
import HapesiraSensors
import HapesiraStore
import Testing

@Suite("Auto-release")
struct AutoReleaseServiceTests {
    let start: Int64 = 1_900_000_800
    let admin = Caller(tokenID: "t", organisation: "a", role: .admin)

    /// A hall with a motion sensor and auto-release after 15 minutes, a room with neither.
    func setUp() throws -> (BookingStore, SensorJournal, AutoReleaser) {
        let configuration = try ConfigLoader.parse(
            """
            categories: [workshop]
            organisations: [{ id: a, name: A }, { id: b, name: B }]
            cities:
              - id: c
                venues:
                  - id: v
                    spaces:
                      - { id: hall, kind: k, capacity: 50, auto_release_minutes: 15 }
                      - { id: room, kind: k, capacity: 10 }
            sensors:
              - { id: hall-motion, space: hall, kind: motion, topic: "z/hall/motion", decoder: zigbee2mqtt }
            """, file: "t.yaml")
        let database = try AppDatabase.inMemory()
        let store = BookingStore(
            database: database,
            engine: BookingEngine(catalogue: configuration.catalogue, expander: LibicalRecurrenceExpander()))
        let usage = UsageTimelines(sensors: configuration.sensors, database: database)
        return (
            store, SensorJournal(database: database),
            AutoReleaser(spaces: configuration.catalogue.spaces, store: store, usage: usage)
        )
    }

    func book(
        _ store: BookingStore, _ organisation: String, start: Int64, recurrence: String? = nil, wait: Bool = false
    )
        async throws -> Booking
    {
        try await store.create(
            BookingDraft(
                space: "hall", organisation: organisation, title: "Workshop", category: "workshop", start: start,
                end: start + 7200, recurrence: recurrence, waitIfBusy: wait),
            by: admin, now: start - 86_400
        ).booking
    }

    func sensorAlive(_ journal: SensorJournal, at time: Int64, motion: Bool = false) throws {
        try journal.record(
            SensorObservation(sensor: "hall-motion", value: .motion(detected: motion)), verdict: .event, space: "hall",
            topic: "z/hall/motion", receivedAt: time)
    }

    @Test("nobody came: released after 15 minutes, kept with an audit entry, the slot free, a waiting request promoted")
    func releasesNoShow() async throws {
        let (store, journal, releaser) = try setUp()
        let booked = try await book(store, "a", start: start)
        let waiting = try await book(store, "b", start: start + 3600, wait: true)
        #expect(waiting.status == .waiting)
        try sensorAlive(journal, at: start - 300)

        // Not yet: the 15 minutes have not passed.
        #expect(try await releaser.releaseDue(at: start + 899).isEmpty)
        // Then: released.
        let released = try await releaser.releaseDue(at: start + 900)
        #expect(released.map(\.id) == [booked.id])
        let stored = try #require(try await store.booking(booked.id))
        #expect(stored.status == .released)
        #expect(stored.occurrences.map(\.released) == [true])
        let audit = try await store.audit(bookingID: booked.id)
        let entry = try #require(audit.first { $0.action == "released" })
        #expect(entry.actorToken == "system")
        #expect(entry.reason?.contains("15 minutes") == true)
        // The waiting request got the slot.
        #expect(try await store.booking(waiting.id)?.status == .confirmed)
        // Nothing more to release.
        #expect(try await releaser.releaseDue(at: start + 960).isEmpty)
    }

    @Test("someone came, or the sensor said nothing: kept")
    func keepsAttendedAndUnknown() async throws {
        let (store, journal, releaser) = try setUp()
        let attended = try await book(store, "a", start: start)
        try sensorAlive(journal, at: start - 300)
        try sensorAlive(journal, at: start + 600, motion: true)
        #expect(try await releaser.releaseDue(at: start + 1000).isEmpty)
        #expect(try await store.booking(attended.id)?.status == .confirmed)

        // A day later the sensor has been silent for more than its look-back: unknown, not empty.
        let later = try await book(store, "a", start: start + 2 * 86_400)
        #expect(try await releaser.releaseDue(at: start + 2 * 86_400 + 1000).isEmpty)
        #expect(try await store.booking(later.id)?.status == .confirmed)
    }

    @Test("in a series only the empty occurrence is released; the booking stays confirmed")
    func seriesOccurrence() async throws {
        let (store, journal, releaser) = try setUp()
        let series = try await book(store, "a", start: start, recurrence: "FREQ=DAILY;COUNT=3")
        try sensorAlive(journal, at: start - 300)
        let released = try await releaser.releaseDue(at: start + 900)
        let booking = try #require(released.first)
        #expect(booking.id == series.id)
        #expect(booking.status == .confirmed)
        #expect(booking.occurrences.map(\.released) == [true, false, false])
        #expect(booking.sequence > series.sequence)
    }
}
