import CLibical
import HapesiraCore

/// A rule that turns wall-clock times into instants: a tzdata zone or a calendar's own VTIMEZONE.
enum WallClock {
    case zone(Zone)
    /// A VTIMEZONE owned by the calendar being read; valid only while that calendar is alive.
    case vtimezone(OpaquePointer)

    /// The offset from UTC, in seconds, at an instant.
    func offset(at instant: Int64) -> Int64 {
        switch self {
        case .zone(let zone):
            return zone.offset(at: instant)
        case .vtimezone(let timezone):
            var utc = LibicalTime.utc(instant)
            var isDaylight: Int32 = 0
            return Int64(icaltimezone_get_utc_offset_of_utc_time(timezone, &utc, &isDaylight))
        }
    }

    /// Every instant at which the clock shows `local`: none in a gap, two in an overlap (earlier first).
    func instants(for local: LocalDateTime) -> [Int64] {
        if case .zone(let zone) = self { return zone.instants(for: local) }
        let wall = local.localSeconds
        let offsets = Set([offset(at: wall - 86_400), offset(at: wall + 86_400), offset(at: wall)])
        return offsets.map { wall - $0 }.filter { offset(at: $0) == wall - $0 }.sorted()
    }

    /// The instant for `local`, the earlier one in an overlap; in a gap read with the offset before it.
    func resolvedInstant(for local: LocalDateTime) -> Int64 {
        if let first = instants(for: local).first { return first }
        return local.localSeconds - offset(at: local.localSeconds - 86_400)
    }
}

/// An iCalendar date-time read as an instant.
struct ResolvedTime {
    var instant: Int64
    /// The wall-clock time as written.
    var local: LocalDateTime
    /// How `local` was read; nil for UTC.
    var clock: WallClock?
    /// The IANA zone of a `TZID` time, when there is one.
    var zone: Zone?
}

/// Resolves date-time properties (`DTSTART`, `DTEND`, `RECURRENCE-ID`, `EXDATE`, …) to instants.
struct TimeResolver {
    /// The VCALENDAR whose VTIMEZONEs `TZID`s refer to.
    let calendar: OpaquePointer
    /// The zone floating times (no `Z`, no `TZID`) are read in.
    let floatingZone: Zone

    /// Reads `time`, the value of `property` (named `name` in messages), as an instant.
    func resolve(
        _ time: icaltimetype, of property: OpaquePointer, name: String
    ) throws(CalendarInputError)
        -> ResolvedTime
    {
        guard time.is_date == 0 else {
            let what = name == "DTSTART" ? " (an all-day event); a room booking needs a start time" : ""
            throw .invalid(property: name, message: "\(name) is a date without a time\(what)")
        }
        let local = LibicalTime.local(time)
        guard local.isValid else {
            throw .invalid(property: name, message: "\(name) \(local) is not a valid date and time")
        }
        if icaltime_is_utc(time) != 0 {
            return ResolvedTime(instant: local.localSeconds, local: local, clock: nil, zone: nil)
        }
        guard let tzid = LibicalAccess.parameter(property, "TZID") else {
            return try resolve(local, on: .zone(floatingZone), zone: nil, name: name, zoneName: floatingZone.identifier)
        }
        let iana = Self.ianaZone(for: tzid)
        if let vtimezone = icalcomponent_get_timezone(calendar, tzid) {
            let resolved = try resolve(local, on: .vtimezone(vtimezone), zone: nil, name: name, zoneName: tzid)
            return try checked(resolved, tzid: tzid, iana: iana)
        }
        guard let iana else {
            throw .invalid(property: name, message: "unknown TZID \(tzid) without a VTIMEZONE")
        }
        return try resolve(local, on: .zone(iana), zone: iana, name: name, zoneName: tzid)
    }

    private func resolve(
        _ local: LocalDateTime, on clock: WallClock, zone: Zone?, name: String, zoneName: String
    ) throws(CalendarInputError) -> ResolvedTime {
        guard let instant = clock.instants(for: local).first else {
            throw .invalid(
                property: name,
                message: "\(name) \(local) does not exist in \(zoneName): the clocks skip it (daylight saving time)")
        }
        return ResolvedTime(instant: instant, local: local, clock: clock, zone: zone)
    }

    /// A VTIMEZONE must agree with tzdata where its TZID names an IANA zone. A zone without an IANA name
    /// (Outlook's `W. Europe Standard Time`) is used as sent and the event gets no `zone`: Foundation on
    /// Linux has no Windows-to-IANA mapping.
    private func checked(
        _ resolved: ResolvedTime, tzid: String, iana: Zone?
    ) throws(CalendarInputError)
        -> ResolvedTime
    {
        guard let clock = resolved.clock else { return resolved }
        let given = clock.offset(at: resolved.instant)
        guard let iana else { return resolved }
        let expected = iana.offset(at: resolved.instant)
        guard given == expected else {
            throw .invalid(
                property: "VTIMEZONE",
                message: "VTIMEZONE \(tzid) gives \(Self.format(offset: given)) at \(resolved.local), which "
                    + "disagrees with the time zone database (\(Self.format(offset: expected)) in \(iana))")
        }
        var result = resolved
        result.zone = iana
        return result
    }

    /// The IANA zone a TZID names, after stripping a leading `/…/` prefix
    /// (`/freeassociation.sourceforge.net/Europe/Belgrade`, `/citadel.org/20190914_1/Europe/Belgrade`).
    static func ianaZone(for tzid: String) -> Zone? {
        if let zone = Zone(tzid) { return zone }
        guard tzid.hasPrefix("/") else { return nil }
        var rest = Substring(tzid)
        while let slash = rest.firstIndex(of: "/") {
            rest = rest[rest.index(after: slash)...]
            if let zone = Zone(String(rest)) { return zone }
        }
        return nil
    }

    /// `UTC+05:00`.
    static func format(offset: Int64) -> String {
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        let hours = String(minutes / 60)
        let rest = String(minutes % 60)
        return "UTC\(sign)\(hours.count < 2 ? "0" + hours : hours):\(rest.count < 2 ? "0" + rest : rest)"
    }
}
