import CLibical
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Compact VTIMEZONE components for feeds, built from libical's builtin zones (system tzdata).
///
/// Each component carries the plain IANA name as TZID (`Europe/Belgrade`, without libical's
/// `/freeassociation.sourceforge.net/` prefix) and no history before 1970. The serialised text is
/// cached per zone; the libical calls run under a lock because builtin-zone loading is not
/// thread-safe.
enum CompactZones {
    /// The first instant the embedded history has to cover.
    static let historyStart: Int64 = 0

    private static let cache = Mutex<[String: String?]>([:])

    /// The VTIMEZONE text for an IANA zone, or `nil` for UTC and zones libical does not know.
    static func vtimezone(_ identifier: String) -> String? {
        cache.withLock { cache in
            if let cached = cache[identifier] { return cached }
            let text = build(identifier)
            cache[identifier] = text
            return text
        }
    }

    /// Runs under the cache lock.
    private static func build(_ identifier: String) -> String? {
        Libical.configure()
        guard identifier != "UTC", identifier != "Etc/UTC",
            let zone = icaltimezone_get_builtin_timezone(identifier),
            let builtin = icaltimezone_get_component(zone),
            let component = icalcomponent_new_clone(builtin)
        else { return nil }
        defer { icalcomponent_free(component) }

        // An empty prefix is ignored by icaltimezone_set_tzid_prefix (verified with 3.0.16), so the
        // TZID is replaced here.
        guard let tzid = icalcomponent_get_first_property(component, ICAL_TZID_PROPERTY) else { return nil }
        icalproperty_set_tzid(tzid, identifier)

        let start = icaltime_from_timet_with_zone(time_t(historyStart), 0, icaltimezone_get_utc_timezone())
        icaltimezone_truncate_vtimezone(component, start, icaltime_null_time(), 1)

        guard let text = icalcomponent_as_ical_string_r(component) else { return nil }
        defer { free(text) }
        return String(cString: text)
    }
}
