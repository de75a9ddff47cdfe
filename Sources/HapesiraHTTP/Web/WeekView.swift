import HapesiraCore

/// A calendar week, Monday to Sunday, as local dates.
struct CalendarWeek: Sendable, Hashable {
    let monday: LocalDate

    /// The week a date falls in.
    init(containing date: LocalDate) { monday = date.adding(days: 1 - date.weekday) }

    var days: [LocalDate] { (0..<7).map { monday.adding(days: $0) } }
    var sunday: LocalDate { monday.adding(days: 6) }
    var previous: CalendarWeek { CalendarWeek(containing: monday.adding(days: -7)) }
    var next: CalendarWeek { CalendarWeek(containing: monday.adding(days: 7)) }

    /// The week's time in a zone: from Monday's first instant to the next Monday's (a week with a
    /// daylight-saving change is an hour shorter or longer).
    func interval(in zone: Zone) -> Interval {
        Interval(start: zone.startOfDay(monday), end: zone.startOfDay(monday.adding(days: 7)))
    }
}

/// One occurrence as a week view shows it.
struct WeekEntry: Sendable, Hashable {
    var interval: Interval
    /// Title and organisation name: nil for another organisation's private booking (shown as busy).
    var title: String?
    var organisation: String?
    /// Pending approval: holds its slot, not confirmed yet.
    var tentative: Bool
    var isPrivate: Bool
}

extension WeekEntry {
    /// The entry's `<li>` in the row of `date`: its times, title, organisation and tags. Written
    /// here rather than in the week template because a busy venue's week has hundreds of them and
    /// the template engine's per-value lookups cost several times the rest of the page.
    func listItem(on date: LocalDate, zone: Zone, texts: [String: String]) -> String {
        let classes = "booking" + (title == nil ? " busy" : "") + (tentative ? " tentative" : "")
        let start = TimeInput.format(interval.start, in: zone)
        let end = TimeInput.format(interval.end, in: zone)
        var html = #"<li class="\#(classes)"><span class="when">"#
        html += #"<time datetime="\#(start)">\#(WeekText.time(interval.start, on: date, zone: zone))</time>–"#
        html += #"<time datetime="\#(end)">\#(WeekText.time(interval.end, on: date, zone: zone, isEnd: true))</time>"#
        html += #"</span> <span class="what">\#(HTMLText.escaped(title ?? texts["week_busy"] ?? "Busy"))</span>"#
        if let organisation { html += #" <span class="who">\#(HTMLText.escaped(organisation))</span>"# }
        if isPrivate, title != nil {
            html += #" <span class="tag">\#(HTMLText.escaped(texts["week_private"] ?? "private"))</span>"#
        }
        if tentative {
            html += #" <span class="tag">\#(HTMLText.escaped(texts["week_tentative"] ?? "tentative"))</span>"#
        }
        return html + "</li>"
    }
}

/// A venue's spaces in one week: the occurrences that hold time, by space and by the local day on
/// which they begin (or on Monday, for one that began the week before). Confirmed and pending
/// bookings only; cancelled, declined, released and waiting ones, and cancelled occurrences, hold
/// nothing and are left out.
struct VenueWeek: Sendable {
    let venue: Venue
    let spaces: [Space]
    let week: CalendarWeek
    /// `entries[space][day]`, in the order of `spaces` and Monday first, each sorted by time.
    let entries: [[[WeekEntry]]]

    /// - Parameters:
    ///   - bookings: the bookings of the venue's spaces (others are ignored), any status.
    ///   - caller: the signed-in caller, or nil for an anonymous visitor (who sees public bookings only).
    init(
        venue: Venue, spaces: [Space], week: CalendarWeek, bookings: [Booking], caller: Caller?, catalogue: Catalogue
    ) {
        self.venue = venue
        self.spaces = spaces
        self.week = week
        let span = week.interval(in: venue.zone)
        let column = Dictionary(spaces.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var entries = Array(repeating: Array(repeating: [WeekEntry](), count: 7), count: spaces.count)
        for booking in bookings where booking.status == .confirmed || booking.status == .pending {
            let draft = booking.draft
            guard let space = column[draft.space] else { continue }
            let visible =
                caller?.seesDetails(of: draft.visibility, organisation: draft.organisation, venue: venue.id)
                ?? (draft.visibility == .public)
            let organisation = catalogue.organisation(draft.organisation)?.name ?? draft.organisation
            for occurrence in booking.occurrences where !occurrence.cancelled && occurrence.interval.overlaps(span) {
                let day = venue.zone.local(max(occurrence.interval.start, span.start)).date
                let index = Int(day.daysSinceEpoch - week.monday.daysSinceEpoch)
                entries[space][index].append(
                    WeekEntry(
                        interval: occurrence.interval, title: visible ? draft.title : nil,
                        organisation: visible ? organisation : nil, tentative: booking.status == .pending,
                        isPrivate: draft.visibility == .private))
            }
        }
        self.entries = entries.map { days in days.map { $0.sorted { $0.interval < $1.interval } } }
    }

    /// How many occurrences the week shows.
    var count: Int { entries.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } }
}

/// Dates and times as the pages write them: `19.10.`, `18:30`, always in the venue's zone.
enum WeekText {
    static func day(_ date: LocalDate) -> String { "\(two(date.day)).\(two(date.month))." }

    /// `19.10.–25.10.2026`, or `29.12.2025–04.01.2026` across a new year.
    static func range(_ week: CalendarWeek) -> String {
        let first = week.monday.year == week.sunday.year ? day(week.monday) : "\(day(week.monday))\(week.monday.year)"
        return "\(first)–\(day(week.sunday))\(week.sunday.year)"
    }

    /// The time of an instant shown in the row of `date`: `18:30`; with the date when it falls on
    /// another day (`20.10. 01:00`); an end at the next midnight is `24:00`.
    static func time(_ instant: Int64, on date: LocalDate, zone: Zone, isEnd: Bool = false) -> String {
        let local = zone.local(instant)
        if isEnd, local.date == date.adding(days: 1), local.hour == 0, local.minute == 0, local.second == 0 {
            return "24:00"
        }
        let time = "\(two(local.hour)):\(two(local.minute))"
        return local.date == date ? time : "\(day(local.date)) \(time)"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
