import Foundation
import HapesiraCore

/// The booking form's fields as a browser posts them (or as `GET /book?space=&date=&start=&end=`
/// preselects them): every field text, kept as typed so a refused or invalid form comes back filled in.
struct BookingForm: Decodable, Sendable {
    var space: String?
    /// Whom the booking is for: admins and venue managers may book for another organisation.
    var organisation: String?
    var title: String?
    var category: String?
    /// The day, `YYYY-MM-DD`, and the local times `HH:MM` in the venue's zone (`24:00` ends at midnight).
    var date: String?
    var start: String?
    var end: String?
    var attendance: String?
    var visibility: String?
    var description: String?
    /// `""` (once), `weekly`, `biweekly`, `monthly`, or `custom` (the `rrule` field).
    var repeats: String?
    /// How a simple series ends: on a date (inclusive) or after a number of occurrences.
    var until: String?
    var count: String?
    var rrule: String?
    var policy: String?
    /// `on` when checked: wait for the slot if it is taken.
    var wait: String?

    /// Every field with its value, in the form's order (for hidden fields that repeat the form).
    var fields: [(name: String, value: String?)] {
        [
            ("space", space), ("organisation", organisation), ("title", title), ("category", category),
            ("date", date), ("start", start), ("end", end), ("attendance", attendance), ("visibility", visibility),
            ("description", description), ("repeats", repeats), ("until", until), ("count", count),
            ("rrule", rrule), ("policy", policy), ("wait", wait),
        ]
    }

    /// The fields by name, for the template (absent ones are empty).
    var values: [String: String] {
        Dictionary(fields.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    /// The same request in another space or at another time (an alternative offered after a refusal).
    func moved(to space: String, _ interval: Interval, zone: Zone) -> BookingForm {
        var form = self
        form.space = space
        let start = zone.local(interval.start)
        form.date = start.date.description
        form.start = Self.clock(start)
        form.end = Self.clock(zone.local(interval.end), endOf: start.date)
        return form
    }

    /// `HH:MM`; the midnight after `day` is `24:00`.
    static func clock(_ local: LocalDateTime, endOf day: LocalDate? = nil) -> String {
        if let day, local.date == day.adding(days: 1), local.hour == 0, local.minute == 0 { return "24:00" }
        return "\(local.hour < 10 ? "0" : "")\(local.hour):\(local.minute < 10 ? "0" : "")\(local.minute)"
    }
}

/// The problems of a form's fields, by field name.
struct FormProblems: Error, Sendable {
    var fields: [String: FieldProblem]
}

/// A problem with one field of the form: `text` names the explanation's text; `detail` is shown as
/// given (the rules' own words, e.g. why an RRULE was not understood).
struct FieldProblem: Sendable, Hashable {
    var text: String
    var detail: String?
}

extension BookingForm {
    /// The fields that the form checks itself, in the order the problems are listed.
    static let order = [
        "space", "organisation", "title", "category", "date", "start", "end", "attendance", "repeats", "until",
        "count", "rrule",
    ]

    /// The draft this form asks for, or the problems of its fields (by field name). The times are
    /// read in the zone of the chosen space's venue; a time the clocks skip is a problem, one they
    /// show twice is the earlier. The booking rules themselves are left to the engine.
    func draft(for caller: Caller, in catalogue: Catalogue) -> Result<BookingDraft, FormProblems> {
        var problems: [String: FieldProblem] = [:]
        let space = catalogue.space(Self.trimmed(space))
        let venue = space.flatMap { catalogue.venue(of: $0) }
        if space == nil || venue == nil { problems["space"] = FieldProblem(text: "error_space") }
        let organisation = Self.trimmed(organisation).isEmpty ? caller.organisation : Self.trimmed(organisation)
        if catalogue.organisation(organisation) == nil {
            problems["organisation"] = FieldProblem(text: "error_organisation")
        }
        let title = Self.trimmed(title)
        if title.isEmpty || title.count > 200 { problems["title"] = FieldProblem(text: "error_title") }
        let category = Self.trimmed(category)
        if !catalogue.categories.contains(category) { problems["category"] = FieldProblem(text: "error_category") }
        let day = Self.date(date)
        if day == nil { problems["date"] = FieldProblem(text: "error_date") }
        let startTime = Self.time(start)
        let endTime = Self.time(end)
        if startTime == nil || startTime?.minutes == 1440 { problems["start"] = FieldProblem(text: "error_time") }
        if endTime == nil { problems["end"] = FieldProblem(text: "error_time") }
        var expected: Int?
        if !Self.trimmed(attendance).isEmpty {
            expected = Int(Self.trimmed(attendance))
            if (expected ?? -1) < 0 { problems["attendance"] = FieldProblem(text: "error_attendance") }
        }
        var interval: Interval?
        if let day, let startTime, let endTime, let zone = venue?.zone, problems["start"] == nil {
            let from = zone.instants(for: startTime.on(day))
            let to = zone.instants(for: endTime.on(day))
            if from.isEmpty {
                problems["start"] = FieldProblem(text: "error_nonexistent_time", detail: zone.identifier)
            } else if to.isEmpty {
                problems["end"] = FieldProblem(text: "error_nonexistent_time", detail: zone.identifier)
            } else if to[0] <= from[0] {
                problems["end"] = FieldProblem(text: "error_end_before_start")
            } else {
                interval = Interval(start: from[0], end: to[0])
            }
        }
        let recurrence = self.recurrence(from: day, zone: venue?.zone, problems: &problems)
        guard problems.isEmpty, let space, let interval else { return .failure(FormProblems(fields: problems)) }
        let description = Self.trimmed(description)
        return .success(
            BookingDraft(
                space: space.id, organisation: organisation, title: title, category: category, start: interval.start,
                end: interval.end, recurrence: recurrence,
                seriesPolicy: SeriesPolicy(rawValue: policy ?? "") ?? .allOrNothing,
                visibility: Visibility(rawValue: visibility ?? "") ?? .public, expectedAttendance: expected,
                description: description.isEmpty ? nil : description, waitIfBusy: wait == "on" || wait == "true"))
    }

    /// The RRULE of the repeat choice: the simple ones end on `until` (the end of that day in the
    /// venue's zone, written in UTC as RFC 5545 asks when the start has a zone) or after `count`.
    private func recurrence(from day: LocalDate?, zone: Zone?, problems: inout [String: FieldProblem]) -> String? {
        let frequency: String
        switch Self.trimmed(repeats) {
        case "": return nil
        case "weekly": frequency = "FREQ=WEEKLY"
        case "biweekly": frequency = "FREQ=WEEKLY;INTERVAL=2"
        case "monthly": frequency = "FREQ=MONTHLY"
        case "custom":
            var rule = Self.trimmed(rrule)
            if rule.uppercased().hasPrefix("RRULE:") { rule = String(rule.dropFirst(6)) }
            if rule.isEmpty { problems["rrule"] = FieldProblem(text: "error_rrule") }
            return rule
        default:
            problems["repeats"] = FieldProblem(text: "error_repeats")
            return nil
        }
        let count = Self.trimmed(count)
        let until = Self.trimmed(until)
        if !count.isEmpty {
            guard let number = Int(count), (1...500).contains(number) else {
                problems["count"] = FieldProblem(text: "error_count")
                return nil
            }
            return "\(frequency);COUNT=\(number)"
        }
        if !until.isEmpty {
            guard let last = Self.date(until), day.map({ last >= $0 }) ?? true else {
                problems["until"] = FieldProblem(text: "error_until")
                return nil
            }
            guard let zone else { return nil }
            let end = LocalDateTime(localSeconds: zone.startOfDay(last.adding(days: 1)) - 1)
            let text = "\(end.year)\(Self.two(end.month))\(Self.two(end.day))"
            return "\(frequency);UNTIL=\(text)T\(Self.two(end.hour))\(Self.two(end.minute))\(Self.two(end.second))Z"
        }
        problems["until"] = FieldProblem(text: "error_repeat_end")
        return nil
    }

    /// A local time of day in minutes, `00:00` to `24:00`.
    struct DayTime {
        var minutes: Int
        func on(_ day: LocalDate) -> LocalDateTime {
            let date = minutes == 1440 ? day.adding(days: 1) : day
            return LocalDateTime(
                year: date.year, month: date.month, day: date.day, hour: (minutes % 1440) / 60, minute: minutes % 60)
        }
    }

    static func time(_ text: String?) -> DayTime? {
        let parts = trimmed(text).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts[0].count <= 2, parts[1].count == 2,
            let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour), (0..<60).contains(minute),
            hour < 24 || minute == 0, parts.count == 2 || parts[2] == "00"
        else { return nil }
        return DayTime(minutes: hour * 60 + minute)
    }

    static func date(_ text: String?) -> LocalDate? { try? ReportQuery.date(trimmed(text), field: "date") }

    private static func trimmed(_ text: String?) -> String {
        (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
