import Crypto
import Foundation
import GRDB
import GRDBSQLite
import HapesiraCore

/// A token as listed by `hapesira token list` (never with its secret).
public struct TokenInfo: Sendable, Hashable {
    public var id: String
    public var organisation: String
    public var role: Role
    public var label: String?
    public var createdAt: Int64
    public var revokedAt: Int64?
}

/// Why a bearer token was not accepted.
public enum TokenError: Error, Sendable, Equatable {
    case malformed
    case unknown
    case revoked
}

/// API tokens: shown once at creation, stored as SHA-256 hashes of their secret part, compared in
/// constant time. A token reads `hps_<id>_<secret>`; the id is public and finds the row.
public struct TokenStore: Sendable {
    let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    /// Creates a token and returns its full text (the only time the secret exists in clear).
    public func create(organisation: String, role: Role, label: String?, now: Int64) throws -> (TokenInfo, String) {
        let id = Self.randomText(bytes: 6)
        let secret = Self.randomText(bytes: 32)
        let venues: [String] = if case .manager(let venues) = role { venues } else { [] }
        try database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO token (id, secret_hash, organisation_id, role, venues, label, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, Self.hash(secret), organisation, role.name, Self.encode(venues), label, now])
        }
        let info = TokenInfo(id: id, organisation: organisation, role: role, label: label, createdAt: now)
        return (info, "hps_\(id)_\(secret)")
    }

    public func list() throws -> [TokenInfo] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM token ORDER BY created_at, id").map(Self.info)
        }
    }

    /// Revokes a token by id; returns false when there is no such active token.
    public func revoke(id: String, now: Int64) throws -> Bool {
        try database.writer.write { db in
            try db.execute(
                sql: "UPDATE token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [now, id])
            return db.changesCount == 1
        }
    }

    /// The caller a bearer token stands for. One row read by primary key, on the caller's thread (bounded,
    /// microseconds), as fresh as the database: a token revoked by another process is refused at once.
    public func authenticate(_ token: String) async throws -> Caller {
        let parts = token.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "hps", !parts[1].isEmpty, !parts[2].isEmpty, token.count < 200 else {
            throw TokenError.malformed
        }
        let id = String(parts[1])
        let found = try database.readLatest { db in try Self.lookUp(id, db) }
        guard let found, Self.constantTimeEqual(found.hash, Self.hash(String(parts[2]))) else {
            throw TokenError.unknown
        }
        guard found.info.revokedAt == nil else { throw TokenError.revoked }
        return Caller(tokenID: found.info.id, organisation: found.info.organisation, role: found.info.role)
    }

    static func hash(_ secret: String) -> Data { Data(SHA256.hash(data: Data(secret.utf8))) }

    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    static func randomText(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "-")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A token's hash and what it grants, by id: read through SQLite's C API, columns by index (this runs
    /// for every API request; GRDB's `Row` would build a dictionary of the column names each time).
    private static func lookUp(_ id: String, _ db: Database) throws -> (hash: Data, info: TokenInfo)? {
        let statement = try db.cachedStatement(
            sql:
                "SELECT secret_hash, organisation_id, role, venues, label, created_at, revoked_at FROM token WHERE id = ?"
        ).sqliteStatement
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        SQLiteC.bind(statement, 1, id)
        switch sqlite3_step(statement) {
        case SQLITE_DONE: return nil
        case SQLITE_ROW:
            let hash = Data(
                bytes: sqlite3_column_blob(statement, 0), count: Int(sqlite3_column_bytes(statement, 0)))
            let info = TokenInfo(
                id: id, organisation: SQLiteC.text(statement, 1),
                role: role(SQLiteC.text(statement, 2), venues: SQLiteC.text(statement, 3)),
                label: SQLiteC.optionalText(statement, 4), createdAt: sqlite3_column_int64(statement, 5),
                revokedAt: SQLiteC.optionalInt64(statement, 6))
            return (hash, info)
        case let code: throw SQLiteC.error(code, on: db.sqliteConnection)
        }
    }

    static func info(_ row: Row) -> TokenInfo {
        TokenInfo(
            id: row["id"], organisation: row["organisation_id"], role: role(row["role"], venues: row["venues"]),
            label: row["label"], createdAt: row["created_at"], revokedAt: row["revoked_at"])
    }

    /// A role as stored: its name, and its venues as a JSON array (tokens and logins alike).
    static func role(_ name: String, venues venuesText: String) -> Role {
        // Most roles have no venues: "[]" needs no JSON parser.
        let venues =
            venuesText == "[]"
            ? [] : (try? JSONSerialization.jsonObject(with: Data(venuesText.utf8))) as? [String] ?? []
        return switch name {
        case "admin": .admin
        case "manager": .manager(venues: venues)
        case "member": .member
        default: .viewer
        }
    }

    static func encode(_ venues: [String]) -> String {
        (try? String(decoding: JSONSerialization.data(withJSONObject: venues), as: UTF8.self)) ?? "[]"
    }
}
