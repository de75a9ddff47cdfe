import Foundation
import GRDB
import HapesiraCore
import Synchronization
import Testing

@testable import HapesiraStore

/// bcrypt's lowest cost: the tests check behaviour, not strength.
let testCost = 4
let goodPassword = "Kino-Jusuf-Gervalla-27"

@Suite("Web logins (store)")
struct LoginStoreTests {
    @Test("the stored hash is bcrypt of the password, never the password; a wrong password or user is rejected alike")
    func hashing() async throws {
        let database = try AppDatabase.inMemory()
        let logins = LoginStore(database: database)
        try logins.create(
            username: "anibar-desk", password: goodPassword, organisation: "anibar", role: .member, cost: testCost,
            now: storeNow)
        let stored = try #require(
            try await database.writer.read { db in try String.fetchOne(db, sql: "SELECT password_hash FROM login") })
        #expect(stored.hasPrefix("$2b$04$") && stored.count == 60)
        #expect(!stored.contains(goodPassword))

        let login = try await logins.authenticate(username: "anibar-desk", password: goodPassword, now: storeNow + 5)
        #expect(login.caller == Caller(tokenID: "login:anibar-desk", organisation: "anibar", role: .member))
        #expect(try logins.list().first?.lastSignInAt == storeNow + 5)

        await #expect(throws: LoginError.rejected) {
            try await logins.authenticate(username: "anibar-desk", password: goodPassword + "x", now: storeNow)
        }
        await #expect(throws: LoginError.rejected) {
            try await logins.authenticate(username: "nobody-here", password: goodPassword, now: storeNow)
        }
        // The C function stops at a NUL: the right password followed by one and more is still wrong.
        await #expect(throws: LoginError.rejected) {
            try await logins.authenticate(username: "anibar-desk", password: goodPassword + "\0zzz", now: storeNow)
        }
    }

    @Test("an unknown username is checked against a dummy hash of the stored cost, as long as a wrong password")
    func unknownUserCostsTheSame() async throws {
        // Cost 5 is used by no other test: the dummy made for it can only come from here.
        let logins = LoginStore(database: try AppDatabase.inMemory())
        try logins.create(
            username: "rinia-desk", password: goodPassword, organisation: "rinia", role: .member, cost: 5,
            now: storeNow)
        await #expect(throws: LoginError.rejected) {
            try await logins.authenticate(username: "nobody-here", password: goodPassword, now: storeNow)
        }
        let dummy = try #require(LoginStore.dummies.withLock { $0[5] })
        #expect(LoginStore.cost(of: dummy) == 5 && dummy.hasPrefix("$2b$05$"))
    }

    @Test("usernames are one login whatever their case, surrounding spaces or Unicode normal form")
    func usernames() async throws {
        let logins = LoginStore(database: try AppDatabase.inMemory())
        try logins.create(
            username: "  Lumbardhi-Zyrë ", password: goodPassword, organisation: "lumbardhi", role: .member,
            cost: testCost, now: storeNow)
        #expect(try logins.list().map(\.username) == ["Lumbardhi-Zyrë"])
        #expect(throws: LoginError.usernameTaken("LUMBARDHI-ZYRË")) {
            try logins.create(
                username: "LUMBARDHI-ZYRË", password: goodPassword, organisation: "lumbardhi", role: .member,
                cost: testCost, now: storeNow)
        }
        // "ë" decomposed (e + combining diaeresis) is the same name.
        let decomposed = "lumbardhi-zyre\u{0308}"
        #expect(decomposed.unicodeScalars.count != "lumbardhi-zyrë".unicodeScalars.count)
        let login = try await logins.authenticate(username: decomposed, password: goodPassword, now: storeNow)
        #expect(login.organisation == "lumbardhi")
        #expect(throws: LoginError.self) {
            try logins.create(
                username: "two words", password: goodPassword, organisation: "x", role: .member, cost: testCost,
                now: storeNow)
        }
    }

    @Test(
        "weak passwords are refused with the reason",
        arguments: [
            ("short-one", "12 characters"), ("Password1234", "common"), ("aaaaaaaaaaaabbbb", "too few"),
            ("my-anibar-desk-pass", "username"), (String(repeating: "ë", count: 37), "72 bytes"),
        ])
    func weakPasswords(password: String, reason: String) throws {
        let logins = LoginStore(database: try AppDatabase.inMemory())
        do {
            try logins.create(
                username: "anibar-desk", password: password, organisation: "anibar", role: .member, cost: testCost,
                now: storeNow)
            Issue.record("accepted \(password)")
        } catch let LoginError.weakPassword(why) {
            #expect(why.contains(reason))
        }
        #expect(try logins.list().isEmpty)
        #expect(throws: Never.self) { try PasswordPolicy.check(PasswordPolicy.generate(), username: "anibar-desk") }
    }

    @Test("a login's session is the caller a token of its role would be; disabling, removing or a new password ends it")
    func sessions() async throws {
        let database = try AppDatabase.inMemory()
        let logins = LoginStore(database: database)
        let sessions = SessionStore(database: database)
        let manager = Role.manager(venues: ["kino", "rinia"])
        for name in ["desk-one", "desk-two", "desk-three"] {
            try logins.create(
                username: name, password: goodPassword, organisation: "anibar", role: manager, cost: testCost,
                now: storeNow)
        }
        let (_, token) = try TokenStore(database: database).create(
            organisation: "anibar", role: manager, label: nil, now: storeNow)
        let tokenSecret = try await sessions.start(token: token, now: storeNow).secret
        let tokenCaller = try #require(try await sessions.session(secret: tokenSecret, now: storeNow + 1)).caller

        var secrets: [String: String] = [:]
        for name in ["desk-one", "desk-two", "desk-three"] {
            let (secret, started) = try await sessions.start(username: name, password: goodPassword, now: storeNow)
            secrets[name] = secret
            let session = try #require(try await sessions.session(secret: secret, now: storeNow + 1))
            #expect(session == started)
            #expect(session.caller.role == tokenCaller.role && session.caller.organisation == tokenCaller.organisation)
            #expect(session.caller.tokenID == "login:\(name)")
        }
        await #expect(throws: LoginError.rejected) {
            try await sessions.start(username: "desk-one", password: "wrong-password-1", now: storeNow)
        }

        #expect(try logins.disable(username: "DESK-ONE", now: storeNow + 2))
        #expect(try !logins.disable(username: "desk-one", now: storeNow + 2), "already disabled")
        #expect(try await sessions.session(secret: secrets["desk-one"]!, now: storeNow + 3) == nil)
        await #expect(throws: LoginError.rejected, "a disabled login cannot sign in, with the usual message") {
            try await sessions.start(username: "desk-one", password: goodPassword, now: storeNow)
        }

        #expect(try logins.remove(username: "desk-two"))
        #expect(try await sessions.session(secret: secrets["desk-two"]!, now: storeNow + 3) == nil)
        #expect(try logins.list().map(\.username) == ["desk-one", "desk-three"])

        try logins.setPassword(username: "desk-three", password: "Rinia-Youth-Centre-9", cost: testCost)
        #expect(try await sessions.session(secret: secrets["desk-three"]!, now: storeNow + 3) == nil)
        _ = try await sessions.start(username: "desk-three", password: "Rinia-Youth-Centre-9", now: storeNow)
        #expect(throws: LoginError.unknown("desk-two")) {
            try logins.setPassword(username: "desk-two", password: "Rinia-Youth-Centre-9", cost: testCost)
        }

        // The token's session is untouched by all this; sessions left: the token's and desk-three's new one.
        #expect(try await sessions.session(secret: tokenSecret, now: storeNow + 3)?.caller == tokenCaller)
        let count = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM web_session")
        }
        #expect(count == 2)
    }

    @Test("v8 keeps the sessions opened with tokens before it, and a session belongs to a token or a login, not both")
    func migrationKeepsSessions() throws {
        let queue = try DatabaseQueue()
        try AppDatabase.migrator.migrate(queue, upTo: "v6-web-sessions")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO token (id, secret_hash, organisation_id, role, created_at) VALUES ('t1', x'00', 'anibar', 'member', 1);
                    INSERT INTO web_session (id_hash, token_id, csrf, created_at, expires_at) VALUES (x'01', 't1', 'c', 1, 99);
                    """)
        }
        try AppDatabase.migrator.migrate(queue)
        let row = try #require(try queue.read { db in try Row.fetchOne(db, sql: "SELECT * FROM web_session") })
        #expect(row["token_id"] as String? == "t1" && row["login_id"] as Int64? == nil && row["csrf"] as String == "c")
        #expect(throws: DatabaseError.self) {
            try queue.write { db in
                try db.execute(
                    sql: "INSERT INTO web_session (id_hash, csrf, created_at, expires_at) VALUES (x'02', 'c', 1, 99)")
            }
        }
    }
}
