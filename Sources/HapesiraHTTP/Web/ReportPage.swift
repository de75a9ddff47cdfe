import Foundation
import HapesiraCore
import Hummingbird

/// `/reports`: the utilisation report, the real-use heat map, the organisations' shares and the
/// indicators for a chosen period and place, with inline SVG charts and a CSV link per table. Its
/// numbers are the API's: both are made from the same ``ReportTable``s.
struct ReportPage: Sendable {
    let pages: WebPages
    let reports: ReportService
    let catalogue: Catalogue
    let now: @Sendable () -> Int64

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("reports") { request, context in
            guard let caller = context.caller else { return WebPages.signIn(returningTo: request) }
            let parameters = request.uri.queryParameters
            var values = filterValues(parameters, texts: pages.renderer.texts(Language.of(request)))
            do {
                let query = try reports.query(parameters, defaultRange: thisYear())
                values["from"] = query.range.from.description
                values["to"] = query.range.to.description
                let tables = try await reports.utilisation(query, for: caller)
                let indicators = try await reports.indicators(query)
                let filters = ["city", "venue", "space"].compactMap { name in
                    parameters.get(name).flatMap { $0.isEmpty ? nil : (name, $0) }
                }
                values["report"] = reportValues(
                    query, tables, indicators, filters: filters, language: Language.of(request))
            } catch let error as APIError {
                return pages.render(
                    "reports", values, request, context, error: error.message, status: .unprocessableContent)
            }
            return pages.render("reports", values, request, context)
        }
        // The CSV of each table, for a signed-in browser (scripts use the API).
        for kind in ReportKind.allCases {
            router.get("reports/\(kind.rawValue).csv") { request, context in
                guard let caller = context.caller else { return WebPages.signIn(returningTo: request) }
                let query = try reports.query(request.uri.queryParameters, defaultRange: thisYear())
                return try await reports.csv(kind, query, table: request.uri.queryParameters.get("table"), for: caller)
            }
        }
    }

    /// From the first of January to tomorrow, in the first venue's zone.
    private func thisYear() -> ReportRange? {
        let zone = catalogue.venues.first?.zone ?? .utc
        let today = LocalDate(daysSinceEpoch: (now() + zone.offset(at: now())).floorDivided(by: 86_400))
        return try? ReportRange(from: LocalDate(year: today.year, month: 1, day: 1), to: today.adding(days: 1))
    }

    /// The filter form's choices, with the current ones selected.
    private func filterValues(_ parameters: Parameters, texts: [String: String]) -> [String: Any] {
        func options(_ items: [(String, String)], _ current: String?) -> [[String: Any]] {
            items.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == current] }
        }
        let period = parameters.get("period") ?? ReportPeriod.month.rawValue
        let by = parameters.get("by") ?? ReportGrouping.space.rawValue
        return [
            "from": parameters.get("from") ?? "", "to": parameters.get("to") ?? "",
            "periods": options(
                ReportPeriod.allCases.map { ($0.rawValue, texts["period_\($0.rawValue)"] ?? $0.rawValue) }, period),
            "groupings": options(
                ReportGrouping.allCases.map { ($0.rawValue, texts["by_\($0.rawValue)"] ?? $0.rawValue) }, by),
            "cities": options(catalogue.cities.map { ($0.id, $0.name) }, parameters.get("city")),
            "venues": options(catalogue.venues.map { ($0.id, $0.name) }, parameters.get("venue")),
            "spaces": options(catalogue.spaces.map { ($0.id, $0.name) }, parameters.get("space")),
        ]
    }

    private func reportValues(
        _ query: ReportQuery, _ tables: UtilisationTables, _ indicators: ReportTable, filters: [(String, String)],
        language: Language
    ) -> [String: Any] {
        let texts = pages.renderer.texts(language)
        let rows = records(tables.utilisation)
        var totals: [String: (booked: Double, used: Double)] = [:]
        for row in rows {
            let group = row["group"]!.text
            totals[group, default: (0, 0)].booked += number(row["booked_hours"])
            totals[group, default: (0, 0)].used += number(row["used_hours"])
        }
        let suffix = csvQuery(query, filters)
        return [
            "from": query.range.from.description, "until": query.range.to.adding(days: -1).description,
            "rows": rows.map { row -> [String: Any] in
                var values: [String: Any] = ["groupLabel": label(of: row["group"]!.text, query.grouping)]
                for (column, cell) in row {
                    values[column] =
                        column.hasSuffix("rate") || ["utilisation", "occupancy_of_booked_time"].contains(column)
                        ? cell.percent : cell.text
                }
                return values
            },
            "indicators": records(indicators).map { row -> [String: Any] in
                var values: [String: Any] = [:]
                for (column, cell) in row { values[column] = column == "progress" ? cell.percent : cell.text }
                values["groupLabel"] = placeName(row["group"]?.text ?? "", network: texts["reports_network"])
                values["met"] = row["met"] == .flag(true)
                return values
            },
            "bars": SVGCharts.bars(
                totals.keys.sorted().map { (label(of: $0, query.grouping), totals[$0]!.booked, totals[$0]!.used) }),
            "heat": SVGCharts.heatMap(tables.heatMap, weekdays: (1...7).map { texts["weekday_\($0)"] ?? "\($0)" }),
            "shares": SVGCharts.shares(
                tables.organisations,
                label: { key in
                    key == UtilisationRequest.undisclosed
                        ? texts["reports_private"] ?? key : catalogue.organisation(key)?.name ?? key
                }),
            "csv": [
                "utilisation": "/reports/utilisation.csv?\(suffix)&table=utilisation",
                "heatMap": "/reports/utilisation.csv?\(suffix)&table=heat-map",
                "organisations": "/reports/utilisation.csv?\(suffix)&table=organisations",
                "categories": "/reports/utilisation.csv?\(suffix)&table=categories",
                "indicators": "/reports/indicators.csv?\(suffix)",
                "openData": "/reports/open-data.csv?\(suffix)",
            ],
        ]
    }

    /// The report's query for its CSV links: the range, period and grouping, and the place filters as given.
    private func csvQuery(_ query: ReportQuery, _ filters: [(String, String)]) -> String {
        var items = [
            "from=\(query.range.from)", "to=\(query.range.to)", "period=\(query.period.rawValue)",
            "by=\(query.grouping.rawValue)",
        ]
        for (name, value) in filters {
            items.append("\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        }
        return items.joined(separator: "&")
    }

    /// The name of an indicator's group: a city, venue or space, or the whole network.
    private func placeName(_ group: String, network: String?) -> String {
        if group == IndicatorScope.networkGroup { return network ?? group }
        return catalogue.city(group)?.name ?? catalogue.venue(group)?.name ?? catalogue.space(group)?.name ?? group
    }

    private func label(of group: String, _ grouping: ReportGrouping) -> String {
        switch grouping {
        case .space: catalogue.space(group)?.name ?? group
        case .venue: catalogue.venue(group)?.name ?? group
        case .city: catalogue.city(group)?.name ?? group
        case .organisation: catalogue.organisation(group)?.name ?? group
        case .category: group
        }
    }

    private func records(_ table: ReportTable) -> [[String: ReportTable.Cell]] {
        table.rows.map { Dictionary(uniqueKeysWithValues: zip(table.columns, $0)) }
    }

    private func number(_ cell: ReportTable.Cell?) -> Double {
        if case .number(let value?, _) = cell { return value }
        return 0
    }
}
