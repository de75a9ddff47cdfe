import GRDB
import HapesiraCore

/// Answers the booking rules' questions from inside the current transaction.
struct SQLiteLedger: BookingLedger {
    let db: Database
    let catalogue: Catalogue

    /// The overlap probe for a group of `count` spaces, answered from the covering index alone.
    /// Built once per group size: the statement cache is keyed by this text.
    private static let overlapSQL: [String] = (0...16).map(overlapSQL(spaces:))

    private static func overlapSQL(spaces count: Int) -> String {
        """
        SELECT id, booking_id, space_id, start_at, end_at, block_start, block_end FROM occurrence
        WHERE active = 1 AND space_id IN (\(Array(repeating: "?", count: max(1, count)).joined(separator: ",")))
          AND block_start < ? AND block_start >= ? AND block_end > ?
        ORDER BY block_start
        """
    }

    func blockingOccurrences(spaces: [String], overlapping block: Interval) throws -> [BusyOccurrence] {
        guard !spaces.isEmpty else { return [] }
        let sql =
            spaces.count < Self.overlapSQL.count ? Self.overlapSQL[spaces.count] : Self.overlapSQL(spaces: spaces.count)
        let statement = try db.cachedStatement(sql: sql)
        var values: [(any DatabaseValueConvertible)?] = spaces
        // The lower bound on block_start turns the index probe into a narrow range scan.
        values += [block.end, block.start - catalogue.longestBlock, block.start]
        statement.setUncheckedArguments(StatementArguments(values))
        var result: [BusyOccurrence] = []
        var bookings: [Int64: (organisation: String, title: String, visibility: Visibility, status: BookingStatus)] = [:]
        let rows = try Row.fetchCursor(statement)
        while let row = try rows.next() {
            // Columns by index, in the order of the SELECT; the booking's details only for what overlaps.
            let bookingID: Int64 = row[1]
            guard let booking = try bookings[bookingID] ?? details(of: bookingID) else { continue }
            bookings[bookingID] = booking
            guard booking.status.blocks(pendingBlocks: catalogue.pendingBlocks) else { continue }
            result.append(
                BusyOccurrence(
                    bookingID: bookingID, occurrenceID: row[0], space: row[2], organisation: booking.organisation,
                    title: booking.title, visibility: booking.visibility, status: booking.status,
                    interval: Interval(start: row[3], end: row[4]), block: Interval(start: row[5], end: row[6])))
        }
        return result
    }

    private func details(of bookingID: Int64) throws -> (
        organisation: String, title: String, visibility: Visibility, status: BookingStatus
    )? {
        let statement = try db.cachedStatement(
            sql: "SELECT organisation_id, title, visibility, status FROM booking WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [bookingID]) else { return nil }
        return (
            row[0], row[1], Visibility(rawValue: row[2]) ?? .private, BookingStatus(rawValue: row[3]) ?? .confirmed
        )
    }

    func bookedSeconds(
        organisation: String, venues: [String], startingWithin period: Interval, excluding: Int64?
    )
        throws -> Int64
    {
        var sql = """
            SELECT COALESCE(SUM(end_at - start_at), 0) FROM occurrence
            WHERE active = 1 AND organisation_id = ? AND start_at >= ? AND start_at < ? AND booking_id != ?
            """
        var arguments: StatementArguments = [organisation, period.start, period.end, excluding ?? -1]
        if !venues.isEmpty {
            let spaces = catalogue.spaces.filter { venues.contains($0.venue) }.map(\.id)
            sql += " AND space_id IN (\(Array(repeating: "?", count: max(1, spaces.count)).joined(separator: ",")))"
            arguments += StatementArguments(spaces.isEmpty ? [""] : spaces)
        }
        return try Int64.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) ?? 0
    }
}
