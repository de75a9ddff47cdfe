import Foundation
import GRDB
import HapesiraCore

/// Translation between SQLite rows and domain values.
enum BookingRows {
    /// The booking columns every booking query selects, in the order `bookings(_:rows:)` reads
    /// them by index (reading by name costs a case-insensitive lookup per column and row).
    static let columns = """
        id, space_id, organisation_id, title, category, description, visibility, status, start_at, end_at, \
        recurrence, series_policy, expected_attendance, wait_if_busy, sequence, skipped, created_at, updated_at, \
        created_by, excluded, ical_uid, ical_organizer, ical_sequence, ical_stamp
        """

    static func load(_ db: Database, id: Int64) throws -> Booking? {
        try bookings(db, sql: "SELECT \(columns) FROM booking WHERE id = ?", arguments: [id]).first
    }

    /// The bookings a query selecting `columns` returns, in its order, each with its occurrences
    /// (one more query for all of them). Rows are decoded from a cursor, by column index.
    static func bookings(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [Booking] {
        var bookings: [Booking] = []
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let row = try cursor.next() {
            let draft = BookingDraft(
                space: row[1], organisation: row[2], title: row[3], category: row[4], start: row[8], end: row[9],
                recurrence: row[10], excluded: decodeInstants(row[19]),
                seriesPolicy: SeriesPolicy(rawValue: row[11]) ?? .allOrNothing,
                visibility: Visibility(rawValue: row[6]) ?? .private, expectedAttendance: row[12], description: row[5],
                waitIfBusy: row[13])
            let calendar: CalendarIdentity? = (row[20] as String?).map { uid in
                CalendarIdentity(uid: uid, organizer: row[21], sequence: row[22] ?? 0, stamp: row[23])
            }
            bookings.append(
                Booking(
                    id: row[0], draft: draft, status: BookingStatus(rawValue: row[7]) ?? .cancelled, sequence: row[14],
                    createdAt: row[16], updatedAt: row[17], createdBy: row[18], occurrences: [],
                    skipped: decodeIntervals(row[15]), calendar: calendar))
        }
        guard !bookings.isEmpty else { return [] }

        var index: [Int64: Int] = [:]
        index.reserveCapacity(bookings.count)
        for (position, booking) in bookings.enumerated() { index[booking.id] = position }
        let placeholders = Array(repeating: "?", count: bookings.count).joined(separator: ",")
        let occurrences = try Row.fetchCursor(
            db,
            sql:
                "SELECT id, booking_id, start_at, end_at, cancelled, released FROM occurrence WHERE booking_id IN (\(placeholders)) ORDER BY start_at",
            arguments: StatementArguments(bookings.map(\.id)))
        while let row = try occurrences.next() {
            guard let position = index[row[1]] else { continue }
            bookings[position].occurrences.append(
                Occurrence(
                    id: row[0], interval: Interval(start: row[2], end: row[3]), cancelled: row[4], released: row[5]))
        }
        return bookings
    }

    static func insert(
        _ db: Database, draft: BookingDraft, status: BookingStatus, occurrences: [Interval], skipped: [Interval],
        space: Space, now: Int64, createdBy: String, calendar: CalendarIdentity? = nil
    ) throws -> Booking {
        // Bound through SQLite's C API: GRDB's argument array cost as much as SQLite's insert.
        try SQLiteC.execute(
            """
            INSERT INTO booking (space_id, organisation_id, title, category, description, visibility, status,
                start_at, end_at, recurrence, series_policy, expected_attendance, wait_if_busy, sequence, skipped,
                created_at, updated_at, created_by, excluded, ical_uid, ical_organizer, ical_sequence, ical_stamp)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, in: db
        ) { statement in
            SQLiteC.bind(statement, 1, draft.space)
            SQLiteC.bind(statement, 2, draft.organisation)
            SQLiteC.bind(statement, 3, draft.title)
            SQLiteC.bind(statement, 4, draft.category)
            SQLiteC.bind(statement, 5, draft.description)
            SQLiteC.bind(statement, 6, draft.visibility.rawValue)
            SQLiteC.bind(statement, 7, status.rawValue)
            SQLiteC.bind(statement, 8, draft.start)
            SQLiteC.bind(statement, 9, draft.end)
            SQLiteC.bind(statement, 10, draft.recurrence)
            SQLiteC.bind(statement, 11, draft.seriesPolicy.rawValue)
            SQLiteC.bind(statement, 12, draft.expectedAttendance.map(Int64.init))
            SQLiteC.bind(statement, 13, draft.waitIfBusy)
            SQLiteC.bind(statement, 14, encodeIntervals(skipped))
            SQLiteC.bind(statement, 15, now)
            SQLiteC.bind(statement, 16, now)
            SQLiteC.bind(statement, 17, createdBy)
            SQLiteC.bind(statement, 18, encodeInstants(draft.excluded))
            SQLiteC.bind(statement, 19, calendar?.uid)
            SQLiteC.bind(statement, 20, calendar?.organizer)
            SQLiteC.bind(statement, 21, (calendar?.sequence).map(Int64.init))
            SQLiteC.bind(statement, 22, calendar?.stamp)
        }
        let id = db.lastInsertedRowID
        let stored = try insertOccurrences(
            db, bookingID: id, organisation: draft.organisation, space: space, intervals: occurrences,
            active: status.isActive)
        return Booking(
            id: id, draft: draft, status: status, createdAt: now, updatedAt: now, createdBy: createdBy,
            occurrences: stored, skipped: skipped, calendar: calendar)
    }

    @discardableResult
    static func insertOccurrences(
        _ db: Database, bookingID: Int64, organisation: String, space: Space, intervals: [Interval], active: Bool
    ) throws -> [Occurrence] {
        try intervals.map { interval in
            let block = interval.widened(before: space.rules.setupBuffer, after: space.rules.teardownBuffer)
            try SQLiteC.execute(
                """
                INSERT INTO occurrence (booking_id, space_id, organisation_id, start_at, end_at, block_start, block_end, active)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, in: db
            ) { statement in
                SQLiteC.bind(statement, 1, bookingID)
                SQLiteC.bind(statement, 2, space.id)
                SQLiteC.bind(statement, 3, organisation)
                SQLiteC.bind(statement, 4, interval.start)
                SQLiteC.bind(statement, 5, interval.end)
                SQLiteC.bind(statement, 6, block.start)
                SQLiteC.bind(statement, 7, block.end)
                SQLiteC.bind(statement, 8, active)
            }
            return Occurrence(id: db.lastInsertedRowID, interval: interval)
        }
    }

    static func setStatus(_ db: Database, id: Int64, status: BookingStatus, now: Int64) throws {
        try db.execute(
            sql: "UPDATE booking SET status = ?, sequence = sequence + 1, updated_at = ? WHERE id = ?",
            arguments: [status.rawValue, now, id])
        try db.execute(
            sql: "UPDATE occurrence SET active = (? AND cancelled = 0) WHERE booking_id = ?",
            arguments: [status.isActive, id])
    }

    static func record(_ db: Database, _ entry: AuditEntry) throws {
        try SQLiteC.execute(
            """
            INSERT INTO audit (at, actor_token, actor_organisation, action, booking_id, occurrence_id, space_id,
                organisation_id, reason, details)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, in: db
        ) { statement in
            SQLiteC.bind(statement, 1, entry.at)
            SQLiteC.bind(statement, 2, entry.actorToken)
            SQLiteC.bind(statement, 3, entry.actorOrganisation)
            SQLiteC.bind(statement, 4, entry.action)
            SQLiteC.bind(statement, 5, entry.bookingID)
            SQLiteC.bind(statement, 6, entry.occurrenceID)
            SQLiteC.bind(statement, 7, entry.space)
            SQLiteC.bind(statement, 8, entry.organisation)
            SQLiteC.bind(statement, 9, entry.reason)
            SQLiteC.bind(statement, 10, JSONText.object(entry.details))
        }
    }

    static func auditEntry(_ row: Row) -> AuditEntry {
        let detailsText: String = row["details"]
        let details = (try? JSONDecoder().decode([String: String].self, from: Data(detailsText.utf8))) ?? [:]
        return AuditEntry(
            id: row["id"], at: row["at"], actorToken: row["actor_token"], actorOrganisation: row["actor_organisation"],
            action: row["action"], bookingID: row["booking_id"], occurrenceID: row["occurrence_id"],
            space: row["space_id"], organisation: row["organisation_id"], reason: row["reason"], details: details)
    }

    static func encodeInstants(_ instants: [Int64]) -> String {
        "[" + instants.map(String.init).joined(separator: ",") + "]"
    }

    static func decodeInstants(_ text: String) -> [Int64] {
        text.dropFirst().dropLast().split(separator: ",").compactMap { Int64($0) }
    }

    static func encodeIntervals(_ intervals: [Interval]) -> String {
        "[" + intervals.map { "[\($0.start),\($0.end)]" }.joined(separator: ",") + "]"
    }

    static func decodeIntervals(_ text: String) -> [Interval] {
        guard text != "[]", let pairs = try? JSONDecoder().decode([[Int64]].self, from: Data(text.utf8)) else {
            return []
        }
        return pairs.compactMap { $0.count == 2 ? Interval(start: $0[0], end: $0[1]) : nil }
    }
}

extension BookingStatus {
    /// Occurrences of bookings in this status hold their block in the calendar.
    var isActive: Bool { self == .pending || self == .confirmed }
}
