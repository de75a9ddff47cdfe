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

        guard let iterator = icalrecur_iterator_new(recurrence, LibicalTime.floating(start)) else {
            icalerror_clear_errno()
            throw .invalid("libical cannot iterate '\(text)'")
        }
        defer { icalrecur_iterator_free(iterator) }

        var starts: [LocalDateTime] = []
        var truncated = false
        while true {
            let next = icalrecur_iterator_next(iterator)
            if icaltime_is_null_time(next) != 0 { break }
            let local = LibicalTime.local(next)
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
            result = LibicalTime.wallClock(LibicalTime.local(until).localSeconds, in: zone)
        }
        result.zone = nil
        return result
    }
}
