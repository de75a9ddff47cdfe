import Foundation
import HapesiraCore
import Yams

/// Loads and validates a configuration file, reporting every problem at once.
public enum ConfigLoader {
    public static func load(path: String) throws(ConfigError) -> DaemonConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(problems: [
                ConfigProblem(file: path, path: "", message: "cannot read the file: \(error.localizedDescription)")
            ])
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> DaemonConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(problems: [ConfigProblem(file: file, path: "", message: "not valid YAML: \(error)")])
        } catch {
            throw ConfigError(problems: [ConfigProblem(file: file, path: "", message: "not valid YAML: \(error)")])
        }
        let reader = NodeReader(file: file)
        let configuration = ConfigParser(reader: reader).configuration(root)
        guard reader.problems.isEmpty, let configuration else {
            throw ConfigError(problems: reader.problems)
        }
        return configuration
    }
}

/// Turns the YAML tree into domain values; each method records problems and returns what it could read.
struct ConfigParser {
    let reader: NodeReader

    func configuration(_ root: Node?) -> DaemonConfiguration? {
        guard let root else {
            reader.problem(nil, "", "the file is empty")
            return nil
        }
        guard
            let top = reader.mapping(
                root, "",
                allowed: [
                    "server", "database", "logging", "booking", "feeds", "categories", "organisations", "quotas",
                    "cities", "mqtt", "sensors", "indicators",
                ])
        else { return nil }

        var server = DaemonConfiguration.Server(host: "127.0.0.1", port: 8080, maxBodyBytes: 1 << 20)
        if let mapping = reader.mapping(top["server"], "server", allowed: ["listen", "max_body_bytes", "public_url"]) {
            if let listen = reader.string(mapping, "listen", "server") {
                if let (host, port) = DaemonConfiguration.parseListen(listen) {
                    server.host = host
                    server.port = port
                } else {
                    reader.problem(mapping["listen"], "server.listen", "expected HOST:PORT, e.g. 127.0.0.1:8080")
                }
            }
            server.maxBodyBytes =
                reader.int(mapping, "max_body_bytes", "server", range: 1024...(64 << 20)) ?? server.maxBodyBytes
            if let text = reader.string(mapping, "public_url", "server") {
                if let url = DaemonConfiguration.publicURL(text) {
                    server.publicURL = url
                } else {
                    reader.problem(
                        mapping["public_url"], "server.public_url",
                        "expected http:// or https:// and a host, with no path, e.g. https://hapesira.example.org")
                }
            }
        }
        var databasePath = "hapesira.sqlite"
        if let mapping = reader.mapping(top["database"], "database", allowed: ["path"]) {
            databasePath = reader.string(mapping, "path", "database", required: true) ?? databasePath
        }
        var logLevel = "info"
        if let mapping = reader.mapping(top["logging"], "logging", allowed: ["level"]),
            let level = reader.string(mapping, "level", "logging")
        {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            if levels.contains(level) {
                logLevel = level
            } else {
                reader.problem(mapping["level"], "logging.level", "expected one of: \(levels.joined(separator: ", "))")
            }
        }
        var pendingBlocks = true
        var maxOccurrences = 500
        if let mapping = reader.mapping(top["booking"], "booking", allowed: ["pending_blocks", "max_occurrences"]) {
            pendingBlocks = reader.bool(mapping, "pending_blocks", "booking") ?? true
            maxOccurrences = reader.int(mapping, "max_occurrences", "booking", range: 1...5000) ?? 500
        }

        var feeds = DaemonConfiguration.Feeds()
        if let mapping = reader.mapping(
            top["feeds"], "feeds", allowed: ["past_days", "future_months", "refresh_minutes"])
        {
            feeds.past = Int64(reader.int(mapping, "past_days", "feeds", range: 0...3650) ?? 90) * 86_400
            feeds.futureMonths = reader.int(mapping, "future_months", "feeds", range: 1...120) ?? 18
            feeds.refreshInterval = (reader.int(mapping, "refresh_minutes", "feeds", range: 5...10_080) ?? 60) * 60
        }

        let categories = reader.strings(top, "categories", "")
        if top["categories"] == nil || categories.isEmpty {
            reader.problem(root, "categories", "list at least one booking category")
        }
        let organisations = organisations(top["organisations"])
        // Spaces with sensors (checked in full later): auto-release needs one.
        let sensed = Set(top["sensors"]?.sequence?.compactMap { $0.mapping?["space"]?.string } ?? [])
        let (cities, venues, spaces, linkSources) = places(top["cities"], sensed: sensed)
        let quotas = quotas(top["quotas"], organisations: Set(organisations.map(\.id)), venues: Set(venues.map(\.id)))
        checkLinks(spaces, sources: linkSources)

        let catalogue = Catalogue(
            cities: cities, venues: venues, spaces: spaces, organisations: organisations, categories: categories,
            quotas: quotas, pendingBlocks: pendingBlocks)
        var configuration = DaemonConfiguration(
            server: server, databasePath: databasePath, logLevel: logLevel, catalogue: catalogue,
            maxOccurrences: maxOccurrences)
        configuration.feeds = feeds
        configuration.mqtt = mqtt(top["mqtt"])
        configuration.sensors = sensors(top["sensors"], catalogue: catalogue)
        configuration.indicators = indicators(top["indicators"], categories: Set(categories))
        return configuration
    }

    private func organisations(_ node: Node?) -> [Organisation] {
        if node == nil { reader.problem(nil, "organisations", "list at least one organisation") }
        var seen = Set<String>()
        return reader.sequence(node, "organisations").enumerated().compactMap { index, item in
            let path = "organisations[\(index)]"
            guard let mapping = reader.mapping(item, path, allowed: ["id", "name", "kind"]),
                let id = reader.identifier(mapping, "id", path)
            else { return nil }
            if !seen.insert(id).inserted {
                reader.problem(mapping["id"], "\(path).id", "duplicate organisation id '\(id)'")
            }
            let kind = reader.string(mapping, "kind", path) ?? "member"
            if !["member", "secretariat", "municipality"].contains(kind) {
                reader.problem(mapping["kind"], "\(path).kind", "expected member, secretariat or municipality")
            }
            return Organisation(id: id, name: reader.string(mapping, "name", path, required: true) ?? id, kind: kind)
        }
    }

    /// Also returns, for each space, where its `linked` list is (node and dotted path) for `checkLinks`.
    private func places(_ node: Node?, sensed: Set<String>) -> ([City], [Venue], [Space], [(node: Node?, path: String)])
    {
        if node == nil { reader.problem(nil, "cities", "list at least one city") }
        var cities: [City] = []
        var venues: [Venue] = []
        var spaces: [Space] = []
        var linkSources: [(node: Node?, path: String)] = []
        var seen = (cities: Set<String>(), venues: Set<String>(), spaces: Set<String>())
        for (cityIndex, cityNode) in reader.sequence(node, "cities").enumerated() {
            let cityPath = "cities[\(cityIndex)]"
            guard let city = reader.mapping(cityNode, cityPath, allowed: ["id", "name", "venues"]),
                let cityID = reader.identifier(city, "id", cityPath)
            else { continue }
            if !seen.cities.insert(cityID).inserted {
                reader.problem(city["id"], "\(cityPath).id", "duplicate city id '\(cityID)'")
            }
            cities.append(City(id: cityID, name: reader.string(city, "name", cityPath) ?? cityID))

            for (venueIndex, venueNode) in reader.sequence(city["venues"], "\(cityPath).venues").enumerated() {
                let venuePath = "\(cityPath).venues[\(venueIndex)]"
                guard
                    let venue = reader.mapping(
                        venueNode, venuePath,
                        allowed: ["id", "name", "time_zone", "languages", "opening_hours", "closures", "spaces"]),
                    let venueID = reader.identifier(venue, "id", venuePath)
                else { continue }
                if !seen.venues.insert(venueID).inserted {
                    reader.problem(venue["id"], "\(venuePath).id", "duplicate venue id '\(venueID)'")
                }
                let zoneName = reader.string(venue, "time_zone", venuePath) ?? "Europe/Belgrade"
                let zone = Zone(zoneName)
                if zone == nil {
                    reader.problem(
                        venue["time_zone"], "\(venuePath).time_zone", "'\(zoneName)' is not an IANA time zone in tzdata"
                    )
                }
                let hours = venue["opening_hours"].map { openingHours($0, "\(venuePath).opening_hours") } ?? .always
                var languages = ["sq", "sr", "en"]
                if venue["languages"] != nil {
                    languages = reader.strings(venue, "languages", venuePath)
                    let known = ["sq", "sr", "en"]
                    if languages.isEmpty || !languages.allSatisfy(known.contains) {
                        reader.problem(
                            venue["languages"], "\(venuePath).languages",
                            "expected a list of languages out of: \(known.joined(separator: ", "))")
                    }
                }
                venues.append(
                    Venue(
                        id: venueID, name: reader.string(venue, "name", venuePath) ?? venueID, city: cityID,
                        zone: zone ?? .utc, openingHours: hours,
                        closures: closures(venue["closures"], "\(venuePath).closures"), languages: languages))

                for (spaceIndex, spaceNode) in reader.sequence(venue["spaces"], "\(venuePath).spaces").enumerated() {
                    let spacePath = "\(venuePath).spaces[\(spaceIndex)]"
                    guard let space = space(spaceNode, spacePath, venue: venueID, sensed: sensed) else { continue }
                    if !seen.spaces.insert(space.id).inserted {
                        reader.problem(spaceNode, "\(spacePath).id", "duplicate space id '\(space.id)'")
                    }
                    spaces.append(space)
                    linkSources.append((spaceNode.mapping?["linked"] ?? spaceNode, "\(spacePath).linked"))
                }
            }
        }
        return (cities, venues, spaces, linkSources)
    }

    private func space(_ node: Node, _ path: String, venue: String, sensed: Set<String>) -> Space? {
        let keys: Set<String> = [
            "id", "name", "kind", "capacity", "features", "setup_minutes", "teardown_minutes", "min_duration_minutes",
            "max_duration_minutes", "horizon_days", "min_notice_minutes", "approval_required", "linked",
            "auto_release_minutes",
        ]
        guard let mapping = reader.mapping(node, path, allowed: keys), let id = reader.identifier(mapping, "id", path)
        else { return nil }
        guard let kind = reader.string(mapping, "kind", path, required: true) else { return nil }
        guard let capacity = reader.int(mapping, "capacity", path, range: 1...100_000) else {
            if mapping["capacity"] == nil { reader.problem(node, "\(path).capacity", "is required") }
            return nil
        }
        let minutes: (String, Int) -> Int64 = { key, fallback in
            Int64(reader.int(mapping, key, path, range: 0...(60 * 24 * 7)) ?? fallback) * 60
        }
        var rules = SpaceRules(
            setupBuffer: minutes("setup_minutes", 0), teardownBuffer: minutes("teardown_minutes", 0),
            minDuration: minutes("min_duration_minutes", 15), maxDuration: minutes("max_duration_minutes", 12 * 60),
            horizon: Int64(reader.int(mapping, "horizon_days", path, range: 1...3650) ?? 365) * 86_400,
            minimumNotice: minutes("min_notice_minutes", 0),
            approvalRequired: reader.bool(mapping, "approval_required", path) ?? false,
            autoReleaseAfter: reader.int(mapping, "auto_release_minutes", path, range: 1...1440).map { Int64($0) * 60 })
        if rules.minDuration > rules.maxDuration {
            reader.problem(
                mapping["min_duration_minutes"], "\(path).min_duration_minutes", "is longer than max_duration_minutes")
            rules.minDuration = rules.maxDuration
        }
        if rules.autoReleaseAfter != nil && !sensed.contains(id) {
            reader.problem(
                mapping["auto_release_minutes"], "\(path).auto_release_minutes",
                "needs a sensor in this space to tell whether anyone came")
        }
        if rules.maxDuration == 0 {
            reader.problem(mapping["max_duration_minutes"], "\(path).max_duration_minutes", "must be more than 0")
        }
        return Space(
            id: id, name: reader.string(mapping, "name", path) ?? id, venue: venue, kind: kind, capacity: capacity,
            features: reader.strings(mapping, "features", path), rules: rules,
            linked: reader.strings(mapping, "linked", path))
    }

    private static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// `mon-fri: "09:00-23:00"`, `sat: "10:00-13:00, 15:00-24:00"`, `sun: closed`, `daily: …`.
    private func openingHours(_ node: Node, _ path: String) -> OpeningHours {
        guard case .mapping(let mapping) = node else {
            reader.problem(node, path, "expected weekday: hours lines, e.g. mon-fri: \"09:00-22:00\"")
            return .always
        }
        var days: [Int: [OpeningHours.Range]] = [:]
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? ""
            let keyPath = "\(path).\(key)"
            guard let dayNumbers = weekdayRange(key) else {
                reader.problem(keyNode, keyPath, "expected a weekday (mon … sun), a range like mon-fri, or daily")
                continue
            }
            guard let ranges = hourRanges(valueNode.string ?? "") else {
                reader.problem(valueNode, keyPath, "expected \"HH:MM-HH:MM\" (several separated by commas) or closed")
                continue
            }
            for day in dayNumbers {
                if days[day] != nil { reader.problem(keyNode, keyPath, "\(Self.weekdays[day - 1]) is given twice") }
                days[day] = ranges
            }
        }
        return OpeningHours(days: days)
    }

    private func weekdayRange(_ key: String) -> [Int]? {
        if key == "daily" { return Array(1...7) }
        let parts = key.split(separator: "-").map(String.init)
        let numbers = parts.compactMap { Self.weekdays.firstIndex(of: $0).map { $0 + 1 } }
        guard numbers.count == parts.count else { return nil }
        switch numbers.count {
        case 1: return numbers
        case 2 where numbers[0] <= numbers[1]: return Array(numbers[0]...numbers[1])
        default: return nil
        }
    }

    private func hourRanges(_ text: String) -> [OpeningHours.Range]? {
        if text == "closed" { return [] }
        var ranges: [OpeningHours.Range] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            guard bounds.count == 2, let start = minuteOfDay(bounds[0]), let end = minuteOfDay(bounds[1]), start < end,
                start < 1440
            else { return nil }
            ranges.append(OpeningHours.Range(start: start, end: end))
        }
        return ranges.isEmpty ? nil : ranges
    }

    private func minuteOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 1440
        else { return nil }
        return hour * 60 + minute
    }

    private func closures(_ node: Node?, _ path: String) -> [Closure] {
        reader.sequence(node, path).enumerated().compactMap { index, item in
            let itemPath = "\(path)[\(index)]"
            guard let mapping = reader.mapping(item, itemPath, allowed: ["date", "from", "to", "reason"]) else {
                return nil
            }
            let reason = reader.string(mapping, "reason", itemPath) ?? "closed"
            let single = reader.string(mapping, "date", itemPath).flatMap {
                date(mapping["date"], $0, "\(itemPath).date")
            }
            let from = reader.string(mapping, "from", itemPath).flatMap {
                date(mapping["from"], $0, "\(itemPath).from")
            }
            let to = reader.string(mapping, "to", itemPath).flatMap { date(mapping["to"], $0, "\(itemPath).to") }
            if let single { return Closure(from: single, to: single, reason: reason) }
            guard let from, let to else {
                if mapping["date"] == nil && (mapping["from"] == nil || mapping["to"] == nil) {
                    reader.problem(item, itemPath, "give either date, or from and to (YYYY-MM-DD)")
                }
                return nil
            }
            guard from <= to else {
                reader.problem(mapping["to"], "\(itemPath).to", "is before from")
                return nil
            }
            return Closure(from: from, to: to, reason: reason)
        }
    }

    private func date(_ node: Node?, _ text: String, _ path: String) -> LocalDate? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, text.count == 10 else {
            reader.problem(node, path, "expected a date YYYY-MM-DD")
            return nil
        }
        let date = LocalDate(year: parts[0], month: parts[1], day: parts[2])
        guard date.isValid else {
            reader.problem(node, path, "\(text) is not a calendar date")
            return nil
        }
        return date
    }

    private func quotas(_ node: Node?, organisations: Set<String>, venues: Set<String>) -> [Quota] {
        reader.sequence(node, "quotas").enumerated().compactMap { index, item in
            let path = "quotas[\(index)]"
            guard
                let mapping = reader.mapping(
                    item, path, allowed: ["organisations", "venues", "period", "max_hours"])
            else { return nil }
            let orgs = reader.strings(mapping, "organisations", path)
            for unknown in orgs where !organisations.contains(unknown) {
                reader.problem(mapping["organisations"], "\(path).organisations", "unknown organisation '\(unknown)'")
            }
            let venueIDs = reader.strings(mapping, "venues", path)
            for unknown in venueIDs where !venues.contains(unknown) {
                reader.problem(mapping["venues"], "\(path).venues", "unknown venue '\(unknown)'")
            }
            let periodText = reader.string(mapping, "period", path, required: true)
            let period = periodText.flatMap(Quota.Period.init(rawValue:))
            if periodText != nil && period == nil {
                reader.problem(mapping["period"], "\(path).period", "expected day, week, month or year")
            }
            guard let hours = reader.double(mapping, "max_hours", path, range: 0...100_000) else {
                if mapping["max_hours"] == nil { reader.problem(item, "\(path).max_hours", "is required") }
                return nil
            }
            guard let period else { return nil }
            return Quota(organisations: orgs, venues: venueIDs, period: period, maxHours: hours)
        }
    }

    private func checkLinks(_ spaces: [Space], sources: [(node: Node?, path: String)]) {
        let ids = Set(spaces.map(\.id))
        for (space, source) in zip(spaces, sources) {
            for link in space.linked where !ids.contains(link) || link == space.id {
                reader.problem(
                    source.node, source.path,
                    link == space.id ? "a space cannot be linked to itself" : "unknown space '\(link)'")
            }
        }
    }
}
