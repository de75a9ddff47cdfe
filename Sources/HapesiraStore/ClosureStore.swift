import GRDB
import GRDBSQLite
import HapesiraCore

/// What blocking time did: the closure stored, and the occurrences it cancelled (when asked to).
public struct AddedClosure: Sendable {
    public var closure: VenueClosure
    public var cancelled: [BusyOccurrence]
}

/// Runtime closures go through the bookings' single writer: a closure and a booking for the same
/// time are decided one after the other, and each sees what the other committed.
extension BookingStore {
    /// The closures managers added to the venue, earliest first.
    public func closures(venue: String) async throws -> [VenueClosure] {
        try await database.writer.read { db in try ClosureRows.closures(db, venue: venue) }
    }

    /// Blocks time in a venue. Pending and confirmed bookings in the way refuse it
    /// (``ClosureError/bookingsInTheWay(_:)``) unless `request.cancelBookings`, which cancels each
    /// occurrence in the way (a booking with none left becomes cancelled) with the closure as reason.
    public func addClosure(
        _ request: ClosureRequest, venue venueID: String, by caller: Caller, now: Int64
    ) async throws -> AddedClosure {
        guard let venue = catalogue.venue(venueID) else { throw BookingError.notFound(what: "venue", id: venueID) }
        guard caller.manages(venue: venueID) else {
            throw BookingError.forbidden("only a manager of \(venueID) may block its time")
        }
        let closure = try request.closure()
        let spaces = catalogue.spaces(inVenue: venueID).map(\.id)
        let interval = closure.interval(in: venue.zone)
        let lowerBound = interval.start - catalogue.longestBlock
        return try await committer.perform { db in
            let inTheWay = try ClosureRows.bookedOccurrences(
                db, spaces: spaces, overlapping: interval, lowerBound: lowerBound)
            if !inTheWay.isEmpty && !request.cancelBookings { throw ClosureError.bookingsInTheWay(inTheWay) }
            let stored = try ClosureRows.insert(db, closure, venue: venueID, by: caller, now: now)
            try BookingRows.record(
                db,
                AuditEntry(
                    at: now, actorToken: caller.tokenID, actorOrganisation: caller.organisation,
                    action: "closure-added", reason: closure.reason, details: ClosureRows.details(stored)))
            for occurrence in inTheWay {
                guard let booking = try BookingRows.load(db, id: occurrence.bookingID),
                    let target = booking.occurrences.first(where: { $0.id == occurrence.occurrenceID })
                else { continue }
                _ = try free(
                    db, target, of: booking, released: false, now: now,
                    audit: AuditEntry(
                        at: now, actorToken: caller.tokenID, actorOrganisation: caller.organisation,
                        action: "occurrence-cancelled", bookingID: booking.id, occurrenceID: target.id,
                        space: booking.draft.space, organisation: booking.draft.organisation,
                        reason: "venue closed: \(closure.reason)"))
            }
            return AddedClosure(closure: stored, cancelled: inTheWay)
        }
    }

    /// Removes a closure added at run time; the time becomes bookable again.
    public func removeClosure(_ id: Int64, venue venueID: String, by caller: Caller, now: Int64) async throws {
        guard catalogue.venue(venueID) != nil else { throw BookingError.notFound(what: "venue", id: venueID) }
        guard caller.manages(venue: venueID) else {
            throw BookingError.forbidden("only a manager of \(venueID) may remove its closures")
        }
        try await committer.perform { db in
            guard let stored = try ClosureRows.closures(db, venue: venueID).first(where: { $0.id == id }) else {
                throw BookingError.notFound(what: "closure", id: "\(id)")
            }
            try db.execute(sql: "DELETE FROM venue_closure WHERE id = ?", arguments: [id])
            try BookingRows.record(
                db,
                AuditEntry(
                    at: now, actorToken: caller.tokenID, actorOrganisation: caller.organisation,
                    action: "closure-removed", reason: stored.closure.reason, details: ClosureRows.details(stored)))
        }
    }
}

/// Translation between `venue_closure` rows and ``VenueClosure`` values.
enum ClosureRows {
    static func closures(_ db: Database, venue: String) throws -> [VenueClosure] {
        // Read through SQLite's C API: every booking request reads its venue's closures.
        try SQLiteC.rows(
            """
            SELECT id, venue_id, from_date, to_date, start_minute, end_minute, reason, created_by,
                created_by_organisation, created_at
            FROM venue_closure WHERE venue_id = ? ORDER BY from_date, start_minute, id
            """, in: db, bind: { SQLiteC.bind($0, 1, venue) }
        ) { statement in
            guard let from = LocalDate(SQLiteC.text(statement, 2)), let to = LocalDate(SQLiteC.text(statement, 3))
            else { return nil }
            return VenueClosure(
                id: sqlite3_column_int64(statement, 0), venue: SQLiteC.text(statement, 1),
                closure: Closure(
                    from: from, to: to, reason: SQLiteC.text(statement, 6),
                    startMinute: Int(sqlite3_column_int64(statement, 4)),
                    endMinute: Int(sqlite3_column_int64(statement, 5))),
                createdBy: SQLiteC.text(statement, 7), createdByOrganisation: SQLiteC.text(statement, 8),
                createdAt: sqlite3_column_int64(statement, 9))
        }
    }

    static func insert(
        _ db: Database, _ closure: Closure, venue: String, by caller: Caller, now: Int64
    ) throws -> VenueClosure {
        try db.execute(
            sql: """
                INSERT INTO venue_closure (venue_id, from_date, to_date, start_minute, end_minute, reason, created_by,
                    created_by_organisation, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                venue, closure.from.description, closure.to.description, closure.startMinute, closure.endMinute,
                closure.reason, caller.tokenID, caller.organisation, now,
            ])
        return VenueClosure(
            id: db.lastInsertedRowID, venue: venue, closure: closure, createdBy: caller.tokenID,
            createdByOrganisation: caller.organisation, createdAt: now)
    }

    /// Active occurrences of pending or confirmed bookings in `spaces` overlapping `interval` (their
    /// own times, not the buffers), earliest first. `lowerBound` bounds the index range scanned.
    static func bookedOccurrences(
        _ db: Database, spaces: [String], overlapping interval: Interval, lowerBound: Int64
    ) throws -> [BusyOccurrence] {
        guard !spaces.isEmpty else { return [] }
        return try Row.fetchAll(
            db,
            sql: """
                SELECT o.id, o.booking_id, o.space_id, o.start_at, o.end_at, o.block_start, o.block_end,
                       b.organisation_id, b.title, b.visibility, b.status
                FROM occurrence o JOIN booking b ON b.id = o.booking_id
                WHERE o.active = 1 AND b.status IN ('pending', 'confirmed')
                  AND o.space_id IN (\(Array(repeating: "?", count: spaces.count).joined(separator: ",")))
                  AND o.block_start < ? AND o.block_start >= ? AND o.start_at < ? AND o.end_at > ?
                ORDER BY o.start_at, o.id
                """,
            arguments: StatementArguments(spaces) + [interval.end, lowerBound, interval.end, interval.start]
        ).map { row in
            BusyOccurrence(
                bookingID: row[1], occurrenceID: row[0], space: row[2], organisation: row[7], title: row[8],
                visibility: Visibility(rawValue: row[9]) ?? .private,
                status: BookingStatus(rawValue: row[10]) ?? .confirmed,
                interval: Interval(start: row[3], end: row[4]), block: Interval(start: row[5], end: row[6]))
        }
    }

    /// What the audit trail records about a closure.
    static func details(_ stored: VenueClosure) -> [String: String] {
        let closure = stored.closure
        return [
            "closure": "\(stored.id)", "venue": stored.venue, "from": closure.from.description,
            "to": closure.to.description, "start_minute": "\(closure.startMinute)",
            "end_minute": "\(closure.endMinute)",
        ]
    }
}
