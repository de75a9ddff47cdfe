import Foundation
import GRDB
import HapesiraCore

/// A signed-in browser: who it acts for and the secret its forms must carry.
public struct WebSession: Sendable, Hashable {
    public var caller: Caller
    /// Every form posted in this session carries it (CSRF protection).
    public var csrf: String
    public var expiresAt: Int64
}

/// Browser sessions opened with an API token: the cookie holds a random secret, the database only
/// its hash. A session ends when it expires, when it is signed out, or when its token is revoked.
public struct SessionStore: Sendable {
    let database: AppDatabase
    let tokens: TokenStore
    /// How long a session lasts.
    public static let lifetime: Int64 = 12 * 3600

    public init(database: AppDatabase) {
        self.database = database
        tokens = TokenStore(database: database)
    }

    /// Opens a session for whoever `token` stands for; returns the cookie secret and the session.
    /// Throws ``TokenError`` when the token is not accepted.
    public func start(token: String, now: Int64) async throws -> (secret: String, session: WebSession) {
        let caller = try await tokens.authenticate(token)
        let secret = TokenStore.randomText(bytes: 32)
        let session = WebSession(
            caller: caller, csrf: TokenStore.randomText(bytes: 24), expiresAt: now + Self.lifetime)
        try await database.writer.write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE expires_at <= ?", arguments: [now])
            try db.execute(
                sql: "INSERT INTO web_session (id_hash, token_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [TokenStore.hash(secret), caller.tokenID, session.csrf, now, session.expiresAt])
        }
        return (secret, session)
    }

    /// The live session a cookie secret opens, or nil.
    public func session(secret: String, now: Int64) async throws -> WebSession? {
        guard secret.count < 100 else { return nil }
        let found: (TokenInfo, String, Int64)? = try await database.writer.read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT t.*, s.csrf, s.expires_at FROM web_session s JOIN token t ON t.id = s.token_id
                        WHERE s.id_hash = ? AND s.expires_at > ? AND t.revoked_at IS NULL
                        """), arguments: [TokenStore.hash(secret), now]
            ).map { (TokenStore.info($0), $0["csrf"], $0["expires_at"]) }
        }
        guard let (info, csrf, expiresAt) = found else { return nil }
        return WebSession(
            caller: Caller(tokenID: info.id, organisation: info.organisation, role: info.role), csrf: csrf,
            expiresAt: expiresAt)
    }

    /// Ends the session a cookie secret opens (signing out); nothing happens for an unknown one.
    public func end(secret: String) async throws {
        try await database.writer.write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE id_hash = ?", arguments: [TokenStore.hash(secret)])
        }
    }

    /// Whether `given` is the session's CSRF secret (compared in constant time).
    public static func csrfMatches(_ given: String?, _ session: WebSession) -> Bool {
        guard let given else { return false }
        return TokenStore.constantTimeEqual(Data(given.utf8), Data(session.csrf.utf8))
    }
}
