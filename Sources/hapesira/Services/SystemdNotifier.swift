import Foundation
import Logging
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// Sends sd_notify messages (READY=1, STOPPING=1, WATCHDOG=1) to `$NOTIFY_SOCKET` when systemd set it.
struct SystemdNotifier: Sendable {
    let socketPath: String?
    /// Half of `$WATCHDOG_USEC`, when the unit has a watchdog.
    let watchdogInterval: Duration?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        watchdogInterval = environment["WATCHDOG_USEC"].flatMap(Int64.init).map { .microseconds($0 / 2) }
    }

    /// Sends one datagram; returns whether it was sent (false when not under systemd).
    @discardableResult
    func notify(_ state: String) -> Bool {
        #if canImport(Glibc)
            guard let socketPath else { return false }
            let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            var pathBytes = Array(socketPath.utf8)
            if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }  // abstract namespace
            guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                buffer.copyBytes(from: pathBytes)
            }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count)
            let sent = state.utf8CString.withUnsafeBufferPointer { message in
                withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, message.baseAddress, message.count - 1, 0, $0, length)
                    }
                }
            }
            return sent >= 0
        #else
            return false
        #endif
    }
}

/// Pings the systemd watchdog at half its interval until shutdown, then says STOPPING=1.
struct SystemdWatchdogService: Service {
    let notifier: SystemdNotifier

    func run() async throws {
        if let interval = notifier.watchdogInterval {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                notifier.notify("WATCHDOG=1")
                // A timer, not synchronisation; cut short by shutdown so SIGTERM is not delayed.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            }
        } else {
            try? await gracefulShutdown()
        }
        notifier.notify("STOPPING=1")
    }
}
