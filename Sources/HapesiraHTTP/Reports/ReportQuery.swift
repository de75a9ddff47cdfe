import HapesiraCore
import Hummingbird

/// A report request from query parameters: `from`, `to` (venue-local dates, `to` not included),
/// `period`, `by`, the `city` / `venue` / `space` filters and `format` — the same for the API and
/// the web page.
struct ReportQuery: Sendable {
    enum Format: String, Sendable, CaseIterable { case json, csv }

    var range: ReportRange
    var period: ReportPeriod
    var grouping: ReportGrouping
    var spaces: [Space]
    var format: Format

    /// Parses the query; `defaultRange` is used when both `from` and `to` are absent (the web page's
    /// "this year so far"), otherwise they are required.
    static func parse(
        _ query: Parameters, catalogue: Catalogue, bookings: BookingController, defaultRange: ReportRange? = nil
    ) throws -> ReportQuery {
        let range: ReportRange
        if query.get("from") == nil, query.get("to") == nil, let defaultRange {
            range = defaultRange
        } else {
            let from = try date(query.get("from"), field: "from")
            let to = try date(query.get("to"), field: "to")
            do { range = try ReportRange(from: from, to: to) } catch {
                throw APIError.invalid(error == .invalidDate(from) ? "from" : "to", error.description)
            }
        }
        let period = try choice(query.get("period"), field: "period", default: ReportPeriod.month)
        let grouping = try choice(query.get("by"), field: "by", default: ReportGrouping.space)
        let format = try choice(query.get("format"), field: "format", default: Format.json)
        let ids = try bookings.spaceFilter(query)
        let spaces = ids.map { $0.compactMap(catalogue.space) } ?? catalogue.spaces
        return ReportQuery(range: range, period: period, grouping: grouping, spaces: spaces, format: format)
    }

    /// `YYYY-MM-DD`.
    static func date(_ text: String?, field: String) throws -> LocalDate {
        guard let text else { throw APIError.invalid(field, "give \(field) as a date, YYYY-MM-DD") }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { throw APIError.invalid(field, "\(field) must be a date, YYYY-MM-DD, got '\(text)'") }
        let date = LocalDate(year: year, month: month, day: day)
        guard date.isValid else { throw APIError.invalid(field, "\(text) is not a calendar date") }
        return date
    }

    private static func choice<Value: RawRepresentable & CaseIterable>(
        _ text: String?, field: String, default fallback: Value
    ) throws -> Value where Value.RawValue == String {
        guard let text else { return fallback }
        guard let value = Value(rawValue: text) else {
            throw APIError.invalid(
                field, "\(field) must be one of: \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}

extension Caller {
    /// Whether reports show which organisation and category private bookings are (admins and
    /// managers); for everyone else they count, undescribed.
    var seesPrivateInReports: Bool {
        switch role {
        case .admin, .manager: true
        case .member, .viewer: false
        }
    }
}
