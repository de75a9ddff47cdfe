/// What the rules need to know about bookings already made. The storage adapter answers from
/// inside its write transaction, so the answer cannot change before the decision is committed.
public protocol BookingLedger {
    /// Blocking occurrences in any of `spaces` whose widened block overlaps `block`.
    func blockingOccurrences(spaces: [String], overlapping block: Interval) throws -> [BusyOccurrence]

    /// Seconds of blocking occurrences the organisation holds that start within `period`, in the
    /// given venues (all venues when empty), leaving out one booking (the one being changed).
    func bookedSeconds(
        organisation: String, venues: [String], startingWithin period: Interval, excluding: Int64?
    )
        throws -> Int64

    /// Closures of the venue added at run time (the configured ones are on the ``Venue``), as
    /// committed when the question is asked.
    func closures(venue: String) throws -> [Closure]
}
