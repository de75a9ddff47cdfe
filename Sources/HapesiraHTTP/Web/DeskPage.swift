import Foundation
import HapesiraCore
import HapesiraStore
import Hummingbird

/// The venue manager's desk, `GET /desk?date=YYYY-MM-DD`: for each venue the caller manages (an
/// admin: every venue) the day's bookings of every space with what the sensors say, the approval
/// queue and the closures. Its forms post to `/desk/…`, call the same store functions as the API,
/// and answer `303 See Other` back to the desk with a status message (no script needed).
struct DeskPage: Sendable {
    let pages: WebPages
    let store: BookingStore
    let usage: UsageTimelines
    let journal: SensorJournal
    let now: @Sendable () -> Int64

    var catalogue: Catalogue { pages.catalogue }

    /// The status messages a redirect back to the desk may name (`?done=`).
    static let statusTexts = ["approved", "declined", "blocked", "unblocked"]

    private struct DecisionForm: Decodable {
        var reason: String?
        var date: String?
    }

    private struct ClosureForm: Decodable {
        var from: String?
        var to: String?
        var startTime: String?
        var endTime: String?
        var reason: String?
        var cancelBookings: String?
        var date: String?

        enum CodingKeys: String, CodingKey {
            case from, to, reason, date
            case startTime = "start_time"
            case endTime = "end_time"
            case cancelBookings = "cancel_bookings"
        }

        var request: ClosureRequest {
            ClosureRequest(
                from: from ?? "", to: to, startTime: startTime, endTime: endTime, reason: reason ?? "",
                cancelBookings: cancelBookings != nil)
        }
    }

    private struct DateForm: Decodable { var date: String? }

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("desk") { request, context in
            let caller = try WebPages.caller(context)
            let date = request.uri.queryParameters.get("date")
            guard let day = try requestedDay(date, caller: caller) else {
                return pages.problem(
                    request, context, status: .unprocessableContent, heading: "invalid_title",
                    message: "invalid_parameter", detail: "date=\(date ?? "")", hint: "invalid_date")
            }
            let done = request.uri.queryParameters.get("done").flatMap { Self.statusTexts.contains($0) ? $0 : nil }
            return try await desk(request, context, caller: caller, day: day, status: done.map { "desk_done_\($0)" })
        }
        router.post("desk/bookings/{id}/approve") { request, context in
            try await decide(request, context, done: "approved") { id, caller, reason in
                try await store.approve(id, by: caller, reason: reason, now: now())
            }
        }
        router.post("desk/bookings/{id}/decline") { request, context in
            try await decide(request, context, done: "declined") { id, caller, reason in
                try await store.decline(id, by: caller, reason: reason, now: now())
            }
        }
        router.post("desk/venues/{id}/closures") { request, context in
            let (form, caller) = try await WebPages.postedForm(ClosureForm.self, request, context)
            let venue = try venue(context)
            let day = form.date.flatMap { LocalDate($0) }
            do {
                _ = try await store.addClosure(form.request, venue: venue.id, by: caller, now: now())
            } catch ClosureError.bookingsInTheWay(let occurrences) {
                return try await refused(request, context, caller: caller, day: day, code: .conflict) { texts in
                    DeskProblem(
                        text: texts["desk_block_refused"] ?? "",
                        items: occurrences.map { DeskView.describe($0, catalogue: catalogue, texts: texts) })
                }
            } catch BookingError.invalid(let field, _) {
                return try await refused(request, context, caller: caller, day: day, code: .unprocessableContent) {
                    texts in
                    DeskProblem(
                        text: "\(texts["desk_invalid_field"] ?? "") \(texts["desk_field_\(field)"] ?? field)", items: []
                    )
                }
            } catch let error as BookingError {
                throw Self.refusal(error)
            }
            return Self.back(day, done: "blocked")
        }
        router.post("desk/venues/{id}/closures/{closure}/remove") { request, context in
            let (form, caller) = try await WebPages.postedForm(DateForm.self, request, context)
            let venue = try venue(context)
            let closure = context.parameters.get("closure", as: Int64.self) ?? -1
            do {
                try await store.removeClosure(closure, venue: venue.id, by: caller, now: now())
            } catch let error as BookingError {
                throw Self.refusal(error)
            }
            return Self.back(form.date.flatMap { LocalDate($0) }, done: "unblocked")
        }
    }

    /// Approves or declines the booking the path names, then goes back to the desk.
    private func decide(
        _ request: Request, _ context: AppRequestContext, done: String,
        _ action: (Int64, Caller, String?) async throws -> Booking
    ) async throws -> Response {
        let (form, caller) = try await WebPages.postedForm(DecisionForm.self, request, context)
        guard caller.managesVenues else { throw WebRefusal.forbidden(text: "desk_forbidden") }
        let id = context.parameters.get("id", as: Int64.self) ?? -1
        let day = form.date.flatMap { LocalDate($0) }
        let reason = form.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            _ = try await action(id, caller, reason?.isEmpty == false ? reason : nil)
        } catch BookingError.wrongStatus {
            return try await refused(request, context, caller: caller, day: day, code: .conflict) { texts in
                DeskProblem(text: texts["desk_wrong_status"] ?? "", items: [])
            }
        } catch BookingError.refused(let refusal) {
            // Only when pending bookings do not block: another booking took the time meanwhile.
            let others = refusal.refused.flatMap(\.violations).flatMap { violation -> [BusyOccurrence] in
                if case .conflict(let others) = violation { return others }
                return []
            }
            return try await refused(request, context, caller: caller, day: day, code: .conflict) { texts in
                DeskProblem(
                    text: texts["desk_approve_refused"] ?? "",
                    items: others.map { DeskView.describe($0, catalogue: catalogue, texts: texts) })
            }
        } catch let error as BookingError {
            throw Self.refusal(error)
        }
        return Self.back(day, done: done)
    }

    /// The desk again (for `day`, today when the form named none) with what was wrong with a form
    /// posted to it, as an alert.
    private func refused(
        _ request: Request, _ context: AppRequestContext, caller: Caller, day: LocalDate?, code: HTTPResponse.Status,
        _ problem: ([String: String]) -> DeskProblem
    ) async throws -> Response {
        let texts = pages.renderer.texts(Language.of(request))
        return try await desk(
            request, context, caller: caller, day: day ?? today(for: caller), problem: problem(texts), status: nil,
            code: code)
    }

    /// The desk page for `day`, with an optional problem (an alert) or status message (a text key).
    private func desk(
        _ request: Request, _ context: AppRequestContext, caller: Caller, day: LocalDate,
        problem: DeskProblem? = nil, status: String?, code: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let texts = pages.renderer.texts(Language.of(request))
        let view = DeskView(
            catalogue: catalogue, store: store, usage: usage, caller: caller, texts: texts, now: now())
        var values = try await view.values(
            venues: try Self.venues(for: caller, in: catalogue), day: day, health: try await journal.health())
        if let problem {
            values["problem"] = ["text": problem.text, "items": problem.items, "hasItems": !problem.items.isEmpty]
        }
        if let status { values["status"] = texts[status] ?? status }
        return pages.render("desk", values, request, context, status: code)
    }

    /// The venues the caller runs the desk of; members and viewers have none.
    static func venues(for caller: Caller, in catalogue: Catalogue) throws(WebRefusal) -> [Venue] {
        switch caller.role {
        case .admin: return catalogue.venues
        case .manager(let ids): return catalogue.venues.filter { ids.contains($0.id) }
        case .member, .viewer: throw .forbidden(text: "desk_forbidden")
        }
    }

    /// The day asked for (`YYYY-MM-DD`), today in the caller's first venue when none; nil when malformed.
    private func requestedDay(_ text: String?, caller: Caller) throws(WebRefusal) -> LocalDate? {
        guard let text, !text.isEmpty else { return try today(for: caller) }
        return LocalDate(text)
    }

    private func today(for caller: Caller) throws(WebRefusal) -> LocalDate {
        let zone = try Self.venues(for: caller, in: catalogue).first?.zone ?? .utc
        return zone.local(now()).date
    }

    private func venue(_ context: AppRequestContext) throws -> Venue {
        let id = context.parameters.get("id") ?? ""
        guard let venue = catalogue.venue(id) else { throw WebRefusal.notFound(text: "not_found_venues", detail: id) }
        return venue
    }

    /// Back to the desk of `day` with the status message `done`.
    private static func back(_ day: LocalDate?, done: String) -> Response {
        var location = "/desk?done=\(done)"
        if let day { location += "&date=\(day)" }
        return Response(status: .seeOther, headers: [.location: location])
    }

    /// A refusal from the store as a page.
    private static func refusal(_ error: BookingError) -> WebRefusal {
        switch error {
        case .notFound(let what, let id):
            .notFound(text: "desk_not_found_\(what == "closure" ? "closure" : "booking")", detail: id)
        default: .forbidden(text: "desk_forbidden")
        }
    }
}

/// What went wrong with a form posted to the desk: a sentence and, for a refused closure, the
/// bookings in the way.
struct DeskProblem {
    var text: String
    var items: [String]
}
