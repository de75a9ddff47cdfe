import Crypto
import NIOCore
import Synchronization

/// A rendered feed with its validators.
struct RenderedFeed: Sendable {
    var bytes: ByteBuffer
    /// A strong ETag: a digest of the bytes, so it changes exactly when they do.
    var etag: String
    /// When these bytes were first served by this process (strictly later than the previous
    /// version's, so `If-Modified-Since` never matches a feed that changed within a second).
    var lastModified: Int64
    /// `lastModified` as an HTTP date, formatted once.
    var lastModifiedText: String
}

/// Rendered feeds, kept until a booking write or the next day (the window moves daily).
final class FeedCache: Sendable {
    private struct Entry {
        var feed: RenderedFeed
        var dataVersion: UInt64
        var day: Int64
    }

    private let entries = Mutex<[FeedScope: Entry]>([:])

    /// The cached feed when it is still valid for this data version and day.
    func feed(for scope: FeedScope, dataVersion: UInt64, day: Int64) -> RenderedFeed? {
        entries.withLock { entries in
            guard let entry = entries[scope], entry.dataVersion == dataVersion, entry.day == day else { return nil }
            return entry.feed
        }
    }

    /// Stores freshly rendered bytes; keeps the previous `Last-Modified` when the bytes did not change.
    func store(_ bytes: ByteBuffer, for scope: FeedScope, dataVersion: UInt64, day: Int64, now: Int64) -> RenderedFeed {
        let etag = "\"" + BookingController.hex(SHA256.hash(data: bytes.readableBytesView).prefix(16)) + "\""
        return entries.withLock { entries in
            let previous = entries[scope]?.feed
            let lastModified: Int64 =
                if let previous, previous.etag == etag {
                    previous.lastModified
                } else {
                    max(now, (previous?.lastModified ?? 0) + 1)
                }
            let feed = RenderedFeed(
                bytes: bytes, etag: etag, lastModified: lastModified, lastModifiedText: HTTPDate.format(lastModified))
            // Never let a slower, older rendering replace a newer one.
            if let current = entries[scope], current.dataVersion > dataVersion { return feed }
            entries[scope] = Entry(feed: feed, dataVersion: dataVersion, day: day)
            return feed
        }
    }
}
