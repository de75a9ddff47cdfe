import CLibical
import HapesiraCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Conversions between Swift time values and libical's `icaltimetype`, in one place.
enum LibicalTime {
    /// An instant as a UTC date-time (`…Z`).
    static func utc(_ instant: Int64) -> icaltimetype {
        icaltime_from_timet_with_zone(time_t(instant), 0, icaltimezone_get_utc_timezone())
    }

    /// A wall-clock time as a floating date-time (no zone; a TZID, if any, goes in a parameter).
    static func floating(_ local: LocalDateTime) -> icaltimetype {
        var time = icaltime_null_time()
        time.year = Int32(local.year)
        time.month = Int32(local.month)
        time.day = Int32(local.day)
        time.hour = Int32(local.hour)
        time.minute = Int32(local.minute)
        time.second = Int32(local.second)
        return time
    }

    /// The wall-clock time of an instant in `zone`, as a floating date-time.
    static func wallClock(_ instant: Int64, in zone: Zone) -> icaltimetype { floating(zone.local(instant)) }

    /// The wall-clock fields of a libical time (its zone, if any, is ignored).
    static func local(_ time: icaltimetype) -> LocalDateTime {
        LocalDateTime(
            year: Int(time.year), month: Int(time.month), day: Int(time.day),
            hour: Int(time.hour), minute: Int(time.minute), second: Int(time.second))
    }
}
