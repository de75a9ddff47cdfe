import Foundation
import HapesiraCore
import HapesiraICal
import HapesiraStore
import Hummingbird
import NIOCore

/// Booking by iCalendar: `POST /ical/spaces/{id}` with `text/calendar`. The space answers like a
/// room resource in Exchange or Kolab, with an iTIP REPLY; the same engine and rules as the JSON
/// API decide.
struct CalendarIntakeController: Sendable {
    let store: BookingStore
    let tokens: TokenStore
    let presenter: FeedPresenter
    let maxBodyBytes: Int
    let now: @Sendable () -> Int64

    var catalogue: Catalogue { presenter.catalogue }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("ical/spaces/{id}") { request, context in
            try await receive(request, space: context.parameters.get("id") ?? "", pathToken: nil)
        }
        // For calendar clients that cannot send an Authorization header: the member token in the path.
        router.post("ical/spaces/{id}/{token}") { request, context in
            try await receive(
                request, space: context.parameters.get("id") ?? "", pathToken: context.parameters.get("token"))
        }
    }

    /// What the REPLY says and the HTTP status that goes with it.
    private struct Outcome {
        var status: HTTPResponse.Status
        var participation: String
        var requestStatus: String
        var comment: String?
        var alternatives: [Interval] = []
        /// Occurrences of a `skip-conflicts` series that were not booked: declined one by one.
        var skipped: [Interval] = []
    }

    private func receive(_ request: Request, space id: String, pathToken: String?) async throws -> Response {
        guard let space = catalogue.space(id), let venue = catalogue.venue(of: space) else {
            throw APIError.notFound("space", id)
        }
        let caller = try await authenticate(request, pathToken: pathToken)
        let text = try await body(of: request)
        let calendar: IncomingCalendar
        do {
            calendar = try CalendarReader.read(text, floatingZone: venue.zone)
        } catch {
            switch error {
            case .unparseable(let message):
                throw APIError(.badRequest, "unparseable_calendar", message, field: "body")
            case .invalid(let property, let message):
                throw APIError(.unprocessableContent, "invalid_calendar", message, field: property)
            }
        }
        let room = CalendarAddress(uri: "urn:hapesira:space:\(space.id)", commonName: space.name)
        let method = calendar.method ?? "PUBLISH"

        if let freeBusy = calendar.freeBusy {
            guard method == "REQUEST" else { return unsupported(method, calendar, room: room) }
            return try await freeBusyReply(freeBusy, space: space, room: room)
        }
        guard let master = try Self.master(of: calendar.events) else {
            throw APIError.invalid("VEVENT", "send one VEVENT (with its RECURRENCE-ID instances) per request")
        }
        let outcome: Outcome
        switch method {
        case "PUBLISH", "REQUEST":
            let policy = try request.uri.queryParameters.get("series_policy").map { text in
                guard let policy = SeriesPolicy(rawValue: text) else {
                    throw APIError.invalid("series_policy", "expected all-or-nothing or skip-conflicts")
                }
                return policy
            }
            outcome = try await book(
                master, calendar, method: method, space: space, caller: caller, policy: policy ?? .allOrNothing)
        case "CANCEL":
            outcome = try await cancel(calendar.events, master: master, caller: caller)
        default:
            return unsupported(method, calendar, room: room)
        }
        let reply = RoomReply(
            event: master, organizer: master.organizer, room: room, participation: outcome.participation,
            requestStatus: outcome.requestStatus, comment: outcome.comment, alternatives: outcome.alternatives)
        let declined = outcome.skipped.map { interval in
            var instance = master
            instance.recurrenceID = interval.start
            instance.start = interval.start
            instance.end = interval.end
            return RoomReply(
                event: instance, organizer: master.organizer, room: room, participation: "DECLINED",
                requestStatus: "4.0;Event conflict. Date-time is busy", comment: nil, alternatives: [])
        }
        return Self.calendarResponse(ReplyWriter.write([reply] + declined, stamp: now()), status: outcome.status)
    }

    /// Creates or updates the booking with the event's UID, as a room resource would.
    private func book(
        _ master: IncomingEvent, _ calendar: IncomingCalendar, method: String, space: Space, caller: Caller,
        policy: SeriesPolicy
    ) async throws -> Outcome {
        if method == "REQUEST" {
            guard master.organizer != nil else {
                throw APIError.invalid("ORGANIZER", "a REQUEST needs an ORGANIZER")
            }
            guard master.attendees.contains(where: \.isResource) else {
                throw APIError.invalid(
                    "ATTENDEE", "invite the room as an ATTENDEE with CUTYPE=ROOM or CUTYPE=RESOURCE")
            }
        }
        var excluded = master.excluded
        for instance in calendar.events where instance.recurrenceID != nil {
            let recurrenceID = instance.recurrenceID ?? 0
            if instance.status == "CANCELLED" {
                excluded.append(recurrenceID)
            } else if instance.start != recurrenceID || instance.end - instance.start != master.end - master.start {
                throw APIError.invalid(
                    "RECURRENCE-ID",
                    "moving a single occurrence is not supported: send the series with the new time, or EXDATE it")
            }
        }
        let identity = CalendarIdentity(
            uid: master.uid, organizer: master.organizer?.uri, sequence: master.sequence, stamp: master.stamp)
        let draft = BookingDraft(
            space: space.id, organisation: caller.organisation, title: Self.title(master), category: category(master),
            start: master.start, end: master.end, recurrence: master.recurrence, excluded: excluded,
            seriesPolicy: policy,
            visibility: ["PRIVATE", "CONFIDENTIAL"].contains(master.classification ?? "") ? .private : .public,
            description: master.description)

        do {
            guard let existing = try await store.booking(calendarUID: master.uid) else {
                let result = try await store.create(draft, by: caller, now: now(), calendar: identity)
                return Self.accepted(result.booking, status: .created)
            }
            guard existing.draft.organisation == caller.organisation || caller.role == .admin else {
                throw APIError(
                    .forbidden, "forbidden", "UID \(master.uid) is a booking of another organisation", field: "UID")
            }
            if let known = existing.calendar?.organizer, let organizer = master.organizer?.uri,
                known.lowercased() != organizer.lowercased()
            {
                return Outcome(
                    status: .forbidden, participation: "DECLINED", requestStatus: "3.7;Invalid calendar user",
                    comment: "This booking is organised by \(known); a message from \(organizer) cannot change it.")
            }
            if let current = existing.calendar, current.isStale(sequence: master.sequence, stamp: master.stamp) {
                var outcome = Self.accepted(existing, status: .ok)
                outcome.comment =
                    "Ignored: SEQUENCE \(master.sequence) is not newer than the \(current.sequence) already applied; the booking is unchanged."
                return outcome
            }
            var change = BookingChange()
            change.title = draft.title
            change.category = draft.category
            change.description = .some(draft.description)
            change.visibility = draft.visibility
            change.start = draft.start
            change.end = draft.end
            change.recurrence = .some(draft.recurrence)
            change.excluded = draft.excluded
            change.seriesPolicy = policy
            change.calendar = CalendarIdentity(
                uid: existing.calendar?.uid ?? master.uid,
                organizer: identity.organizer ?? existing.calendar?.organizer,
                sequence: identity.sequence, stamp: identity.stamp)
            let changed = try await store.change(existing.id, change, by: caller, now: now())
            return Self.accepted(changed, status: .ok)
        } catch BookingError.refused(let refusal) {
            let primary = refusal.primary
            let isConflict = primary?.code == "conflict"
            return Outcome(
                status: .conflict, participation: "DECLINED",
                requestStatus: isConflict ? "4.0;Event conflict. Date-time is busy" : "3.1;Invalid property value",
                comment: comment(for: refusal), alternatives: refusal.alternatives.slots)
        } catch BookingError.invalid(let field, let message) {
            // Name the iCalendar property the JSON field came from.
            let properties = [
                "recurrence": "RRULE", "excluded": "EXDATE", "start": "DTSTART", "end": "DTEND", "title": "SUMMARY",
                "category": "CATEGORIES", "description": "DESCRIPTION",
            ]
            throw APIError(.unprocessableContent, "invalid_calendar", message, field: properties[field] ?? field)
        }
    }

    /// CANCEL: releases the booking, or the occurrences named by RECURRENCE-ID.
    private func cancel(_ events: [IncomingEvent], master: IncomingEvent, caller: Caller) async throws -> Outcome {
        guard let booking = try await store.booking(calendarUID: master.uid) else {
            throw APIError.notFound("booking with UID", master.uid)
        }
        if let known = booking.calendar?.organizer, let organizer = master.organizer?.uri,
            known.lowercased() != organizer.lowercased()
        {
            return Outcome(
                status: .forbidden, participation: "DECLINED", requestStatus: "3.7;Invalid calendar user",
                comment: "This booking is organised by \(known); a message from \(organizer) cannot cancel it.")
        }
        let instances = events.compactMap(\.recurrenceID)
        if instances.isEmpty {
            _ = try await store.cancel(booking.id, by: caller, reason: "cancelled by iCalendar", now: now())
        } else {
            for start in instances {
                guard let occurrence = booking.occurrences.first(where: { $0.interval.start == start }) else {
                    throw APIError.invalid("RECURRENCE-ID", "the series has no occurrence starting then")
                }
                _ = try await store.cancelOccurrence(
                    booking.id, occurrence: occurrence.id, by: caller, reason: "cancelled by iCalendar", now: now())
            }
        }
        return Outcome(status: .ok, participation: "DECLINED", requestStatus: "2.0;Success", comment: "Released.")
    }

    private func freeBusyReply(
        _ request: IncomingFreeBusy, space: Space, room: CalendarAddress
    ) async throws
        -> Response
    {
        guard request.end > request.start, request.end - request.start <= 366 * 86_400 else {
            throw APIError.invalid("DTEND", "the free/busy period must end after it starts, within 366 days")
        }
        let busy = try await FeedController.busyPeriods(
            store, space: space, within: Interval(start: request.start, end: request.end))
        let text = FreeBusyWriter.write(
            method: "REPLY", uid: request.uid ?? "freebusy-\(space.id)-\(request.start)@hapesira", stamp: now(),
            from: request.start, to: request.end, organizer: request.organizer, attendee: room, busy: busy)
        return Self.calendarResponse(text, status: .ok)
    }

    private func unsupported(_ method: String, _ calendar: IncomingCalendar, room: CalendarAddress) -> Response {
        let replies = calendar.events.filter { $0.recurrenceID == nil }.map { event in
            RoomReply(
                event: event, organizer: event.organizer, room: room, participation: "DECLINED",
                requestStatus: "3.14;Unsupported capability", comment: "METHOD:\(method) is not supported by a room",
                alternatives: [])
        }
        return Self.calendarResponse(ReplyWriter.write(replies, stamp: now()), status: .unprocessableContent)
    }

    // MARK: Helpers

    private func authenticate(_ request: Request, pathToken: String?) async throws -> Caller {
        if let pathToken { return try await BearerAuthMiddleware.caller(token: pathToken, tokens: tokens) }
        return try await BearerAuthMiddleware.caller(header: request.headers[.authorization], tokens: tokens)
    }

    private func body(of request: Request) async throws -> String {
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("text/calendar") else {
            throw APIError(
                .unsupportedMediaType, "unsupported_media_type", "send the event as Content-Type: text/calendar",
                field: "Content-Type")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            throw APIError(
                .contentTooLarge, "too_large", "the body is larger than \(maxBodyBytes) bytes", field: "body")
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw APIError(.badRequest, "unparseable_calendar", "the body is not UTF-8", field: "body")
        }
        return text
    }

    /// The one master VEVENT (no RECURRENCE-ID) of a single UID; nil when there are several UIDs
    /// or no event at all. Instances without their master are refused.
    private static func master(of events: [IncomingEvent]) throws -> IncomingEvent? {
        guard Set(events.map(\.uid)).count == 1 else { return nil }
        guard let master = events.first(where: { $0.recurrenceID == nil }) else {
            throw APIError.invalid("RECURRENCE-ID", "send the whole series (its master VEVENT), not only instances")
        }
        return master
    }

    private static func title(_ event: IncomingEvent) -> String {
        let title = (event.summary ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return title.isEmpty ? "Booking" : String(title.prefix(200))
    }

    /// The first of the event's CATEGORIES that is a booking category, else the first configured one.
    private func category(_ event: IncomingEvent) -> String {
        event.categories.map { $0.lowercased() }.first(where: catalogue.categories.contains)
            ?? catalogue.categories.first ?? "booking"
    }

    /// The refusal in words, with the free spaces of the same kind the JSON API proposes too.
    private func comment(for refusal: Refusal) -> String? {
        var parts = refusal.primary.map { ["\($0.code): \($0.message)"] } ?? []
        let spaces = refusal.alternatives.spaces.compactMap { catalogue.space($0) }
        if !spaces.isEmpty {
            parts.append("Free at that time: " + spaces.map { "\($0.name) (\($0.id))" }.joined(separator: ", "))
        }
        return parts.isEmpty ? nil : parts.joined(separator: ". ")
    }

    private static func accepted(_ booking: Booking, status: HTTPResponse.Status) -> Outcome {
        var outcome =
            booking.status == .pending
            ? Outcome(
                status: status, participation: "TENTATIVE", requestStatus: "2.0;Success",
                comment: "Waiting for the venue's approval.")
            : Outcome(status: status, participation: "ACCEPTED", requestStatus: "2.0;Success", comment: nil)
        outcome.skipped = booking.skipped
        return outcome
    }

    private static func calendarResponse(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/calendar; charset=utf-8; method=REPLY"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
