import Foundation
import GRDB
import GRDBSQLite
import HapesiraCore
import Synchronization

/// Where a QoS 1 sensor reading is made durable before its MQTT acknowledgement: a small SQLite file of
/// the daemon's own, beside the database, that no other connection reads.
///
/// Committing each reading straight into the shared database costs a transaction on the writer that
/// bookings use (WAL locks in shared memory, the reading's table and index pages, the health row). The
/// inbox holds one row per reading in one table without indexes, and its connection locks the file
/// exclusively (`locking_mode = EXCLUSIVE`, WAL without shared memory, `synchronous = NORMAL`), so a
/// commit is one append to its WAL file. The readings then reach the journal in batches
/// (`SensorJournal.record`), which also records the highest inbox id journaled in the same transaction;
/// rows up to that id are deleted from the inbox afterwards. After a crash, `SensorJournal.recover(from:)`
/// journals the rows above it exactly once.
///
/// Durability is the journal's: a committed reading survives a crash of the daemon; an OS crash or a
/// power cut can lose the last ones (no fsync per commit).
public final class SensorInbox: Sendable {
    private let queue: DatabaseQueue
    private struct Numbers {
        /// The id the next reading gets (ids only grow, across restarts too).
        var next: Int64 = 1
        /// Rows up to this id are in the journal and may be deleted.
        var journaled: Int64 = 0
        /// Rows up to this id are deleted.
        var deleted: Int64 = 0
    }
    private let numbers = Mutex(Numbers())
    /// The per-reading statements, prepared once on the queue's connection.
    private let hot = HotStatements()

    private init(queue: DatabaseQueue) throws {
        self.queue = queue
        try queue.inDatabase { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS reading (
                        id INTEGER PRIMARY KEY, sensor_id TEXT NOT NULL, space_id TEXT NOT NULL, topic TEXT NOT NULL,
                        received_at INTEGER NOT NULL, event_at INTEGER, verdict TEXT NOT NULL, value TEXT,
                        battery INTEGER, online INTEGER, dedup_key TEXT)
                    """)
        }
    }

    /// Opens (creating if needed) the inbox file at `path`, locking it for this process.
    ///
    /// - Throws: `StoreError.inboxInUse` when another process (another daemon on the same database) holds it.
    public static func open(path: String) throws -> SensorInbox {
        var configuration = GRDB.Configuration()
        configuration.label = "sensor-inbox"
        configuration.prepareDatabase { db in
            // Before the first access in WAL mode: then SQLite keeps the WAL index in this process's memory
            // and takes no file locks per transaction.
            try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A checkpoint fsyncs the WAL and the file. The table holds few live pages (rows leave with every
            // batch), so a checkpoint writes little whenever it runs: run it every ~10,000 commits, not ~1,000.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
        }
        do {
            return try SensorInbox(queue: DatabaseQueue(path: path, configuration: configuration))
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            throw StoreError.inboxInUse(path)
        }
    }

    /// A private in-memory inbox, for tests and for a daemon on an in-memory database.
    public static func inMemory() throws -> SensorInbox {
        try SensorInbox(queue: DatabaseQueue())
    }

    /// The inbox file that belongs to the database at `databasePath`: `hapesira.sqlite` →
    /// `hapesira.sensor-inbox.sqlite` in the same directory.
    public static func path(besideDatabase databasePath: String) -> String {
        URL(fileURLWithPath: databasePath).deletingPathExtension().path + ".sensor-inbox.sqlite"
    }

    /// Commits `entries` in one transaction and numbers them (`Entry.inboxID`), in order. Rows the
    /// journal has taken since the last call are deleted in the same transaction.
    public func keep(_ entries: inout [SensorJournal.Entry]) throws {
        guard !entries.isEmpty else { return }
        // Numbered and committed inside the queue's exclusive access: concurrent callers never share ids.
        let first = try queue.inDatabase { db in
            let (first, journaled, deleted) = numbers.withLock { ($0.next, $0.journaled, $0.deleted) }
            // SQLite's C API straight: this runs once per QoS 1 reading, and GRDB's statement bookkeeping
            // (cache lookup by SQL text, argument arrays, observation hooks) costs about as much as the commit.
            try hot.prepare(db.sqliteConnection)
            try hot.run(hot.begin)
            do {
                if journaled > deleted {
                    sqlite3_bind_int64(hot.delete, 1, journaled)
                    try hot.run(hot.delete)
                }
                for (offset, entry) in entries.enumerated() {
                    hot.bind(entry, id: first + Int64(offset))
                    try hot.run(hot.insert)
                }
                try hot.run(hot.commit)
            } catch {
                if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
                throw error
            }
            numbers.withLock { numbers in
                numbers.next = first + Int64(entries.count)
                numbers.deleted = max(numbers.deleted, journaled)
            }
            return first
        }
        for index in entries.indices { entries[index].inboxID = first + Int64(index) }
    }

    /// Says that every row up to `id` is in the journal; they are deleted with the next `keep` or `tidy`.
    public func journaled(upTo id: Int64) {
        numbers.withLock { $0.journaled = max($0.journaled, id) }
    }

    /// Deletes the rows the journal has taken now (on shutdown, after the last batch).
    public func tidy() throws {
        let (journaled, deleted) = numbers.withLock { ($0.journaled, $0.deleted) }
        guard journaled > deleted else { return }
        try queue.inDatabase { db in
            try db.execute(sql: "DELETE FROM reading WHERE id <= ?", arguments: [journaled])
        }
        numbers.withLock { $0.deleted = max($0.deleted, journaled) }
    }

    /// How many readings the inbox holds (for tests and diagnostics).
    public func count() throws -> Int {
        try queue.inDatabase { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM reading") ?? 0 }
    }

    /// Closes the file (then every other call fails). Readings not journaled yet stay in it for the next start.
    public func close() throws {
        queue.inDatabase { _ in hot.finalize() }
        try queue.close()
    }

    /// The rows above `mark`, in order, for recovery; the next id is set above every row and `mark`.
    func entries(after mark: Int64) throws -> [SensorJournal.Entry] {
        let (entries, highest) = try queue.inDatabase { db in
            (
                try Row.fetchAll(db, sql: "SELECT * FROM reading WHERE id > ? ORDER BY id", arguments: [mark])
                    .map(SensorJournal.entry),
                try Int64.fetchOne(db, sql: "SELECT max(id) FROM reading") ?? 0
            )
        }
        numbers.withLock { numbers in
            numbers.next = max(mark, highest) + 1
            numbers.journaled = mark
            numbers.deleted = 0
        }
        return entries
    }
}

/// The statements of `SensorInbox.keep`, prepared once with SQLite's C API and used only inside the inbox
/// queue's `inDatabase`, which serializes every access (hence `@unchecked Sendable`).
private final class HotStatements: @unchecked Sendable {
    private(set) var begin: OpaquePointer?
    private(set) var insert: OpaquePointer?
    private(set) var delete: OpaquePointer?
    private(set) var commit: OpaquePointer?
    private var connection: OpaquePointer?

    /// Prepares the statements on `connection` the first time.
    func prepare(_ connection: OpaquePointer?) throws {
        guard self.connection == nil else { return }
        self.connection = connection
        begin = try statement("BEGIN IMMEDIATE")
        insert = try statement(
            """
            INSERT INTO reading
                (id, sensor_id, space_id, topic, received_at, event_at, verdict, value, battery, online, dedup_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        delete = try statement("DELETE FROM reading WHERE id <= ?")
        commit = try statement("COMMIT")
    }

    /// Binds a reading's columns to `insert`, in the order of the journal's columns.
    func bind(_ entry: SensorJournal.Entry, id: Int64) {
        let observation = entry.observation
        sqlite3_bind_int64(insert, 1, id)
        SQLiteC.bind(insert, 2, observation.sensor)
        SQLiteC.bind(insert, 3, entry.space)
        SQLiteC.bind(insert, 4, entry.topic)
        sqlite3_bind_int64(insert, 5, entry.receivedAt)
        SQLiteC.bind(insert, 6, observation.eventTime)
        SQLiteC.bind(insert, 7, entry.verdict.rawValue)
        SQLiteC.bind(insert, 8, observation.value.map(SensorJournal.text))
        SQLiteC.bind(insert, 9, observation.battery.map(Int64.init))
        SQLiteC.bind(insert, 10, observation.online.map { $0 ? 1 : 0 })
        SQLiteC.bind(insert, 11, observation.deduplicationKey)
    }

    /// Runs a statement to its end, then resets it and clears its bindings (NULL).
    func run(_ statement: OpaquePointer?) throws {
        let code = sqlite3_step(statement)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        guard code == SQLITE_DONE else { throw SQLiteC.error(code, on: connection) }
    }

    /// Finalizes the statements, before the connection closes.
    func finalize() {
        for statement in [begin, insert, delete, commit] { sqlite3_finalize(statement) }
        (begin, insert, delete, commit, connection) = (nil, nil, nil, nil, nil)
    }

    private func statement(_ sql: String) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK else { throw SQLiteC.error(code, on: connection, sql: sql) }
        return statement
    }
}
