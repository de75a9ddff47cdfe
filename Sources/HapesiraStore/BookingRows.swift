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
            """, in: db,
            [
                .text(draft.space), .text(draft.organisation), .text(draft.title), .text(draft.category),
                .text(draft.description), .text(draft.visibility.rawValue), .text(status.rawValue),
                .integer(draft.start), .integer(draft.end), .text(draft.recurrence), .text(draft.seriesPolicy.rawValue),
                .integer(draft.expectedAttendance.map(Int64.init)), .boolean(draft.waitIfBusy),
                .text(encodeIntervals(skipped)), .integer(now), .integer(now), .text(createdBy),
                .text(encodeInstants(draft.excluded)), .text(calendar?.uid), .text(calendar?.organizer),
                .integer((calendar?.sequence).map(Int64.init)), .integer(calendar?.stamp),
            ])
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
                """, in: db,
                [
                    .integer(bookingID), .text(space.id), .text(organisation), .integer(interval.start),
                    .integer(interval.end), .integer(block.start), .integer(block.end), .boolean(active),
                ])
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
            """, in: db,
            [
                .integer(entry.at), .text(entry.actorToken), .text(entry.actorOrganisation), .text(entry.action),
                .integer(entry.bookingID), .integer(entry.occurrenceID), .text(entry.space), .text(entry.organisation),
                .text(entry.reason), .text(JSONText.object(entry.details)),
            ])
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
