/// What the rows of a utilisation report are grouped by.
public enum ReportGrouping: String, Sendable, Hashable, CaseIterable {
    case space, venue, city
    /// Rows per organisation: figures of its own bookings, against every listed space's available time.
    case organisation = "org"
    /// Rows per booking category: figures of its bookings, against every listed space's available time.
    case category
}

/// A utilisation report to compute.
public struct UtilisationRequest: Sendable, Hashable {
    public var range: ReportRange
    public var period: ReportPeriod
    public var grouping: ReportGrouping
    /// When false, private occurrences still count in every figure, but their organisation and
    /// category appear as ``UtilisationRequest/undisclosed`` (in groups and shares).
    public var disclosesPrivate: Bool

    /// The organisation and category of a private occurrence when not disclosed.
    public static let undisclosed = "(private)"

    public init(range: ReportRange, period: ReportPeriod, grouping: ReportGrouping, disclosesPrivate: Bool = true) {
        self.range = range
        self.period = period
        self.grouping = grouping
        self.disclosesPrivate = disclosesPrivate
    }
}

/// The figures of every group for every period, and each group's hour-of-week heat map of real use.
public struct UtilisationReport: Sendable, Hashable {
    public var request: UtilisationRequest
    public var slots: [PeriodSlot]
    /// One row per group and slot, groups sorted by id and slots in order within each group. The
    /// groups: every listed space, venue or city (nothing booked or not); every organisation or
    /// category with a confirmed or released occurrence overlapping the range.
    public var rows: [UtilisationRow]
    /// Per group, its used seconds over the whole range by local weekday and hour (sums to its used seconds).
    public var heatMaps: [String: UsageHeatMap]

    public init(
        request: UtilisationRequest, slots: [PeriodSlot], rows: [UtilisationRow], heatMaps: [String: UsageHeatMap]
    ) {
        self.request = request
        self.slots = slots
        self.rows = rows
        self.heatMaps = heatMaps
    }
}

/// One group's figures for one period. Time is in seconds, counted only within available time
/// (opening hours minus closures) and split at period boundaries; occurrences are counted once, in
/// the period in which they start. For organisation and category groups, "used" and "unknown" mean
/// inside the group's own bookings, and available time is that of every listed space.
public struct UtilisationRow: Sendable, Hashable {
    public var group: String
    public var slot: PeriodSlot
    /// Opening hours minus closures.
    public var availableSeconds: Int64 = 0
    /// Available time inside confirmed occurrences (overlapping occurrences of one space count once).
    public var bookedSeconds: Int64 = 0
    /// Available time the sensors saw occupied.
    public var usedSeconds: Int64 = 0
    /// Available time nobody can tell about (no sensor, sensor offline, outside the data): never vacant.
    public var unknownSeconds: Int64 = 0
    /// Booked time that was used.
    public var usedInBookingsSeconds: Int64 = 0
    /// Booked time that is unknown.
    public var unknownInBookingsSeconds: Int64 = 0
    /// Used time outside every confirmed occurrence; `nil` for organisation and category groups.
    public var unbookedUseSeconds: Int64?
    /// Booked seconds per organisation and per category (the basis of the shares).
    public var bookedByOrganisation: [String: Int64] = [:]
    public var bookedByCategory: [String: Int64] = [:]
    public var outcomes = OutcomeTally()
    public var attendance = AttendanceFigures()

    public init(group: String, slot: PeriodSlot, unbookedUseSeconds: Int64?) {
        self.group = group
        self.slot = slot
        self.unbookedUseSeconds = unbookedUseSeconds
    }

    /// Booked / available.
    public var utilisation: Double? { ratio(bookedSeconds, availableSeconds) }

    /// Used inside bookings / booked time the sensors covered (booked − unknown in bookings):
    /// unknown booked time is left out, never counted as vacant.
    public var occupancyOfBookedTime: Double? {
        ratio(usedInBookingsSeconds, bookedSeconds - unknownInBookingsSeconds)
    }

    /// Each organisation's booked seconds / the sum over organisations (= booked seconds when no
    /// two confirmed occurrences of a space overlap).
    public var shareByOrganisation: [String: Double] { shares(bookedByOrganisation) }
    public var shareByCategory: [String: Double] { shares(bookedByCategory) }
}

/// The counted occurrences of a group and period (confirmed or released, starting in the period) by outcome.
public struct OutcomeTally: Sendable, Hashable {
    public var attended = 0
    public var endedEarly = 0
    public var noShow = 0
    /// Released by a manager or automatically: counts as a no-show, and as covered.
    public var released = 0
    /// No sensor coverage: neither in the no-show numerator nor its denominator.
    public var unknown = 0

    public init() {}

    public var occurrences: Int { attended + endedEarly + noShow + released + unknown }
    /// Occurrences whose outcome is known: the basis of the no-show rate.
    public var covered: Int { attended + endedEarly + noShow + released }
    public var noShows: Int { noShow + released }
    /// (no-show + released) / covered.
    public var noShowRate: Double? { ratio(Int64(noShows), Int64(covered)) }

    mutating func count(_ occurrence: KeyedOccurrence) {
        if occurrence.state == .released {
            released += 1
            return
        }
        switch occurrence.outcome {
        case .attended: attended += 1
        case .endedEarly: endedEarly += 1
        case .noShow: noShow += 1
        case .released: released += 1
        case .unknown: unknown += 1
        }
    }
}

/// People counts of the confirmed occurrences of a group and period that have counter data,
/// against the capacity of their spaces. Each occurrence has a peak (the highest count while
/// covered) and an average (the time-weighted mean count over its covered, counted seconds).
public struct AttendanceFigures: Sendable, Hashable {
    /// Occurrences with counter data.
    public var measured = 0
    /// The highest peak.
    public var peak: Int?
    /// The highest peak / capacity of any occurrence (spaces with capacity 0 left out).
    public var peakFill: Double?
    /// The sum of the peaks: the attendance total.
    public var totalOfPeaks = 0
    public var sumOfAverages: Double = 0
    /// The sum of the measured occurrences' space capacities.
    public var capacity = 0
    /// The sum of the averages of occurrences in spaces with a capacity.
    var sumOfAveragesWithCapacity: Double = 0

    public init() {}

    /// The mean of the occurrences' averages.
    public var average: Double? { measured > 0 ? sumOfAverages / Double(measured) : nil }
    /// The sum of the averages / the sum of the capacities (spaces with capacity 0 left out).
    public var averageFill: Double? { capacity > 0 ? sumOfAveragesWithCapacity / Double(capacity) : nil }

    mutating func add(peak occurrencePeak: Int, average: Double, capacity spaceCapacity: Int) {
        measured += 1
        peak = max(peak ?? occurrencePeak, occurrencePeak)
        if spaceCapacity > 0 {
            let fill = Double(occurrencePeak) / Double(spaceCapacity)
            peakFill = max(peakFill ?? fill, fill)
            sumOfAveragesWithCapacity += average
        }
        totalOfPeaks += occurrencePeak
        sumOfAverages += average
        capacity += spaceCapacity
    }
}

/// `numerator / denominator`, or `nil` when the denominator is not positive (never NaN).
func ratio(_ numerator: Int64, _ denominator: Int64) -> Double? {
    denominator > 0 ? Double(numerator) / Double(denominator) : nil
}

private func shares(_ seconds: [String: Int64]) -> [String: Double] {
    let total = seconds.values.reduce(0, +)
    return total > 0 ? seconds.mapValues { Double($0) / Double(total) } : [:]
}
