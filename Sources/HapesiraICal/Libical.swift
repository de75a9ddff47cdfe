import CLibical

/// Process-wide libical settings, applied once before any other libical call.
enum Libical {
    private static let configured: Void = {
        // Errors are reported through return values and icalerrno, never by aborting the process.
        icalerror_set_errors_are_fatal(0)
    }()

    static func configure() { _ = configured }
}
