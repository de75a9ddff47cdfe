import HummingbirdCore
import Logging
import NIOCore

/// Runs a Swift task's jobs on one NIO event loop.
///
/// A connection's handler that prefers its channel's event loop runs on the thread that reads and
/// writes its socket: a request costs no hand-off to Swift's thread pool and back, each of which is
/// a thread wake-up (tens of microseconds on a virtual machine with idle vCPUs).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// A server child channel whose connection handling runs on the connection's own event loop
/// (see ``EventLoopTaskExecutor``); everything else is the wrapped channel's.
struct EventLoopPinnedChannel<Inner: ServerChildChannel>: ServerChildChannel {
    let inner: Inner

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Inner.Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }
}
