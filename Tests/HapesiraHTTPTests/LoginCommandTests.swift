import Foundation
import HapesiraStore
import Testing

/// Runs `hapesira` with `input` on its standard input; returns its exit status, stdout and stderr.
private func run(_ arguments: [String], input: String = "") throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binaryPath)
    process.arguments = arguments
    let (stdin, stdout, stderr) = (Pipe(), Pipe(), Pipe())
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

@Suite("hapesira login")
struct LoginCommandTests {
    @Test("create (password from stdin or generated), list, password, disable and remove")
    func lifecycle() async throws {
        let database = try temporaryDirectory().appendingPathComponent("db.sqlite").path
        let store = ["--config", configPath, "--database", database]
        let create = ["login", "create"] + store + ["--org", "anibar", "--role", "member", "--cost", "4"]

        let weak = try run(create + ["--username", "anibar-desk"], input: "password1234\n")
        #expect(weak.status == 1 && weak.err.contains("most common passwords"))
        let short = try run(create + ["--username", "anibar-desk"], input: "short\n")
        #expect(short.status == 1 && short.err.contains("at least 12 characters"))
        let badOrg = try run(
            ["login", "create"] + store + ["--org", "nobody", "--role", "member", "--username", "x-y-z"],
            input: "Kino-Jusuf-Gervalla-27\n")
        #expect(badOrg.status != 0 && badOrg.err.contains("unknown organisation"))

        let made = try run(create + ["--username", "Anibar-Desk"], input: "Kino-Jusuf-Gervalla-27\n")
        #expect(made.status == 0, "\(made.err)")
        let again = try run(create + ["--username", "anibar-desk"], input: "Kino-Jusuf-Gervalla-28\n")
        #expect(again.status == 1 && again.err.contains("already exists"))
        let generated = try run(
            ["login", "create"] + store + [
                "--org", "anibar", "--role", "manager", "--venue", "kino-jusuf-gervalla", "--username", "kino-desk",
                "--generate", "--cost", "4",
            ])
        #expect(generated.status == 0)
        let secret = generated.out.trimmingCharacters(in: .newlines)
        #expect(secret.count == 20 && !secret.contains(" "), "the password alone on stdout")

        let list = try run(["login", "list"] + store)
        #expect(list.out.contains("Anibar-Desk\tanibar\tmember\t-\t"))
        #expect(list.out.contains("kino-desk\tanibar\tmanager\tkino-jusuf-gervalla\t"))
        #expect(!list.out.contains(secret) && !list.out.contains("$2b$"))

        // Both passwords work; then a new one replaces the first.
        let logins = LoginStore(database: try AppDatabase.open(path: database))
        _ = try await logins.authenticate(username: "kino-desk", password: secret, now: 1)
        _ = try await logins.authenticate(username: "anibar-desk", password: "Kino-Jusuf-Gervalla-27", now: 1)
        let reset = try run(
            ["login", "password"] + store + ["ANIBAR-DESK", "--cost", "4"], input: "Rinia-Youth-Centre-9\n")
        #expect(reset.status == 0)
        await #expect(throws: LoginError.rejected) {
            try await logins.authenticate(username: "anibar-desk", password: "Kino-Jusuf-Gervalla-27", now: 1)
        }
        _ = try await logins.authenticate(username: "anibar-desk", password: "Rinia-Youth-Centre-9", now: 1)

        #expect(try run(["login", "disable"] + store + ["anibar-desk"]).status == 0)
        #expect(try run(["login", "disable"] + store + ["anibar-desk"]).status == 1)
        #expect(try logins.list().first { $0.username == "Anibar-Desk" }?.disabledAt != nil)
        #expect(try run(["login", "remove"] + store + ["kino-desk"]).status == 0)
        #expect(try run(["login", "remove"] + store + ["kino-desk"]).status == 1)
        #expect(try logins.list().map(\.username) == ["Anibar-Desk"])
    }
}
