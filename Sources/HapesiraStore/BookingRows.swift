import Foundation
import GRDB
import HapesiraCore

/// Translation between SQLite rows and domain values.
enum BookingRows {
    static func load(_ db: Database, id: Int64) throws -> Booking? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM booking WHERE id = ?"), arguments: [id])
        else { return nil }
        return try bookings(db, rows: [row]).first
    }

    /// Bookings for the rows, each with its occurrences (one query for all of them).
    static func bookings(_ db: Database, rows: [Row]) throws -> [Booking] {
        guard !rows.isEmpty else { return [] }
        let ids: [Int64] = rows.map { $0["id"] }
        var occurrences: [Int64: [Occurrence]] = [:]
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
        for row in try Row.fetchAll(
            db,
            sql:
                "SELECT id, booking_id, start_at, end_at, cancelled FROM occurrence WHERE booking_id IN (\(placeholders)) ORDER BY start_at",
            arguments: StatementArguments(ids))
        {
            occurrences[row["booking_id"], default: []].append(
                Occurrence(
                    id: row["id"], interval: Interval(start: row["start_at"], end: row["end_at"]),
                    cancelled: row["cancelled"]))
        }
        return rows.map { row in
            let id: Int64 = row["id"]
            let draft = BookingDraft(
                space: row["space_id"], organisation: row["organisation_id"], title: row["title"],
                category: row["category"], start: row["start_at"], end: row["end_at"], recurrence: row["recurrence"],
                excluded: decodeInstants(row["excluded"]),
                seriesPolicy: SeriesPolicy(rawValue: row["series_policy"]) ?? .allOrNothing,
                visibility: Visibility(rawValue: row["visibility"]) ?? .private,
                expectedAttendance: row["expected_attendance"], description: row["description"],
                waitIfBusy: row["wait_if_busy"])
            return Booking(
                id: id, draft: draft, status: BookingStatus(rawValue: row["status"]) ?? .cancelled,
                sequence: row["sequence"], createdAt: row["created_at"], updatedAt: row["updated_at"],
                createdBy: row["created_by"], occurrences: occurrences[id] ?? [],
                skipped: decodeIntervals(row["skipped"]), calendar: calendarIdentity(row))
        }
    }

    static func insert(
        _ db: Database, draft: BookingDraft, status: BookingStatus, occurrences: [Interval], skipped: [Interval],
        space: Space, now: Int64, createdBy: String, calendar: CalendarIdentity? = nil
    ) throws -> Booking {
        try db.cachedStatement(
            sql: """
                INSERT INTO booking (space_id, organisation_id, title, category, description, visibility, status,
                    start_at, end_at, recurrence, series_policy, expected_attendance, wait_if_busy, sequence, skipped,
                    created_at, updated_at, created_by, excluded, ical_uid, ical_organizer, ical_sequence, ical_stamp)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                draft.space, draft.organisation, draft.title, draft.category, draft.description,
                draft.visibility.rawValue, status.rawValue, draft.start, draft.end, draft.recurrence,
                draft.seriesPolicy.rawValue, draft.expectedAttendance, draft.waitIfBusy, encodeIntervals(skipped),
                now, now, createdBy, encodeInstants(draft.excluded), calendar?.uid, calendar?.organizer,
                calendar?.sequence, calendar?.stamp,
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
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO occurrence (booking_id, space_id, organisation_id, start_at, end_at, block_start, block_end, active)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        return try intervals.map { interval in
            let block = interval.widened(before: space.rules.setupBuffer, after: space.rules.teardownBuffer)
            try statement.execute(arguments: [
                bookingID, space.id, organisation, interval.start, interval.end, block.start, block.end, active,
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let details = String(decoding: try encoder.encode(entry.details), as: UTF8.self)
        try db.cachedStatement(
            sql: """
                INSERT INTO audit (at, actor_token, actor_organisation, action, booking_id, occurrence_id, space_id,
                    organisation_id, reason, details)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                entry.at, entry.actorToken, entry.actorOrganisation, entry.action, entry.bookingID, entry.occurrenceID,
                entry.space, entry.organisation, entry.reason, details,
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

    static func calendarIdentity(_ row: Row) -> CalendarIdentity? {
        guard let uid: String = row["ical_uid"] else { return nil }
        return CalendarIdentity(
            uid: uid, organizer: row["ical_organizer"], sequence: row["ical_sequence"] ?? 0, stamp: row["ical_stamp"])
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
        guard let pairs = try? JSONDecoder().decode([[Int64]].self, from: Data(text.utf8)) else { return [] }
        return pairs.compactMap { $0.count == 2 ? Interval(start: $0[0], end: $0[1]) : nil }
    }
}

extension BookingStatus {
    /// Occurrences of bookings in this status hold their block in the calendar.
    var isActive: Bool { self == .pending || self == .confirmed }
}
