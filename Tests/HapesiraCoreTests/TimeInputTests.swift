import HapesiraCore
import Testing

@Suite("TimeInput")
struct TimeInputTests {
    enum Expected: Sendable, Equatable {
        case instant(Int64)
        case error(TimeInputError)
    }

    struct ParseCase: Sendable, CustomTestStringConvertible {
        var text: String
        var expected: Expected
        var testDescription: String { text }
        init(_ text: String, _ expected: Expected) {
            self.text = text
            self.expected = expected
        }
    }

    static let may14at16Z: Int64 = 1_778_774_400  // 2026-05-14T16:00:00Z, from Python

    static let parseCases: [ParseCase] = [
        // Offsets and Z.
        ParseCase("2026-05-14T18:00:00+02:00", .instant(may14at16Z)),
        ParseCase("2026-05-14T16:00:00Z", .instant(may14at16Z)),
        ParseCase("2026-05-14T16:00:00z", .instant(may14at16Z)),
        ParseCase("2026-05-14t16:00:00Z", .instant(may14at16Z)),
        ParseCase("2026-05-14 16:00:00Z", .instant(may14at16Z)),
        ParseCase("2026-05-14T16:00:00+00:00", .instant(may14at16Z)),
        ParseCase("2026-05-14T16:00:00-00:00", .instant(may14at16Z)),
        ParseCase("2026-05-14T12:00:00-04:00", .instant(may14at16Z)),
        ParseCase("2026-05-14T21:30:00+05:30", .instant(may14at16Z)),
        ParseCase("2026-05-14T18:00+02:00", .instant(may14at16Z)),
        ParseCase("2026-05-14T18:00:07+02:00", .instant(may14at16Z + 7)),
        ParseCase("2026-05-15T01:59:00+23:59", .instant(Fixture.utc(2026, 5, 14, 2))),
        // Fractional seconds: zeros only.
        ParseCase("2026-05-14T16:00:00.0Z", .instant(may14at16Z)),
        ParseCase("2026-05-14T16:00:00.000000+00:00", .instant(may14at16Z)),
        ParseCase("2026-05-14T16:00:00.5Z", .error(.malformed("2026-05-14T16:00:00.5Z"))),
        ParseCase("2026-05-14T16:00:00.001Z", .error(.malformed("2026-05-14T16:00:00.001Z"))),
        ParseCase("2026-05-14T16:00:00.Z", .error(.malformed("2026-05-14T16:00:00.Z"))),
        // A zone in brackets (RFC 9557).
        ParseCase("2026-05-14T18:00[Europe/Belgrade]", .instant(may14at16Z)),
        ParseCase("2026-05-14T18:00:00[Europe/Belgrade]", .instant(may14at16Z)),
        ParseCase("2026-01-14T18:00:00[Europe/Belgrade]", .instant(Fixture.utc(2026, 1, 14, 17))),
        ParseCase("2026-05-14T16:00:00[UTC]", .instant(may14at16Z)),
        ParseCase("2026-05-14T18:00:00[Europe/Nowhere]", .error(.unknownZone("Europe/Nowhere"))),
        ParseCase("2026-05-14T18:00:00[Belgrade]", .error(.unknownZone("Belgrade"))),
        ParseCase("2026-05-14T18:00:00[]", .error(.unknownZone(""))),
        // Offset and zone together: they must agree.
        ParseCase("2026-05-14T18:00:00+02:00[Europe/Belgrade]", .instant(may14at16Z)),
        ParseCase("2026-05-14T16:00:00Z[UTC]", .instant(may14at16Z)),
        ParseCase(
            "2026-05-14T18:00:00+01:00[Europe/Belgrade]",
            .error(.offsetDisagreesWithZone("2026-05-14T18:00:00+01:00[Europe/Belgrade]"))),
        ParseCase(
            "2026-05-14T16:00:00Z[Europe/Belgrade]",
            .error(.offsetDisagreesWithZone("2026-05-14T16:00:00Z[Europe/Belgrade]"))),
        // Missing offset.
        ParseCase("2026-05-14T18:00:00", .error(.missingOffset("2026-05-14T18:00:00"))),
        ParseCase("2026-05-14T18:00", .error(.missingOffset("2026-05-14T18:00"))),
        // Daylight-saving changes in Belgrade.
        ParseCase(
            "2026-03-29T02:30[Europe/Belgrade]",
            .error(
                .nonexistentLocalTime(
                    LocalDateTime(year: 2026, month: 3, day: 29, hour: 2, minute: 30), zone: "Europe/Belgrade"))),
        ParseCase(
            "2026-10-25T02:30[Europe/Belgrade]",
            .error(
                .ambiguousLocalTime(
                    LocalDateTime(year: 2026, month: 10, day: 25, hour: 2, minute: 30), zone: "Europe/Belgrade"))),
        ParseCase("2026-10-25T02:30+02:00[Europe/Belgrade]", .instant(Fixture.utc(2026, 10, 25, 0, 30))),
        ParseCase("2026-10-25T02:30+01:00[Europe/Belgrade]", .instant(Fixture.utc(2026, 10, 25, 1, 30))),
        ParseCase(
            "2026-03-29T02:30+01:00[Europe/Belgrade]",
            .error(.offsetDisagreesWithZone("2026-03-29T02:30+01:00[Europe/Belgrade]"))),
        ParseCase("2026-03-29T03:00[Europe/Belgrade]", .instant(Fixture.utc(2026, 3, 29, 1))),
        // Malformed.
        ParseCase("", .error(.malformed(""))),
        ParseCase("tomorrow at six", .error(.malformed("tomorrow at six"))),
        ParseCase("2026-05-14", .error(.malformed("2026-05-14"))),
        ParseCase("2026-05-14T18", .error(.malformed("2026-05-14T18"))),
        ParseCase("2026/05/14T18:00:00Z", .error(.malformed("2026/05/14T18:00:00Z"))),
        ParseCase("2026-5-14T18:00:00Z", .error(.malformed("2026-5-14T18:00:00Z"))),
        ParseCase("2026-05-14X18:00:00Z", .error(.malformed("2026-05-14X18:00:00Z"))),
        ParseCase("2026-13-14T18:00:00Z", .error(.malformed("2026-13-14T18:00:00Z"))),
        ParseCase("2026-02-29T18:00:00Z", .error(.malformed("2026-02-29T18:00:00Z"))),
        ParseCase("2026-05-14T24:00:00Z", .error(.malformed("2026-05-14T24:00:00Z"))),
        ParseCase("2026-05-14T18:60:00Z", .error(.malformed("2026-05-14T18:60:00Z"))),
        ParseCase("2026-05-14T18:00:60Z", .error(.malformed("2026-05-14T18:00:60Z"))),
        ParseCase("2026-05-14T18:00:0Z", .error(.malformed("2026-05-14T18:00:0Z"))),
        ParseCase("2026-05-14T18:00:00+0200", .error(.malformed("2026-05-14T18:00:00+0200"))),
        ParseCase("2026-05-14T18:00:00+02", .error(.malformed("2026-05-14T18:00:00+02"))),
        ParseCase("2026-05-14T18:00:00+24:00", .error(.malformed("2026-05-14T18:00:00+24:00"))),
        ParseCase("2026-05-14T18:00:00+02:60", .error(.malformed("2026-05-14T18:00:00+02:60"))),
        ParseCase("2026-05-14T18:00:00+-1:00", .error(.malformed("2026-05-14T18:00:00+-1:00"))),
        ParseCase("2026-05-14T18:00:00++2:00", .error(.malformed("2026-05-14T18:00:00++2:00"))),
        ParseCase("2026-05-14T18:00:00+02:-5", .error(.malformed("2026-05-14T18:00:00+02:-5"))),
        ParseCase("2026-05-14T18:00:00 +02:00", .error(.malformed("2026-05-14T18:00:00 +02:00"))),
        ParseCase("2026-05-14T18:00:00ZZ", .error(.malformed("2026-05-14T18:00:00ZZ"))),
        ParseCase("2026-05-14T18:00:00Z[Europe/Belgrade", .error(.malformed("2026-05-14T18:00:00Z[Europe/Belgrade"))),
        ParseCase("[Europe/Belgrade]", .error(.malformed("[Europe/Belgrade]"))),
    ]

    @Test("parse", arguments: parseCases)
    func parse(_ c: ParseCase) {
        let actual: Expected
        do {
            actual = .instant(try TimeInput.parse(c.text))
        } catch {
            actual = .error(error)
        }
        #expect(actual == c.expected)
    }

    @Test(
        "format writes the zone's local time and offset",
        arguments: [
            (may14at16Z, "Europe/Belgrade", "2026-05-14T18:00:00+02:00"),
            (Fixture.utc(2026, 1, 14, 17), "Europe/Belgrade", "2026-01-14T18:00:00+01:00"),
            (may14at16Z, "UTC", "2026-05-14T16:00:00Z"),
            (may14at16Z, "America/New_York", "2026-05-14T12:00:00-04:00"),
            (may14at16Z, "Asia/Kolkata", "2026-05-14T21:30:00+05:30"),
            (Fixture.utc(2026, 10, 25, 0, 30), "Europe/Belgrade", "2026-10-25T02:30:00+02:00"),
            (Fixture.utc(2026, 10, 25, 1, 30), "Europe/Belgrade", "2026-10-25T02:30:00+01:00"),
            (Fixture.utc(2026, 12, 31, 23, 0, 5), "Europe/Belgrade", "2027-01-01T00:00:05+01:00"),
        ])
    func format(_ instant: Int64, _ zone: String, _ text: String) throws {
        let zone = try #require(Zone(zone))
        #expect(TimeInput.format(instant, in: zone) == text)
        #expect(try TimeInput.parse(text) == instant)
    }

    @Test("format then parse is the identity, also with the zone appended")
    func roundTrip() throws {
        let zones = ["Europe/Belgrade", "UTC", "America/New_York", "Australia/Lord_Howe"].compactMap { Zone($0) }
        #expect(zones.count == 4)
        var instant = Fixture.utc(2025, 12, 1)
        while instant < Fixture.utc(2027, 1, 1) {
            for zone in zones {
                let text = TimeInput.format(instant, in: zone)
                #expect(try TimeInput.parse(text) == instant)
                #expect(try TimeInput.parse("\(text)[\(zone.identifier)]") == instant)
            }
            instant += 86_400 / 4 + 17 * 60
        }
    }

    @Test func errorsExplainThemselves() {
        #expect(TimeInputError.missingOffset("x").description.contains("no UTC offset"))
        #expect(
            TimeInputError.nonexistentLocalTime(
                LocalDateTime(year: 2026, month: 3, day: 29, hour: 2, minute: 30), zone: "Europe/Belgrade"
            ).description.contains("2026-03-29T02:30:00 does not exist in Europe/Belgrade"))
    }
}
