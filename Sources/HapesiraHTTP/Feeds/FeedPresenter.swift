import HapesiraCore
import HapesiraICal

/// Turns stored bookings into the events of a feed, hiding what a feed's readers may not see.
struct FeedPresenter: Sendable {
    let catalogue: Catalogue
    /// Makes booking UIDs unique across installations (`AppDatabase.installationID`).
    let installationID: String
    /// `LOCATION` of every space: "space, venue, city".
    private let locations: [String: String]

    init(catalogue: Catalogue, installationID: String) {
        self.catalogue = catalogue
        self.installationID = installationID
        var locations: [String: String] = [:]
        for space in catalogue.spaces {
            let venue = catalogue.venue(space.venue)
            locations[space.id] = [space.name, venue?.name, venue.flatMap { catalogue.city($0.city)?.name }]
                .compactMap { $0 }.joined(separator: ", ")
        }
        self.locations = locations
    }

    /// The stable iCalendar UID of a booking: the organiser's own for bookings made by iCalendar.
    func uid(of booking: Booking) -> String { booking.calendar?.uid ?? "\(booking.id)-\(installationID)@hapesira" }

    /// The booking as one VEVENT (the master of a series); nil for bookings that hold no time
    /// (waiting requests).
    func event(for booking: Booking, showPrivateDetails: Bool) -> FeedEvent? {
        guard let space = catalogue.space(booking.draft.space), let venue = catalogue.venue(space.venue) else {
            return nil
        }
        let status: FeedEventStatus
        switch booking.status {
        case .waiting: return nil
        case .confirmed: status = .confirmed
        case .pending: status = .tentative
        case .cancelled, .declined, .released: status = .cancelled
        }
        let draft = booking.draft
        let isSeries = draft.recurrence != nil
        let cancelledStarts = booking.occurrences.filter(\.cancelled).map(\.interval.start)
        let excluded =
            isSeries ? Array(Set(draft.excluded + cancelledStarts + booking.skipped.map(\.start))).sorted() : []
        let allCancelled = !isSeries && !booking.occurrences.isEmpty && booking.occurrences.allSatisfy(\.cancelled)

        let location = locations[space.id]
        var event = FeedEvent(
            uid: uid(of: booking), sequence: max(booking.sequence, booking.calendar?.sequence ?? 0),
            created: booking.createdAt,
            lastModified: booking.updatedAt, zone: venue.zone, start: draft.start, end: draft.end,
            recurrence: draft.recurrence, excluded: excluded, summary: FeedNames.busy, location: location,
            status: allCancelled ? .cancelled : status, visibility: draft.visibility)
        if draft.visibility == .public || showPrivateDetails {
            let organisation = catalogue.organisation(draft.organisation)?.name ?? draft.organisation
            event.summary = draft.title
            event.description = ["\(organisation) · \(draft.category)", draft.description]
                .compactMap { $0 }.joined(separator: "\n\n")
            event.categories = [draft.category]
            event.organizer = booking.calendar?.organizer.map { CalendarAddress(uri: $0, commonName: organisation) }
        }
        return event
    }
}
