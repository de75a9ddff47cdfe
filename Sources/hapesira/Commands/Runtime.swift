import ArgumentParser
import Foundation
import HapesiraConfig
import HapesiraCore
import HapesiraICal
import HapesiraStore

/// Loads the configuration or exits with every problem printed to stderr.
func loadConfiguration(_ path: String) throws -> DaemonConfiguration {
    do {
        return try ConfigLoader.load(path: path)
    } catch {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(2)
    }
}

/// The booking store over the configured database.
func openStore(_ configuration: DaemonConfiguration, databasePath: String? = nil) throws -> BookingStore {
    let database = try AppDatabase.open(path: databasePath ?? configuration.databasePath)
    let engine = BookingEngine(
        catalogue: configuration.catalogue, expander: LibicalRecurrenceExpander(),
        occurrenceLimit: configuration.maxOccurrences)
    return BookingStore(database: database, engine: engine)
}

var unixNow: Int64 { Int64(Date().timeIntervalSince1970) }

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
