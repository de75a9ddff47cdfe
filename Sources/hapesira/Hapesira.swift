import ArgumentParser

@main
struct Hapesira: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hapesira",
        abstract: "Shared cultural spaces: bookings with conflict resolution, calendars, sensors and reports.",
        subcommands: [Serve.self, CheckConfig.self, TokenCommand.self, Migrate.self, Backup.self])
}

/// `--config FILE`, shared by every subcommand.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The configuration file.")
    var config: String = "/etc/hapesira/hapesira.yaml"
}
