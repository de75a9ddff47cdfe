/// Why a booking request, or a change to a booking, was not done.
public enum BookingError: Error, Sendable {
    /// The request itself is wrong (422): names the field.
    case invalid(field: String, message: String)
    /// Something the request names does not exist (404, or 422 when it is a field of the body).
    case notFound(what: String, id: String)
    /// The caller may not do this (403).
    case forbidden(String)
    /// The rules or the calendar refuse it (409), with what is in the way and what is free instead.
    case refused(Refusal)
    /// The booking is in a status where this action makes no sense (409).
    case wrongStatus(BookingStatus, action: String)
}

/// One occurrence and the rules it breaks.
public struct OccurrenceCheck: Sendable, Hashable {
    public var interval: Interval
    public var violations: [RuleViolation]

    public init(interval: Interval, violations: [RuleViolation]) {
        self.interval = interval
        self.violations = violations
    }

    public var isBookable: Bool { violations.isEmpty }
}

/// A refusal: the occurrences that broke rules, and alternatives (filled in by the caller).
public struct Refusal: Error, Sendable {
    public var refused: [OccurrenceCheck]
    public var alternatives: Alternatives

    public init(refused: [OccurrenceCheck], alternatives: Alternatives = Alternatives()) {
        self.refused = refused
        self.alternatives = alternatives
    }

    /// The most telling violation: conflicts first, then the first rule broken.
    public var primary: RuleViolation? {
        let all = refused.flatMap(\.violations)
        return all.first { $0.code == "conflict" } ?? all.first
    }
}

/// The outcome of checking a request that may be stored.
public struct Decision: Sendable {
    public var status: BookingStatus
    public var occurrences: [Interval]
    public var skipped: [SkippedOccurrence]
    /// For a `waiting` decision: what is in the way now.
    public var blockedBy: [OccurrenceCheck]
}

/// The booking rules: plans occurrences from a draft and decides whether they can be booked.
/// Pure: everything it knows about existing bookings comes through a ``BookingLedger``.
public struct BookingEngine: Sendable {
    public let catalogue: Catalogue
    public let expander: any RecurrenceExpanding
    /// The most occurrences a series may have.
    public let occurrenceLimit: Int

    public init(catalogue: Catalogue, expander: any RecurrenceExpanding, occurrenceLimit: Int = 500) {
        self.catalogue = catalogue
        self.expander = expander
        self.occurrenceLimit = occurrenceLimit
    }

    /// Checks the parts of a draft that do not depend on the calendar and expands its recurrence.
    public func plan(_ draft: BookingDraft, now: Int64) throws(BookingError) -> [Interval] {
        guard let space = catalogue.space(draft.space) else {
            throw .notFound(what: "space", id: draft.space)
        }
        guard let venue = catalogue.venue(of: space) else { throw .notFound(what: "venue", id: space.venue) }
        guard catalogue.organisation(draft.organisation) != nil else {
            throw .notFound(what: "organisation", id: draft.organisation)
        }
        guard catalogue.categories.contains(draft.category) else {
            throw .invalid(
                field: "category",
                message: "unknown category '\(draft.category)'; one of: \(catalogue.categories.joined(separator: ", "))"
            )
        }
        let title = draft.title.trimmingWhitespace
        guard !title.isEmpty, title.count <= 200 else {
            throw .invalid(field: "title", message: "title must be 1 to 200 characters")
        }
        guard draft.end > draft.start else { throw .invalid(field: "end", message: "end must be after start") }
        if let expected = draft.expectedAttendance, expected < 0 {
            throw .invalid(field: "expected_attendance", message: "expected_attendance cannot be negative")
        }
        guard let rule = draft.recurrence else { return [draft.interval] }

        let duration = draft.end - draft.start
        let zone = venue.zone
        let windowEnd = zone.local(now + space.rules.horizon)
        let expansion: Expansion
        do {
            expansion = try expander.expand(
                rule: rule, start: zone.local(draft.start), zone: zone, windowEnd: windowEnd, limit: occurrenceLimit)
        } catch {
            throw .invalid(field: "recurrence", message: error.description)
        }
        if expansion.truncated {
            let reason: RecurrenceError =
                expansion.starts.count >= occurrenceLimit
                ? .tooManyOccurrences(limit: occurrenceLimit)
                : (rule.uppercased().contains("COUNT=") || rule.uppercased().contains("UNTIL="))
                    ? .runsPastHorizon(lastAllowed: windowEnd) : .unbounded
            throw .invalid(field: "recurrence", message: reason.description)
        }
        var intervals = expansion.starts.map { local -> Interval in
            let start = zone.resolvedInstant(for: local)
            return Interval(start: start, end: start + duration)
        }
        if intervals.first?.start != draft.start { intervals.insert(draft.interval, at: 0) }
        if !draft.excluded.isEmpty {
            let excluded = Set(draft.excluded)
            intervals.removeAll { excluded.contains($0.start) }
            guard !intervals.isEmpty else {
                throw .invalid(field: "excluded", message: "every occurrence of the series is excluded")
            }
        }
        // Overlapping occurrences of one series (e.g. FREQ=DAILY for a 30-hour event) are nonsense.
        for (a, b) in zip(intervals, intervals.dropFirst()) where a.overlaps(b) {
            throw .invalid(field: "recurrence", message: "occurrences of the series overlap each other")
        }
        return intervals
    }

    /// Checks every occurrence against the rules and the ledger and decides what may be stored.
    /// - Parameters:
    ///   - excluding: the booking being changed, whose own occurrences never conflict with it.
    ///   - autoApprove: the caller may confirm directly (a manager of the venue, or an admin).
    public func decide(
        _ draft: BookingDraft, occurrences: [Interval], now: Int64, ledger: some BookingLedger,
        excluding: Int64? = nil, autoApprove: Bool = false
    ) throws -> Result<Decision, Refusal> {
        guard let space = catalogue.space(draft.space), let venue = catalogue.venue(of: space) else {
            throw BookingError.notFound(what: "space", id: draft.space)
        }
        if let violation = capacityViolation(draft, in: space) {
            return .failure(
                Refusal(refused: [
                    OccurrenceCheck(interval: occurrences.first ?? draft.interval, violations: [violation])
                ]))
        }
        var quotaLedger = QuotaTally(
            catalogue: catalogue, organisation: draft.organisation, venue: venue, excluding: excluding)
        var checks: [OccurrenceCheck] = []
        let calendar = try self.calendar(of: venue, ledger: ledger)
        for interval in occurrences {
            var violations = try check(
                interval, in: space, calendar: calendar, now: now, ledger: ledger, excluding: excluding)
            if violations.isEmpty {
                violations += try quotaLedger.admit(interval, ledger: ledger)
            }
            checks.append(OccurrenceCheck(interval: interval, violations: violations))
        }
        let refused = checks.filter { !$0.isBookable }
        let bookable = checks.filter(\.isBookable).map(\.interval)
        let status: BookingStatus = space.rules.approvalRequired && !autoApprove ? .pending : .confirmed

        if refused.isEmpty {
            return .success(Decision(status: status, occurrences: bookable, skipped: [], blockedBy: []))
        }
        let onlyConflicts = refused.allSatisfy { $0.violations.allSatisfy { $0.code == "conflict" } }
        if draft.waitIfBusy && onlyConflicts {
            return .success(Decision(status: .waiting, occurrences: occurrences, skipped: [], blockedBy: refused))
        }
        if draft.seriesPolicy == .skipConflicts && draft.recurrence != nil && !bookable.isEmpty {
            let skipped = refused.map { SkippedOccurrence(interval: $0.interval, violations: $0.violations) }
            return .success(Decision(status: status, occurrences: bookable, skipped: skipped, blockedBy: []))
        }
        return .failure(Refusal(refused: refused))
    }

    /// Expected attendance beyond the space's capacity, if so.
    public func capacityViolation(_ draft: BookingDraft, in space: Space) -> RuleViolation? {
        guard let expected = draft.expectedAttendance, expected > space.capacity else { return nil }
        return .overCapacity(capacity: space.capacity, expected: expected)
    }

    /// A venue's calendar: its configured opening hours and closures, and the closures added at run time
    /// that the ledger holds (read once per request, not per occurrence).
    public func calendar(of venue: Venue, ledger: some BookingLedger) throws -> VenueCalendar {
        VenueCalendar(venue: venue, adding: try ledger.closures(venue: venue.id))
    }

    /// The rules for one occurrence in one space of the venue whose `calendar` is given, without quotas.
    public func check(
        _ interval: Interval, in space: Space, calendar: VenueCalendar, now: Int64, ledger: some BookingLedger,
        excluding: Int64? = nil
    ) throws -> [RuleViolation] {
        var violations = staticViolations(interval, in: space, calendar: calendar, now: now)
        let others = try conflicts(interval, in: space, ledger: ledger, excluding: excluding)
        if !others.isEmpty { violations.insert(.conflict(others), at: 0) }
        return violations
    }

    /// Bookings whose widened block overlaps the occurrence's, in the space or a linked one.
    public func conflicts(
        _ interval: Interval, in space: Space, ledger: some BookingLedger, excluding: Int64? = nil
    )
        throws -> [BusyOccurrence]
    {
        let block = interval.widened(before: space.rules.setupBuffer, after: space.rules.teardownBuffer)
        return try ledger.blockingOccurrences(spaces: catalogue.blockingGroup(of: space), overlapping: block)
            .filter { $0.bookingID != excluding && $0.block.overlaps(block) }
    }

    /// The rules that depend only on the clock and the venue's calendar (opening hours, closures).
    public func staticViolations(
        _ interval: Interval, in space: Space, calendar: VenueCalendar, now: Int64
    ) -> [RuleViolation] {
        var violations: [RuleViolation] = []
        let rules = space.rules
        if interval.duration < rules.minDuration { violations.append(.tooShort(minimum: rules.minDuration)) }
        if interval.duration > rules.maxDuration { violations.append(.tooLong(maximum: rules.maxDuration)) }
        if interval.start < now {
            violations.append(.inThePast)
        } else if interval.start < now + rules.minimumNotice {
            violations.append(.insufficientNotice(minimum: rules.minimumNotice))
        }
        if interval.start > now + rules.horizon { violations.append(.beyondHorizon(maximum: rules.horizon)) }
        if let closure = calendar.closure(touching: interval) {
            violations.append(.closed(reason: closure.reason))
        } else if !calendar.isOpen(throughout: interval) {
            violations.append(.outsideOpeningHours)
        }
        return violations
    }
}

/// Running totals of an organisation's booked time per quota period while a series is checked.
struct QuotaTally {
    let quotas: [Quota]
    let organisation: String
    let venue: Venue
    let excluding: Int64?
    /// Seconds this request has already added, per quota (by index) and period start.
    private var added: [QuotaPeriod: Int64] = [:]

    private struct QuotaPeriod: Hashable {
        var quota: Int
        var start: Int64
    }

    init(catalogue: Catalogue, organisation: String, venue: Venue, excluding: Int64?) {
        quotas = catalogue.quotas.filter { $0.applies(toOrganisation: organisation, venue: venue.id) }
        self.organisation = organisation
        self.venue = venue
        self.excluding = excluding
    }

    /// Checks the occurrence against every quota and, when it fits, counts it.
    mutating func admit(_ interval: Interval, ledger: some BookingLedger) throws -> [RuleViolation] {
        var periods: [QuotaPeriod] = []
        for (index, quota) in quotas.enumerated() {
            let (from, to) = quota.period(containing: venue.zone.local(interval.start).date)
            let period = Interval(start: venue.zone.startOfDay(from), end: venue.zone.startOfDay(to))
            let booked =
                try ledger.bookedSeconds(
                    organisation: organisation, venues: quota.venues, startingWithin: period, excluding: excluding)
                + added[QuotaPeriod(quota: index, start: period.start), default: 0]
            if Double(booked + interval.duration) > quota.maxHours * 3600 {
                return [.quotaExceeded(quota, bookedSeconds: booked)]
            }
            periods.append(QuotaPeriod(quota: index, start: period.start))
        }
        for period in periods { added[period, default: 0] += interval.duration }
        return []
    }
}

extension String {
    var trimmingWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
