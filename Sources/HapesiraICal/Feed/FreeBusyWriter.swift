import CLibical
import HapesiraCore

/// Writes a VCALENDAR with one VFREEBUSY in UTC, built and serialised by libical.
public enum FreeBusyWriter {
    /// The free/busy information for `[from, to)`.
    ///
    /// - Parameters:
    ///   - method: the iTIP `METHOD` (e.g. `REPLY`), or `nil` for none.
    ///   - stamp: `DTSTAMP`, Unix seconds.
    ///   - busy: periods in any order; they are clipped to `[from, to)`, merged where they overlap or
    ///     touch within the same type, sorted, and written one `FREEBUSY` per period
    ///     (`FBTYPE=BUSY` or `FBTYPE=BUSY-TENTATIVE`).
    public static func write(
        method: String?, uid: String, stamp: Int64, from: Int64, to: Int64, organizer: CalendarAddress?,
        attendee: CalendarAddress?, busy: [BusyPeriod]
    ) -> String {
        typealias B = LibicalBuilding
        Libical.configure()
        guard let root = icalcomponent_new_vcalendar() else { return "" }
        defer { icalcomponent_free(root) }

        B.add(icalproperty_new_prodid(FeedWriter.productID), to: root)
        B.add(icalproperty_new_version("2.0"), to: root)
        B.add(icalproperty_new_calscale("GREGORIAN"), to: root)
        if let method {
            let known = icalproperty_string_to_method(method.uppercased())
            if known == ICAL_METHOD_NONE || known == ICAL_METHOD_X {
                B.add(B.x("METHOD", method), to: root)
            } else {
                B.add(icalproperty_new_method(known), to: root)
            }
        }

        guard let vfreebusy = icalcomponent_new_vfreebusy() else { return "" }
        B.add(icalproperty_new_dtstamp(LibicalTime.utc(stamp)), to: vfreebusy)
        B.add(icalproperty_new_uid(uid), to: vfreebusy)
        B.add(icalproperty_new_dtstart(LibicalTime.utc(from)), to: vfreebusy)
        B.add(icalproperty_new_dtend(LibicalTime.utc(to)), to: vfreebusy)
        if let organizer {
            B.add(organizer, as: { icalproperty_new_organizer($0) }, to: vfreebusy)
        }
        if let attendee {
            B.add(attendee, as: { icalproperty_new_attendee($0) }, to: vfreebusy)
        }
        for period in mergedPeriods(busy, within: Interval(start: from, end: to)) {
            let value = icalperiodtype(
                start: LibicalTime.utc(period.interval.start), end: LibicalTime.utc(period.interval.end),
                duration: icaldurationtype_null_duration())
            let type = period.tentative ? ICAL_FBTYPE_BUSYTENTATIVE : ICAL_FBTYPE_BUSY
            B.add(icalproperty_new_freebusy(value), to: vfreebusy, icalparameter_new_fbtype(type))
        }
        icalcomponent_add_component(root, vfreebusy)
        return B.serialise(root)
    }

    /// Clipped to `window`, merged per type, sorted by start, end, then BUSY before BUSY-TENTATIVE.
    static func mergedPeriods(_ busy: [BusyPeriod], within window: Interval) -> [BusyPeriod] {
        func merged(tentative: Bool) -> [BusyPeriod] {
            busy.filter { $0.tentative == tentative }
                .compactMap { $0.interval.intersection(window) }
                .merged()
                .map { BusyPeriod(interval: $0, tentative: tentative) }
        }
        return (merged(tentative: false) + merged(tentative: true)).sorted {
            ($0.interval.start, $0.interval.end, $0.tentative ? 1 : 0)
                < ($1.interval.start, $1.interval.end, $1.tentative ? 1 : 0)
        }
    }
}
