import CLibical
import HapesiraCore

/// Stored RRULE values made ready for a feed.
enum RecurrenceRule {
    /// The rule parsed by libical with `UNTIL` as a UTC date-time, as RFC 5545 requires when
    /// DTSTART has a TZID: a local UNTIL is wall-clock time in `zone`, a date-only UNTIL the end
    /// of that day in `zone`. `nil` when libical cannot parse the rule.
    static func utcUntil(_ rule: String, zone: Zone) -> icalrecurrencetype? {
        var text = Substring(rule)
        if text.uppercased().hasPrefix("RRULE:") { text = text.dropFirst(6) }
        icalerror_clear_errno()
        var recurrence = icalrecurrencetype_from_string(String(text))
        guard recurrence.freq != ICAL_NO_RECURRENCE, icalerrno_return().pointee == ICAL_NO_ERROR else {
            icalerror_clear_errno()
            return nil
        }
        let until = recurrence.until
        if icaltime_is_null_time(until) == 0 {
            let instant: Int64
            if until.is_date != 0 {
                let day = LocalDate(year: Int(until.year), month: Int(until.month), day: Int(until.day))
                instant = zone.startOfDay(day.adding(days: 1)) - 1
            } else if icaltime_is_utc(until) != 0 {
                instant = Int64(icaltime_as_timet(until))
            } else {
                instant = zone.resolvedInstant(
                    for: LocalDateTime(
                        year: Int(until.year), month: Int(until.month), day: Int(until.day),
                        hour: Int(until.hour), minute: Int(until.minute), second: Int(until.second)))
            }
            recurrence.until = LibicalTime.utc(instant)
        }
        return recurrence
    }
}
