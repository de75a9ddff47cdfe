import CLibical
import HapesiraCore

/// Expands RRULEs with libical's recurrence iterator, in wall-clock (floating) time.
public struct LibicalRecurrenceExpander: RecurrenceExpanding {
    public init() {
        Libical.configure()
    }

    public func expand(
        rule: String, start: LocalDateTime, zone: Zone, windowEnd: LocalDateTime, limit: Int
    ) throws(RecurrenceError) -> Expansion {
        var text = Substring(rule)
        if text.uppercased().hasPrefix("RRULE:") { text = text.dropFirst(6) }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != ":" }) else {
            throw .invalid("expected a single RRULE value such as FREQ=WEEKLY;COUNT=10")
        }
        icalerror_clear_errno()
        var recurrence = icalrecurrencetype_from_string(String(text))
        guard recurrence.freq != ICAL_NO_RECURRENCE, icalerrno_return().pointee == ICAL_NO_ERROR else {
            icalerror_clear_errno()
            throw .invalid("libical could not parse '\(text)'")
        }
        switch recurrence.freq {
        case ICAL_SECONDLY_RECURRENCE: throw .tooFrequent("SECONDLY")
        case ICAL_MINUTELY_RECURRENCE: throw .tooFrequent("MINUTELY")
        case ICAL_HOURLY_RECURRENCE: throw .tooFrequent("HOURLY")
        default: break
        }
        if icaltime_is_null_time(recurrence.until) == 0 {
            recurrence.until = Self.wallClockUntil(recurrence.until, zone: zone)
        }

        var dtstart = icaltime_null_time()
        dtstart.year = Int32(start.year)
        dtstart.month = Int32(start.month)
        dtstart.day = Int32(start.day)
        dtstart.hour = Int32(start.hour)
        dtstart.minute = Int32(start.minute)
        dtstart.second = Int32(start.second)
        guard let iterator = icalrecur_iterator_new(recurrence, dtstart) else {
            icalerror_clear_errno()
            throw .invalid("libical cannot iterate '\(text)'")
        }
        defer { icalrecur_iterator_free(iterator) }

        var starts: [LocalDateTime] = []
        var truncated = false
        while true {
            let next = icalrecur_iterator_next(iterator)
            if icaltime_is_null_time(next) != 0 { break }
            let local = LocalDateTime(
                year: Int(next.year), month: Int(next.month), day: Int(next.day),
                hour: Int(next.hour), minute: Int(next.minute), second: Int(next.second))
            if local > windowEnd || starts.count == limit {
                truncated = true
                break
            }
            starts.append(local)
        }
        return Expansion(starts: starts, truncated: truncated)
    }

    /// UNTIL as wall-clock time: a UTC UNTIL is read in the venue's zone; a date-only UNTIL
    /// includes the whole day.
    private static func wallClockUntil(_ until: icaltimetype, zone: Zone) -> icaltimetype {
        var result = until
        if until.is_date != 0 {
            result.is_date = 0
            result.hour = 23
            result.minute = 59
            result.second = 59
        } else if icaltime_is_utc(until) != 0 {
            let utc = LocalDateTime(
                year: Int(until.year), month: Int(until.month), day: Int(until.day),
                hour: Int(until.hour), minute: Int(until.minute), second: Int(until.second))
            let local = zone.local(utc.localSeconds)
            result = icaltime_null_time()
            result.year = Int32(local.year)
            result.month = Int32(local.month)
            result.day = Int32(local.day)
            result.hour = Int32(local.hour)
            result.minute = Int32(local.minute)
            result.second = Int32(local.second)
        }
        result.zone = nil
        return result
    }
}
