import Foundation
import GRDB

/// A secret link to an organisation's private feed, as listed (never with its secret).
public struct FeedTokenInfo: Sendable, Hashable {
    public var id: String
    public var organisation: String
    public var label: String?
    public var createdAt: Int64
    public var revokedAt: Int64?
}

/// Feed tokens: calendar apps cannot send credentials, so an organisation's private feed is read
/// with a token in its URL. Each reads `hpf_<id>_<secret>`, is stored as a SHA-256 hash, grants
/// reading that one feed and nothing else, and can be revoked.
public struct FeedTokenStore: Sendable {
    let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    /// Creates a token and returns its full text (the only time the secret exists in clear).
    public func create(organisation: String, label: String?, now: Int64) async throws -> (FeedTokenInfo, String) {
        let id = TokenStore.randomText(bytes: 6)
        let secret = TokenStore.randomText(bytes: 24)
        let hash = TokenStore.hash(secret)
        try await database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO feed_token (id, secret_hash, organisation_id, label, created_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [id, hash, organisation, label, now])
        }
        return (FeedTokenInfo(id: id, organisation: organisation, label: label, createdAt: now), "hpf_\(id)_\(secret)")
    }

    /// The organisation's feed tokens, oldest first.
    public func list(organisation: String) async throws -> [FeedTokenInfo] {
        try await database.writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM feed_token WHERE organisation_id = ? ORDER BY created_at, id",
                arguments: [organisation]
            ).map(Self.info)
        }
    }

    /// Revokes one of the organisation's tokens; false when it has no such active token.
    public func revoke(id: String, organisation: String, now: Int64) async throws -> Bool {
        try await database.writer.write { db in
            try db.execute(
                sql: "UPDATE feed_token SET revoked_at = ? WHERE id = ? AND organisation_id = ? AND revoked_at IS NULL",
                arguments: [now, id, organisation])
            return db.changesCount == 1
        }
    }

    /// Whether `token` is an active feed token of `organisation`.
    public func isValid(_ token: String, organisation: String) async throws -> Bool {
        let parts = token.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "hpf", !parts[1].isEmpty, !parts[2].isEmpty, token.count < 200 else {
            return false
        }
        let id = String(parts[1])
        let stored: Data? = try await database.writer.read { db in
            try Data.fetchOne(
                db,
                sql: "SELECT secret_hash FROM feed_token WHERE id = ? AND organisation_id = ? AND revoked_at IS NULL",
                arguments: [id, organisation])
        }
        guard let stored else { return false }
        return TokenStore.constantTimeEqual(stored, TokenStore.hash(String(parts[2])))
    }

    private static func info(_ row: Row) -> FeedTokenInfo {
        FeedTokenInfo(
            id: row["id"], organisation: row["organisation_id"], label: row["label"], createdAt: row["created_at"],
            revokedAt: row["revoked_at"])
    }
}
