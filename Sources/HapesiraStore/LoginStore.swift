import Foundation
import GRDB
import HapesiraCore
import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// A web login as listed by `hapesira login list` (never with its hash).
public struct LoginInfo: Sendable, Hashable {
    public var id: Int64
    public var username: String
    public var organisation: String
    public var role: Role
    public var createdAt: Int64
    public var disabledAt: Int64?
    public var lastSignInAt: Int64?

    /// The caller a session of this login acts as: the organisation and role of a token, with
    /// `login:<username>` where a token would have its id (in the audit trail, say).
    public var caller: Caller { Caller(tokenID: "login:\(username)", organisation: organisation, role: role) }
}

/// Why a login could not be created, changed or used.
public enum LoginError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A wrong username or a wrong password (or a disabled login): one case, so they cannot be told apart.
    case rejected
    case invalidUsername(String)
    case usernameTaken(String)
    case unknown(String)
    case weakPassword(String)

    public var description: String {
        switch self {
        case .rejected: "the username or password is not right"
        case .invalidUsername(let why): "invalid username: \(why)"
        case .usernameTaken(let name): "a login named '\(name)' already exists"
        case .unknown(let name): "no login named '\(name)'"
        case .weakPassword(let why): "password refused: \(why)"
        }
    }
}

/// Usernames and passwords for the web pages, created by an admin for an organisation
/// (`hapesira login`). Passwords are stored only as bcrypt hashes (hummingbird-auth's
/// `HummingbirdBcrypt`, OpenBSD's implementation); a login's session acts with the same
/// organisation, role and venues as a token of that role.
public struct LoginStore: Sendable {
    let database: AppDatabase

    /// bcrypt's cost (log2 of its rounds) when none is given: about 0.1–0.25 s per check on a server.
    public static let defaultCost = 12

    public init(database: AppDatabase) { self.database = database }

    // MARK: Administration (the CLI; synchronous)

    /// Creates a login; `password` must pass ``PasswordPolicy``. Hashing takes as long as a sign-in.
    @discardableResult
    public func create(
        username: String, password: String, organisation: String, role: Role, cost: Int = defaultCost, now: Int64
    ) throws -> LoginInfo {
        let (display, key) = try Self.normalise(username)
        try PasswordPolicy.check(password, username: key)
        let hash = Bcrypt.hash(password, cost: UInt8(Self.clamped(cost)))
        let venues: [String] = if case .manager(let venues) = role { venues } else { [] }
        return try database.writer.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM login WHERE username_key = ?", arguments: [key]) == nil
            else { throw LoginError.usernameTaken(display) }
            try db.execute(
                sql: """
                    INSERT INTO login (username, username_key, password_hash, organisation_id, role, venues, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [display, key, hash, organisation, role.name, TokenStore.encode(venues), now])
            return LoginInfo(
                id: db.lastInsertedRowID, username: display, organisation: organisation, role: role, createdAt: now)
        }
    }

    public func list() throws -> [LoginInfo] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM login ORDER BY username_key").map(Self.info)
        }
    }

    /// Disables a login and ends its sessions; false when there is no such enabled login.
    public func disable(username: String, now: Int64) throws -> Bool {
        let key = try Self.normalise(username).key
        return try database.writer.write { db in
            try db.execute(
                sql: "UPDATE login SET disabled_at = ? WHERE username_key = ? AND disabled_at IS NULL",
                arguments: [now, key])
            guard db.changesCount == 1 else { return false }
            try Self.endSessions(db, key: key)
            return true
        }
    }

    /// Removes a login and its sessions; false when there is no such login.
    public func remove(username: String) throws -> Bool {
        let key = try Self.normalise(username).key
        return try database.writer.write { db in
            try Self.endSessions(db, key: key)
            try db.execute(sql: "DELETE FROM login WHERE username_key = ?", arguments: [key])
            return db.changesCount == 1
        }
    }

    /// Sets a new password (which must pass ``PasswordPolicy``) and ends the login's sessions, so a
    /// browser that knew the old one is signed out. Throws ``LoginError/unknown(_:)``.
    public func setPassword(username: String, password: String, cost: Int = defaultCost) throws {
        let (display, key) = try Self.normalise(username)
        try PasswordPolicy.check(password, username: key)
        let hash = Bcrypt.hash(password, cost: UInt8(Self.clamped(cost)))
        try database.writer.write { db in
            try db.execute(sql: "UPDATE login SET password_hash = ? WHERE username_key = ?", arguments: [hash, key])
            guard db.changesCount == 1 else { throw LoginError.unknown(display) }
            try Self.endSessions(db, key: key)
        }
    }

    // MARK: Signing in

    /// The enabled login whose username and password these are, or ``LoginError/rejected``.
    /// An unknown username costs the same bcrypt check as a wrong password (against a dummy hash
    /// of the same cost as the stored ones), so the two cannot be told apart by their time.
    /// - Important: bcrypt runs on NIO's thread pool, never on the cooperative pool or an event loop.
    public func authenticate(username: String, password: String, now: Int64) async throws -> LoginInfo {
        guard let key = try? Self.normalise(username).key, password.utf8.count <= 1024 else {
            throw LoginError.rejected
        }
        let (found, sampleHash): ((hash: String, info: LoginInfo)?, String?) = try await database.writer.read { db in
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM login WHERE username_key = ?"), arguments: [key])
            let sample =
                row == nil
                ? try String.fetchOne(db, sql: "SELECT password_hash FROM login ORDER BY id DESC LIMIT 1") : nil
            return (row.map { ($0["password_hash"], Self.info($0)) }, sample)
        }
        let hash: String
        if let found {
            hash = found.hash
        } else {
            hash = try await Self.dummyHash(cost: sampleHash.flatMap(Self.cost(of:)) ?? Self.defaultCost)
        }
        // The C function reads up to the first NUL: a password with one is never right.
        let matches = try await NIOThreadPool.singleton.runIfActive {
            !password.utf8.contains(0) && Bcrypt.verify(password, hash: hash)
        }
        guard let found, matches, found.info.disabledAt == nil else { throw LoginError.rejected }
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE login SET last_sign_in_at = ? WHERE id = ?", arguments: [now, found.info.id])
        }
        return found.info
    }

    // MARK: Helpers

    /// A username's display form (trimmed, NFC) and its key (also lower-cased): "Anibar " and
    /// "anibar" are the same login.
    static func normalise(_ username: String) throws(LoginError) -> (display: String, key: String) {
        let display = username.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        guard (3...64).contains(display.count) else { throw .invalidUsername("it needs 3 to 64 characters") }
        guard
            display.unicodeScalars.allSatisfy({
                !CharacterSet.whitespacesAndNewlines.contains($0) && !CharacterSet.controlCharacters.contains($0)
            })
        else { throw .invalidUsername("no spaces or control characters") }
        return (display, display.lowercased().precomposedStringWithCanonicalMapping)
    }

    /// The cost written in a bcrypt hash (`$2b$12$…` → 12).
    static func cost(of hash: String) -> Int? {
        let parts = hash.split(separator: "$")
        return parts.count >= 3 ? Int(parts[1]) : nil
    }

    private static func clamped(_ cost: Int) -> Int { min(max(cost, 4), 31) }

    /// One dummy hash per cost, made once (it takes as long as a check).
    static let dummies = Mutex<[Int: String]>([:])

    private static func dummyHash(cost: Int) async throws -> String {
        let cost = clamped(cost)
        if let hash = dummies.withLock({ $0[cost] }) { return hash }
        let hash = try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.hash(TokenStore.randomText(bytes: 16), cost: UInt8(cost))
        }
        dummies.withLock { $0[cost] = hash }
        return hash
    }

    private static func endSessions(_ db: Database, key: String) throws {
        try db.execute(
            sql: "DELETE FROM web_session WHERE login_id IN (SELECT id FROM login WHERE username_key = ?)",
            arguments: [key])
    }

    static func info(_ row: Row) -> LoginInfo {
        LoginInfo(
            id: row["id"], username: row["username"], organisation: row["organisation_id"],
            role: TokenStore.role(row["role"], venues: row["venues"]), createdAt: row["created_at"],
            disabledAt: row["disabled_at"], lastSignInAt: row["last_sign_in_at"])
    }
}

/// What a password must be: 12 characters or more, at most 72 bytes (bcrypt reads no further),
/// not a well-known one, not mostly one character, not the username.
public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let maximumBytes = 72

    /// Passwords of 12 characters or more that lists of leaked passwords start with (lower case).
    static let common: Set<String> = [
        "123456789012", "1234567890123", "12345678901234", "123456789123", "1q2w3e4r5t6y", "1qaz2wsx3edc",
        "aaaaaaaaaaaa", "abcdefghijkl", "abc123abc123", "administrator", "changeme1234", "football1234",
        "hapesira1234", "hapësira1234", "iloveyou1234", "letmein12345", "password1234", "password12345",
        "password123!", "passwordpassword", "passw0rd1234", "qwerty123456", "qwertyuiop12", "qwertyuiopas",
        "qwertzuiop12", "welcome12345", "welcome123456", "fjalekalimi1", "fjalekalimi123", "fjalëkalimi1",
        "kosova123456", "kosovo123456", "prishtina123", "prishtina1234", "lozinka12345", "sifra1234567",
        "šifra1234567", "123123123123", "111111111111", "000000000000", "987654321098", "zaq12wsxcde3",
    ]

    /// Throws ``LoginError/weakPassword(_:)`` saying what is wrong.
    public static func check(_ password: String, username: String) throws(LoginError) {
        let lowered = password.lowercased()
        guard password.count >= minimumLength else {
            throw .weakPassword("it needs at least \(minimumLength) characters")
        }
        guard password.utf8.count <= maximumBytes else { throw .weakPassword("at most \(maximumBytes) bytes") }
        guard !password.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw .weakPassword("no control characters")
        }
        guard !common.contains(lowered) else { throw .weakPassword("it is one of the most common passwords") }
        guard Set(lowered).count >= 5 else { throw .weakPassword("it repeats too few different characters") }
        guard !lowered.contains(username.lowercased()) else { throw .weakPassword("it contains the username") }
    }

    /// A strong random password (20 characters from 56 unambiguous ones, about 116 bits).
    public static func generate() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
