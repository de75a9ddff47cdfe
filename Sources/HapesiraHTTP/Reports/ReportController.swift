import HapesiraCore
import HapesiraStore
import Hummingbird

/// Utilisation reports, indicators and the open-data export, as JSON or CSV (viewer role and up).
struct ReportController: Sendable {
    let reports: ReportService

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("reports/utilisation") { request, context in
            let caller = try context.requireCaller()
            let query = try reports.query(request.uri.queryParameters)
            let tables = try await reports.utilisation(query, for: caller)
            switch query.format {
            case .csv:
                return try await reports.csv(
                    .utilisation, query, table: request.uri.queryParameters.get("table"), for: caller)
            case .json:
                return JSONResponse.make(
                    .object([
                        "from": .string(query.range.from.description), "to": .string(query.range.to.description),
                        "period": .string(query.period.rawValue), "by": .string(query.grouping.rawValue),
                        "items": tables.utilisation.json, "shares_by_organisation": tables.organisations.json,
                        "shares_by_category": tables.categories.json, "heat_map": tables.heatMap.json,
                    ]))
            }
        }
        for kind in [ReportKind.indicators, .openData] {
            group.get("reports/\(kind.rawValue)") { request, context in
                let caller = try context.requireCaller()
                let query = try reports.query(request.uri.queryParameters)
                switch query.format {
                case .csv: return try await reports.csv(kind, query, table: nil, for: caller)
                case .json:
                    let table =
                        kind == .indicators ? try await reports.indicators(query) : try await reports.openData(query)
                    return JSONResponse.items(table.jsonRows)
                }
            }
        }
    }
}

/// The tables of one utilisation report.
struct UtilisationTables: Sendable {
    var utilisation: ReportTable
    var organisations: ReportTable
    var categories: ReportTable
    var heatMap: ReportTable

    static let names = ["utilisation", "organisations", "categories", "heat-map"]

    func named(_ name: String) -> ReportTable? {
        switch name {
        case "utilisation": utilisation
        case "organisations": organisations
        case "categories": categories
        case "heat-map": heatMap
        default: nil
        }
    }
}

/// The reports that have a CSV.
enum ReportKind: String, Sendable, CaseIterable {
    case utilisation, indicators
    case openData = "open-data"
}

/// Builds reports from the store: the one place the API and the web page get their figures.
struct ReportService: Sendable {
    let reader: ReportReader
    let catalogue: Catalogue
    let indicators: [Indicator]
    let bookings: BookingController
    let now: @Sendable () -> Int64

    func query(_ parameters: Parameters, defaultRange: ReportRange? = nil) throws -> ReportQuery {
        try ReportQuery.parse(parameters, catalogue: catalogue, bookings: bookings, defaultRange: defaultRange)
    }

    func utilisation(_ query: ReportQuery, for caller: Caller) async throws -> UtilisationTables {
        let input = try await reader.input(spaces: query.spaces, range: query.range, now: now())
        let report = input.utilisation(
            UtilisationRequest(
                range: query.range, period: query.period, grouping: query.grouping,
                disclosesPrivate: caller.seesPrivateInReports))
        return UtilisationTables(
            utilisation: .utilisation(report), organisations: .shares(report, byCategory: false),
            categories: .shares(report, byCategory: true), heatMap: .heatMap(report))
    }

    /// A report as a CSV download; for utilisation, `table` names which of its tables (default `utilisation`).
    func csv(_ kind: ReportKind, _ query: ReportQuery, table: String?, for caller: Caller) async throws -> Response {
        let range = "\(query.range.from)-\(query.range.to)"
        switch kind {
        case .indicators: return try await indicators(query).csvResponse(name: "indicators-\(range)")
        case .openData: return try await openData(query).csvResponse(name: "hapesira-utilisation-\(range)")
        case .utilisation:
            let name = table ?? "utilisation"
            guard let chosen = try await utilisation(query, for: caller).named(name) else {
                throw APIError.invalid(
                    "table", "table must be one of: \(UtilisationTables.names.joined(separator: ", "))")
            }
            return chosen.csvResponse(name: "\(name)-\(range)")
        }
    }

    func indicators(_ query: ReportQuery) async throws -> ReportTable {
        let input = try await reader.input(spaces: query.spaces, range: query.range, now: now())
        return .indicators(input.indicators(indicators, over: query.range))
    }

    /// Utilisation per space per month, for publication: no organisation, no category, no title.
    func openData(_ query: ReportQuery) async throws -> ReportTable {
        let input = try await reader.input(spaces: query.spaces, range: query.range, now: now())
        let report = input.utilisation(
            UtilisationRequest(range: query.range, period: .month, grouping: .space, disclosesPrivate: false))
        return .openData(report, catalogue: catalogue)
    }
}

extension ReportTable {
    /// The rows as JSON objects (for `{"items": …}`).
    var jsonRows: [JSONValue] {
        guard case .array(let rows) = json else { return [] }
        return rows
    }

    /// The open-data export: a stable set of columns, documented in the README.
    static func openData(_ report: UtilisationReport, catalogue: Catalogue) -> ReportTable {
        ReportTable(
            columns: [
                "space", "space_name", "venue", "city", "month", "complete", "available_hours", "booked_hours",
                "used_hours", "unknown_hours", "unbooked_use_hours", "utilisation", "occupancy_of_booked_time",
                "occurrences", "covered_occurrences", "no_show_rate", "peak_attendance", "attendance_total",
            ],
            rows: report.rows.map { row in
                let space = catalogue.space(row.group)
                let venue = space.flatMap { catalogue.venue(of: $0) }
                return [
                    .text(row.group), .text(space?.name ?? row.group), .text(venue?.id ?? ""), .text(venue?.city ?? ""),
                    .text(row.slot.label), .flag(row.slot.isComplete), .hours(row.availableSeconds),
                    .hours(row.bookedSeconds), .hours(row.usedSeconds), .hours(row.unknownSeconds),
                    .hours(row.unbookedUseSeconds), .ratio(row.utilisation), .ratio(row.occupancyOfBookedTime),
                    .int(row.outcomes.occurrences), .int(row.outcomes.covered), .ratio(row.outcomes.noShowRate),
                    row.attendance.peak.map { .int($0) } ?? .number(nil, decimals: 0),
                    .int(row.attendance.totalOfPeaks),
                ]
            })
    }
}
