import NIOCore
import NIOPosix
import Testing

@testable import HapesiraHTTP

@Suite("EventLoopTaskExecutor")
struct EventLoopTaskExecutorTests {
    @Test("a task that prefers an event loop runs on it, before and after it suspends")
    func runsOnTheEventLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loop = group.next()
        let other = group.next()
        #expect(loop !== other)
        let places = await withTaskExecutorPreference(EventLoopTaskExecutor(loop)) {
            var places = [loop.inEventLoop]
            // A suspension whose resumption comes from the other loop's thread.
            let value = try? await other.submit { 42 }.get()
            places.append(loop.inEventLoop && value == 42)
            await withTaskGroup(of: Bool.self) { children in
                children.addTask { loop.inEventLoop }
                for await place in children { places.append(place) }
            }
            return places
        }
        #expect(places == [true, true, true])
        #expect(!loop.inEventLoop)
        try await group.shutdownGracefully()
    }
}
