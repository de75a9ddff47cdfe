import HapesiraCore
import Synchronization
import Testing

/// Shared places, clocks and fakes for the core tests.
enum Fixture {
    static let belgrade = Zone("Europe/Belgrade")!

    /// An instant given as Belgrade wall-clock time (resolved as recurrences are).
    static func bg(
        _ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0
    )
        -> Int64
    {
        belgrade.resolvedInstant(
            for: LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }

    /// An instant given as UTC.
    static func utc(
        _ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0
    )
        -> Int64
    {
        LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second).localSeconds
    }

    static func range(_ from: (Int, Int), _ to: (Int, Int)) -> OpeningHours.Range {
        OpeningHours.Range(start: from.0 * 60 + from.1, end: to.0 * 60 + to.1)
    }

    /// Mon–Fri 09:00–23:00, Sat–Sun 10:00–24:00.
    static let kinoHours = OpeningHours(days: [
        1: [range((9, 0), (23, 0))], 2: [range((9, 0), (23, 0))], 3: [range((9, 0), (23, 0))],
        4: [range((9, 0), (23, 0))], 5: [range((9, 0), (23, 0))],
        6: [range((10, 0), (24, 0))], 7: [range((10, 0), (24, 0))],
    ])

    /// Saturday night into Sunday: Sat 20:00–24:00 and Sun 00:00–03:00.
    static let clubHours = OpeningHours(days: [6: [range((20, 0), (24, 0))], 7: [range((0, 0), (3, 0))]])

    static let kinoClosures = [
        Closure(
            from: LocalDate(year: 2026, month: 12, day: 31), to: LocalDate(year: 2026, month: 12, day: 31),
            reason: "New Year's Eve"),
        Closure(
            from: LocalDate(year: 2027, month: 1, day: 1), to: LocalDate(year: 2027, month: 1, day: 2),
            reason: "New Year holidays"),
    ]

    static let venues = [
        Venue(id: "kino", name: "Kino", city: "peja", zone: belgrade, openingHours: kinoHours, closures: kinoClosures),
        Venue(id: "centre", name: "Centre", city: "peja", zone: belgrade, openingHours: .always),
        Venue(id: "club", name: "Club", city: "peja", zone: belgrade, openingHours: clubHours),
        Venue(id: "lumbardhi", name: "Lumbardhi", city: "prizren", zone: belgrade, openingHours: .always),
    ]

    static let spaces = [
        Space(
            id: "main-hall", name: "Main hall", venue: "kino", kind: "cinema-hall", capacity: 240,
            rules: SpaceRules(
                setupBuffer: 1800, teardownBuffer: 900, minDuration: 1800, maxDuration: 8 * 3600, minimumNotice: 3600,
                approvalRequired: true)),
        Space(id: "workshop", name: "Workshop", venue: "kino", kind: "workshop-room", capacity: 25),
        Space(
            id: "hall", name: "Hall", venue: "centre", kind: "hall", capacity: 120,
            rules: SpaceRules(setupBuffer: 900, teardownBuffer: 900), linked: ["hall-a", "hall-b"]),
        Space(id: "hall-a", name: "Hall A", venue: "centre", kind: "workshop-room", capacity: 60),
        Space(id: "hall-b", name: "Hall B", venue: "centre", kind: "workshop-room", capacity: 60),
        Space(id: "studio", name: "Studio", venue: "centre", kind: "workshop-room", capacity: 10),
        Space(
            id: "rehearsal", name: "Rehearsal", venue: "centre", kind: "rehearsal-room", capacity: 20,
            rules: SpaceRules(horizon: 30 * 86_400, minimumNotice: 2 * 3600)),
        Space(id: "club-room", name: "Club room", venue: "club", kind: "workshop-room", capacity: 40),
        Space(id: "lum-room", name: "Lumbardhi room", venue: "lumbardhi", kind: "workshop-room", capacity: 30),
    ]

    static let organisations = [
        Organisation(id: "anibar", name: "Anibar", kind: "member"),
        Organisation(id: "dokufest", name: "DokuFest", kind: "member"),
        Organisation(id: "secretariat", name: "Secretariat", kind: "secretariat"),
    ]

    static func catalogue(quotas: [Quota] = [], pendingBlocks: Bool = true) -> Catalogue {
        Catalogue(
            cities: [City(id: "peja", name: "Peja"), City(id: "prizren", name: "Prizren")], venues: venues,
            spaces: spaces, organisations: organisations, categories: ["screening", "workshop"], quotas: quotas,
            pendingBlocks: pendingBlocks)
    }

    static func engine(
        _ catalogue: Catalogue = catalogue(), expander: any RecurrenceExpanding = FakeExpander(), limit: Int = 500
    ) -> BookingEngine {
        BookingEngine(catalogue: catalogue, expander: expander, occurrenceLimit: limit)
    }

    /// Friday 2026-05-01 08:00 in Belgrade: "now" for most tests.
    static let now = bg(2026, 5, 1, 8, 0)

    static func draft(
        _ space: String, _ start: Int64, _ end: Int64, organisation: String = "anibar", recurrence: String? = nil,
        policy: SeriesPolicy = .allOrNothing, expected: Int? = nil, waitIfBusy: Bool = false
    ) -> BookingDraft {
        BookingDraft(
            space: space, organisation: organisation, title: "Screening", category: "screening", start: start,
            end: end, recurrence: recurrence, seriesPolicy: policy, expectedAttendance: expected,
            waitIfBusy: waitIfBusy)
    }
}

/// A count shared by copies of the value that holds it.
final class Tally: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func increment() { count.add(1, ordering: .relaxed) }
}

/// An in-memory ledger answering like the storage adapter: only blocking occurrences, widened by
/// their own space's buffers; pending ones only when the catalogue says pending bookings block.
struct FakeLedger: BookingLedger {
    let catalogue: Catalogue
    private(set) var occurrences: [BusyOccurrence] = []
    /// Closures added at run time, per venue.
    var runtimeClosures: [String: [Closure]] = [:]
    /// How often the runtime closures were read (shared by copies of this ledger).
    let closureReads = Tally()
    private var nextID: Int64 = 1

    init(catalogue: Catalogue) { self.catalogue = catalogue }

    /// Adds a booking with one occurrence per interval and returns its id.
    @discardableResult
    mutating func add(
        _ space: String, _ intervals: [Interval], organisation: String = "dokufest", status: BookingStatus = .confirmed,
        bookingID: Int64? = nil
    ) -> Int64 {
        let id = bookingID ?? nextID
        nextID = max(nextID, id) + 1
        let rules = catalogue.space(space)!.rules
        for (index, interval) in intervals.enumerated() {
            occurrences.append(
                BusyOccurrence(
                    bookingID: id, occurrenceID: id * 1000 + Int64(index), space: space, organisation: organisation,
                    title: "Existing", visibility: .public, status: status, interval: interval,
                    block: interval.widened(before: rules.setupBuffer, after: rules.teardownBuffer)))
        }
        return id
    }

    @discardableResult
    mutating func add(
        _ space: String, _ start: Int64, _ end: Int64, organisation: String = "dokufest",
        status: BookingStatus = .confirmed
    ) -> Int64 {
        add(space, [Interval(start: start, end: end)], organisation: organisation, status: status)
    }

    func blockingOccurrences(spaces: [String], overlapping block: Interval) throws -> [BusyOccurrence] {
        occurrences.filter {
            spaces.contains($0.space) && $0.block.overlaps(block)
                && $0.status.blocks(pendingBlocks: catalogue.pendingBlocks)
        }
    }

    func closures(venue: String) throws -> [Closure] {
        closureReads.increment()
        return runtimeClosures[venue] ?? []
    }

    func bookedSeconds(
        organisation: String, venues: [String], startingWithin period: Interval, excluding: Int64?
    )
        throws -> Int64
    {
        occurrences.filter {
            $0.organisation == organisation && $0.bookingID != excluding
                && $0.status.blocks(pendingBlocks: catalogue.pendingBlocks)
                && period.start <= $0.interval.start && $0.interval.start < period.end
                && (venues.isEmpty || venues.contains(catalogue.space($0.space)!.venue))
        }.reduce(0) { $0 + $1.interval.duration }
    }
}

/// Understands `FREQ=DAILY|WEEKLY[;COUNT=n]` and expands it in wall-clock time, stopping like the
/// libical expander does: past `windowEnd` or at `limit` the expansion is truncated.
struct FakeExpander: RecurrenceExpanding {
    func expand(
        rule: String, start: LocalDateTime, zone: Zone, windowEnd: LocalDateTime, limit: Int
    ) throws(RecurrenceError) -> Expansion {
        var step = 0
        var count: Int?
        for part in rule.split(separator: ";") {
            switch part {
            case "FREQ=DAILY": step = 1
            case "FREQ=WEEKLY": step = 7
            case "FREQ=HOURLY": throw .tooFrequent("HOURLY")
            default:
                guard part.hasPrefix("COUNT="), let n = Int(part.dropFirst(6)) else { throw .invalid(String(part)) }
                count = n
            }
        }
        guard step > 0 else { throw .invalid(rule) }
        var starts: [LocalDateTime] = []
        var next = start
        while count.map({ starts.count < $0 }) ?? true {
            if next > windowEnd || starts.count == limit { return Expansion(starts: starts, truncated: true) }
            starts.append(next)
            let date = next.date.adding(days: step)
            next = LocalDateTime(
                year: date.year, month: date.month, day: date.day, hour: next.hour, minute: next.minute,
                second: next.second)
        }
        return Expansion(starts: starts, truncated: false)
    }
}

/// Answers every rule with a fixed expansion or error.
struct StubExpander: RecurrenceExpanding {
    var result: Result<Expansion, RecurrenceError>

    func expand(
        rule: String, start: LocalDateTime, zone: Zone, windowEnd: LocalDateTime, limit: Int
    ) throws(RecurrenceError) -> Expansion {
        try result.get()
    }
}

extension Result {
    var decision: Success? { if case .success(let value) = self { value } else { nil } }
    var refusal: Failure? { if case .failure(let value) = self { value } else { nil } }
}

extension BookingError {
    /// A short, comparable summary: `invalid:field`, `notFound:what:id`, …
    var summary: String {
        switch self {
        case .invalid(let field, _): "invalid:\(field)"
        case .notFound(let what, let id): "notFound:\(what):\(id)"
        case .forbidden: "forbidden"
        case .refused: "refused"
        case .wrongStatus(let status, let action): "wrongStatus:\(status.rawValue):\(action)"
        }
    }

    var message: String? {
        if case .invalid(_, let message) = self { message } else { nil }
    }
}

extension Interval: CustomTestStringConvertible {
    public var testDescription: String {
        "\(Zone.utc.local(start))Z..\(Zone.utc.local(end))Z"
    }
}

extension Fixture {
    /// Belgrade wall-clock text such as `2026-05-11T18:00` as an instant (test literals only).
    static func at(_ local: String) -> Int64 {
        do {
            return try TimeInput.parse("\(local)[Europe/Belgrade]")
        } catch {
            fatalError("bad test time \(local): \(error)")
        }
    }

    static func span(_ from: String, _ to: String) -> Interval { Interval(start: at(from), end: at(to)) }
}
