import Foundation
import GRDB
import Synchronization

/// Owns the SQLite database: its single writer, its readers and its migrations.
public final class AppDatabase: Sendable {
    /// Every write goes through this one connection, in a transaction.
    public let writer: any DatabaseWriter

    /// A read-only connection of its own for the lookup every API request makes (its bearer token: one row by
    /// primary key, microseconds) while the writer is busy, run on the caller's thread (see ``readLatest(_:)``).
    /// The pool's async read hands the work to a reader's queue and back, two thread wake-ups that cost
    /// ≈ 0.15 ms a request on a 2-core VM; and unlike the pool's readers this connection never waits behind
    /// a long report query. Nil in memory.
    let lookups: DatabaseQueue?

    /// Transactions of ``write(inTransaction:)`` and ``writeWithoutFsync(_:)`` that hold or wait for the writer.
    private let writesInFlight = Atomic<Int>(0)

    /// A random id made once per database: part of the iCalendar UID of every booking, so UIDs
    /// stay unique across installations and stable forever.
    public let installationID: String

    private init(writer: any DatabaseWriter, lookups: (() throws -> DatabaseQueue)? = nil) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
        // Opened after the migrations: a read-only connection cannot create the schema.
        self.lookups = try lookups?()
        installationID = try writer.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'installation'") ?? "unknown"
        }
    }

    /// WAL frames after which a commit checkpoints the WAL into the database file (SQLite's default: 1,000).
    /// A checkpoint writes every page the WAL holds and fsyncs the database file, inside the commit that
    /// triggers it (≈ 2.6 ms every 70 bookings at 1,000: 5.6 % of a 1-client run). Pages that many bookings
    /// touch (index edges, the sequence table) are written once per checkpoint, so fewer, larger checkpoints
    /// write less: 1-client runs alternated with 1,000 measured 8.5 % more bookings/s and a lower maximum
    /// latency at 4,000 (docs/BENCHMARKS.md). The WAL file then grows to ≈ 16 MB.
    static let checkpointFrames = 4_000

    /// Opens (creating if needed) the database file in WAL mode, with every commit fsynced.
    public static func open(path: String) throws -> AppDatabase {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: path, configuration: configuration())
        // DatabasePool switches its writer to synchronous=NORMAL when it enables WAL: set FULL again.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(checkpointFrames)")
        }
        var readOnly = configuration()
        readOnly.readonly = true
        readOnly.label = "lookups"
        return try AppDatabase(writer: pool, lookups: { try DatabaseQueue(path: path, configuration: readOnly) })
    }

    /// A private in-memory database, for tests.
    public static func inMemory() throws -> AppDatabase {
        try AppDatabase(writer: DatabaseQueue(configuration: configuration()))
    }

    private static func configuration() -> GRDB.Configuration {
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // A booking acknowledged with 201 must survive a power cut: fsync the WAL on every commit.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        return configuration
    }

    /// Runs `updates` in one transaction committed with `synchronous = NORMAL`, then puts the writer back
    /// to `FULL`. In WAL mode such a commit survives a crash of the daemon, but not of the OS or the
    /// power: the last ones are on disk only after the next checkpoint or fsynced commit. For sensor
    /// readings, never for bookings.
    ///
    /// - Important: `PRAGMA synchronous` belongs to the connection, which every write shares; the
    ///   switch happens inside the writer's exclusive access, so no other transaction commits with
    ///   `NORMAL`.
    public func writeWithoutFsync<T>(_ updates: (Database) throws -> T) throws -> T {
        try counted {
            try writer.writeWithoutTransaction { db in
                // Cached statements: this runs once per sensor reading (GRDB's inTransaction prepares BEGIN and COMMIT
                // anew each time).
                try db.cachedStatement(sql: "PRAGMA synchronous = NORMAL").execute()
                let result = Result<T, any Error> { try Self.transaction(db, updates) }
                // Outside any transaction now (committed or rolled back), where SQLite accepts the change.
                try db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute()
                return try result.get()
            }
        }
    }

    /// Runs `updates` in an immediate transaction on the writer, on this thread, and commits it (fsynced);
    /// rolls it back when `updates` throws.
    func write<T>(inTransaction updates: (Database) throws -> T) throws -> T {
        try counted { try writer.writeWithoutTransaction { db in try Self.transaction(db, updates) } }
    }

    /// Runs `fetch` on this thread as one autocommit read of the latest committed data: on the writer's
    /// connection while no write transaction holds or waits for it, else on the lookup connection, which
    /// never waits behind a commit.
    ///
    /// The writer keeps its page cache across its own commits; every other connection drops its whole cache
    /// at its first read after a commit it did not make, and reads the pages again (a token lookup after each
    /// booking: 35–39 µs there, 28–29 µs on the writer). A write that starts meanwhile waits for this one read.
    func readLatest<T>(_ fetch: (Database) throws -> T) throws -> T {
        if let lookups, writesInFlight.load(ordering: .relaxed) > 0 {
            return try lookups.inDatabase(fetch)
        }
        return try writer.writeWithoutTransaction(fetch)
    }

    private func counted<T>(_ write: () throws -> T) rethrows -> T {
        writesInFlight.add(1, ordering: .relaxed)
        defer { writesInFlight.subtract(1, ordering: .relaxed) }
        return try write()
    }

    /// Runs `updates` in an immediate transaction on `db`, outside any transaction, and commits it; rolls it
    /// back when `updates` throws. BEGIN and COMMIT are cached statements: GRDB's `write` prepares them anew
    /// for every transaction, which a booking request would pay for each time.
    private static func transaction<T>(_ db: Database, _ updates: (Database) throws -> T) throws -> T {
        try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
        do {
            let value = try updates(db)
            try db.cachedStatement(sql: "COMMIT").execute()
            return value
        } catch {
            if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
            throw error
        }
    }

    /// Checks that the database answers a query.
    public func ping() async throws {
        try await writer.read { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// Applies the named migrations that have not run yet (also done on open).
    public func migrate() throws { try Self.migrator.migrate(writer) }

    /// The names of the migrations applied to this database.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// Writes an online, consistent copy of the database to `path` (which must not exist).
    public func backup(to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError.backupTargetExists(path)
        }
        let target = try DatabaseQueue(path: path)
        try writer.backup(to: target)
        try target.close()
    }

    /// Migrations are registered by name and never edited once shipped.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-bookings-tokens-audit") { db in
            try db.execute(
                sql: """
                    CREATE TABLE booking (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        space_id TEXT NOT NULL,
                        organisation_id TEXT NOT NULL,
                        title TEXT NOT NULL,
                        category TEXT NOT NULL,
                        description TEXT,
                        visibility TEXT NOT NULL,
                        status TEXT NOT NULL,
                        start_at INTEGER NOT NULL,
                        end_at INTEGER NOT NULL,
                        recurrence TEXT,
                        series_policy TEXT NOT NULL,
                        expected_attendance INTEGER,
                        wait_if_busy INTEGER NOT NULL DEFAULT 0,
                        sequence INTEGER NOT NULL DEFAULT 0,
                        skipped TEXT NOT NULL DEFAULT '[]',
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        created_by TEXT NOT NULL
                    );
                    CREATE INDEX booking_by_status ON booking(status, created_at);
                    CREATE INDEX booking_by_organisation ON booking(organisation_id, start_at);
                    CREATE INDEX booking_by_space ON booking(space_id, start_at);

                    -- One row per occurrence; "active" rows (pending or confirmed, not cancelled) hold their block.
                    CREATE TABLE occurrence (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        booking_id INTEGER NOT NULL REFERENCES booking(id),
                        space_id TEXT NOT NULL,
                        organisation_id TEXT NOT NULL,
                        start_at INTEGER NOT NULL,
                        end_at INTEGER NOT NULL,
                        block_start INTEGER NOT NULL,
                        block_end INTEGER NOT NULL,
                        cancelled INTEGER NOT NULL DEFAULT 0,
                        active INTEGER NOT NULL
                    );
                    -- Covers the overlap probe: the conflict check reads no table row unless something overlaps.
                    CREATE INDEX occurrence_active_block
                        ON occurrence(space_id, block_start, block_end, booking_id, start_at, end_at) WHERE active = 1;
                    CREATE INDEX occurrence_active_organisation ON occurrence(organisation_id, start_at) WHERE active = 1;
                    CREATE INDEX occurrence_by_booking ON occurrence(booking_id);

                    CREATE TABLE token (
                        id TEXT PRIMARY KEY,
                        secret_hash BLOB NOT NULL,
                        organisation_id TEXT NOT NULL,
                        role TEXT NOT NULL,
                        venues TEXT NOT NULL DEFAULT '[]',
                        label TEXT,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    );

                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at INTEGER NOT NULL,
                        actor_token TEXT NOT NULL,
                        actor_organisation TEXT NOT NULL,
                        action TEXT NOT NULL,
                        booking_id INTEGER,
                        occurrence_id INTEGER,
                        space_id TEXT,
                        organisation_id TEXT,
                        reason TEXT,
                        details TEXT NOT NULL DEFAULT '{}'
                    );
                    CREATE INDEX audit_by_booking ON audit(booking_id);
                    CREATE INDEX audit_by_time ON audit(at);

                    CREATE TABLE idempotency (
                        organisation_id TEXT NOT NULL,
                        key TEXT NOT NULL,
                        request_hash TEXT NOT NULL,
                        booking_id INTEGER NOT NULL,
                        status INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (organisation_id, key)
                    );
                    """)
        }
        migrator.registerMigration("v2-feeds") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    INSERT INTO meta (key, value) VALUES ('installation', lower(hex(randomblob(8))));

                    -- Secret links to an organisation's private feed; revocable, stored as hashes.
                    CREATE TABLE feed_token (
                        id TEXT PRIMARY KEY,
                        secret_hash BLOB NOT NULL,
                        organisation_id TEXT NOT NULL,
                        label TEXT,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    );
                    CREATE INDEX feed_token_by_organisation ON feed_token(organisation_id);
                    """)
        }
        migrator.registerMigration("v3-ical-intake") { db in
            try db.execute(
                sql: """
                    ALTER TABLE booking ADD COLUMN excluded TEXT NOT NULL DEFAULT '[]';
                    ALTER TABLE booking ADD COLUMN ical_uid TEXT;
                    ALTER TABLE booking ADD COLUMN ical_organizer TEXT;
                    ALTER TABLE booking ADD COLUMN ical_sequence INTEGER;
                    ALTER TABLE booking ADD COLUMN ical_stamp INTEGER;
                    CREATE UNIQUE INDEX booking_by_ical_uid ON booking(ical_uid) WHERE ical_uid IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v4-sensor-journal") { db in
            try db.execute(
                sql: """
                    -- Every accepted sensor reading, once. verdict: event, snapshot (retained), repeat, status.
                    CREATE TABLE sensor_reading (
                        id INTEGER PRIMARY KEY,
                        sensor_id TEXT NOT NULL,
                        space_id TEXT NOT NULL,
                        topic TEXT NOT NULL,
                        received_at INTEGER NOT NULL,
                        event_at INTEGER,
                        verdict TEXT NOT NULL,
                        value TEXT,
                        battery INTEGER,
                        online INTEGER,
                        dedup_key TEXT
                    );
                    CREATE INDEX sensor_reading_by_space ON sensor_reading(space_id, received_at);
                    CREATE UNIQUE INDEX sensor_reading_dedup ON sensor_reading(sensor_id, dedup_key)
                        WHERE dedup_key IS NOT NULL;

                    -- Each sensor's health as last heard.
                    CREATE TABLE sensor_state (
                        sensor_id TEXT PRIMARY KEY,
                        last_seen INTEGER NOT NULL,
                        battery INTEGER,
                        online INTEGER,
                        last_event INTEGER
                    );
                    """)
        }
        migrator.registerMigration("v5-derived-usage") { db in
            try db.execute(
                sql: """
                    -- Occurrences auto-released because nobody came (also cancelled: they hold no slot).
                    ALTER TABLE occurrence ADD COLUMN released INTEGER NOT NULL DEFAULT 0;

                    -- Occupancy derived from the journal as readings arrive. kind: 0 occupied, 1 unknown.
                    -- Spans of one kind in one space never overlap; adjacent ones are merged.
                    CREATE TABLE usage_span (
                        space_id TEXT NOT NULL,
                        kind INTEGER NOT NULL,
                        start_at INTEGER NOT NULL,
                        end_at INTEGER NOT NULL,
                        PRIMARY KEY (space_id, kind, start_at)
                    ) WITHOUT ROWID;

                    -- People in the space from start_at until the next step (spaces with counters).
                    CREATE TABLE usage_count (
                        space_id TEXT NOT NULL,
                        start_at INTEGER NOT NULL,
                        count INTEGER NOT NULL,
                        PRIMARY KEY (space_id, start_at)
                    ) WITHOUT ROWID;

                    -- What has been derived per space: [derived_from, derived_until), final before settled_until.
                    CREATE TABLE usage_mark (
                        space_id TEXT PRIMARY KEY,
                        derived_from INTEGER NOT NULL,
                        derived_until INTEGER NOT NULL,
                        settled_until INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v6-web-sessions") { db in
            try db.execute(
                sql: """
                    -- Signed-in browsers: a random secret in an HTTP-only cookie (stored as its hash), the
                    -- token it was opened with (revoking the token ends the session) and the forms' CSRF secret.
                    CREATE TABLE web_session (
                        id_hash BLOB PRIMARY KEY,
                        token_id TEXT NOT NULL REFERENCES token(id),
                        csrf TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL
                    );
                    CREATE INDEX web_session_by_expiry ON web_session(expires_at);
                    """)
        }
        migrator.registerMigration("v7-venue-closures") { db in
            try db.execute(
                sql: """
                    -- Closures managers add at run time (configured ones live in the configuration): whole
                    -- venue-local days from_date..to_date, or from start_minute of the first day until
                    -- end_minute of the last (minutes after local midnight; 0 and 1440 for whole days).
                    CREATE TABLE venue_closure (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        venue_id TEXT NOT NULL,
                        from_date TEXT NOT NULL,
                        to_date TEXT NOT NULL,
                        start_minute INTEGER NOT NULL DEFAULT 0,
                        end_minute INTEGER NOT NULL DEFAULT 1440,
                        reason TEXT NOT NULL,
                        created_by TEXT NOT NULL,
                        created_by_organisation TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX venue_closure_by_venue ON venue_closure(venue_id, from_date);
                    """)
        }
        migrator.registerMigration("v8-web-logins") { db in
            try db.execute(
                sql: """
                    -- Usernames and passwords an admin creates for an organisation (`hapesira login`): the same
                    -- organisation, role and venues as a token's. username_key is the trimmed, NFC, lower-case
                    -- name (unique); password_hash is bcrypt's "$2b$<cost>$…" text, never the password.
                    CREATE TABLE login (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        username TEXT NOT NULL,
                        username_key TEXT NOT NULL UNIQUE,
                        password_hash TEXT NOT NULL,
                        organisation_id TEXT NOT NULL,
                        role TEXT NOT NULL,
                        venues TEXT NOT NULL DEFAULT '[]',
                        created_at INTEGER NOT NULL,
                        disabled_at INTEGER,
                        last_sign_in_at INTEGER
                    );

                    -- A session now belongs to a token or to a login (exactly one): SQLite cannot drop NOT NULL
                    -- from token_id, so the table is made anew and its rows copied.
                    CREATE TABLE web_session_v8 (
                        id_hash BLOB PRIMARY KEY,
                        token_id TEXT REFERENCES token(id),
                        login_id INTEGER REFERENCES login(id) ON DELETE CASCADE,
                        csrf TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        CHECK ((token_id IS NULL) <> (login_id IS NULL))
                    );
                    INSERT INTO web_session_v8 (id_hash, token_id, csrf, created_at, expires_at)
                        SELECT id_hash, token_id, csrf, created_at, expires_at FROM web_session;
                    DROP TABLE web_session;
                    ALTER TABLE web_session_v8 RENAME TO web_session;
                    CREATE INDEX web_session_by_expiry ON web_session(expires_at);
                    CREATE INDEX web_session_by_login ON web_session(login_id);
                    """)
        }
        return migrator
    }
}

/// Storage failures that are not SQLite's own.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case backupTargetExists(String)
    case idempotencyKeyReused(String)
    case inboxInUse(String)

    public var description: String {
        switch self {
        case .backupTargetExists(let path): "\(path) already exists; back up to a new file"
        case .idempotencyKeyReused(let key): "Idempotency-Key '\(key)' was already used for a different request"
        case .inboxInUse(let path):
            "the sensor inbox \(path) is in use by another process (is hapesira already running?)"
        }
    }
}
