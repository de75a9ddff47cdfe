import Foundation
import HapesiraMQTT

/// A real mosquitto broker on a free loopback port, with persistence in a temporary directory; optionally with
/// users in a password file and TLS on its listener.
final class MosquittoBroker: @unchecked Sendable {
    /// TLS on the listener, with a certificate from a throwaway CA made for this broker.
    struct TLS {
        /// The names the broker's certificate is issued for.
        var serverHosts = ["127.0.0.1", "localhost"]
        /// `require_certificate true`: a client must present a certificate issued by the broker's CA.
        var requireClientCertificate = false
    }

    let directory: URL
    let port: Int
    /// The CA that issued the broker's certificate (nil without TLS): clients trust it; it issues client certificates.
    let authority: TestCertificateAuthority?
    /// The password file made from `users`.
    let passwordFile: String?
    /// The broker's certificate and key, issued by `authority`.
    let server: (certificate: String, key: String)?
    private var pid: pid_t?
    private var allowAnonymous: Bool
    private let tls: TLS?
    /// A whole configuration file given to `start`, used instead of the one made from the options.
    private var configuration: String?

    var configPath: String { directory.appendingPathComponent("mosquitto.conf").path }
    var logPath: String { directory.appendingPathComponent("mosquitto.log").path }

    /// `users` (name → password) go into a password file (`mosquitto_passwd`); anonymous clients are then
    /// refused unless `allowAnonymous` says otherwise.
    init(allowAnonymous: Bool? = nil, users: [String: String] = [:], tls: TLS? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hapesira-mqtt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Started as root, mosquitto drops to the `mosquitto` user, which must write the persistence file.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory.path)
        port = try Self.freePort()
        self.allowAnonymous = allowAnonymous ?? users.isEmpty
        self.tls = tls
        if users.isEmpty {
            passwordFile = nil
        } else {
            let path = directory.appendingPathComponent("passwd").path
            // -b per user: `-U` splits a password with a colon in it wrongly.
            for (index, (name, password)) in users.sorted(by: { $0.key < $1.key }).enumerated() {
                try runTool("/usr/bin/mosquitto_passwd", (index == 0 ? ["-c"] : []) + ["-b", path, name, password])
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            passwordFile = path
        }
        if let tls {
            let authority = try TestCertificateAuthority(name: "broker-ca", in: directory)
            self.authority = authority
            server = try authority.issue("broker", hosts: tls.serverHosts)
        } else {
            authority = nil
            server = nil
        }
    }

    /// Client settings for this broker: `mqtts://` trusting its CA when it has TLS.
    func settings(clientID: String) -> MQTTSettings {
        MQTTSettings(
            host: "127.0.0.1", port: port, clientID: clientID,
            tls: authority.map { MQTTSettings.TLS(caFile: $0.certificate, caPath: nil) })
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes the config and starts mosquitto; returns once it accepts TCP connections on `port`.
    /// `configuration` replaces the file made from the options, from now on (it must listen on `port`).
    func start(allowAnonymous: Bool? = nil, configuration: String? = nil) throws {
        if let allowAnonymous { self.allowAnonymous = allowAnonymous }
        if let configuration { self.configuration = configuration }
        var lines = [
            "listener \(port) 127.0.0.1",
            "allow_anonymous \(self.allowAnonymous)",
            "persistence true",
            "persistence_location \(directory.path)/",
            "log_dest stderr",
            "log_type all",
            "max_queued_messages 100000",
        ]
        if let passwordFile { lines.append("password_file \(passwordFile)") }
        if let tls, let authority, let server {
            lines += ["cafile \(authority.certificate)", "certfile \(server.certificate)", "keyfile \(server.key)"]
            if tls.requireClientCertificate { lines.append("require_certificate true") }
        }
        let config = self.configuration ?? lines.joined(separator: "\n") + "\n"
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

    /// Waits until the broker has read `client`'s PUBACK for the message `mid` it sent it. Nothing but the log
    /// tells: polled, bounded by `timeout`.
    func waitForAcknowledgement(from client: String, mid: Int, timeout: Duration = .seconds(10)) async throws {
        let line = "Received PUBACK from \(client) (Mid: \(mid),"
        let deadline = ContinuousClock.now + timeout
        while !log.contains(line) {
            guard ContinuousClock.now < deadline else {
                throw TimedOut(description: "no PUBACK \(mid) from \(client) in the broker's log: \(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

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
    static func freePort() throws -> Int {
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
