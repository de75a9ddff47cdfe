import Foundation
import HapesiraCore
import HapesiraStore
import Testing

@Suite("Runtime closures in the store")
struct ClosureStoreTests {
    static let manager = Caller(tokenID: "m1", organisation: "secretariat", role: .manager(venues: ["kino"]))
    static let otherManager = Caller(tokenID: "m2", organisation: "secretariat", role: .manager(venues: ["elsewhere"]))
    /// Wednesday 2027-01-20, six days after `storeNow`.
    static let day = LocalDate(year: 2027, month: 1, day: 20)
    static let zone = Zone("Europe/Belgrade")!

    /// An instant on the blocked day, venue-local.
    static func at(_ hour: Int, _ minute: Int = 0) -> Int64 { zone.instant(day, minute: hour * 60 + minute) }

    static let wholeDay = ClosureRequest(from: "2027-01-20", reason: "Heating repair")

    @Test func addListRemoveAndPersist() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString).sqlite").path
        let store = try makeStore(try AppDatabase.open(path: path))
        let added = try await store.addClosure(
            ClosureRequest(from: "2027-01-20", to: "2027-01-21", startTime: "14:00", endTime: "12:00", reason: "Fair"),
            venue: "kino", by: Self.manager, now: storeNow)
        #expect(added.cancelled.isEmpty)
        #expect(added.closure.createdBy == "m1")
        #expect(added.closure.createdByOrganisation == "secretariat")

        // A new process on the same file sees it.
        let reopened = try makeStore(try AppDatabase.open(path: path))
        let listed = try await reopened.closures(venue: "kino")
        #expect(listed.map(\.id) == [added.closure.id])
        #expect(
            listed.first?.closure
                == Closure(
                    from: Self.day, to: LocalDate(year: 2027, month: 1, day: 21), reason: "Fair", startMinute: 840,
                    endMinute: 720))
        #expect(try await reopened.closures(venue: "other").isEmpty)

        try await reopened.removeClosure(added.closure.id, venue: "kino", by: Self.manager, now: storeNow + 60)
        #expect(try await reopened.closures(venue: "kino").isEmpty)
        let actions = try await reopened.audit().map(\.action)
        #expect(actions == ["closure-removed", "closure-added"])
        await #expect(throws: BookingError.self) {
            try await reopened.removeClosure(added.closure.id, venue: "kino", by: Self.manager, now: storeNow)
        }
    }

    @Test("a booking on a blocked date is refused with the closure as the reason, also by another store on the file")
    func bookingRefusedOnBlockedDate() async throws {
        let database = try AppDatabase.inMemory()
        let managerDesk = try makeStore(database)
        let api = try makeStore(database)
        _ = try await managerDesk.addClosure(Self.wholeDay, venue: "kino", by: Self.manager, now: storeNow)
        do {
            _ = try await api.create(draft(start: Self.at(10)), by: member, now: storeNow)
            Issue.record("the booking was accepted")
        } catch BookingError.refused(let refusal) {
            #expect(refusal.primary == .closed(reason: "Heating repair"))
            // Alternatives never fall on the blocked day.
            #expect(!refusal.alternatives.slots.isEmpty)
            #expect(refusal.alternatives.slots.allSatisfy { $0.start >= Self.at(24) || $0.end <= Self.at(0) })
        }
        // The day after is bookable.
        let next = try await api.create(draft(start: Self.at(24 + 10)), by: member, now: storeNow)
        #expect(next.booking.status == .confirmed)
    }

    @Test func blockingBookedTimeIsRefusedAndChangesNothing() async throws {
        let store = try makeStore()
        let booked = try await store.create(draft(start: Self.at(18)), by: member, now: storeNow).booking
        do {
            _ = try await store.addClosure(Self.wholeDay, venue: "kino", by: Self.manager, now: storeNow)
            Issue.record("the closure was added over a booking")
        } catch ClosureError.bookingsInTheWay(let occurrences) {
            #expect(occurrences.map(\.bookingID) == [booked.id])
        }
        #expect(try await store.closures(venue: "kino").isEmpty)
        #expect(try await store.booking(booked.id)?.status == .confirmed)
        #expect(!(try await store.audit().contains { $0.action == "closure-added" }))
    }

    @Test("blocking with cancel_bookings cancels only the occurrences in the way, with the closure as reason")
    func blockingCancelsWhenAsked() async throws {
        let store = try makeStore()
        let single = try await store.create(draft(start: Self.at(18)), by: member, now: storeNow).booking
        var daily = draft(start: Self.zone.instant(LocalDate(year: 2027, month: 1, day: 19), minute: 9 * 60))
        daily.recurrence = "FREQ=DAILY;COUNT=3"
        let series = try await store.create(daily, by: member, now: storeNow).booking
        var request = Self.wholeDay
        request.cancelBookings = true
        let added = try await store.addClosure(request, venue: "kino", by: Self.manager, now: storeNow)
        #expect(Set(added.cancelled.map(\.bookingID)) == [single.id, series.id])

        #expect(try await store.booking(single.id)?.status == .cancelled)
        let after = try #require(try await store.booking(series.id))
        #expect(after.status == .confirmed)
        #expect(after.occurrences.filter(\.cancelled).map(\.interval.start) == [Self.at(9)])
        let reasons = try await store.audit().filter { $0.action == "occurrence-cancelled" }.map(\.reason)
        #expect(reasons == ["venue closed: Heating repair", "venue closed: Heating repair"])
    }

    @Test("reports count runtime closures as closed time (not available hours)")
    func reportsLeaveOutBlockedTime() async throws {
        let store = try makeStore()
        let reader = ReportReader(
            database: store.database, catalogue: storeCatalogue,
            usage: UsageTimelines(sensors: [], database: store.database))
        let range = try ReportRange(from: Self.day, to: Self.day.adding(days: 1))
        let before = try await reader.input(spaces: storeCatalogue.spaces, range: range, now: storeNow)
        #expect(before.spaces.allSatisfy { $0.venue.closures.isEmpty })
        _ = try await store.addClosure(Self.wholeDay, venue: "kino", by: Self.manager, now: storeNow)
        let after = try await reader.input(spaces: storeCatalogue.spaces, range: range, now: storeNow)
        #expect(after.spaces.map { $0.venue.closures.map(\.reason) } == [["Heating repair"], ["Heating repair"]])
    }

    @Test func onlyManagersOfTheVenueMayBlockOrRemove() async throws {
        let store = try makeStore()
        for caller in [member, Self.otherManager, Caller(tokenID: "v", organisation: "anibar", role: .viewer)] {
            await #expect(throws: BookingError.self) {
                try await store.addClosure(Self.wholeDay, venue: "kino", by: caller, now: storeNow)
            }
        }
        let admin = Caller(tokenID: "a", organisation: "secretariat", role: .admin)
        let added = try await store.addClosure(Self.wholeDay, venue: "kino", by: admin, now: storeNow)
        await #expect(throws: BookingError.self) {
            try await store.removeClosure(added.closure.id, venue: "kino", by: member, now: storeNow)
        }
        #expect(try await store.closures(venue: "kino").count == 1)
    }
}
