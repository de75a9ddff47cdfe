import GRDB
import HapesiraCore

/// The outcome of a create request that was stored.
public struct CreateResult: Sendable {
    public var booking: Booking
    /// For a `waiting` booking: the occurrences that are in the way now.
    public var blockedBy: [OccurrenceCheck]
    /// Occurrences of a `skip-conflicts` series that were not booked, with the reasons.
    public var skipped: [SkippedOccurrence]
    /// The same Idempotency-Key was seen before: this is the first request's booking.
    public var replayed: Bool
    /// The HTTP status the first request was answered with (201 or 202).
    public var firstStatus: Int
}

/// A change to a booking; `nil` leaves a field as it is.
public struct BookingChange: Sendable {
    public var title: String?
    public var category: String?
    public var description: String??
    public var visibility: Visibility?
    public var expectedAttendance: Int??
    public var space: String?
    public var start: Int64?
    public var end: Int64?
    public var recurrence: String??
    public var excluded: [Int64]?
    public var seriesPolicy: SeriesPolicy?
    /// Replaces the booking's iCalendar identity (organiser, SEQUENCE, DTSTAMP of the message applied).
    public var calendar: CalendarIdentity?

    public init() {}

    /// Whether the change moves the booking in time or space (so it must be checked again).
    public var movesBooking: Bool {
        space != nil || start != nil || end != nil || recurrence != nil || excluded != nil || seriesPolicy != nil
    }

    /// The draft with this change applied.
    func applied(to original: BookingDraft) -> BookingDraft {
        var draft = original
        if let title { draft.title = title }
        if let category { draft.category = category }
        if let description { draft.description = description }
        if let visibility { draft.visibility = visibility }
        if let expectedAttendance { draft.expectedAttendance = expectedAttendance }
        if let space { draft.space = space }
        if let start { draft.start = start }
        if let end { draft.end = end }
        if let recurrence { draft.recurrence = recurrence }
        if let excluded { draft.excluded = excluded }
        if let seriesPolicy { draft.seriesPolicy = seriesPolicy }
        return draft
    }
}

/// A refused change, with the draft it was refused for (the alternatives are computed for it).
private struct RefusedChange: Error {
    var refusal: Refusal
    var draft: BookingDraft
}

/// Which bookings to list.
public struct BookingFilter: Sendable {
    public var spaces: [String]?
    public var organisation: String?
    public var statuses: [BookingStatus]
    public var range: Interval?
    public var limit: Int
    public var offset: Int

    public init(
        spaces: [String]? = nil, organisation: String? = nil, statuses: [BookingStatus] = [], range: Interval? = nil,
        limit: Int = 200, offset: Int = 0
    ) {
        self.spaces = spaces
        self.organisation = organisation
        self.statuses = statuses
        self.range = range
        self.limit = limit
        self.offset = offset
    }
}

/// Bookings on SQLite: every decision is made and committed inside one write transaction, so two
/// requests for the same slot can never both succeed.
public struct BookingStore: Sendable {
    public let database: AppDatabase
    public let engine: BookingEngine
    let committer: GroupCommitter

    public init(database: AppDatabase, engine: BookingEngine) {
        self.database = database
        self.engine = engine
        self.committer = GroupCommitter(database: database)
    }

    var catalogue: Catalogue { engine.catalogue }

    // MARK: Writes

    /// Checks and stores a new booking. Throws ``BookingError`` (a refusal carries alternatives).
    public func create(
        _ draft: BookingDraft, by caller: Caller, now: Int64, idempotencyKey: String? = nil, requestHash: String = "",
        calendar: CalendarIdentity? = nil
    ) async throws -> CreateResult {
        let (space, venue) = try place(of: draft.space)
        guard caller.mayBook(for: draft.organisation, inVenue: venue.id) else {
            throw BookingError.forbidden(
                "\(caller.organisation) may not book for '\(draft.organisation)' in \(venue.id)")
        }
        let occurrences = try engine.plan(draft, now: now)
        let engine = self.engine
        do {
            return try await committer.perform { db in
                if let idempotencyKey,
                    let row = try Row.fetchOne(
                        db,
                        sql:
                            "SELECT request_hash, booking_id, status FROM idempotency WHERE organisation_id = ? AND key = ?",
                        arguments: [caller.organisation, idempotencyKey])
                {
                    guard row["request_hash"] == requestHash else {
                        throw StoreError.idempotencyKeyReused(idempotencyKey)
                    }
                    guard let booking = try BookingRows.load(db, id: row["booking_id"]) else {
                        throw BookingError.notFound(what: "booking", id: "\(row["booking_id"] as Int64)")
                    }
                    return CreateResult(
                        booking: booking, blockedBy: [], skipped: [], replayed: true, firstStatus: row["status"])
                }
                let ledger = SQLiteLedger(db: db, catalogue: engine.catalogue)
                let decision = try engine.decide(
                    draft, occurrences: occurrences, now: now, ledger: ledger,
                    autoApprove: caller.manages(venue: venue.id)
                ).get()
                let booking = try BookingRows.insert(
                    db, draft: draft, status: decision.status, occurrences: decision.occurrences,
                    skipped: decision.skipped.map(\.interval), space: space, now: now, createdBy: caller.tokenID,
                    calendar: calendar)
                var details = ["status": decision.status.rawValue, "occurrences": "\(decision.occurrences.count)"]
                if !decision.skipped.isEmpty { details["skipped"] = "\(decision.skipped.count)" }
                try BookingRows.record(
                    db,
                    AuditEntry(
                        at: now, actorToken: caller.tokenID, actorOrganisation: caller.organisation,
                        action: decision.status == .waiting ? "queued" : "created", bookingID: booking.id,
                        space: space.id,
                        organisation: draft.organisation, details: details))
                if let idempotencyKey {
                    try db.execute(
                        sql: """
                            INSERT INTO idempotency (organisation_id, key, request_hash, booking_id, status, created_at)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            caller.organisation, idempotencyKey, requestHash, booking.id,
                            decision.status == .waiting ? 202 : 201, now,
                        ])
                }
                return CreateResult(
                    booking: booking, blockedBy: decision.blockedBy, skipped: decision.skipped, replayed: false,
                    firstStatus: decision.status == .waiting ? 202 : 201)
            }
        } catch let refusal as Refusal {
            throw BookingError.refused(try await withAlternatives(refusal, draft: draft, now: now, excluding: nil))
        }
    }

    /// Changes a booking; a move in time or space is checked like a new request (its own old
    /// occurrences never conflict with it).
    public func change(_ id: Int64, _ change: BookingChange, by caller: Caller, now: Int64) async throws -> Booking {
        let engine = self.engine
        do {
            return try await committer.perform { db in
                let booking = try loadModifiable(db, id: id, by: caller, action: "change")
                var draft = change.applied(to: booking.draft)
                // A waiting request that moves keeps waiting if its new slot is taken too.
                draft.waitIfBusy = booking.status == .waiting

                let (space, venue) = try place(of: draft.space)
                guard caller.mayBook(for: draft.organisation, inVenue: venue.id) else {
                    throw BookingError.forbidden("\(caller.organisation) may not book in \(venue.id)")
                }
                let moves = change.movesBooking
                // Planning also checks every field (category, title, attendance, recurrence).
                let planned = try engine.plan(draft, now: now)
                var status = booking.status
                var skipped = booking.skipped
                if moves {
                    let ledger = SQLiteLedger(db: db, catalogue: engine.catalogue)
                    let autoApprove =
                        caller.manages(venue: venue.id)
                        || (booking.status == .confirmed && !space.rules.approvalRequired)
                    let decision: Decision
                    switch try engine.decide(
                        draft, occurrences: planned, now: now, ledger: ledger, excluding: id, autoApprove: autoApprove)
                    {
                    case .success(let accepted): decision = accepted
                    case .failure(let refusal): throw RefusedChange(refusal: refusal, draft: draft)
                    }
                    status = decision.status
                    skipped = decision.skipped.map(\.interval)
                    try db.execute(sql: "DELETE FROM occurrence WHERE booking_id = ?", arguments: [id])
                    try BookingRows.insertOccurrences(
                        db, bookingID: id, organisation: draft.organisation, space: space,
                        intervals: decision.occurrences, active: status.isActive)
                } else if let violation = engine.capacityViolation(draft, in: space) {
                    let check = OccurrenceCheck(interval: draft.interval, violations: [violation])
                    throw RefusedChange(refusal: Refusal(refused: [check]), draft: draft)
                }
                let bump = moves || status != booking.status
                let calendar = change.calendar ?? booking.calendar
                try db.execute(
                    sql: """
                        UPDATE booking SET space_id = ?, title = ?, category = ?, description = ?, visibility = ?,
                            status = ?, start_at = ?, end_at = ?, recurrence = ?, series_policy = ?,
                            expected_attendance = ?, wait_if_busy = ?, skipped = ?, sequence = sequence + ?, updated_at = ?,
                            excluded = ?, ical_uid = ?, ical_organizer = ?, ical_sequence = ?, ical_stamp = ?
                        WHERE id = ?
                        """,
                    arguments: [
                        draft.space, draft.title, draft.category, draft.description, draft.visibility.rawValue,
                        status.rawValue, draft.start, draft.end, draft.recurrence, draft.seriesPolicy.rawValue,
                        draft.expectedAttendance, status == .waiting, BookingRows.encodeIntervals(skipped),
                        bump ? 1 : 0, now, BookingRows.encodeInstants(draft.excluded), calendar?.uid,
                        calendar?.organizer, calendar?.sequence, calendar?.stamp, id,
                    ])
                try BookingRows.record(
                    db,
                    AuditEntry(
                        at: now, actorToken: caller.tokenID, actorOrganisation: caller.organisation, action: "changed",
                        bookingID: id, space: draft.space, organisation: draft.organisation,
                        details: Self.describe(from: booking.draft, to: draft, status: (booking.status, status))))
                if moves {
                    try promoteWaiting(db, freed: booking, now: now)
                }
                return try BookingRows.load(db, id: id)!
            }
        } catch let refused as RefusedChange {
            throw BookingError.refused(
                try await withAlternatives(refused.refusal, draft: refused.draft, now: now, excluding: id))
        }
    }

    /// Cancels a whole booking (or withdraws a waiting request) and promotes waiting requests.
    public func cancel(_ id: Int64, by caller: Caller, reason: String?, now: Int64) async throws -> Booking {
        try await committer.perform { db in
            let booking = try loadModifiable(db, id: id, by: caller, action: "cancel")
            try BookingRows.setStatus(db, id: id, status: .cancelled, now: now)
            try BookingRows.record(
                db,
                AuditEntry(
                    at: now, actorToken: caller.tokenID, actorOrganisation: caller.organisation, action: "cancelled",
                    bookingID: id, space: booking.draft.space, organisation: booking.draft.organisation, reason: reason,
                    details: ["previous_status": booking.status.rawValue]))
            try promoteWaiting(db, freed: booking, now: now)
            return try BookingRows.load(db, id: id)!
        }
    }

    /// Cancels one occurrence of a booking (it becomes an EXDATE of the series).
    public func cancelOccurrence(
        _ id: Int64, occurrence: Int64, by caller: Caller, reason: String?, now: Int64
    )
        async throws -> Booking
    {
        try await committer.perform { db in
            let booking = try loadModifiable(db, id: id, by: caller, action: "cancel an occurrence of")
            guard let target = booking.occurrences.first(where: { $0.id == occurrence }) else {
                throw BookingError.notFound(what: "occurrence", id: "\(occurrence)")
            }
            guard !target.cancelled else { throw BookingError.wrongStatus(.cancelled, action: "cancel the occurrence") }
            return try free(
                db, target, of: booking, released: false, now: now,
                audit: AuditEntry(
                    at: now, actorToken: caller.tokenID, actorOrganisation: caller.organisation,
                    action: "occurrence-cancelled", bookingID: id, occurrenceID: occurrence, space: booking.draft.space,
                    organisation: booking.draft.organisation, reason: reason))
        }
    }

    /// Frees one occurrence (cancelled, or also released): the booking becomes cancelled (released)
    /// when no other occurrence holds time, else its sequence moves on; the audit entry gets the
    /// occurrence's times, and waiting requests for the slot are promoted.
    func free(
        _ db: Database, _ target: Occurrence, of booking: Booking, released: Bool, now: Int64, audit: AuditEntry
    ) throws -> Booking {
        try db.execute(
            sql: "UPDATE occurrence SET cancelled = 1, released = ?, active = 0 WHERE id = ?",
            arguments: [released, target.id])
        if booking.occurrences.allSatisfy({ $0.cancelled || $0.id == target.id }) {
            try BookingRows.setStatus(db, id: booking.id, status: released ? .released : .cancelled, now: now)
        } else {
            try db.execute(
                sql: "UPDATE booking SET sequence = sequence + 1, updated_at = ? WHERE id = ?",
                arguments: [now, booking.id])
        }
        var entry = audit
        entry.details = ["start": "\(target.interval.start)", "end": "\(target.interval.end)"]
        try BookingRows.record(db, entry)
        var freed = booking
        freed.occurrences = [target]
        try promoteWaiting(db, freed: freed, now: now)
        return try BookingRows.load(db, id: booking.id)!
    }

    /// Auto-release: gives back the slot of a confirmed occurrence nobody came to. The occurrence is
    /// kept (marked released, so it holds no slot and shows as released), the booking becomes
    /// `released` when no other occurrence remains, an audit entry says why, and waiting requests
    /// are promoted. Returns nil (and changes nothing) when the occurrence no longer holds its slot.
    @discardableResult
    public func release(occurrence: Int64, of id: Int64, reason: String, now: Int64) async throws -> Booking? {
        try await committer.perform { db in
            guard let booking = try BookingRows.load(db, id: id), booking.status == .confirmed,
                let target = booking.occurrences.first(where: { $0.id == occurrence }), !target.cancelled
            else { return nil }
            return try free(
                db, target, of: booking, released: true, now: now,
                audit: AuditEntry(
                    at: now, actorToken: "system", actorOrganisation: "system", action: "released", bookingID: id,
                    occurrenceID: occurrence, space: booking.draft.space, organisation: booking.draft.organisation,
                    reason: reason))
        }
    }

    /// Confirmed occurrences in `spaces` under way at `now` (started, not ended), oldest first:
    /// the candidates for auto-release.
    public func underWay(
        spaces: [String], at now: Int64
    ) async throws -> [(booking: Int64, occurrence: Occurrence, space: String)] {
        guard !spaces.isEmpty else { return [] }
        // No block is longer than the catalogue's longest: this bounds the index range scanned.
        let earliest = now - catalogue.longestBlock
        return try await database.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.booking_id, o.id, o.start_at, o.end_at, o.space_id FROM occurrence o
                    JOIN booking b ON b.id = o.booking_id
                    WHERE o.active = 1 AND b.status = 'confirmed' AND o.start_at <= ?1 AND o.end_at > ?1
                        AND o.block_start >= ?2 AND o.space_id IN (\(Array(repeating: "?", count: spaces.count).joined(separator: ",")))
                    ORDER BY o.start_at, o.id
                    """,
                arguments: StatementArguments([now, earliest]) + StatementArguments(spaces)
            ).map { row in
                (
                    booking: row[0], occurrence: Occurrence(id: row[1], interval: Interval(start: row[2], end: row[3])),
                    space: row[4]
                )
            }
        }
    }

    /// A manager confirms a pending booking.
    public func approve(_ id: Int64, by caller: Caller, reason: String?, now: Int64) async throws -> Booking {
        try await committer.perform { db in
            let booking = try loadManaged(db, id: id, by: caller)
            guard booking.status == .pending else { throw BookingError.wrongStatus(booking.status, action: "approve") }
            if !catalogue.pendingBlocks {
                // Only confirmed bookings block: another one may have been confirmed meanwhile.
                let ledger = SQLiteLedger(db: db, catalogue: catalogue)
                let (space, _) = try place(of: booking.draft.space)
                let refused = try booking.occurrences.filter { !$0.cancelled }.compactMap { occurrence in
                    let others = try engine.conflicts(occurrence.interval, in: space, ledger: ledger, excluding: id)
                    return others.isEmpty
                        ? nil : OccurrenceCheck(interval: occurrence.interval, violations: [.conflict(others)])
                }
                if !refused.isEmpty { throw BookingError.refused(Refusal(refused: refused)) }
            }
            try BookingRows.setStatus(db, id: id, status: .confirmed, now: now)
            try BookingRows.record(
                db,
                AuditEntry(
                    at: now, actorToken: caller.tokenID, actorOrganisation: caller.organisation, action: "approved",
                    bookingID: id, space: booking.draft.space, organisation: booking.draft.organisation, reason: reason)
            )
            return try BookingRows.load(db, id: id)!
        }
    }

    /// A manager declines a pending or waiting booking; its slot is freed.
    public func decline(_ id: Int64, by caller: Caller, reason: String?, now: Int64) async throws -> Booking {
        try await committer.perform { db in
            let booking = try loadManaged(db, id: id, by: caller)
            guard booking.status == .pending || booking.status == .waiting else {
                throw BookingError.wrongStatus(booking.status, action: "decline")
            }
            try BookingRows.setStatus(db, id: id, status: .declined, now: now)
            try BookingRows.record(
                db,
                AuditEntry(
                    at: now, actorToken: caller.tokenID, actorOrganisation: caller.organisation, action: "declined",
                    bookingID: id, space: booking.draft.space, organisation: booking.draft.organisation, reason: reason)
            )
            try promoteWaiting(db, freed: booking, now: now)
            return try BookingRows.load(db, id: id)!
        }
    }

    // MARK: Reads

    /// Changes whenever a booking write has been committed by this process: a cache of anything
    /// derived from bookings is valid while this value stays the same.
    public var dataVersion: UInt64 { committer.committedBatches }

    public func booking(_ id: Int64) async throws -> Booking? {
        try await database.writer.read { db in try BookingRows.load(db, id: id) }
    }

    /// The booking an iCalendar UID names: one made by iCalendar with that UID, or one whose
    /// feed UID (`<id>-<installation id>@hapesira`) it is.
    public func booking(calendarUID uid: String) async throws -> Booking? {
        let installation = "-\(database.installationID)@hapesira"
        let feedID = uid.hasSuffix(installation) ? Int64(uid.dropLast(installation.count)) : nil
        return try await database.writer.read { db in
            if let booking = try BookingRows.bookings(
                db, sql: "SELECT \(BookingRows.columns) FROM booking WHERE ical_uid = ?", arguments: [uid]
            ).first {
                return booking
            }
            return try feedID.flatMap { try BookingRows.load(db, id: $0) }
        }
    }

    public func bookings(_ filter: BookingFilter) async throws -> [Booking] {
        try await database.writer.read { db in
            var clauses: [String] = []
            var arguments = StatementArguments()
            if let spaces = filter.spaces {
                clauses.append(
                    "b.space_id IN (\(Array(repeating: "?", count: max(1, spaces.count)).joined(separator: ",")))")
                arguments += StatementArguments(spaces.isEmpty ? [""] : spaces)
            }
            if let organisation = filter.organisation {
                clauses.append("b.organisation_id = ?")
                arguments += [organisation]
            }
            if !filter.statuses.isEmpty {
                clauses.append(
                    "b.status IN (\(Array(repeating: "?", count: filter.statuses.count).joined(separator: ",")))")
                arguments += StatementArguments(filter.statuses.map(\.rawValue))
            }
            if let range = filter.range {
                clauses.append(
                    "EXISTS (SELECT 1 FROM occurrence o WHERE o.booking_id = b.id AND o.start_at < ? AND o.end_at > ?)")
                arguments += [range.end, range.start]
            }
            let condition = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments += [filter.limit, filter.offset]
            return try BookingRows.bookings(
                db,
                sql:
                    "SELECT \(BookingRows.columns) FROM booking b \(condition) ORDER BY b.start_at, b.id LIMIT ? OFFSET ?",
                arguments: arguments)
        }
    }

    /// The pending and confirmed bookings with an occurrence (not cancelled or released) in one of
    /// `spaces` that overlaps `range`, each with all its occurrences — what a calendar page shows.
    /// Read through the active-occurrence index: the cost follows the bookings in the range, not the
    /// spaces' whole history (``bookings(_:)`` visits every booking of the spaces).
    public func activeBookings(spaces: [String], overlapping range: Interval) async throws -> [Booking] {
        guard !spaces.isEmpty else { return [] }
        let lowerBound = range.start - catalogue.longestBlock
        let placeholders = Array(repeating: "?", count: spaces.count).joined(separator: ",")
        return try await database.writer.read { db in
            // An occurrence begins at most `longestBlock` before it ends (buffers included): the lower
            // bound on block_start turns the index probe into a narrow range scan.
            try BookingRows.bookings(
                db,
                sql: """
                    SELECT \(BookingRows.columns) FROM booking WHERE id IN (
                        SELECT booking_id FROM occurrence
                        WHERE active = 1 AND space_id IN (\(placeholders))
                          AND block_start < ? AND block_start >= ? AND start_at < ? AND end_at > ?)
                    ORDER BY start_at, id
                    """,
                arguments: StatementArguments(spaces) + [range.end, lowerBound, range.end, range.start])
        }
    }

    /// Occurrences holding any part of `interval` in the space or a space linked to it.
    public func busy(space: Space, within interval: Interval) async throws -> [BusyOccurrence] {
        let catalogue = self.catalogue
        return try await database.writer.read { db in
            try SQLiteLedger(db: db, catalogue: catalogue).blockingOccurrences(
                spaces: catalogue.blockingGroup(of: space),
                overlapping: interval.widened(before: space.rules.setupBuffer, after: space.rules.teardownBuffer))
        }
    }

    /// The audit trail, newest first.
    public func audit(
        bookingID: Int64? = nil, organisation: String? = nil, range: Interval? = nil, limit: Int = 200, offset: Int = 0
    ) async throws -> [AuditEntry] {
        try await database.writer.read { db in
            var clauses: [String] = []
            var arguments = StatementArguments()
            if let bookingID {
                clauses.append("booking_id = ?")
                arguments += [bookingID]
            }
            if let organisation {
                clauses.append("organisation_id = ?")
                arguments += [organisation]
            }
            if let range {
                clauses.append("at >= ? AND at < ?")
                arguments += [range.start, range.end]
            }
            arguments += [limit, offset]
            let condition = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            return try Row.fetchAll(
                db, sql: "SELECT * FROM audit \(condition) ORDER BY id DESC LIMIT ? OFFSET ?", arguments: arguments
            ).map(BookingRows.auditEntry)
        }
    }

    /// Runs `body` inside one read transaction with the conflict check exactly as the write path
    /// runs it inside its write transaction (for benchmarks and diagnostics).
    public func withConflictCheck<T>(
        in space: Space, _ body: (_ check: (Interval) throws -> [BusyOccurrence]) throws -> T
    ) throws -> T {
        let engine = self.engine
        return try database.writer.read { db in
            let ledger = SQLiteLedger(db: db, catalogue: engine.catalogue)
            return try body { try engine.conflicts($0, in: space, ledger: ledger) }
        }
    }

    // MARK: Helpers

    func place(of spaceID: String) throws(BookingError) -> (Space, Venue) {
        guard let space = catalogue.space(spaceID), let venue = catalogue.venue(of: space) else {
            throw .notFound(what: "space", id: spaceID)
        }
        return (space, venue)
    }

    private func loadModifiable(_ db: Database, id: Int64, by caller: Caller, action: String) throws -> Booking {
        guard let booking = try BookingRows.load(db, id: id) else {
            throw BookingError.notFound(what: "booking", id: "\(id)")
        }
        let venue = catalogue.space(booking.draft.space)?.venue ?? ""
        guard caller.mayModify(bookingOf: booking.draft.organisation, inVenue: venue) else {
            throw BookingError.forbidden("\(caller.organisation) may not \(action) booking \(id)")
        }
        guard booking.status.isOpen else {
            throw BookingError.wrongStatus(booking.status, action: action)
        }
        return booking
    }

    private func loadManaged(_ db: Database, id: Int64, by caller: Caller) throws -> Booking {
        guard let booking = try BookingRows.load(db, id: id) else {
            throw BookingError.notFound(what: "booking", id: "\(id)")
        }
        let venue = catalogue.space(booking.draft.space)?.venue ?? ""
        guard caller.manages(venue: venue) else {
            throw BookingError.forbidden("only a manager of \(venue) may approve or decline its bookings")
        }
        return booking
    }

    /// Gives waiting requests that overlap what `freed` held, oldest first, the freed slot.
    private func promoteWaiting(_ db: Database, freed: Booking, now: Int64) throws {
        guard let freedSpace = catalogue.space(freed.draft.space) else { return }
        let group = Set(catalogue.blockingGroup(of: freedSpace))
        let margin = catalogue.longestBlock
        let freedIntervals = freed.occurrences.map { $0.interval.widened(before: margin, after: margin) }
        let waitingList = try BookingRows.bookings(
            db, sql: "SELECT \(BookingRows.columns) FROM booking WHERE status = 'waiting' ORDER BY created_at, id")
        let ledger = SQLiteLedger(db: db, catalogue: catalogue)
        for waiting in waitingList {
            guard let space = catalogue.space(waiting.draft.space),
                !group.isDisjoint(with: catalogue.blockingGroup(of: space)),
                waiting.occurrences.contains(where: { occurrence in
                    freedIntervals.contains { $0.overlaps(occurrence.interval) }
                })
            else { continue }
            var draft = waiting.draft
            draft.waitIfBusy = false
            let intervals = waiting.occurrences.filter { !$0.cancelled }.map(\.interval)
            guard
                case .success(let decision) = try engine.decide(
                    draft, occurrences: intervals, now: now, ledger: ledger, excluding: waiting.id)
            else { continue }
            try db.execute(sql: "DELETE FROM occurrence WHERE booking_id = ?", arguments: [waiting.id])
            try BookingRows.insertOccurrences(
                db, bookingID: waiting.id, organisation: draft.organisation, space: space,
                intervals: decision.occurrences, active: true)
            try db.execute(
                sql:
                    "UPDATE booking SET status = ?, wait_if_busy = 0, skipped = ?, sequence = sequence + 1, updated_at = ? WHERE id = ?",
                arguments: [
                    decision.status.rawValue, BookingRows.encodeIntervals(decision.skipped.map(\.interval)), now,
                    waiting.id,
                ])
            try BookingRows.record(
                db,
                AuditEntry(
                    at: now, actorToken: "system", actorOrganisation: "system", action: "promoted",
                    bookingID: waiting.id,
                    space: space.id, organisation: draft.organisation,
                    reason: "the slot was freed by booking \(freed.id)",
                    details: ["status": decision.status.rawValue, "freed_by": "\(freed.id)"]))
        }
    }

    private func withAlternatives(
        _ refusal: Refusal, draft: BookingDraft, now: Int64, excluding: Int64?
    ) async throws -> Refusal {
        guard let first = refusal.refused.first else { return refusal }
        let finder = AlternativeFinder(engine: engine)
        let catalogue = self.catalogue
        var result = refusal
        result.alternatives = try await database.writer.read { db in
            try finder.alternatives(
                for: draft, requested: first.interval, now: now, ledger: SQLiteLedger(db: db, catalogue: catalogue),
                excluding: excluding)
        }
        return result
    }

    private static func describe(
        from old: BookingDraft, to new: BookingDraft, status: (BookingStatus, BookingStatus)
    ) -> [String: String] {
        var details: [String: String] = [:]
        func note(_ key: String, _ a: String?, _ b: String?) {
            if a != b { details[key] = "\(a ?? "null") -> \(b ?? "null")" }
        }
        note("space", old.space, new.space)
        note("title", old.title, new.title)
        note("category", old.category, new.category)
        note("visibility", old.visibility.rawValue, new.visibility.rawValue)
        note("start", "\(old.start)", "\(new.start)")
        note("end", "\(old.end)", "\(new.end)")
        note("recurrence", old.recurrence, new.recurrence)
        note("expected_attendance", old.expectedAttendance.map { "\($0)" }, new.expectedAttendance.map { "\($0)" })
        note("status", status.0.rawValue, status.1.rawValue)
        return details
    }
}
