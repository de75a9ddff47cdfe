import GRDB
import HapesiraCore

/// Answers the booking rules' questions from inside the current transaction.
struct SQLiteLedger: BookingLedger {
    let db: Database
    let catalogue: Catalogue

    func blockingOccurrences(spaces: [String], overlapping block: Interval) throws -> [BusyOccurrence] {
        guard !spaces.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: spaces.count).joined(separator: ",")
        // The lower bound on block_start turns the index probe into a narrow range scan.
        let statement = try db.cachedStatement(
            sql: """
                SELECT o.id, o.booking_id, o.space_id, o.start_at, o.end_at, o.block_start, o.block_end,
                       b.organisation_id, b.title, b.visibility, b.status
                FROM occurrence o JOIN booking b ON b.id = o.booking_id
                WHERE o.active = 1 AND o.space_id IN (\(placeholders))
                  AND o.block_start < ? AND o.block_start >= ? AND o.block_end > ?
                ORDER BY o.block_start
                """)
        var arguments = StatementArguments(spaces)
        arguments += [block.end, block.start - catalogue.longestBlock, block.start]
        return try Row.fetchAll(statement, arguments: arguments).compactMap { row in
            let status = BookingStatus(rawValue: row["status"]) ?? .confirmed
            guard status.blocks(pendingBlocks: catalogue.pendingBlocks) else { return nil }
            return BusyOccurrence(
                bookingID: row["booking_id"], occurrenceID: row["id"], space: row["space_id"],
                organisation: row["organisation_id"], title: row["title"],
                visibility: Visibility(rawValue: row["visibility"]) ?? .private, status: status,
                interval: Interval(start: row["start_at"], end: row["end_at"]),
                block: Interval(start: row["block_start"], end: row["block_end"]))
        }
    }

    func bookedSeconds(organisation: String, venues: [String], startingWithin period: Interval, excluding: Int64?)
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
