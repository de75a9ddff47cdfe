import ArgumentParser
import Foundation
import HapesiraConfig
import HapesiraCore
import HapesiraSensors
import HapesiraStore

/// Fills an empty database with past weeks of demo bookings and the sensor readings of the visits,
/// so a newcomer's `/reports` and `/api/v1/usage` have something to show.
struct SeedDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-demo",
        abstract: "Fill an empty database with past demo bookings and sensor readings (for the demo).")

    @OptionGroup var store: StoreOptions
    @Option(help: "How many past days to fill.")
    var days: Int = 60

    func run() async throws {
        guard (1...366).contains(days) else { throw ValidationError("--days must be 1…366") }
        let (configuration, store) = try self.store.open()
        guard try await store.bookings(BookingFilter(limit: 1)).isEmpty else {
            throw ValidationError("the database already has bookings; seed-demo fills an empty one")
        }
        let now = Int64(Date().timeIntervalSince1970)
        let history = DemoHistory(configuration: configuration, store: store, now: now, days: days)
        let (bookings, readings) = try await history.write()
        let usage = UsageTimelines(sensors: configuration.sensors, database: store.database)
        try await usage.rebuild(since: history.start, now: now)
        print("seeded \(bookings) bookings and \(readings) sensor readings over the last \(days) days")
    }
}

/// The demo's past: per space and day a few bookings (10:00, 14:00, 18:00), mostly attended —
/// door, motion and people-counter traffic as `hapesira simulate` sends it — some no-shows, some
/// informal use at noon, and the counters' quarter-hourly uplinks.
struct DemoHistory {
    let configuration: DaemonConfiguration
    let store: BookingStore
    let now: Int64
    let days: Int
    private let zone: Zone
    let start: Int64

    init(configuration: DaemonConfiguration, store: BookingStore, now: Int64, days: Int) {
        self.configuration = configuration
        self.store = store
        self.now = now
        self.days = days
        zone = configuration.catalogue.venues.first?.zone ?? .utc
        let today = LocalDate(daysSinceEpoch: (now + zone.offset(at: now)).floorDivided(by: 86_400))
        start = zone.startOfDay(today.adding(days: -days))
    }

    func write() async throws -> (bookings: Int, readings: Int) {
        let catalogue = configuration.catalogue
        let journal = SensorJournal(database: store.database)
        let admin = Caller(tokenID: "demo-seed", organisation: "network-secretariat", role: .admin)
        let members = catalogue.organisations.filter { $0.kind == "member" }.map(\.id)
        let categories = [
            "screening", "screening", "workshop", "workshop", "rehearsal", "public-event", "board-meeting",
        ]
        var random = SystemRandomNumberGenerator()
        var bookings = 0
        var visits: [(space: String, start: Int64, minutes: Int)] = []
        let firstDay = LocalDate(daysSinceEpoch: (start + zone.offset(at: start)).floorDivided(by: 86_400))
        for offset in 0..<days {
            let date = firstDay.adding(days: offset)
            for space in catalogue.spaces {
                for hour in [10, 14, 18] where Double.random(in: 0..<1, using: &random) < 0.4 {
                    let begin = zone.resolvedInstant(
                        for: LocalDateTime(year: date.year, month: date.month, day: date.day, hour: hour))
                    let minutes = [90, 120, 150, 180].randomElement(using: &random)!
                    // Once a month each city's network assembly, in its largest room.
                    let assembly = date.day == 15 && hour == 18
                    let draft = BookingDraft(
                        space: space.id,
                        organisation: assembly ? "network-secretariat" : members.randomElement(using: &random)!,
                        title: assembly ? "Network assembly" : "Demo programme",
                        category: assembly ? "assembly" : categories.randomElement(using: &random)!, start: begin,
                        end: begin + Int64(minutes) * 60,
                        visibility: Double.random(in: 0..<1, using: &random) < 0.1 ? .private : .public)
                    // Booked two days ahead, so notice and horizon hold; refusals (hours, quotas) are skipped.
                    guard (try? await store.create(draft, by: admin, now: begin - 2 * 86_400)) != nil else { continue }
                    bookings += 1
                    if Double.random(in: 0..<1, using: &random) < 0.85 {
                        visits.append((space.id, begin + 300, minutes - 15))
                    }
                }
                if Int.random(in: 0..<8, using: &random) == 0 {
                    let noon = zone.resolvedInstant(
                        for: LocalDateTime(year: date.year, month: date.month, day: date.day, hour: 12))
                    visits.append((space.id, noon, 40))
                }
            }
        }
        return (bookings, try record(visits, journal: journal))
    }

    /// The visits' sensor traffic, plus each counter's uplink every 15 minutes, journaled in time order.
    private func record(_ visits: [(space: String, start: Int64, minutes: Int)], journal: SensorJournal) throws -> Int {
        let bySpace = Dictionary(grouping: configuration.sensors, by: \.space)
        var readings: [(time: Int64, binding: SensorBinding, value: SensorValue, verdict: ObservationVerdict)] = []
        var totals: [String: (entered: Int, exited: Int)] = [:]
        var random = SystemRandomNumberGenerator()
        // A counter reports running totals: visits to one space must not overlap, or the totals would
        // be sent out of order (and read as a reset).
        var busyUntil: [String: Int64] = [:]
        for visit in visits.sorted(by: { $0.start < $1.start }) {
            guard let sensors = bySpace[visit.space], visit.start > busyUntil[visit.space] ?? .min else { continue }
            busyUntil[visit.space] = visit.start + Int64(visit.minutes + 5) * 60
            let people = Int.random(in: 5...60, using: &random)
            let before = totals[visit.space] ?? (0, 0)
            for step in SensorTraffic.visit(of: sensors, people: people, minutes: visit.minutes, totals: before) {
                readings.append((visit.start + Int64(step.offset), step.binding, step.value, .event))
            }
            totals[visit.space] = (before.entered + people, before.exited + people)
        }
        // Counters report their running totals every quarter hour, visit or not.
        for counter in configuration.sensors where counter.kind == .counter {
            var own = readings.filter { $0.binding.id == counter.id }
            var last = PeopleCount(entered: 0, exited: 0, cumulative: true)
            var index = 0
            for time in stride(from: start, to: now - 60, by: 900) {
                while index < own.count, own[index].time <= time {
                    if case .count(let count) = own[index].value { last = count }
                    index += 1
                }
                own.append((time, counter, .count(last), .repeat))
            }
            readings.removeAll { $0.binding.id == counter.id }
            readings += own
        }
        readings.sort { $0.time < $1.time }
        for reading in readings where reading.time < now {
            try journal.record(
                SensorObservation(sensor: reading.binding.id, value: reading.value, battery: 90),
                verdict: reading.verdict,
                space: reading.binding.space, topic: reading.binding.topic.subscriptionFilter, receivedAt: reading.time)
        }
        return readings.filter { $0.time < now }.count
    }
}
