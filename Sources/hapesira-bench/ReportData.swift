import Foundation
import GRDB
import HapesiraCore
import HapesiraStore

/// The report benchmark's data set (issue 5): 100 spaces in 10 venues of the three cities, a year
/// of bookings (100,000 occurrences) and of motion-sensor readings (about 5,000,000), with the
/// derived usage stored as `serve` stores it.
enum ReportData {
    static let year = 2025
    static let spacesPerVenue = 10
    static let venueCount = 10
    static let cities = ["peja", "prizren", "mitrovica"]
    static let organisations = (1...12).map { String(format: "org-%02d", $0) }
    static let categories = ["screening", "workshop", "assembly", "board-meeting", "rehearsal", "public-event"]
    static let zone = Zone("Europe/Belgrade")!

    /// The benchmark's catalogue: venues open 08:00–23:00 every day, closed on New Year's Day.
    static let catalogue: Catalogue = {
        var venues: [Venue] = []
        var spaces: [Space] = []
        for venueIndex in 0..<venueCount {
            let venue = String(format: "venue-%02d", venueIndex + 1)
            let hours = OpeningHours(
                days: Dictionary(
                    uniqueKeysWithValues: (1...7).map { ($0, [OpeningHours.Range(start: 8 * 60, end: 23 * 60)]) }))
            let newYear = LocalDate(year: year, month: 1, day: 1)
            venues.append(
                Venue(
                    id: venue, name: venue, city: cities[venueIndex % cities.count], zone: zone, openingHours: hours,
                    closures: [Closure(from: newYear, to: newYear, reason: "New Year")]))
            for spaceIndex in 0..<spacesPerVenue {
                spaces.append(
                    Space(
                        id: String(format: "space-%03d", venueIndex * spacesPerVenue + spaceIndex + 1), name: "Space",
                        venue: venue, kind: "hall", capacity: 40 + 20 * spaceIndex))
            }
        }
        return Catalogue(
            cities: cities.map { City(id: $0, name: $0) }, venues: venues, spaces: spaces,
            organisations: organisations.map { Organisation(id: $0, name: $0, kind: "member") }, categories: categories)
    }()

    /// One motion sensor per space.
    static let sensors: [SensorBinding] = catalogue.spaces.map { space in
        SensorBinding(
            id: "\(space.id)-motion", space: space.id, kind: .motion,
            topic: try! TopicPattern("bench/\(space.id)/motion"),
            decoder: SensorDecoder(preset: .zigbee2mqtt),
            settings: SensorSettings(id: "\(space.id)-motion", kind: .motion, hold: 90))
    }

    /// The year, as an interval of instants.
    static var range: Interval {
        Interval(
            start: zone.startOfDay(LocalDate(year: year, month: 1, day: 1)),
            end: zone.startOfDay(LocalDate(year: year + 1, month: 1, day: 1)))
    }

    /// Fills an empty database: per space and day up to three bookings (10:00, 14:00, 18:00 local,
    /// 90–150 minutes), 100,000 in all; 85 % attended (a detection every `detectionEvery` seconds
    /// while people are in), some informal use outside bookings, and a "clear" report every two hours.
    /// Returns the number of occurrences and readings.
    static func seed(_ database: AppDatabase, occurrences target: Int, detectionEvery: Int64) throws -> (Int, Int) {
        var random = SplitMix64(seed: 5)
        let days = 365
        let slotsPerSpace = days * 3
        let keep = Double(target) / Double(catalogue.spaces.count * slotsPerSpace)
        var occurrences = 0
        var readings = 0
        let now = range.end
        for space in catalogue.spaces {
            try database.writer.write { db in
                let booking = try db.cachedStatement(
                    sql: """
                        INSERT INTO booking (space_id, organisation_id, title, category, visibility, status, start_at,
                            end_at, series_policy, wait_if_busy, sequence, skipped, created_at, updated_at, created_by)
                        VALUES (?, ?, 'Seeded', ?, ?, ?, ?, ?, 'all-or-nothing', 0, 0, '[]', ?, ?, 'bench')
                        """)
                let occurrence = try db.cachedStatement(
                    sql: """
                        INSERT INTO occurrence (booking_id, space_id, organisation_id, start_at, end_at, block_start,
                            block_end, cancelled, active)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                let reading = try db.cachedStatement(
                    sql: """
                        INSERT INTO sensor_reading (sensor_id, space_id, topic, received_at, verdict, value)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """)
                let sensor = "\(space.id)-motion"
                let topic = "bench/\(space.id)/motion"
                var times: [(Int64, Bool)] = []
                for day in 0..<days {
                    let date = LocalDate(year: year, month: 1, day: 1).adding(days: day)
                    for hour in [10, 14, 18] {
                        guard Double.random(in: 0..<1, using: &random) < keep else { continue }
                        let start = zone.resolvedInstant(
                            for: LocalDateTime(year: date.year, month: date.month, day: date.day, hour: hour))
                        let end = start + Int64(90 + 15 * Int.random(in: 0...4, using: &random)) * 60
                        let organisation = organisations.randomElement(using: &random)!
                        let cancelled = Double.random(in: 0..<1, using: &random) < 0.03
                        try booking.execute(arguments: [
                            space.id, organisation, categories.randomElement(using: &random)!,
                            Double.random(in: 0..<1, using: &random) < 0.05 ? "private" : "public",
                            cancelled ? "cancelled" : "confirmed", start, end, now, now,
                        ])
                        try occurrence.execute(arguments: [
                            db.lastInsertedRowID, space.id, organisation, start, end, start, end, cancelled, !cancelled,
                        ])
                        occurrences += 1
                        if !cancelled && Double.random(in: 0..<1, using: &random) < 0.85 {
                            var time = start + 300
                            while time < end - 600 {
                                times.append((time, true))
                                time += detectionEvery
                            }
                        }
                    }
                    // Informal use: an hour in the afternoon, one day in ten.
                    if Int.random(in: 0..<10, using: &random) == 0 {
                        let start = zone.resolvedInstant(
                            for: LocalDateTime(year: date.year, month: date.month, day: date.day, hour: 12))
                        for step in 0..<(3600 / detectionEvery) { times.append((start + step * detectionEvery, true)) }
                    }
                }
                for time in stride(from: range.start, to: range.end, by: 7200) { times.append((time + 1, false)) }
                times.sort { $0.0 < $1.0 }
                for (time, detected) in times {
                    try reading.execute(arguments: [
                        sensor, space.id, topic, time, detected ? "event" : "repeat",
                        detected ? "motion:1" : "motion:0",
                    ])
                }
                readings += times.count
            }
        }
        return (occurrences, readings)
    }
}
