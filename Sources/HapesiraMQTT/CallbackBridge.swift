/// The one hand-off from a C library's own thread into Swift concurrency: `yield` never blocks and may be
/// called from any thread (libmosquitto's callbacks); a single consumer iterates `stream`.
///
/// Keeps the newest `limit` values when the consumer falls behind, so a stream nobody reads cannot grow
/// without bound.
final class CallbackBridge<Element: Sendable>: Sendable {
    let stream: AsyncStream<Element>
    private let continuation: AsyncStream<Element>.Continuation

    init(bufferingNewest limit: Int) {
        (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(limit))
    }

    /// Hands `element` to the consumer; false once finished or when the buffer is full and the oldest was dropped.
    @discardableResult
    func yield(_ element: Element) -> Bool {
        switch continuation.yield(element) {
        case .enqueued: true
        case .dropped, .terminated: false
        @unknown default: false
        }
    }

    /// Ends the stream after the buffered values; later yields are ignored.
    func finish() { continuation.finish() }
}
