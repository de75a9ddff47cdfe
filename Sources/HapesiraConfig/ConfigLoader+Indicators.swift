import HapesiraCore
import Yams

extension ConfigParser {
    /// `indicators:` — the network's targets, e.g.
    /// `{ name: Assemblies, count: occurrences, categories: [assembly], per: city, period: year, target: 2 }`.
    func indicators(_ node: Node?, categories known: Set<String>) -> [Indicator] {
        var names = Set<String>()
        return reader.sequence(node, "indicators").enumerated().compactMap { index, item -> Indicator? in
            let path = "indicators[\(index)]"
            guard
                let mapping = reader.mapping(
                    item, path, allowed: ["name", "count", "categories", "per", "period", "target"]),
                let name = reader.string(mapping, "name", path, required: true)
            else { return nil }
            if !names.insert(name).inserted {
                reader.problem(mapping["name"], "\(path).name", "duplicate indicator '\(name)'")
            }
            let categories = reader.strings(mapping, "categories", path)
            for category in categories where !known.contains(category) {
                reader.problem(mapping["categories"], "\(path).categories", "no category '\(category)'")
            }
            let metric: IndicatorMetric
            switch reader.string(mapping, "count", path) ?? "occurrences" {
            case "occurrences": metric = .occurrences(categories: categories)
            case "hours": metric = .programmeHours(categories: categories)
            case "people": metric = .attendance(categories: categories)
            default:
                reader.problem(mapping["count"], "\(path).count", "expected occurrences, hours or people")
                return nil
            }
            let scopeText = reader.string(mapping, "per", path) ?? "network"
            guard let scope = IndicatorScope(rawValue: scopeText) else {
                reader.problem(mapping["per"], "\(path).per", "expected network, city, venue or space")
                return nil
            }
            let periodText = reader.string(mapping, "period", path) ?? "year"
            guard let period = ReportPeriod(rawValue: periodText), period != .range else {
                reader.problem(mapping["period"], "\(path).period", "expected day, week, month, quarter or year")
                return nil
            }
            guard let target = reader.double(mapping, "target", path, range: 0...1e9) else {
                if mapping["target"] == nil { reader.problem(item, "\(path).target", "is required") }
                return nil
            }
            return Indicator(name: name, metric: metric, scope: scope, period: period, target: target)
        }
    }
}
