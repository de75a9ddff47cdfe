import Foundation

/// A real mosquitto broker on a free loopback port, with persistence in a temporary directory.
final class MosquittoBroker: @unchecked Sendable {
    let directory: URL
    let port: Int
    private var pid: pid_t?
    private var allowAnonymous: Bool

    var configPath: String { directory.appendingPathComponent("mosquitto.conf").path }
    var logPath: String { directory.appendingPathComponent("mosquitto.log").path }

    init(allowAnonymous: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hapesira-mqtt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Started as root, mosquitto drops to the `mosquitto` user, which must write the persistence file.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory.path)
        port = try Self.freePort()
        self.allowAnonymous = allowAnonymous
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes the config and starts mosquitto; returns once it accepts TCP connections.
    func start(allowAnonymous: Bool? = nil) throws {
        if let allowAnonymous { self.allowAnonymous = allowAnonymous }
        let config = """
            listener \(port) 127.0.0.1
            allow_anonymous \(self.allowAnonymous)
            persistence true
            persistence_location \(directory.path)/
            log_dest stderr
            log_type all
            max_queued_messages 100000
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        pid = try Self.spawn(arguments: ["/usr/sbin/mosquitto", "-c", configPath], log: logPath)
        try waitUntilAccepting()
    }

    /// SIGTERM (mosquitto saves its persistence file) and waits for the exit.
    func stop() {
        guard let pid else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        self.pid = nil
    }

    func restart(allowAnonymous: Bool? = nil) throws {
        stop()
        try start(allowAnonymous: allowAnonymous)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Polls a TCP connect until it succeeds (bounded: 10 s), failing early if mosquitto exited.
    private func waitUntilAccepting() throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard let pid, waitpid(pid, nil, WNOHANG) == 0 else {
                throw TimedOut(description: "mosquitto exited: \(log)")
            }
            if Self.canConnect(port: port) { return }
            usleep(20_000)
        }
        throw TimedOut(description: "mosquitto did not accept connections on \(port): \(log)")
    }

    /// posix_spawn with an empty signal mask: Foundation's Process passes on the test runner's blocked
    /// signals, and mosquitto then never sees SIGTERM.
    private static func spawn(arguments: [String], log: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard code == 0 else {
            throw TimedOut(description: "posix_spawn \(arguments[0]): \(String(cString: strerror(code)))")
        }
        return pid
    }

    private static func canConnect(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A port the kernel just handed out (bound to 0, then released).
    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw TimedOut(description: "no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
