import Foundation
import HapesiraCore
import Hummingbird

/// A report as a table: the one form the JSON, the CSV and the web page are all made from, so the
/// three always show the same numbers (hours with 2 decimals, ratios with 4).
struct ReportTable: Sendable {
    /// One value: text, a whole number, or a number with its decimals (nil: not defined, e.g. a
    /// ratio over zero).
    enum Cell: Sendable, Equatable {
        case text(String)
        case int(Int)
        case number(Double?, decimals: Int)
        case flag(Bool)

        static func hours(_ seconds: Int64?) -> Cell { .number(seconds.map { Double($0) / 3600 }, decimals: 2) }
        static func ratio(_ value: Double?) -> Cell { .number(value, decimals: 4) }

        /// The value as text (empty when undefined): CSV fields and table cells.
        var text: String {
            switch self {
            case .text(let text): text
            case .int(let value): String(value)
            case .number(let value, let decimals): value.map { String(format: "%.\(decimals)f", $0) } ?? ""
            case .flag(let value): value ? "true" : "false"
            }
        }

        /// The value in JSON: the same rounding as `text`.
        var json: JSONValue {
            switch self {
            case .text(let text): .string(text)
            case .int(let value): .int(Int64(value))
            case .number(let value, _): value == nil ? .null : .double(Double(text) ?? 0)
            case .flag(let value): .bool(value)
            }
        }

        /// A ratio as a percentage for people (same digits as the API's ratio: 0.1234 → 12.34 %).
        var percent: String {
            guard case .number(let value?, 4) = self else { return text }
            return String(format: "%.2f %%", value * 100)
        }
    }

    var columns: [String]
    var rows: [[Cell]]

    /// `{"items": [{column: value, …}, …]}`.
    var json: JSONValue {
        .array(rows.map { row in .object(Dictionary(uniqueKeysWithValues: zip(columns, row.map(\.json)))) })
    }

    /// RFC 4180: a header row, CRLF line ends, fields with a comma, quote or line break quoted (quotes doubled).
    var csv: String {
        func field(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var lines = [columns.map(field).joined(separator: ",")]
        for row in rows { lines.append(row.map { field($0.text) }.joined(separator: ",")) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The table as a CSV download named `name.csv`.
    func csvResponse(name: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8; header=present",
                .contentDisposition: "attachment; filename=\"\(name).csv\"",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
    }
}

extension ReportTable {
    /// Every figure of a utilisation report, one row per group and period.
    static func utilisation(_ report: UtilisationReport) -> ReportTable {
        ReportTable(
            columns: [
                "group", "period", "from", "to", "complete", "available_hours", "booked_hours", "used_hours",
                "unknown_hours", "used_in_bookings_hours", "unbooked_use_hours", "utilisation",
                "occupancy_of_booked_time", "occurrences", "covered_occurrences", "no_shows", "no_show_rate",
                "attendance_measured", "peak_attendance", "average_attendance", "peak_fill", "average_fill",
                "attendance_total",
            ],
            rows: report.rows.map { row in
                [
                    .text(row.group), .text(row.slot.label), .text(row.slot.from.description),
                    .text(row.slot.to.description), .flag(row.slot.isComplete), .hours(row.availableSeconds),
                    .hours(row.bookedSeconds), .hours(row.usedSeconds), .hours(row.unknownSeconds),
                    .hours(row.usedInBookingsSeconds), .hours(row.unbookedUseSeconds), .ratio(row.utilisation),
                    .ratio(row.occupancyOfBookedTime), .int(row.outcomes.occurrences), .int(row.outcomes.covered),
                    .int(row.outcomes.noShows), .ratio(row.outcomes.noShowRate), .int(row.attendance.measured),
                    row.attendance.peak.map { .int($0) } ?? .number(nil, decimals: 0),
                    .number(row.attendance.average, decimals: 2), .ratio(row.attendance.peakFill),
                    .ratio(row.attendance.averageFill), .int(row.attendance.totalOfPeaks),
                ]
            })
    }

    /// Each group's booked hours and share per organisation (or per category), over the whole range.
    static func shares(_ report: UtilisationReport, byCategory: Bool) -> ReportTable {
        var booked: [String: [String: Int64]] = [:]
        for row in report.rows {
            for (key, seconds) in byCategory ? row.bookedByCategory : row.bookedByOrganisation {
                booked[row.group, default: [:]][key, default: 0] += seconds
            }
        }
        var rows: [[Cell]] = []
        for group in booked.keys.sorted() {
            let own = booked[group]!
            let total = own.values.reduce(0, +)
            for key in own.keys.sorted() {
                rows.append([
                    .text(group), .text(key), .hours(own[key]!),
                    .ratio(total > 0 ? Double(own[key]!) / Double(total) : nil),
                ])
            }
        }
        return ReportTable(
            columns: ["group", byCategory ? "category" : "organisation", "booked_hours", "share"], rows: rows)
    }

    /// Each group's used hours by local weekday (1 = Monday) and hour.
    static func heatMap(_ report: UtilisationReport) -> ReportTable {
        ReportTable(
            columns: ["group", "weekday"] + (0..<24).map { String(format: "h%02d", $0) },
            rows: report.heatMaps.keys.sorted().flatMap { group in
                (1...7).map { weekday in
                    [.text(group), .int(weekday)]
                        + (0..<24).map { Cell.hours(report.heatMaps[group]!.seconds(weekday: weekday, hour: $0)) }
                }
            })
    }

    /// Each indicator's actual against its target, per group and period.
    static func indicators(_ results: [IndicatorResult]) -> ReportTable {
        ReportTable(
            columns: [
                "indicator", "group", "period", "from", "to", "complete", "target", "actual", "verified", "unverified",
                "verified_occurrences", "unverified_occurrences", "progress", "met",
            ],
            rows: results.map { result in
                [
                    .text(result.indicator), .text(result.group), .text(result.slot.label),
                    .text(result.slot.from.description), .text(result.slot.to.description),
                    .flag(result.slot.isComplete), .number(result.target, decimals: 2),
                    .number(result.actual, decimals: 2), .number(result.verified, decimals: 2),
                    .number(result.unverified, decimals: 2), .int(result.verifiedOccurrences),
                    .int(result.unverifiedOccurrences), .ratio(result.progress), .flag(result.isMet),
                ]
            })
    }
}
