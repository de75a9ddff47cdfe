import Dispatch
import Foundation
import GRDB
import Testing

@testable import HapesiraStore

/// `AppDatabase.readLatest`: the latest committed data, on the writer's connection when it is free,
/// else on the lookup connection without waiting for the write.
@Suite("AppDatabase.readLatest")
struct ReadLatestTests {
    private func open() throws -> (AppDatabase, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        let path = directory.appendingPathComponent("db.sqlite").path
        return (try AppDatabase.open(path: path), path)
    }

    private func value(_ database: AppDatabase, _ key: String) throws -> String? {
        try database.readLatest { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
        }
    }

    @Test("an idle writer's read sees what another connection committed, and what it committed itself")
    func seesOtherConnections() throws {
        let (database, path) = try open()
        #expect(try value(database, "colour") == nil)
        let other = try DatabaseQueue(path: path)
        try other.write { db in try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('colour', 'red')") }
        #expect(try value(database, "colour") == "red")
        try other.write { db in try db.execute(sql: "UPDATE meta SET value = 'blue' WHERE key = 'colour'") }
        #expect(try value(database, "colour") == "blue")
        try database.write { db in try db.execute(sql: "UPDATE meta SET value = 'green' WHERE key = 'colour'") }
        #expect(try value(database, "colour") == "green")
    }

    @Test("while a write transaction holds the writer, a read answers from the last commit without waiting for it")
    func doesNotWaitForAWrite() throws {
        let (database, _) = try open()
        try database.write { db in try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('state', 'committed')") }
        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? database.write { db in
                try db.execute(sql: "UPDATE meta SET value = 'uncommitted' WHERE key = 'state'")
                inside.signal()
                // Bounded: a read that waited for the writer would see 'uncommitted' committed after this.
                _ = release.wait(timeout: .now() + 10)
            }
            finished.signal()
        }
        inside.wait()
        let during = try value(database, "state")
        release.signal()
        finished.wait()
        #expect(during == "committed")
        #expect(try value(database, "state") == "uncommitted")
    }
}
