import GRDB
import HapesiraCore

/// Answers the booking rules' questions from inside the current transaction.
struct SQLiteLedger: BookingLedger {
    let db: Database
    let catalogue: Catalogue

    /// The overlap query for a group of `count` spaces: the occurrence columns come from the covering
    /// index, the booking's by its primary key, only for rows that overlap. Built once per group
    /// size: the statement cache is keyed by this text.
    private static let overlapSQL: [String] = (0...16).map(overlapSQL(spaces:))

    private static func overlapSQL(spaces count: Int) -> String {
        """
        SELECT o.id, o.booking_id, o.space_id, o.start_at, o.end_at, o.block_start, o.block_end,
               b.organisation_id, b.title, b.visibility, b.status
        FROM occurrence o JOIN booking b ON b.id = o.booking_id
        WHERE o.active = 1 AND o.space_id IN (\(Array(repeating: "?", count: max(1, count)).joined(separator: ",")))
          AND o.block_start < ? AND o.block_start >= ? AND o.block_end > ?
        ORDER BY o.block_start
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
        let rows = try Row.fetchCursor(statement)
        while let row = try rows.next() {
            // Columns by index, in the order of the SELECT.
            let status = BookingStatus(rawValue: row[10]) ?? .confirmed
            guard status.blocks(pendingBlocks: catalogue.pendingBlocks) else { continue }
            result.append(
                BusyOccurrence(
                    bookingID: row[1], occurrenceID: row[0], space: row[2], organisation: row[7], title: row[8],
                    visibility: Visibility(rawValue: row[9]) ?? .private, status: status,
                    interval: Interval(start: row[3], end: row[4]), block: Interval(start: row[5], end: row[6])))
        }
        return result
    }

    func closures(venue: String) throws -> [Closure] {
        try ClosureRows.closures(db, venue: venue).map(\.closure)
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
