import Crypto
import Foundation
import HTTPTypes
import HapesiraCore
import HapesiraStore
import Hummingbird

/// `/api/v1/bookings`: create, list, get, change, cancel, approve, decline, audit.
struct BookingController: Sendable {
    let store: BookingStore
    let views: Views
    let body: BodyReader
    let metrics: RequestMetrics
    /// Attendance outcomes from the sensors, for `GET /bookings/{id}`.
    let usage: UsageTimelines
    let now: @Sendable () -> Int64

    var catalogue: Catalogue { views.catalogue }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("bookings", use: create)
        group.get("bookings", use: list)
        group.get("bookings/{id}", use: get)
        group.patch("bookings/{id}", use: change)
        group.post("bookings/{id}/cancel", use: cancel)
        group.post("bookings/{id}/occurrences/{occurrence}/cancel", use: cancelOccurrence)
        group.post("bookings/{id}/approve", use: approve)
        group.post("bookings/{id}/decline", use: decline)
        group.get("bookings/{id}/audit", use: bookingAudit)
        group.get("audit", use: audit)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let (input, raw) = try await body.read(CreateBookingBody.self, from: request)
        let draft = try BookingDraft(
            space: input.space, organisation: input.organisation ?? caller.organisation, title: input.title,
            category: input.category, start: Self.time(input.start, field: "start"),
            end: Self.time(input.end, field: "end"), recurrence: input.recurrence,
            seriesPolicy: input.seriesPolicy ?? .allOrNothing, visibility: input.visibility ?? .public,
            expectedAttendance: input.expectedAttendance, description: input.description,
            waitIfBusy: input.waitIfBusy ?? false)
        let key = request.headers[.idempotencyKey]
        if let key, key.isEmpty || key.count > 200 {
            throw APIError.invalid("Idempotency-Key", "Idempotency-Key must be 1 to 200 characters")
        }
        // Only a request that may be replayed needs its fingerprint.
        let hash = key == nil ? "" : Self.hex(SHA256.hash(data: raw))
        do {
            let result = try await store.create(draft, by: caller, now: now(), idempotencyKey: key, requestHash: hash)
            var members = views.bookingMembers(result.booking, for: caller)
            let zone = views.zone(ofSpace: draft.space)
            members["skipped_details"] = .array(
                result.skipped.flatMap {
                    views.violation(OccurrenceCheck(interval: $0.interval, violations: $0.violations), zone: zone)
                })
            if !result.blockedBy.isEmpty {
                members["blocked_by"] =
                    views.refusal(Refusal(refused: result.blockedBy), caller: caller, space: draft.space)["conflicts"]
            }
            if !result.replayed { metrics.countCreated(result.booking) }
            var headers: HTTPFields = [.location: "/api/v1/bookings/\(result.booking.id)"]
            if result.replayed { headers[.idempotentReplayed] = "true" }
            return JSONResponse.make(
                .object(members), status: HTTPResponse.Status(code: result.firstStatus), headers: headers)
        } catch BookingError.refused(let refusal) {
            metrics.countRefusal(refusal)
            throw APIError(from: BookingError.refused(refusal), views: views, caller: caller, space: draft.space)
        }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let query = request.uri.queryParameters
        var filter = BookingFilter()
        filter.spaces = try spaceFilter(query)
        if let organisation = query.get("organisation") {
            guard catalogue.organisation(organisation) != nil else {
                throw APIError.invalid("organisation", "no organisation '\(organisation)'")
            }
            filter.organisation = organisation
        }
        if let statuses = query.get("status") {
            filter.statuses = try statuses.split(separator: ",").map {
                guard let status = BookingStatus(rawValue: String($0)) else {
                    throw APIError.invalid(
                        "status",
                        "status must be among: \(BookingStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return status
            }
        }
        filter.range = try range(query, required: false)
        filter.limit = try Self.integer(query.get("limit"), field: "limit", range: 1...1000) ?? 200
        filter.offset = try Self.integer(query.get("offset"), field: "offset", range: 0...Int(Int32.max)) ?? 0
        let bookings = try await store.bookings(filter)
        let outcomes = try await usage.outcomes(of: bookings, now: now())
        return JSONResponse.items(bookings.map { views.booking($0, for: caller, outcomes: outcomes) })
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try Self.id(context)
        guard let booking = try await store.booking(id) else { throw APIError.notFound("booking", "\(id)") }
        let outcomes = try await usage.outcomes(of: [booking], now: now())
        return JSONResponse.make(views.booking(booking, for: caller, outcomes: outcomes))
    }

    @Sendable func change(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try Self.id(context)
        let (input, _) = try await body.read(ChangeBookingBody.self, from: request)
        let fields = input.change
        var change = BookingChange()
        change.title = fields.title
        change.category = fields.category
        change.description = fields.description
        change.visibility = fields.visibility
        change.expectedAttendance = fields.expectedAttendance
        change.space = fields.space
        change.start = try fields.start.map { try Self.time($0, field: "start") }
        change.end = try fields.end.map { try Self.time($0, field: "end") }
        change.recurrence = fields.recurrence
        change.seriesPolicy = fields.seriesPolicy
        do {
            let booking = try await store.change(id, change, by: caller, now: now())
            return JSONResponse.make(views.booking(booking, for: caller))
        } catch {
            let space: String? =
                if let space = fields.space { space } else { try? await store.booking(id)?.draft.space }
            throw APIError(from: error, views: views, caller: caller, space: space)
        }
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await transition(request, context) { id, caller, reason in
            try await store.cancel(id, by: caller, reason: reason, now: now())
        }
    }

    @Sendable func cancelOccurrence(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let occurrence = context.parameters.get("occurrence", as: Int64.self) else {
            throw APIError.notFound("occurrence", context.parameters.get("occurrence") ?? "")
        }
        return try await transition(request, context) { id, caller, reason in
            try await store.cancelOccurrence(id, occurrence: occurrence, by: caller, reason: reason, now: now())
        }
    }

    @Sendable func approve(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await transition(request, context) { id, caller, reason in
            try await store.approve(id, by: caller, reason: reason, now: now())
        }
    }

    @Sendable func decline(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await transition(request, context) { id, caller, reason in
            try await store.decline(id, by: caller, reason: reason, now: now())
        }
    }

    @Sendable func bookingAudit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try Self.id(context)
        guard let booking = try await store.booking(id) else { throw APIError.notFound("booking", "\(id)") }
        let venue = catalogue.space(booking.draft.space)?.venue ?? ""
        guard caller.mayReadAudit(organisation: booking.draft.organisation, venue: venue) else {
            throw APIError(
                .forbidden, "forbidden", "the audit trail of another organisation's booking is not yours to read")
        }
        return JSONResponse.items(try await store.audit(bookingID: id).map(views.audit))
    }

    @Sendable func audit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let query = request.uri.queryParameters
        let bookingID = try Self.integer(query.get("booking"), field: "booking", range: 1...Int.max).map(Int64.init)
        let limit = try Self.integer(query.get("limit"), field: "limit", range: 1...1000) ?? 200
        let offset = try Self.integer(query.get("offset"), field: "offset", range: 0...Int(Int32.max)) ?? 0
        // Members read the trail of their own organisation's bookings only.
        let organisation: String? = if case .member = caller.role { caller.organisation } else { nil }
        let entries = try await store.audit(
            bookingID: bookingID, organisation: organisation, range: try range(query, required: false), limit: limit,
            offset: offset)
        return JSONResponse.items(entries.map(views.audit))
    }

    // MARK: Helpers

    private func transition(
        _ request: Request, _ context: AppRequestContext,
        _ action: (Int64, Caller, String?) async throws -> Booking
    ) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try Self.id(context)
        let (input, _) = try await body.read(ReasonBody.self, from: request, emptyAllowed: true)
        do {
            return JSONResponse.make(views.booking(try await action(id, caller, input.reason), for: caller))
        } catch {
            let space = try? await store.booking(id)?.draft.space
            throw APIError(from: error, views: views, caller: caller, space: space)
        }
    }

    /// `space`, `venue` and `city` query parameters as the set of spaces they name.
    func spaceFilter(_ query: Parameters) throws -> [String]? {
        var spaces: Set<String>?
        func narrow(_ ids: [String]) { spaces = spaces.map { $0.intersection(ids) } ?? Set(ids) }
        if let id = query.get("space") {
            guard catalogue.space(id) != nil else { throw APIError.invalid("space", "no space '\(id)'") }
            narrow([id])
        }
        if let id = query.get("venue") {
            guard catalogue.venue(id) != nil else { throw APIError.invalid("venue", "no venue '\(id)'") }
            narrow(catalogue.spaces(inVenue: id).map(\.id))
        }
        if let id = query.get("city") {
            guard catalogue.city(id) != nil else { throw APIError.invalid("city", "no city '\(id)'") }
            narrow(catalogue.spaces(inCity: id).map(\.id))
        }
        return spaces.map { $0.sorted() }
    }

    /// `from` and `to` query parameters.
    func range(_ query: Parameters, required: Bool, maxSpan: Int64? = nil) throws -> Interval? {
        let from = try query.get("from").map { try Self.time($0, field: "from") }
        let to = try query.get("to").map { try Self.time($0, field: "to") }
        guard let from, let to else {
            if required || from != nil || to != nil {
                throw APIError.invalid(from == nil ? "from" : "to", "give both from and to (RFC 3339 with offset)")
            }
            return nil
        }
        guard to > from else { throw APIError.invalid("to", "to must be after from") }
        if let maxSpan, to - from > maxSpan {
            throw APIError.invalid("to", "the range may span at most \(maxSpan / 86_400) days")
        }
        return Interval(start: from, end: to)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]] }
        return String(decoding: text, as: UTF8.self)
    }

    static func time(_ text: String, field: String) throws -> Int64 {
        do {
            return try TimeInput.parse(text)
        } catch {
            throw APIError.invalid(field, "\(field): \(error.description)")
        }
    }

    static func integer(_ text: String?, field: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.invalid(
                field, "\(field) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    static func id(_ context: AppRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else {
            throw APIError.notFound("booking", context.parameters.get("id") ?? "")
        }
        return id
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}
