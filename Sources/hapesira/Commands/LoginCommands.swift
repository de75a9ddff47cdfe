import ArgumentParser
import Foundation
import HapesiraConfig
import HapesiraCore
import HapesiraStore

#if canImport(Glibc)
    import Glibc
#endif

struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Create, list, disable and remove web logins (username and password for an organisation).",
        subcommands: [Create.self, List.self, Disable.self, Remove.self, Password.self])

    /// `--cost`, for the commands that hash a password.
    struct CostOption: ParsableArguments {
        @Option(help: "bcrypt's cost (log2 of its rounds, 4–31); each sign-in takes about as long as hashing.")
        var cost: Int = LoginStore.defaultCost

        func validate() throws {
            guard (4...31).contains(cost) else { throw ValidationError("--cost must be between 4 and 31") }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a login; reads its password from standard input (or makes one with --generate).")

        @OptionGroup var store: StoreOptions
        @Option(help: "The organisation the login acts for.") var org: String
        @Option(help: "admin, manager, member or viewer.") var role: String
        @Option(help: "For a manager: a venue it manages (repeat for several).") var venue: [String] = []
        @Option(help: "The name to sign in with (case does not matter).") var username: String
        @Flag(help: "Make a strong password and print it (it is not shown again).") var generate = false
        @OptionGroup var cost: CostOption

        func run() throws {
            let configuration = try loadConfiguration(store.options.config)
            let parsedRole = try validatedRole(
                org: org, role: role, venues: venue, configuration: configuration, path: store.options.config)
            let password = generate ? PasswordPolicy.generate() : try readPassword()
            let bookings = try openStore(configuration, databasePath: store.database)
            let login = try refusing {
                try LoginStore(database: bookings.database).create(
                    username: username, password: password, organisation: org, role: parsedRole, cost: cost.cost,
                    now: unixNow)
            }
            let message = "created login '\(login.username)' for \(org) (\(parsedRole.name))"
            if generate {
                print(password)  // alone on stdout, like `token create`
                printError(message)
            } else {
                print(message)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List logins (never their passwords).")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let (_, store) = try store.open()
            print("USERNAME\tORGANISATION\tROLE\tVENUES\tCREATED\tLAST SIGN-IN\tDISABLED")
            for login in try LoginStore(database: store.database).list() {
                let venues = if case .manager(let venues) = login.role { venues.joined(separator: ",") } else { "-" }
                func time(_ value: Int64?) -> String { value.map { TimeInput.format($0, in: .utc) } ?? "-" }
                print(
                    "\(login.username)\t\(login.organisation)\t\(login.role.name)\t\(venues)\t"
                        + "\(time(login.createdAt))\t\(time(login.lastSignInAt))\t\(time(login.disabledAt))")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a login and end its sessions.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The username.") var name: String

        func run() throws {
            let (_, store) = try store.open()
            guard try refusing({ try LoginStore(database: store.database).disable(username: name, now: unixNow) })
            else {
                printError("no enabled login named '\(name)'")
                throw ExitCode(1)
            }
            print("disabled \(name)")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a login and end its sessions.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The username.") var name: String

        func run() throws {
            let (_, store) = try store.open()
            guard try refusing({ try LoginStore(database: store.database).remove(username: name) }) else {
                printError("no login named '\(name)'")
                throw ExitCode(1)
            }
            print("removed \(name)")
        }
    }

    struct Password: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a login's password (read from standard input) and end its sessions.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The username.") var name: String
        @OptionGroup var cost: CostOption

        func run() throws {
            let (_, store) = try store.open()
            let password = try readPassword()
            try refusing {
                try LoginStore(database: store.database).setPassword(
                    username: name, password: password, cost: cost.cost)
            }
            print("password changed for \(name)")
        }
    }
}

/// Runs `body`, turning a ``LoginError`` into its message on stderr and exit status 1.
private func refusing<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as LoginError {
        printError(error.description)
        throw ExitCode(1)
    }
}

/// A password from standard input: its first line, or, at a terminal, typed twice without echo.
private func readPassword() throws -> String {
    #if canImport(Glibc)
        if isatty(STDIN_FILENO) == 1 {
            guard let first = getpass("Password: ").map({ String(cString: $0) }),
                let second = getpass("Again: ").map({ String(cString: $0) })
            else { throw ValidationError("no password given") }
            guard first == second else { throw ValidationError("the two passwords differ") }
            return first
        }
    #endif
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw ValidationError("give the password on standard input (or use --generate)")
    }
    return line
}
