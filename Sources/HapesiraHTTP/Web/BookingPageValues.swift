import Foundation
import HapesiraCore

/// Dates and times of bookings as the pages write them, in the venue's zone:
/// `Wednesday 10.02.2027, 10:00–12:00` (an end on a later day carries its date).
enum BookingText {
    static func date(_ date: LocalDate) -> String { "\(WeekText.day(date))\(date.year)" }

    static func day(_ date: LocalDate, texts: [String: String]) -> String {
        "\(texts["weekday_name_\(date.weekday)"] ?? "") \(self.date(date))"
    }

    static func span(_ interval: Interval, zone: Zone, texts: [String: String]) -> String {
        let day = zone.local(interval.start).date
        let start = WeekText.time(interval.start, on: day, zone: zone)
        let end = WeekText.time(interval.end, on: day, zone: zone, isEnd: true)
        return "\(self.day(day, texts: texts)), \(start)–\(end)"
    }

    /// An instant with its date: `10.02.2027 18:30`.
    static func instant(_ instant: Int64, zone: Zone) -> String {
        let local = zone.local(instant)
        return "\(date(local.date)) \(BookingForm.clock(local))"
    }
}

/// The values the booking pages' templates show for bookings, refusals and audit entries, in the
/// visitor's language (`texts`) and each venue's zone; what a caller may not see is left out by the
/// same rules as the API's views.
struct BookingValues {
    let views: Views
    let texts: [String: String]

    var catalogue: Catalogue { views.catalogue }

    func text(_ key: String) -> String { texts[key] ?? key }

    /// The text of a status, outcome or action code (`no-show` → `outcome_no_show`).
    func code(_ prefix: String, _ code: String) -> String {
        texts["\(prefix)_\(code.replacingOccurrences(of: "-", with: "_"))"] ?? code
    }

    func spaceName(_ id: String) -> String {
        guard let space = catalogue.space(id) else { return id }
        return "\(space.name), \(catalogue.venue(space.venue)?.name ?? space.venue)"
    }

    func organisationName(_ id: String) -> String { catalogue.organisation(id)?.name ?? id }

    /// One line per booking for lists: what, where, when (the next occurrence, else the last), status.
    func summary(
        _ booking: Booking, for caller: Caller, now: Int64, outcomes: [Int64: AttendanceOutcome]
    )
        -> [String: Any]
    {
        let draft = booking.draft
        let zone = views.zone(ofSpace: draft.space)
        let live = booking.occurrences.filter { !$0.cancelled }
        let next = live.first { $0.interval.end > now }
        let shown = next ?? live.last ?? booking.occurrences.last
        let last = live.last { $0.interval.start <= now }
        var values: [String: Any] = [
            "id": booking.id, "url": "/bookings/\(booking.id)", "title": title(booking, for: caller),
            "space": spaceName(draft.space), "status": code("status", booking.status.rawValue),
            "statusCode": booking.status.rawValue, "occurrences": live.count, "series": draft.recurrence != nil,
        ]
        if let shown {
            values["when"] = BookingText.span(shown.interval, zone: zone, texts: texts)
            values["iso"] = TimeInput.format(shown.interval.start, in: zone)
        }
        if let last, let outcome = outcomes[last.id] { values["outcome"] = code("outcome", outcome.rawValue) }
        return values
    }

    func title(_ booking: Booking, for caller: Caller) -> String {
        seesDetails(booking, caller) ? booking.draft.title : text("week_busy")
    }

    func seesDetails(_ booking: Booking, _ caller: Caller) -> Bool {
        let draft = booking.draft
        return caller.seesDetails(
            of: draft.visibility, organisation: draft.organisation, venue: catalogue.space(draft.space)?.venue ?? "")
    }

    /// Every occurrence: when, its status and outcome, and whether the caller may cancel it.
    func occurrences(
        _ booking: Booking, outcomes: [Int64: AttendanceOutcome], mayCancel: Bool, now: Int64
    ) -> [[String: Any]] {
        let zone = views.zone(ofSpace: booking.draft.space)
        let active = booking.status == .confirmed || booking.status == .pending
        return booking.occurrences.map { occurrence in
            let status = occurrence.released ? "released" : occurrence.cancelled ? "cancelled" : "scheduled"
            var values: [String: Any] = [
                "id": occurrence.id, "when": BookingText.span(occurrence.interval, zone: zone, texts: texts),
                "iso": TimeInput.format(occurrence.interval.start, in: zone), "status": code("occurrence", status),
                "cancelURL": "/bookings/\(booking.id)/occurrences/\(occurrence.id)/cancel",
                "cancel": mayCancel && active && !occurrence.cancelled && occurrence.interval.end > now
                    && booking.occurrences.count > 1,
            ]
            if let outcome = outcomes[occurrence.id] { values["outcome"] = code("outcome", outcome.rawValue) }
            return values
        }
    }

    /// The audit trail, newest first: when (in the venue's zone), what, who, why.
    func history(_ entries: [AuditEntry], zone: Zone) -> [[String: Any]] {
        entries.map { entry in
            var values: [String: Any] = [
                "at": BookingText.instant(entry.at, zone: zone), "iso": TimeInput.format(entry.at, in: zone),
                "action": code("audit", entry.action), "who": organisationName(entry.actorOrganisation),
            ]
            if let reason = entry.reason, !reason.isEmpty { values["reason"] = reason }
            return values
        }
    }

    /// Why a booking was refused: each refused occurrence with the rules it breaks and what is in
    /// its way (another organisation's private booking only as busy time).
    func refusal(_ refusal: Refusal, caller: Caller, zone: Zone) -> [[String: Any]] {
        refusal.refused.map { check in
            [
                "when": BookingText.span(check.interval, zone: zone, texts: texts),
                "iso": TimeInput.format(check.interval.start, in: zone),
                "reasons": check.violations.map { violation -> [String: Any] in
                    var values: [String: Any] = ["text": rule(violation)]
                    if case .conflict(let others) = violation {
                        values["conflicts"] = others.map { conflict($0, caller: caller) }
                    }
                    return values
                },
            ]
        }
    }

    func conflict(_ busy: BusyOccurrence, caller: Caller) -> [String: Any] {
        let zone = views.zone(ofSpace: busy.space)
        var values: [String: Any] = [
            "when": BookingText.span(busy.interval, zone: zone, texts: texts), "space": spaceName(busy.space),
            "iso": TimeInput.format(busy.interval.start, in: zone),
            "tentative": busy.status == .pending,
        ]
        if views.seesDetails(of: busy, caller) {
            values["what"] = busy.title
            values["who"] = organisationName(busy.organisation)
        } else {
            values["what"] = text("week_busy")
        }
        return values
    }

    /// A broken rule in the visitor's language; `{n}` in the text is the rule's number or reason.
    func rule(_ violation: RuleViolation) -> String {
        let number: String? =
            switch violation {
            case .closed(let reason): reason
            case .tooShort(let minimum): "\(minimum / 60)"
            case .tooLong(let maximum): "\(maximum / 60)"
            case .insufficientNotice(let minimum): "\(minimum / 60)"
            case .beyondHorizon(let maximum): "\(maximum / 86_400)"
            case .quotaExceeded(let quota, _):
                quota.maxHours == quota.maxHours.rounded() ? "\(Int(quota.maxHours))" : "\(quota.maxHours)"
            case .overCapacity(let capacity, _): "\(capacity)"
            case .conflict, .outsideOpeningHours, .inThePast: nil
            }
        let text = code("rule", violation.code)
        return number.map { text.replacingOccurrences(of: "{n}", with: $0) } ?? text
    }
}
