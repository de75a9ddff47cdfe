import Foundation
import Testing

@testable import HapesiraMQTT

@Suite("C-thread to Swift hand-off")
struct CallbackBridgeTests {
    @Test("values yielded on foreign threads all arrive, each thread's in order")
    func foreignThreads() async {
        let bridge = CallbackBridge<Int>(bufferingNewest: 10_000)
        let threads = 4
        let perThread = 1000
        let done = DispatchGroup()
        for thread in 0..<threads {
            done.enter()
            Thread.detachNewThread {
                for index in 0..<perThread { bridge.yield(thread * perThread + index) }
                done.leave()
            }
        }
        Thread.detachNewThread {
            done.wait()
            bridge.finish()
        }
        var received: [Int] = []
        for await value in bridge.stream { received.append(value) }
        #expect(received.count == threads * perThread)
        for thread in 0..<threads {
            let mine = received.filter { $0 / perThread == thread }
            #expect(mine == Array(thread * perThread..<(thread + 1) * perThread))
        }
    }

    @Test("an unread stream keeps the newest values and reports drops; yield after finish is refused")
    func bounded() async {
        let bridge = CallbackBridge<Int>(bufferingNewest: 3)
        #expect(bridge.yield(1))
        #expect(bridge.yield(2))
        #expect(bridge.yield(3))
        #expect(bridge.yield(4) == false)
        bridge.finish()
        #expect(bridge.yield(5) == false)
        var received: [Int] = []
        for await value in bridge.stream { received.append(value) }
        #expect(received == [2, 3, 4])
    }
}
