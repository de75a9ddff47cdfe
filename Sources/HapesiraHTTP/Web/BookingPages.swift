import Foundation
import HapesiraCore
import HapesiraStore
import Hummingbird

/// The pages of a signed-in organisation: the booking form (`/book`), its bookings (`/bookings`), a
/// booking's detail with its history (`/bookings/{id}`), cancelling, and its private feed link.
/// Every write goes through ``BookingStore`` as the API's does, with the same roles and rules; every
/// form is checked by ``WebPages/postedForm(_:_:_:)`` (same site, session CSRF secret).
struct BookingPages: Sendable {
    let pages: WebPages
    let views: Views
    let store: BookingStore
    let usage: UsageTimelines
    let feedTokens: FeedTokenStore
    let metrics: RequestMetrics
    let now: @Sendable () -> Int64

    var catalogue: Catalogue { pages.catalogue }

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("book") { request, context in
            let caller = try Self.booker(context)
            let form = (try? URLEncodedFormDecoder().decode(BookingForm.self, from: request.uri.query ?? ""))
            return try await formPage(form ?? BookingForm(), caller, request, context)
        }
        router.post("book") { request, context in try await book(request, context) }
        router.get("bookings") { request, context in try await list(request, context) }
        router.get("bookings/{id}") { request, context in try await detail(request, context) }
        router.post("bookings/{id}/cancel") { request, context in
            try await cancel(request, context) { id, caller, reason in
                try await store.cancel(id, by: caller, reason: reason, now: now())
            }
        }
        router.post("bookings/{id}/occurrences/{occurrence}/cancel") { request, context in
            let occurrence = context.parameters.get("occurrence", as: Int64.self)
            return try await cancel(request, context) { id, caller, reason in
                guard let occurrence else { throw BookingError.notFound(what: "occurrence", id: "") }
                return try await store.cancelOccurrence(
                    id, occurrence: occurrence, by: caller, reason: reason, now: now())
            }
        }
        router.post("feed-links") { request, context in try await createFeedLink(request, context) }
        router.post("feed-links/{id}/revoke") { request, context in try await revokeFeedLink(request, context) }
    }

    // MARK: Booking form

    /// The caller of the booking form: signed in, and not read-only.
    private static func booker(_ context: AppRequestContext) throws(WebRefusal) -> Caller {
        let caller = try WebPages.caller(context)
        guard caller.role != .viewer else { throw .forbidden(text: "book_forbidden") }
        return caller
    }

    private func book(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (form, caller) = try await WebPages.postedForm(BookingForm.self, request, context)
        guard caller.role != .viewer else { throw WebRefusal.forbidden(text: "book_forbidden") }
        let draft: BookingDraft
        switch form.draft(for: caller, in: catalogue) {
        case .failure(let problems):
            return try await formPage(form, caller, request, context, problems: problems.fields)
        case .success(let value): draft = value
        }
        do {
            let result = try await store.create(draft, by: caller, now: now())
            metrics.countCreated(result.booking)
            return .redirect(to: "/bookings/\(result.booking.id)")
        } catch BookingError.refused(let refusal) {
            metrics.countRefusal(refusal)
            return try await formPage(form, caller, request, context, refusal: refusal)
        } catch BookingError.invalid(let field, let message) {
            let problem = FieldProblem(text: "error_rule", detail: message)
            return try await formPage(form, caller, request, context, problems: [Self.formField(field, form): problem])
        } catch BookingError.notFound(let what, _) {
            let problem = FieldProblem(text: "error_\(what == "venue" ? "space" : what)")
            return try await formPage(form, caller, request, context, problems: [what: problem])
        } catch BookingError.forbidden {
            throw WebRefusal.forbidden(text: "book_forbidden")
        }
    }

    /// The form field a rule's field is shown at.
    private static func formField(_ field: String, _ form: BookingForm) -> String {
        switch field {
        case "expected_attendance": "attendance"
        case "recurrence", "excluded": form.repeats == "custom" ? "rrule" : "repeats"
        default: field
        }
    }

    /// The form, filled in with `form`; with the problems of its fields (422), or a refusal's
    /// explanation and alternatives (409); and the chosen space's free time on the chosen day.
    private func formPage(
        _ form: BookingForm, _ caller: Caller, _ request: Request, _ context: AppRequestContext,
        problems: [String: FieldProblem] = [:], refusal: Refusal? = nil
    ) async throws -> Response {
        let texts = pages.renderer.texts(Language.of(request))
        let say = BookingValues(views: views, texts: texts)
        var form = form
        let space = form.space.flatMap { catalogue.space($0) }
        let zone = space.map { views.zone(ofSpace: $0.id) } ?? catalogue.venues.first?.zone ?? .utc
        if (form.date ?? "").isEmpty { form.date = zone.local(now()).date.description }
        let chosen = form.values
        var values: [String: Any] = [
            "form": chosen,
            "spaceGroups": spaceGroups(selected: chosen["space"] ?? ""),
            "categories": catalogue.categories.map { category -> [String: Any] in
                ["value": category, "selected": category == chosen["category"]]
            },
            "private": chosen["visibility"] == "private", "skipConflicts": chosen["policy"] == "skip-conflicts",
            "wait": chosen["wait"] == "on",
            "repeatChoices": ["", "weekly", "biweekly", "monthly", "custom"].map { choice -> [String: Any] in
                [
                    "value": choice, "label": texts["repeat_\(choice.isEmpty ? "none" : choice)"] ?? choice,
                    "selected": choice == (chosen["repeats"] ?? ""),
                ]
            },
        ]
        if caller.managesVenues {
            values["hasOrganisations"] = true
            values["organisations"] = organisationChoices(
                selected: chosen["organisation"].flatMap { $0.isEmpty ? nil : $0 } ?? caller.organisation)
        }
        if !problems.isEmpty {
            values["hasErrors"] = true
            values["errors"] = problems.mapValues { problem in
                say.text(problem.text) + (problem.detail.map { " (\($0))" } ?? "")
            }
            values["errorList"] = BookingForm.order.compactMap { field in
                problems[field].map { ["field": field, "message": say.text($0.text)] }
            }
        }
        if let space, let venue = catalogue.venue(of: space), let day = BookingForm.date(form.date) {
            values["slots"] = try await freeSlots(form, space: space, venue: venue, day: day, texts: texts)
        }
        var status = HTTPResponse.Status.ok
        if !problems.isEmpty { status = .unprocessableContent }
        if let refusal, let space {
            status = .conflict
            values["refusal"] = [
                "occurrences": say.refusal(refusal, caller: caller, zone: zone),
                "alternatives": alternatives(refusal.alternatives, form: form, space: space, say: say),
            ]
        }
        return pages.render("book", values, request, context, status: status)
    }

    private func organisationChoices(selected: String) -> [[String: Any]] {
        catalogue.organisations.map { organisation -> [String: Any] in
            ["value": organisation.id, "label": organisation.name, "selected": organisation.id == selected]
        }
    }

    /// The catalogue's spaces grouped by city and venue, for `<optgroup>`s.
    private func spaceGroups(selected: String) -> [[String: Any]] {
        catalogue.venues.map { venue -> [String: Any] in
            [
                "label": "\(catalogue.city(venue.city)?.name ?? venue.city) — \(venue.name)",
                "spaces": catalogue.spaces(inVenue: venue.id).map { space -> [String: Any] in
                    ["id": space.id, "name": space.name, "capacity": space.capacity, "selected": space.id == selected]
                },
            ]
        }
    }

    /// The space's free time on the day (from now on), each a link that fills the form in with it.
    private func freeSlots(
        _ form: BookingForm, space: Space, venue: Venue, day: LocalDate, texts: [String: String]
    ) async throws -> [String: Any] {
        let zone = venue.zone
        let range = Interval(start: max(zone.startOfDay(day), now()), end: zone.startOfDay(day.adding(days: 1)))
        var free: [Interval] = []
        if range.duration > 0 {
            free = try await SpaceAvailability.of(space, in: venue, within: range, store: store).free
                .filter { $0.duration >= space.rules.minDuration }
        }
        // Each link asks for as long as the form does (an hour without times), within the slot.
        var length: Int64 = 3600
        if let start = BookingForm.time(form.start), let end = BookingForm.time(form.end), end.minutes > start.minutes {
            length = Int64(end.minutes - start.minutes) * 60
        }
        return [
            "day": BookingText.day(day, texts: texts), "zone": zone.identifier, "space": space.name,
            "any": !free.isEmpty,
            "items": free.map { slot -> [String: Any] in
                let pick = Interval(start: slot.start, end: min(slot.end, slot.start + length))
                let query = form.moved(to: space.id, pick, zone: zone).fields.compactMap { field in
                    field.value.flatMap { $0.isEmpty ? nil : "\(field.name)=\(Self.encoded($0))" }
                }
                return [
                    "label": BookingText.span(slot, zone: zone, texts: texts),
                    "iso": TimeInput.format(slot.start, in: zone), "link": "/book?" + query.joined(separator: "&"),
                ]
            },
        ]
    }

    /// The alternatives of a refusal, each the original form with only the space or the time
    /// changed, posted by one button.
    private func alternatives(
        _ alternatives: Alternatives, form: BookingForm, space: Space, say: BookingValues
    ) -> [[String: Any]] {
        let zone = views.zone(ofSpace: space.id)
        func offer(_ moved: BookingForm, _ label: String) -> [String: Any] {
            ["label": label, "hidden": moved.fields.map { ["name": $0.name, "value": $0.value ?? ""] }]
        }
        let slots = alternatives.slots.map { slot in
            offer(
                form.moved(to: space.id, slot, zone: zone),
                "\(say.spaceName(space.id)): \(BookingText.span(slot, zone: zone, texts: say.texts))")
        }
        let spaces = alternatives.requested.map { requested in
            alternatives.spaces.map { other in
                let otherZone = views.zone(ofSpace: other)
                return offer(
                    form.moved(to: other, requested, zone: otherZone),
                    "\(say.spaceName(other)): \(BookingText.span(requested, zone: otherZone, texts: say.texts))")
            }
        }
        return slots + (spaces ?? [])
    }

    // MARK: My bookings and a booking

    /// The caller's organisation's bookings (an admin or venue manager may choose another with
    /// `organisation`): upcoming first (soonest first), then past ones (latest first); `status` and a
    /// range of local days (`from`, `to`, inclusive) narrow the list.
    private func list(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let caller = try WebPages.caller(context)
        let query = request.uri.queryParameters
        let texts = pages.renderer.texts(Language.of(request))
        let say = BookingValues(views: views, texts: texts)
        var organisation = caller.organisation
        if caller.managesVenues, let chosen = query.get("organisation"), catalogue.organisation(chosen) != nil {
            organisation = chosen
        }
        var filter = BookingFilter(organisation: organisation, limit: 1000)
        let status = query.get("status").flatMap(BookingStatus.init(rawValue:))
        if let status { filter.statuses = [status] }
        let fromText = query.get("from") ?? ""
        let toText = query.get("to") ?? ""
        let from = BookingForm.date(fromText)
        let to = BookingForm.date(toText)
        var error: String?
        if (!fromText.isEmpty && from == nil) || (!toText.isEmpty && to == nil) { error = "error_date" }
        // A day is read in each booking's own venue zone: fetch a day more on each side, then keep
        // the bookings with an occurrence on one of the days.
        if from != nil || to != nil {
            let first = from.map { Zone.utc.startOfDay($0) - 86_400 } ?? Int64.min / 2
            let last = to.map { Zone.utc.startOfDay($0.adding(days: 2)) } ?? Int64.max / 2
            filter.range = Interval(start: first, end: last)
        }
        let now = now()
        var bookings = try await store.bookings(filter).filter { booking in
            let zone = views.zone(ofSpace: booking.draft.space)
            return booking.occurrences.contains { occurrence in
                let day = zone.local(occurrence.interval.start).date
                return (from.map { day >= $0 } ?? true) && (to.map { day <= $0 } ?? true)
            }
        }
        // Each booking's next occurrence not yet over, found once.
        let next = Dictionary(
            bookings.map { booking in
                (
                    booking.id,
                    booking.occurrences.filter { !$0.cancelled && $0.interval.end > now }.map(\.interval.start).min()
                )
            }, uniquingKeysWith: { first, _ in first })
        bookings.sort { a, b in
            switch (next[a.id] ?? nil, next[b.id] ?? nil) {
            case (let x?, let y?): x < y
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a.draft.end > b.draft.end
            }
        }
        let outcomes = try await usage.outcomes(of: bookings, now: now)
        var values: [String: Any] = [
            "bookings": bookings.map { say.summary($0, for: caller, now: now, outcomes: outcomes) },
            "statuses": BookingStatus.allCases.map { choice -> [String: Any] in
                ["value": choice.rawValue, "label": say.code("status", choice.rawValue), "selected": choice == status]
            },
            "from": fromText, "to": toText, "organisationName": organisationName(organisation),
        ]
        if organisation == caller.organisation { values["feed"] = try await feedValues(caller) }
        if caller.managesVenues {
            values["hasOrganisations"] = true
            values["organisations"] = organisationChoices(selected: organisation)
        }
        return pages.render(
            "my-bookings", values, request, context, error: error, status: error == nil ? .ok : .unprocessableContent)
    }

    /// A booking as the caller may see it (another organisation's private booking as busy time
    /// only, as in the API), every occurrence, the history when the caller may read it, and the
    /// cancel buttons when it may cancel.
    private func detail(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let caller = try WebPages.caller(context)
        let booking = try await requireBooking(context)
        let texts = pages.renderer.texts(Language.of(request))
        let say = BookingValues(views: views, texts: texts)
        let draft = booking.draft
        let zone = views.zone(ofSpace: draft.space)
        let venue = catalogue.space(draft.space)?.venue ?? ""
        let full = say.seesDetails(booking, caller)
        let mayCancel =
            caller.mayModify(bookingOf: draft.organisation, inVenue: venue)
            && booking.status.isOpen
        let now = now()
        let outcomes = try await usage.outcomes(of: [booking], now: now)
        var values: [String: Any] = [
            "id": booking.id, "title": say.title(booking, for: caller), "full": full,
            "space": say.spaceName(draft.space), "zone": zone.identifier,
            "week": catalogue.space(draft.space).map { PublicPlace.space($0).weekPath(zone.local(draft.start).date) }
                ?? "/",
            "status": say.code("status", booking.status.rawValue), "statusCode": booking.status.rawValue,
            "visibility": say.code("visibility", draft.visibility.rawValue),
            "when": BookingText.span(draft.interval, zone: zone, texts: texts),
            "occurrences": say.occurrences(booking, outcomes: outcomes, mayCancel: mayCancel, now: now),
            "skipped": booking.skipped.map { BookingText.span($0, zone: zone, texts: texts) },
            "hasSkipped": !booking.skipped.isEmpty, "mayCancel": mayCancel,
        ]
        if full {
            values["organisation"] = say.organisationName(draft.organisation)
            values["category"] = draft.category
            values["recurrence"] = draft.recurrence
            values["policy"] = say.code("policy", draft.seriesPolicy.rawValue)
            values["attendance"] = draft.expectedAttendance
            values["description"] = draft.description
            values["created"] = BookingText.instant(booking.createdAt, zone: zone)
        }
        if caller.mayReadAudit(organisation: draft.organisation, venue: venue) {
            values["showHistory"] = true
            values["history"] = say.history(try await store.audit(bookingID: booking.id), zone: zone)
        }
        if draft.organisation == caller.organisation { values["feed"] = try await feedValues(caller) }
        return pages.render("booking", values, request, context)
    }

    private func requireBooking(_ context: AppRequestContext) async throws -> Booking {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), let booking = try await store.booking(id) else {
            throw WebRefusal.notFound(text: "not_found_booking", detail: text)
        }
        return booking
    }

    private struct ReasonForm: Decodable {
        var reason: String?
    }

    /// Cancels (all or one occurrence) with the API's rules and goes back to the booking.
    private func cancel(
        _ request: Request, _ context: AppRequestContext,
        _ action: @Sendable (Int64, Caller, String?) async throws -> Booking
    ) async throws -> Response {
        let (form, caller) = try await WebPages.postedForm(ReasonForm.self, request, context)
        let booking = try await requireBooking(context)
        let reason = form.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            _ = try await action(booking.id, caller, reason?.isEmpty == false ? reason : nil)
        } catch BookingError.forbidden {
            throw WebRefusal.forbidden(text: "cancel_forbidden")
        } catch BookingError.notFound(_, let id) {
            throw WebRefusal.notFound(text: "not_found_occurrence", detail: id)
        } catch BookingError.wrongStatus {
            return pages.problem(
                request, context, status: .conflict, heading: "cancel_refused_title", message: "cancel_wrong_status",
                detail: "\(booking.id)")
        }
        return .redirect(to: "/bookings/\(booking.id)")
    }

    // MARK: Private feed link

    /// What the pages show about the organisation's private feed: its active links (label and day
    /// made, in the zone of the network's first venue) with a button each to revoke it, and the
    /// form that makes a new one.
    private func feedValues(_ caller: Caller) async throws -> [String: Any] {
        let zone = catalogue.venues.first?.zone ?? .utc
        let links = try await feedTokens.list(organisation: caller.organisation).filter { $0.revokedAt == nil }
        return [
            "organisation": organisationName(caller.organisation), "hasLinks": !links.isEmpty,
            "links": links.map { link -> [String: Any] in
                [
                    "id": link.id, "label": link.label ?? "—",
                    "created": BookingText.date(zone.local(link.createdAt).date),
                ]
            },
        ]
    }

    private func organisationName(_ id: String) -> String { catalogue.organisation(id)?.name ?? id }

    private struct FeedLinkForm: Decodable {
        var label: String?
    }

    /// Makes a new secret link to the caller's organisation's private feed (as
    /// `POST /api/v1/organisations/{id}/feed-tokens` does) and shows it: its secret exists in clear
    /// only now.
    private func createFeedLink(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (form, caller) = try await WebPages.postedForm(FeedLinkForm.self, request, context)
        let organisation = caller.organisation
        let label = String((form.label ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
        let (_, token) = try await feedTokens.create(
            organisation: organisation, label: label.isEmpty ? nil : label, now: now())
        let name = organisationName(organisation)
        let links = pages.feedLinks(request).values(name: name, path: "/ical/orgs/\(organisation)/\(token).ics")
        return pages.render("feed-link", ["feed": links, "organisation": name], request, context)
    }

    private struct NoFields: Decodable {}

    /// Revokes one of the caller's organisation's feed links (as
    /// `DELETE /api/v1/organisations/{id}/feed-tokens/{token}` does) and goes back to the bookings.
    private func revokeFeedLink(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, caller) = try await WebPages.postedForm(NoFields.self, request, context)
        let id = context.parameters.get("id") ?? ""
        guard try await feedTokens.revoke(id: id, organisation: caller.organisation, now: now()) else {
            throw WebRefusal.notFound(text: "feed_not_found", detail: id)
        }
        return .redirect(to: "/bookings", type: .normal)
    }

    /// A query value, percent-encoded.
    private static func encoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: PublicPlace.unreserved) ?? value
    }
}
