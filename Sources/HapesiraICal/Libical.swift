import CLibical

/// Process-wide libical settings, applied once before any other libical call.
enum Libical {
    private static let configured: Void = {
        // Errors are reported through return values and icalerrno, never by aborting the process.
        icalerror_set_errors_are_fatal(0)
        // The UTC zone is a lazily initialised static: initialise it before threads share it.
        _ = icaltimezone_get_utc_timezone()
    }()

    static func configure() { _ = configured }
}
