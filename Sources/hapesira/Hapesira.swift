import ArgumentParser
import HapesiraConfig
import HapesiraStore

@main
struct Hapesira: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hapesira",
        abstract: "Shared cultural spaces: bookings with conflict resolution, calendars, sensors and reports.",
        subcommands: [
            Serve.self, CheckConfig.self, TokenCommand.self, LoginCommand.self, Migrate.self, Backup.self,
            Simulate.self,
            UsageCommand.self, SeedDemo.self,
        ])
}

/// `--config FILE`, shared by every subcommand.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The configuration file.")
    var config: String = "/etc/hapesira/hapesira.yaml"
}

/// `--config FILE` and `--database PATH`, for subcommands that open the database.
struct StoreOptions: ParsableArguments {
    @OptionGroup var options: ConfigOption

    @Option(help: "The SQLite file (overrides database.path).")
    var database: String?

    /// The configuration and the booking store over its database.
    func open() throws -> (DaemonConfiguration, BookingStore) {
        let configuration = try loadConfiguration(options.config)
        return (configuration, try openStore(configuration, databasePath: database))
    }
}
