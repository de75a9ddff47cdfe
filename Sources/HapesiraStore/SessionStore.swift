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

/// Browser sessions opened with an API token or a login (username and password): the cookie holds
/// a random secret, the database only its hash. A session ends when it expires, when it is signed
/// out, when its token is revoked, or when its login is disabled, removed or given a new password.
public struct SessionStore: Sendable {
    let database: AppDatabase
    let tokens: TokenStore
    let logins: LoginStore
    /// How long a session lasts.
    public static let lifetime: Int64 = 12 * 3600

    public init(database: AppDatabase) {
        self.database = database
        tokens = TokenStore(database: database)
        logins = LoginStore(database: database)
    }

    /// Opens a session for whoever `token` stands for; returns the cookie secret and the session.
    /// Throws ``TokenError`` when the token is not accepted.
    public func start(token: String, now: Int64) async throws -> (secret: String, session: WebSession) {
        let caller = try await tokens.authenticate(token)
        return try await open(caller, column: "token_id", owner: caller.tokenID, now: now)
    }

    /// Opens a session for the login these are the username and password of. Throws
    /// ``LoginError/rejected`` when they are not (the same for an unknown user and a wrong password).
    public func start(
        username: String, password: String, now: Int64
    ) async throws -> (
        secret: String, session: WebSession
    ) {
        let login = try await logins.authenticate(username: username, password: password, now: now)
        return try await open(login.caller, column: "login_id", owner: login.id, now: now)
    }

    private func open(
        _ caller: Caller, column: String, owner: some DatabaseValueConvertible & Sendable, now: Int64
    ) async throws -> (secret: String, session: WebSession) {
        let secret = TokenStore.randomText(bytes: 32)
        let session = WebSession(
            caller: caller, csrf: TokenStore.randomText(bytes: 24), expiresAt: now + Self.lifetime)
        try await database.writer.write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE expires_at <= ?", arguments: [now])
            try db.execute(
                sql:
                    "INSERT INTO web_session (id_hash, \(column), csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [TokenStore.hash(secret), owner, session.csrf, now, session.expiresAt])
        }
        return (secret, session)
    }

    /// The live session a cookie secret opens, or nil: its token not revoked, or its login not disabled.
    public func session(secret: String, now: Int64) async throws -> WebSession? {
        guard secret.count < 100 else { return nil }
        let found: (Caller, String, Int64)? = try await database.writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM web_session WHERE id_hash = ? AND expires_at > ?"),
                    arguments: [TokenStore.hash(secret), now])
            else { return nil }
            let caller: Caller?
            if let loginID: Int64 = row["login_id"] {
                caller = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM login WHERE id = ? AND disabled_at IS NULL"),
                    arguments: [loginID]
                ).map { LoginStore.info($0).caller }
            } else {
                caller = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM token WHERE id = ? AND revoked_at IS NULL"),
                    arguments: [row["token_id"] as String?]
                ).map { TokenStore.info($0) }.map {
                    Caller(tokenID: $0.id, organisation: $0.organisation, role: $0.role)
                }
            }
            return caller.map { ($0, row["csrf"], row["expires_at"]) }
        }
        guard let (caller, csrf, expiresAt) = found else { return nil }
        return WebSession(caller: caller, csrf: csrf, expiresAt: expiresAt)
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
