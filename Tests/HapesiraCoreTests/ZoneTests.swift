import Foundation
import HapesiraCore
import Testing

@Suite("Zone")
struct ZoneTests {
    let belgrade = Fixture.belgrade

    @Test(
        "known and unknown identifiers",
        arguments: [
            ("Europe/Belgrade", true), ("UTC", true), ("America/New_York", true), ("Asia/Kolkata", true),
            ("Europe/Nowhere", false), ("Mars/Olympus_Mons", false), ("Belgrade", false), ("", false),
            ("CET", false),
        ])
    func identifiers(_ name: String, _ known: Bool) {
        #expect((Zone(name) != nil) == known)
        #expect(Zone(name)?.identifier == (known ? name : nil))
    }

    @Test func equalityIsByIdentifier() {
        #expect(Zone("Europe/Belgrade") == belgrade)
        #expect(Zone("Europe/Zagreb") != belgrade)
        #expect(Zone.utc.identifier == "UTC")
        #expect(Set([belgrade, Zone("Europe/Belgrade")!, .utc]).count == 2)
    }

    @Test(
        "Belgrade offsets around the 2026 transitions (01:00Z both times)",
        arguments: [
            (Fixture.utc(2026, 1, 15, 12), Int64(3600)),
            (Fixture.utc(2026, 7, 15, 12), 7200),
            (Fixture.utc(2026, 3, 29, 0, 59, 59), 3600),
            (Fixture.utc(2026, 3, 29, 1), 7200),
            (Fixture.utc(2026, 10, 25, 0, 59, 59), 7200),
            (Fixture.utc(2026, 10, 25, 1), 3600),
        ] as [(Int64, Int64)])
    func offsets(_ instant: Int64, _ offset: Int64) {
        #expect(belgrade.offset(at: instant) == offset)
        #expect(Zone.utc.offset(at: instant) == 0)
    }

    @Test func localWallClock() {
        #expect(
            belgrade.local(utc(2026, 3, 29, 0, 59, 59))
                == LocalDateTime(year: 2026, month: 3, day: 29, hour: 1, minute: 59, second: 59))
        #expect(belgrade.local(utc(2026, 3, 29, 1)) == LocalDateTime(year: 2026, month: 3, day: 29, hour: 3))
        #expect(
            belgrade.local(utc(2026, 10, 25, 0, 30))
                == LocalDateTime(year: 2026, month: 10, day: 25, hour: 2, minute: 30))
        #expect(
            belgrade.local(utc(2026, 10, 25, 1, 30))
                == LocalDateTime(year: 2026, month: 10, day: 25, hour: 2, minute: 30))
        #expect(
            belgrade.local(utc(2026, 12, 31, 23, 30))
                == LocalDateTime(year: 2027, month: 1, day: 1, hour: 0, minute: 30))
        #expect(
            Zone("America/New_York")!.local(utc(2026, 5, 14, 3))
                == LocalDateTime(year: 2026, month: 5, day: 13, hour: 23))
    }

    struct InstantsCase: Sendable, CustomTestStringConvertible {
        var local: LocalDateTime
        var instants: [Int64]
        var resolved: Int64
        var testDescription: String { local.description }
    }

    @Test(
        "instants(for:) has none in the spring-forward gap and two in the fall-back overlap",
        arguments: [
            // Spring forward: 02:00–02:59:59 does not exist on 2026-03-29; a gap time is read with the old offset.
            InstantsCase(
                local: LocalDateTime(year: 2026, month: 3, day: 29, hour: 2, minute: 30), instants: [],
                resolved: Fixture.utc(2026, 3, 29, 1, 30)),
            InstantsCase(
                local: LocalDateTime(year: 2026, month: 3, day: 29, hour: 2), instants: [],
                resolved: Fixture.utc(2026, 3, 29, 1)),
            InstantsCase(
                local: LocalDateTime(year: 2026, month: 3, day: 29, hour: 1, minute: 59, second: 59),
                instants: [Fixture.utc(2026, 3, 29, 0, 59, 59)], resolved: Fixture.utc(2026, 3, 29, 0, 59, 59)),
            InstantsCase(
                local: LocalDateTime(year: 2026, month: 3, day: 29, hour: 3), instants: [Fixture.utc(2026, 3, 29, 1)],
                resolved: Fixture.utc(2026, 3, 29, 1)),
            // Fall back: 02:00–02:59:59 happens twice on 2026-10-25; the earlier one wins.
            InstantsCase(
                local: LocalDateTime(year: 2026, month: 10, day: 25, hour: 2, minute: 30),
                instants: [Fixture.utc(2026, 10, 25, 0, 30), Fixture.utc(2026, 10, 25, 1, 30)],
                resolved: Fixture.utc(2026, 10, 25, 0, 30)),
            InstantsCase(
                local: LocalDateTime(year: 2026, month: 10, day: 25, hour: 2),
                instants: [Fixture.utc(2026, 10, 25, 0), Fixture.utc(2026, 10, 25, 1)],
                resolved: Fixture.utc(2026, 10, 25, 0)),
            InstantsCase(
                local: LocalDateTime(year: 2026, month: 10, day: 25, hour: 3), instants: [Fixture.utc(2026, 10, 25, 2)],
                resolved: Fixture.utc(2026, 10, 25, 2)),
            InstantsCase(
                local: LocalDateTime(year: 2026, month: 10, day: 25, hour: 1, minute: 59, second: 59),
                instants: [Fixture.utc(2026, 10, 24, 23, 59, 59)], resolved: Fixture.utc(2026, 10, 24, 23, 59, 59)),
            InstantsCase(
                local: LocalDateTime(year: 2026, month: 5, day: 14, hour: 18), instants: [Fixture.utc(2026, 5, 14, 16)],
                resolved: Fixture.utc(2026, 5, 14, 16)),
            InstantsCase(
                local: LocalDateTime(year: 2026, month: 1, day: 14, hour: 18), instants: [Fixture.utc(2026, 1, 14, 17)],
                resolved: Fixture.utc(2026, 1, 14, 17)),
        ])
    func instants(_ c: InstantsCase) {
        #expect(belgrade.instants(for: c.local) == c.instants)
        #expect(belgrade.resolvedInstant(for: c.local) == c.resolved)
        for instant in c.instants { #expect(belgrade.local(instant) == c.local) }
    }

    @Test func startOfDay() {
        #expect(belgrade.startOfDay(LocalDate(year: 2026, month: 3, day: 29)) == utc(2026, 3, 28, 23))
        #expect(belgrade.startOfDay(LocalDate(year: 2026, month: 3, day: 30)) == utc(2026, 3, 29, 22))
        #expect(belgrade.startOfDay(LocalDate(year: 2026, month: 10, day: 25)) == utc(2026, 10, 24, 22))
        #expect(Zone.utc.startOfDay(LocalDate(year: 2026, month: 10, day: 25)) == utc(2026, 10, 25))
        // The spring-forward day is 23 hours long, the fall-back day 25.
        let spring =
            belgrade.startOfDay(LocalDate(year: 2026, month: 3, day: 30))
            - belgrade.startOfDay(LocalDate(year: 2026, month: 3, day: 29))
        let fall =
            belgrade.startOfDay(LocalDate(year: 2026, month: 10, day: 26))
            - belgrade.startOfDay(LocalDate(year: 2026, month: 10, day: 25))
        #expect(spring == 23 * 3600)
        #expect(fall == 25 * 3600)
    }

    @Test(
        "the offset table agrees with tzdata every 30 minutes from 2019 to 2031, and outside its range",
        arguments: [
            "Europe/Belgrade", "America/Santiago", "Australia/Lord_Howe", "Asia/Tehran", "Africa/Casablanca",
            "Pacific/Apia", "UTC",
        ])
    func tableAgreesWithTzdata(_ name: String) throws {
        let zone = try #require(Zone(name))
        let timeZone = try #require(TimeZone(identifier: name))
        func expected(_ instant: Int64) -> Int64 {
            Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
        }
        var mismatches: [Int64] = []
        for instant in stride(from: utc(2019, 1, 1), to: utc(2031, 1, 1), by: 1800)
        where zone.offset(at: instant) != expected(instant) {
            mismatches.append(instant)
        }
        #expect(mismatches.isEmpty, "\(name): \(mismatches.prefix(5))")
        for instant in [utc(1950, 6, 1), utc(2150, 6, 1), utc(1970, 1, 1), utc(2099, 12, 31, 23)] {
            #expect(zone.offset(at: instant) == expected(instant), "\(name) at \(instant)")
        }
    }

    @Test("every hour of 2026 maps back to itself through local and instants(for:)")
    func hourlyRoundTrip() {
        var instant = utc(2026, 1, 1)
        let end = utc(2027, 1, 1)
        while instant < end {
            let local = belgrade.local(instant)
            #expect(belgrade.instants(for: local).contains(instant))
            instant += 3600
        }
    }
}

extension ZoneTests {
    func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Int64 {
        Fixture.utc(year, month, day, hour, minute, second)
    }
}
