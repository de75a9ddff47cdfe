import ArgumentParser
import Foundation
import HapesiraConfig
import HapesiraCore
import HapesiraStore

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a configuration file; print every problem with its location.")

    @OptionGroup var options: ConfigOption

    @Argument(help: "The file to check (default: the --config file).")
    var file: String?

    func run() throws {
        let path = file ?? options.config
        let configuration = try loadConfiguration(path)
        let catalogue = configuration.catalogue
        print(
            "\(path): OK — \(catalogue.cities.count) cities, \(catalogue.venues.count) venues, "
                + "\(catalogue.spaces.count) spaces, \(catalogue.organisations.count) organisations")
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        let (_, store) = try store.open()
        for name in try store.database.appliedMigrations() { print(name) }
    }
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an online, consistent copy of the database (safe while the daemon runs).")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The new file to write.") var destination: String

    func run() throws {
        let (_, store) = try store.open()
        do {
            try store.database.backup(to: destination)
        } catch let error as StoreError {
            printError(error.description)
            throw ExitCode(1)
        }
        print(destination)
    }
}

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke API tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token; prints the token alone on stdout (it is not shown again).")

        @OptionGroup var store: StoreOptions
        @Option(help: "The organisation the token acts for.") var org: String
        @Option(help: "admin, manager, member or viewer.") var role: String
        @Option(help: "For a manager: a venue it manages (repeat for several).") var venue: [String] = []
        @Option(help: "A note to recognise the token by.") var label: String?

        func run() throws {
            let configuration = try loadConfiguration(store.options.config)
            let parsedRole = try validatedRole(
                org: org, role: role, venues: venue, configuration: configuration, path: store.options.config)
            let bookings = try openStore(configuration, databasePath: store.database)
            let (_, token) = try TokenStore(database: bookings.database).create(
                organisation: org, role: parsedRole, label: label, now: unixNow)
            print(token)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let (_, store) = try store.open()
            print("ID\tORGANISATION\tROLE\tVENUES\tCREATED\tREVOKED\tLABEL")
            for token in try TokenStore(database: store.database).list() {
                let venues = if case .manager(let venues) = token.role { venues.joined(separator: ",") } else { "-" }
                let revoked = token.revokedAt.map { TimeInput.format($0, in: .utc) } ?? "-"
                print(
                    "\(token.id)\t\(token.organisation)\t\(token.role.name)\t\(venues)\t"
                        + "\(TimeInput.format(token.createdAt, in: .utc))\t\(revoked)\t\(token.label ?? "")")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its id (the part after hps_).")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The token id.") var id: String

        func run() throws {
            let (_, store) = try store.open()
            guard try TokenStore(database: store.database).revoke(id: id, now: unixNow) else {
                printError("no active token with id '\(id)'")
                throw ExitCode(1)
            }
            print("revoked \(id)")
        }
    }
}

/// The role `--org`, `--role` and `--venue` name, checked against the configuration (tokens and logins).
func validatedRole(
    org: String, role: String, venues: [String], configuration: DaemonConfiguration, path: String
) throws -> Role {
    let catalogue = configuration.catalogue
    guard catalogue.organisation(org) != nil else {
        throw ValidationError("unknown organisation '\(org)'; see organisations in \(path)")
    }
    for id in venues where catalogue.venue(id) == nil { throw ValidationError("unknown venue '\(id)'") }
    switch role {
    case "admin": return .admin
    case "manager":
        guard !venues.isEmpty else { throw ValidationError("a manager needs at least one --venue") }
        return .manager(venues: venues)
    case "member": return .member
    case "viewer": return .viewer
    default: throw ValidationError("--role must be admin, manager, member or viewer")
    }
}

struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage", abstract: "Maintain the occupancy derived from the sensor journal.",
        subcommands: [Rebuild.self])

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Derive every space's usage again from a date (after changing sensor settings, say).")

        @OptionGroup var store: StoreOptions
        @Option(help: "Derive again from this instant (RFC 3339, e.g. 2026-01-01T00:00:00+01:00).")
        var since: String

        func run() async throws {
            let (configuration, store) = try store.open()
            let since: Int64
            do { since = try TimeInput.parse(self.since) } catch {
                throw ValidationError("--since: \(error)")
            }
            let usage = UsageTimelines(sensors: configuration.sensors, database: store.database)
            let spaces = try await usage.rebuild(since: since, now: Int64(Date().timeIntervalSince1970))
            print("derived again: \(spaces.isEmpty ? "no space with sensors" : spaces.joined(separator: ", "))")
        }
    }
}
