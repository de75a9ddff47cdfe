import Foundation

/// A throwaway certificate authority made with `openssl` in a test's directory, and the certificates it issues
/// (EC P-256, valid for two days).
struct TestCertificateAuthority: Sendable {
    /// The CA certificate (PEM): the file a client trusts.
    let certificate: String
    private let key: String
    private let directory: URL

    init(name: String, in directory: URL) throws {
        self.directory = directory
        certificate = directory.appendingPathComponent("\(name).crt").path
        key = directory.appendingPathComponent("\(name).key").path
        try runTool(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", "/CN=\(name)", "-keyout", key, "-out", certificate,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
    }

    /// A certificate and key for `name` signed by this CA; `hosts` (IP addresses or DNS names) become its subject
    /// alternative names, which a client checks against the host it connects to.
    func issue(_ name: String, hosts: [String] = []) throws -> (certificate: String, key: String) {
        let certificate = directory.appendingPathComponent("\(name).crt").path
        let key = directory.appendingPathComponent("\(name).key").path
        let request = directory.appendingPathComponent("\(name).csr").path
        let extensions = directory.appendingPathComponent("\(name).ext").path
        try runTool(
            "/usr/bin/openssl",
            [
                "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", "/CN=\(name)", "-keyout", key, "-out", request,
            ])
        var lines = ["basicConstraints=CA:FALSE", "extendedKeyUsage=serverAuth,clientAuth"]
        if !hosts.isEmpty {
            let names = hosts.map { host in
                host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? "IP:\(host)" : "DNS:\(host)"
            }
            lines.append("subjectAltName=" + names.joined(separator: ","))
        }
        try lines.joined(separator: "\n").write(toFile: extensions, atomically: true, encoding: .utf8)
        try runTool(
            "/usr/bin/openssl",
            [
                "x509", "-req", "-in", request, "-CA", self.certificate, "-CAkey", self.key, "-CAcreateserial",
                "-days", "2", "-extfile", extensions, "-out", certificate,
            ])
        // Started as root, mosquitto reads its key after dropping to the `mosquitto` user. A throwaway key.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        return (certificate, key)
    }
}
