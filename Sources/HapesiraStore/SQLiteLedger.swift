import GRDB
import GRDBSQLite
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
        // Prepared and cached by GRDB; bound, stepped and read through SQLite's C API: this runs for every
        // occurrence of every booking request, and GRDB's row cursor builds a column-name dictionary per query.
        return try SQLiteC.rows(
            sql, in: db,
            bind: { statement in
                var index: Int32 = 1
                for space in spaces {
                    SQLiteC.bind(statement, index, space)
                    index += 1
                }
                // The lower bound on block_start turns the index probe into a narrow range scan.
                for bound in [block.end, block.start - catalogue.longestBlock, block.start] {
                    sqlite3_bind_int64(statement, index, bound)
                    index += 1
                }
            },
            read: { statement in
                // Columns by index, in the order of the SELECT.
                let status = BookingStatus(rawValue: SQLiteC.text(statement, 10)) ?? .confirmed
                guard status.blocks(pendingBlocks: catalogue.pendingBlocks) else { return nil }
                return BusyOccurrence(
                    bookingID: sqlite3_column_int64(statement, 1), occurrenceID: sqlite3_column_int64(statement, 0),
                    space: SQLiteC.text(statement, 2), organisation: SQLiteC.text(statement, 7),
                    title: SQLiteC.text(statement, 8),
                    visibility: Visibility(rawValue: SQLiteC.text(statement, 9)) ?? .private,
                    status: status,
                    interval: Interval(
                        start: sqlite3_column_int64(statement, 3), end: sqlite3_column_int64(statement, 4)),
                    block: Interval(start: sqlite3_column_int64(statement, 5), end: sqlite3_column_int64(statement, 6)))
            })
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
