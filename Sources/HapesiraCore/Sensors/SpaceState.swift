/// A space's live state, as door displays and Home Assistant show it.
public enum SpaceState: String, Sendable, Hashable, CaseIterable {
    case free
    /// Booked now; the sensors cannot tell (or there are none) whether anyone is there.
    case booked
    /// Someone is there (booked or not).
    case inUse = "in-use"
    /// Booked now, and the sensors see nobody.
    case bookedUnused = "booked-unused"

    /// The state from whether a booking holds the space now and whether its sensors see it
    /// occupied (`nil`: no sensors, or their coverage is unknown now).
    public static func of(booked: Bool, occupied: Bool?) -> SpaceState {
        switch (booked, occupied) {
        case (_, true?): .inUse
        case (true, false?): .bookedUnused
        case (true, nil): .booked
        case (false, _): .free
        }
    }
}
