import Foundation
import HapesiraConfig
import HapesiraCore
import Testing

@Suite("ConfigLoader")
struct ConfigLoaderTests {
    static let demoPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/demo.yaml").path

    @Test("the documented example configuration loads")
    func example() throws {
        let path = URL(fileURLWithPath: Self.demoPath).deletingLastPathComponent()
            .appendingPathComponent("hapesira.example.yaml").path
        let configuration = try ConfigLoader.load(path: path)
        #expect(configuration.catalogue.spaces.map(\.id) == ["kino-main-hall", "kino-foyer"])
        #expect(configuration.catalogue.venue("kino-jusuf-gervalla")?.closures.count == 2)
    }

    @Test("feed settings and venue languages are checked")
    func feedSettings() {
        let text = """
            feeds: { past_days: -1, future_months: 500, refresh_minutes: 1 }
            categories: [x]
            organisations: [{ id: a, name: A }]
            cities:
              - id: c
                venues:
                  - { id: v, languages: [sq, de], spaces: [{ id: s, kind: k, capacity: 1 }] }
            """
        #expect {
            _ = try ConfigLoader.parse(text, file: "t.yaml")
        } throws: { error in
            let paths = Set((error as? ConfigError)?.problems.map(\.path) ?? [])
            return paths.isSuperset(of: [
                "feeds.past_days", "feeds.future_months", "feeds.refresh_minutes", "cities[0].venues[0].languages",
            ])
        }
    }

    @Test("mqtt and sensors: good bindings load; every bad one is named")
    func sensors() throws {
        let base = """
            categories: [x]
            organisations: [{ id: a, name: A }]
            cities:
              - id: c
                venues:
                  - { id: v, spaces: [{ id: s, kind: k, capacity: 1 }] }
            mqtt: { url: "mqtt://127.0.0.1:1884", client_id: test, session_expiry_hours: 24 }
            """
        let good = try ConfigLoader.parse(
            base + """

                sensors:
                  - { id: door, space: s, kind: door, topic: "zigbee2mqtt/{device}/door", decoder: zigbee2mqtt }
                  - { id: people, space: s, kind: counter, topic: "counters/in", decoder: generic, value_path: "data.count", heartbeat_minutes: 10 }
                """, file: "t.yaml")
        #expect(good.mqtt?.url == "mqtt://127.0.0.1:1884")
        #expect(good.mqtt?.sessionExpiry == 24 * 3600)
        #expect(good.sensors.map(\.id) == ["door", "people"])
        #expect(good.sensors.first?.subscriptionFilters == ["zigbee2mqtt/+/door", "zigbee2mqtt/+/door/availability"])
        #expect(good.sensors.last?.settings.heartbeat == 600)

        #expect {
            _ = try ConfigLoader.parse(
                base + """

                    sensors:
                      - { id: a, space: nowhere, kind: door, topic: "t/a", decoder: zigbee2mqtt }
                      - { id: b, space: s, kind: smoke, topic: "t/b", decoder: zigbee2mqtt }
                      - { id: c, space: s, kind: door, topic: "t/#/c", decoder: zigbee2mqtt }
                      - { id: d, space: s, kind: door, topic: "t/d", decoder: carrier-pigeon }
                      - { id: d, space: s, kind: door, topic: "t/e", decoder: esphome }
                    """, file: "t.yaml")
        } throws: { error in
            let paths = Set((error as? ConfigError)?.problems.map(\.path) ?? [])
            return paths.isSuperset(of: [
                "sensors[0].space", "sensors[1].kind", "sensors[2].topic", "sensors[3].decoder", "sensors[4].id",
            ])
        }
    }

    @Test("mqtt TLS files: only with an mqtts:// url, and a client certificate with its key")
    func mqttTLSFiles() throws {
        let base = """
            categories: [x]
            organisations: [{ id: a, name: A }]
            cities: [{ id: c, venues: [{ id: v, spaces: [{ id: s, kind: k, capacity: 1 }] }] }]

            """
        let good = try ConfigLoader.parse(
            base + """
                mqtt:
                  url: "mqtts://broker.venue.example"
                  username: hapesira
                  password: "s3cr:et"
                  ca_file: /etc/hapesira/ca.pem
                  cert_file: /etc/hapesira/daemon.pem
                  key_file: /etc/hapesira/daemon.key
                """, file: "t.yaml")
        #expect(good.mqtt?.username == "hapesira")
        #expect(good.mqtt?.password == "s3cr:et")
        #expect(good.mqtt?.caFile == "/etc/hapesira/ca.pem")
        #expect(good.mqtt?.certFile == "/etc/hapesira/daemon.pem")
        #expect(good.mqtt?.keyFile == "/etc/hapesira/daemon.key")

        let cases: [(String, String)] = [
            (#"{ url: "mqtt://broker", ca_file: /etc/hapesira/ca.pem }"#, "mqtt.ca_file"),
            (#"{ url: "mqtts://broker", cert_file: /etc/hapesira/daemon.pem }"#, "mqtt.cert_file"),
            (#"{ url: "mqtts://broker", key_file: /etc/hapesira/daemon.key }"#, "mqtt.key_file"),
        ]
        for (mqtt, path) in cases {
            #expect {
                _ = try ConfigLoader.parse(base + "mqtt: \(mqtt)\n", file: "t.yaml")
            } throws: { error in
                (error as? ConfigError)?.problems.map(\.path) == [path]
            }
        }
    }

    @Test("the demo configuration loads")
    func demo() throws {
        let configuration = try ConfigLoader.load(path: Self.demoPath)
        let catalogue = configuration.catalogue
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.port == 8080)
        #expect(configuration.server.maxBodyBytes == 1_048_576)
        #expect(configuration.databasePath == "var/demo.sqlite")
        #expect(configuration.logLevel == "info")
        #expect(configuration.maxOccurrences == 500)
        #expect(catalogue.pendingBlocks)

        #expect(catalogue.cities.map(\.id) == ["peja", "prizren", "mitrovica"])
        #expect(catalogue.venues.map(\.id) == ["kino-jusuf-gervalla", "kino-lumbardhi", "qendra-7arte"])
        #expect(catalogue.spaces(inVenue: "kino-jusuf-gervalla").count == 3)
        #expect(catalogue.spaces(inVenue: "kino-lumbardhi").count == 4)
        #expect(catalogue.spaces(inVenue: "qendra-7arte").count == 4)
        #expect(catalogue.spaces.count == 11)
        #expect(catalogue.organisations.count == 10)
        #expect(catalogue.organisation("7arte")?.name == "7Arte")
        #expect(catalogue.organisation("komuna-peje")?.kind == "municipality")
        #expect(catalogue.categories.count == 7)
        #expect(catalogue.categories.contains("board-meeting"))

        #expect(catalogue.quotas == [Quota(period: .month, maxHours: 60)])
        #expect(configuration.feeds.past == 90 * 86_400)
        #expect(configuration.feeds.futureMonths == 18)
        #expect(configuration.feeds.refreshInterval == 3600)
        #expect(catalogue.venue("qendra-7arte")?.languages == ["sq", "sr", "en"])
        #expect(catalogue.venue("kino-lumbardhi")?.languages == ["sq", "en"])

        // Linked groups: the divisible hall and its halves; the garden and the summer cinema.
        let group = { (id: String) in catalogue.blockingGroup(of: catalogue.space(id)!) }
        #expect(group("7arte-hall") == ["7arte-hall", "7arte-hall-a", "7arte-hall-b"])
        #expect(group("7arte-hall-a") == ["7arte-hall", "7arte-hall-a"])
        #expect(group("lumbardhi-garden") == ["lumbardhi-garden", "lumbardhi-summer-cinema"])
        #expect(group("lumbardhi-summer-cinema") == ["lumbardhi-garden", "lumbardhi-summer-cinema"])
        #expect(group("kino-meeting-room") == ["kino-meeting-room"])

        let mainHall = try #require(catalogue.space("kino-main-hall"))
        #expect(mainHall.capacity == 240)
        #expect(mainHall.kind == "cinema-hall")
        #expect(mainHall.features == ["dcp-projector", "surround-sound", "stage"])
        #expect(
            mainHall.rules
                == SpaceRules(
                    setupBuffer: 1800, teardownBuffer: 900, minDuration: 1800, maxDuration: 8 * 3600,
                    horizon: 365 * 86_400, minimumNotice: 3600, approvalRequired: true))
        #expect(
            catalogue.space("7arte-rehearsal-room")?.rules
                == SpaceRules(maxDuration: 4 * 3600, autoReleaseAfter: 20 * 60))

        let kino = try #require(catalogue.venue("kino-jusuf-gervalla"))
        #expect(kino.zone.identifier == "Europe/Belgrade")
        #expect(kino.city == "peja")
        #expect(kino.openingHours.days[1] == [OpeningHours.Range(start: 9 * 60, end: 23 * 60)])
        #expect(kino.openingHours.days[5] == [OpeningHours.Range(start: 9 * 60, end: 23 * 60)])
        #expect(kino.openingHours.days[6] == [OpeningHours.Range(start: 10 * 60, end: 24 * 60)])
        #expect(kino.openingHours.days[7] == [OpeningHours.Range(start: 10 * 60, end: 24 * 60)])
        #expect(
            kino.closures == [
                Closure(
                    from: LocalDate(year: 2026, month: 12, day: 31), to: LocalDate(year: 2026, month: 12, day: 31),
                    reason: "New Year's Eve"),
                Closure(
                    from: LocalDate(year: 2027, month: 1, day: 1), to: LocalDate(year: 2027, month: 1, day: 2),
                    reason: "New Year holidays"),
            ])
        let qendra = try #require(catalogue.venue("qendra-7arte"))
        #expect(qendra.openingHours.days[6] == [OpeningHours.Range(start: 10 * 60, end: 22 * 60)])
        #expect(qendra.openingHours.days[7] == [])
        #expect(catalogue.venue("kino-lumbardhi")?.openingHours.days.count == 7)
    }

    @Test("a file that cannot be read is one problem naming the file")
    func missingFile() {
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/hapesira.yaml") }
        #expect(error?.problems.count == 1)
        #expect(error?.problems.first?.file == "/nonexistent/hapesira.yaml")
        #expect(error?.problems.first?.line == nil)
    }

    /// A small valid file; cases below break it in one place or many.
    static let minimal = """
        categories: [screening]
        organisations:
          - { id: anibar, name: Anibar }
        cities:
          - id: peja
            venues:
              - id: kino
                spaces:
                  - { id: hall, kind: hall, capacity: 100 }
        """

    @Test("server.public_url: a scheme and a host, kept without a final slash; anything else is named")
    func publicURL() throws {
        let good = [
            "https://hapesira.example.org/": "https://hapesira.example.org",
            "http://192.168.1.20:8080": "http://192.168.1.20:8080",
            "https://[2001:db8::1]:8443": "https://[2001:db8::1]:8443",
        ]
        for (given, kept) in good {
            let configuration = try ConfigLoader.parse(
                Self.minimal + "\nserver:\n  public_url: \"\(given)\"\n", file: "t.yaml")
            #expect(configuration.server.publicURL == kept)
        }
        for bad in ["hapesira.example.org", "ftp://x.org", "https://x.org/hapesira", "https://", "https://a b"] {
            #expect(throws: ConfigError.self) {
                try ConfigLoader.parse(Self.minimal + "\nserver:\n  public_url: \"\(bad)\"\n", file: "t.yaml")
            }
        }
    }

    @Test func minimalIsValid() throws {
        let configuration = try ConfigLoader.parse(Self.minimal, file: "minimal.yaml")
        #expect(configuration.catalogue.spaces.map(\.id) == ["hall"])
        #expect(configuration.catalogue.venue("kino")?.zone.identifier == "Europe/Belgrade")
        #expect(configuration.catalogue.venue("kino")?.openingHours == .always)
        #expect(configuration.server.port == 8080)
        #expect(configuration.maxOccurrences == 500)
        #expect(configuration.catalogue.pendingBlocks)
    }

    /// A file with many problems; each is reported with its line and dotted path.
    static let broken = """
        categories: [screening]
        organisations:
          - { id: anibar, name: Anibar }
          - { id: anibar, name: Anibar again }
        quotas:
          - { organisations: [ghost], period: month, max_hours: 10 }
          - { period: fortnight, max_hours: 10 }
        colour: blue
        cities:
          - id: peja
            venues:
              - id: kino
                time_zone: Europe/Nowhere
                opening_hours:
                  mon-fri: "09:00-25:00"
                  funday: "10:00-12:00"
                  sat: "22:00-09:00"
                closures:
                  - { date: 2026-02-30, reason: nope }
                  - { from: 2026-13-01, to: 2026-12-01 }
                  - { from: 2026-12-05, to: 2026-12-01 }
                  - { reason: no dates }
                spaces:
                  - { id: a, kind: hall, capacity: 10 }
                  - { id: a, kind: hall, capacity: 10 }
                  - id: b
                    kind: hall
                  - id: c
                    kind: hall
                    capacity: lots
                  - id: d
                    kind: hall
                    capacity: 0
                  - id: e
                    kind: hall
                    capacity: 10
                    min_duration_minutes: 120
                    max_duration_minutes: 60
                    linked: [nowhere]
                    colour: red
        """

    static let brokenProblems: [(path: String, line: Int)] = [
        ("organisations[1].id", 4),
        ("quotas[0].organisations", 6),
        ("quotas[1].period", 7),
        ("colour", 8),
        ("cities[0].venues[0].time_zone", 13),
        ("cities[0].venues[0].opening_hours.mon-fri", 15),
        ("cities[0].venues[0].opening_hours.funday", 16),
        ("cities[0].venues[0].opening_hours.sat", 17),
        ("cities[0].venues[0].closures[0].date", 19),
        ("cities[0].venues[0].closures[1].from", 20),
        ("cities[0].venues[0].closures[2].to", 21),
        ("cities[0].venues[0].closures[3]", 22),
        ("cities[0].venues[0].spaces[1].id", 25),
        ("cities[0].venues[0].spaces[2].capacity", 26),
        ("cities[0].venues[0].spaces[3].capacity", 30),
        ("cities[0].venues[0].spaces[4].capacity", 33),
        ("cities[0].venues[0].spaces[5].colour", 40),
        ("cities[0].venues[0].spaces[5].min_duration_minutes", 37),
        ("cities[0].venues[0].spaces[5].linked", 39),
    ]

    @Test("every problem is reported, with its line and dotted path")
    func everyProblem() throws {
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(Self.broken, file: "broken.yaml") }
        let problems = try #require(error?.problems)
        for problem in problems { #expect(problem.file == "broken.yaml") }
        #expect(problems.count == Self.brokenProblems.count, "\(error?.description ?? "")")
        for expected in Self.brokenProblems {
            let found = problems.filter { $0.path == expected.path }
            #expect(found.count == 1, "\(expected.path): \(found)")
            #expect(found.first?.line == expected.line, "\(expected.path)")
        }
        let messages = Dictionary(problems.map { ($0.path, $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(messages["quotas[0].organisations"]?.contains("ghost") == true)
        #expect(messages["cities[0].venues[0].time_zone"]?.contains("Europe/Nowhere") == true)
        #expect(messages["cities[0].venues[0].spaces[1].id"]?.contains("duplicate") == true)
        #expect(messages["cities[0].venues[0].spaces[5].linked"]?.contains("nowhere") == true)
        #expect(messages["cities[0].venues[0].closures[0].date"]?.contains("2026-02-30") == true)
        // The description lists every problem as file:line:column: path: message.
        #expect(error?.description.split(separator: "\n").count == problems.count)
        #expect(error?.description.contains("broken.yaml:13:") == true)
    }

    struct SnippetCase: Sendable, CustomTestStringConvertible {
        var note: String
        var yaml: String
        var problems: [String: Int?]
        var testDescription: String { note }
    }

    static let snippets: [SnippetCase] = [
        SnippetCase(note: "empty file", yaml: "", problems: ["": nil]),
        SnippetCase(note: "not YAML", yaml: "cities: [peja\n  venues: {", problems: ["": nil]),
        SnippetCase(note: "not a mapping", yaml: "- just\n- a list\n", problems: ["": 1]),
        SnippetCase(
            note: "nothing declared", yaml: "server:\n  listen: 127.0.0.1:8080\n",
            problems: ["categories": 1, "organisations": nil, "cities": nil]),
        SnippetCase(
            note: "bad server and logging settings",
            yaml: minimal
                + "\nserver:\n  listen: nowhere\n  max_body_bytes: 12\nlogging:\n  level: loud\n  colour: yes\n",
            problems: [
                "server.listen": 11, "server.max_body_bytes": 12, "logging.level": 14, "logging.colour": 15,
            ]),
        SnippetCase(
            note: "bad booking settings",
            yaml: minimal + "\nbooking:\n  pending_blocks: maybe\n  max_occurrences: 0\n",
            problems: ["booking.pending_blocks": 11, "booking.max_occurrences": 12]),
        SnippetCase(
            note: "bad identifiers and kinds",
            yaml: """
                categories: [screening]
                organisations:
                  - { id: Anibar, name: Anibar }
                  - { id: dokufest, name: DokuFest, kind: club }
                cities:
                  - id: peja
                    venues:
                      - id: kino
                        spaces:
                          - { id: hall, capacity: 100 }
                          - { id: room, kind: hall, capacity: 10, horizon_days: 0, setup_minutes: -5 }
                """,
            problems: [
                "organisations[0].id": 3, "organisations[1].kind": 4, "cities[0].venues[0].spaces[0].kind": 10,
                "cities[0].venues[0].spaces[1].horizon_days": 11, "cities[0].venues[0].spaces[1].setup_minutes": 11,
            ]),
        SnippetCase(
            note: "duplicate city and venue ids, a space linked to itself",
            yaml: """
                categories: [screening]
                organisations: [{ id: anibar, name: Anibar }]
                cities:
                  - id: peja
                    venues:
                      - id: kino
                        spaces: [{ id: hall, kind: hall, capacity: 10, linked: [hall] }]
                  - id: peja
                    venues:
                      - id: kino
                """,
            problems: [
                "cities[1].id": 8, "cities[1].venues[0].id": 10, "cities[0].venues[0].spaces[0].linked": 7,
            ]),
        SnippetCase(
            note: "unknown quota venue, missing max_hours and period",
            yaml: minimal
                + "\nquotas:\n  - { venues: [cinema], period: week, max_hours: 5 }\n  - { organisations: [anibar] }\n",
            problems: ["quotas[0].venues": 11, "quotas[1].max_hours": 12, "quotas[1].period": 12]),
        SnippetCase(
            note: "auto-release out of range, and without a sensor in the space",
            yaml: """
                categories: [screening]
                organisations: [{ id: anibar, name: Anibar }]
                cities:
                  - id: peja
                    venues:
                      - id: kino
                        spaces:
                          - { id: hall, kind: hall, capacity: 10, auto_release_minutes: 0 }
                          - { id: room, kind: room, capacity: 10, auto_release_minutes: 15 }
                sensors:
                  - { id: pir, space: hall, kind: motion, topic: "z/pir", decoder: zigbee2mqtt }
                """,
            problems: [
                "cities[0].venues[0].spaces[0].auto_release_minutes": 8,
                "cities[0].venues[0].spaces[1].auto_release_minutes": 9,
            ]),
        SnippetCase(
            note: "indicators: unknown count, scope, period and category; missing target; duplicate name",
            yaml: minimal + """

                indicators:
                  - { name: A, count: visits, per: city, period: year, target: 2 }
                  - { name: B, count: hours, per: galaxy, period: year, target: 2 }
                  - { name: C, count: occurrences, categories: [karaoke], per: city, period: decade, target: 2 }
                  - { name: D, per: city }
                  - { name: D, per: city, target: 1 }
                """,
            problems: [
                "indicators[0].count": 11, "indicators[1].per": 12, "indicators[2].categories": 13,
                "indicators[2].period": 13, "indicators[3].target": 14, "indicators[4].name": 15,
            ]),
        SnippetCase(
            note: "opening hours given twice for a day and a reversed weekday range",
            yaml: """
                categories: [screening]
                organisations: [{ id: anibar, name: Anibar }]
                cities:
                  - id: peja
                    venues:
                      - id: kino
                        opening_hours:
                          mon-fri: "09:00-17:00"
                          fri: "10:00-12:00"
                          sun-mon: "10:00-12:00"
                          sat: 9
                """,
            problems: [
                "cities[0].venues[0].opening_hours.fri": 9, "cities[0].venues[0].opening_hours.sun-mon": 10,
                "cities[0].venues[0].opening_hours.sat": 11,
            ]),
    ]

    @Test("problems in small snippets", arguments: snippets)
    func snippet(_ c: SnippetCase) throws {
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(c.yaml, file: "snippet.yaml") }
        let problems = try #require(error?.problems)
        #expect(problems.count == c.problems.count, "\(error?.description ?? "")")
        for (path, line) in c.problems {
            let found = problems.filter { $0.path == path }
            #expect(found.count == 1, "\(path): \(error?.description ?? "")")
            #expect(found.first?.line == line, "\(path)")
        }
    }
}
