import HapesiraCore

/// Turns domain values into the API's JSON, in each venue's local time, hiding what the caller
/// may not see.
struct Views: Sendable {
    let catalogue: Catalogue
    let maxBodyBytes: Int

    func zone(ofSpace id: String) -> Zone {
        catalogue.space(id).flatMap { catalogue.venue(of: $0) }?.zone ?? .utc
    }

    func time(_ instant: Int64, _ zone: Zone) -> JSONValue { .string(TimeInput.format(instant, in: zone)) }

    func interval(_ interval: Interval, _ zone: Zone) -> JSONValue {
        .object(["start": time(interval.start, zone), "end": time(interval.end, zone)])
    }

    func city(_ city: City) -> JSONValue {
        .object([
            "id": .string(city.id), "name": .string(city.name),
            "venues": .array(catalogue.venues.filter { $0.city == city.id }.map { .string($0.id) }),
        ])
    }

    func venue(_ venue: Venue) -> JSONValue {
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        var hours: [String: JSONValue] = [:]
        for day in 1...7 {
            hours[names[day - 1]] = .array(
                (venue.openingHours.days[day] ?? []).map {
                    .string(
                        "\(($0.start / 60).padded2):\(($0.start % 60).padded2)-\(($0.end / 60).padded2):\(($0.end % 60).padded2)"
                    )
                })
        }
        return .object([
            "id": .string(venue.id), "name": .string(venue.name), "city": .string(venue.city),
            "time_zone": .string(venue.zone.identifier), "opening_hours": .object(hours),
            "closures": .array(
                venue.closures.map {
                    .object(["from": .string("\($0.from)"), "to": .string("\($0.to)"), "reason": .string($0.reason)])
                }),
            "spaces": .array(catalogue.spaces(inVenue: venue.id).map { .string($0.id) }),
        ])
    }

    func space(_ space: Space) -> JSONValue {
        let rules = space.rules
        return .object([
            "id": .string(space.id), "name": .string(space.name), "venue": .string(space.venue),
            "city": .optional(catalogue.venue(of: space)?.city), "kind": .string(space.kind),
            "capacity": .int(Int64(space.capacity)), "features": .array(space.features.map(JSONValue.string)),
            "linked": .array(catalogue.blockingGroup(of: space).filter { $0 != space.id }.map(JSONValue.string)),
            "rules": .object([
                "setup_minutes": .int(rules.setupBuffer / 60), "teardown_minutes": .int(rules.teardownBuffer / 60),
                "min_duration_minutes": .int(rules.minDuration / 60),
                "max_duration_minutes": .int(rules.maxDuration / 60), "horizon_days": .int(rules.horizon / 86_400),
                "min_notice_minutes": .int(rules.minimumNotice / 60),
                "approval_required": .bool(rules.approvalRequired),
            ]),
        ])
    }

    func organisation(_ organisation: Organisation) -> JSONValue {
        .object([
            "id": .string(organisation.id), "name": .string(organisation.name), "kind": .string(organisation.kind),
        ])
    }

    /// A booking as the caller may see it: private bookings of others show only as busy time.
    /// A booking; `outcomes` (by occurrence id) adds each occurrence's attendance outcome.
    func booking(_ booking: Booking, for caller: Caller, outcomes: [Int64: AttendanceOutcome]? = nil) -> JSONValue {
        .object(bookingMembers(booking, for: caller, outcomes: outcomes))
    }

    /// The members of ``booking(_:for:outcomes:)``, for responses that add their own.
    func bookingMembers(
        _ booking: Booking, for caller: Caller, outcomes: [Int64: AttendanceOutcome]? = nil
    ) -> [String: JSONValue] {
        let draft = booking.draft
        let zone = zone(ofSpace: draft.space)
        let venue = catalogue.space(draft.space)?.venue
        let full = caller.seesDetails(of: draft.visibility, organisation: draft.organisation, venue: venue ?? "")
        var object: [String: JSONValue] = [
            "id": .int(booking.id), "space": .string(draft.space), "venue": .optional(venue),
            "city": .optional(venue.flatMap { catalogue.venue($0)?.city }),
            "visibility": .string(draft.visibility.rawValue), "status": .string(booking.status.rawValue),
            "start": time(draft.start, zone), "end": time(draft.end, zone), "time_zone": .string(zone.identifier),
            "recurrence": .optional(draft.recurrence), "sequence": .int(Int64(booking.sequence)),
            "occurrences": .array(
                booking.occurrences.map { occurrence in
                    var members: [String: JSONValue] = [
                        "id": .int(occurrence.id), "start": time(occurrence.interval.start, zone),
                        "end": time(occurrence.interval.end, zone),
                        "status": .string(
                            occurrence.released ? "released" : occurrence.cancelled ? "cancelled" : "scheduled"),
                    ]
                    if let outcomes { members["outcome"] = .optional(outcomes[occurrence.id]?.rawValue) }
                    return .object(members)
                }),
            "skipped": .array(booking.skipped.map { interval($0, zone) }),
        ]
        if full {
            object["title"] = .string(draft.title)
            object["organisation"] = .string(draft.organisation)
            object["category"] = .string(draft.category)
            object["description"] = .optional(draft.description)
            object["expected_attendance"] = .optional(draft.expectedAttendance)
            object["series_policy"] = .string(draft.seriesPolicy.rawValue)
            object["created_at"] = .string(TimeInput.format(booking.createdAt, in: .utc))
            object["updated_at"] = .string(TimeInput.format(booking.updatedAt, in: .utc))
        } else {
            object["title"] = .string("Busy")
        }
        return object
    }

    func busy(_ busy: BusyOccurrence, for caller: Caller?) -> JSONValue {
        let zone = zone(ofSpace: busy.space)
        var object: [String: JSONValue] = [
            "booking": .int(busy.bookingID), "occurrence": .int(busy.occurrenceID), "space": .string(busy.space),
            "start": time(busy.interval.start, zone), "end": time(busy.interval.end, zone),
            "blocked_from": time(busy.block.start, zone), "blocked_until": time(busy.block.end, zone),
            "status": .string(busy.status.rawValue), "visibility": .string(busy.visibility.rawValue),
        ]
        if seesDetails(of: busy, caller) {
            object["title"] = .string(busy.title)
            object["organisation"] = .string(busy.organisation)
        } else {
            object["title"] = .string("Busy")
        }
        return .object(object)
    }

    /// Whether the caller sees what is in the way (title, organisation) or only that the time is busy:
    /// the rule of refusals and availability, for the API and the pages alike.
    func seesDetails(of busy: BusyOccurrence, _ caller: Caller?) -> Bool {
        let venue = catalogue.space(busy.space)?.venue ?? ""
        return caller?.seesDetails(of: busy.visibility, organisation: busy.organisation, venue: venue) ?? false
    }

    func violation(_ check: OccurrenceCheck, zone: Zone) -> [JSONValue] {
        check.violations.map {
            .object([
                "occurrence": interval(check.interval, zone), "rule": .string($0.code), "field": .string($0.field),
                "message": .string($0.message),
            ])
        }
    }

    /// The extra members of a refusal: every broken rule, the bookings in the way, and alternatives.
    func refusal(_ refusal: Refusal, caller: Caller?, space: String?) -> [String: JSONValue] {
        let zone = space.map { self.zone(ofSpace: $0) } ?? .utc
        let conflicts = refusal.conflicts.map { busy($0, for: caller) }
        let alternatives = refusal.alternatives
        var alternativeObject: [String: JSONValue] = [
            "slots": .array(
                alternatives.slots.map {
                    .object(["space": .optional(space), "start": time($0.start, zone), "end": time($0.end, zone)])
                }),
            "spaces": .array(
                alternatives.spaces.compactMap { catalogue.space($0) }.map { other in
                    var object: [String: JSONValue] = [
                        "space": .string(other.id), "name": .string(other.name), "venue": .string(other.venue),
                        "capacity": .int(Int64(other.capacity)),
                    ]
                    if let requested = alternatives.requested {
                        object["start"] = time(requested.start, zone)
                        object["end"] = time(requested.end, zone)
                    }
                    return .object(object)
                }),
        ]
        if let requested = alternatives.requested { alternativeObject["for"] = interval(requested, zone) }
        return [
            "violations": .array(refusal.refused.flatMap { violation($0, zone: zone) }),
            "conflicts": .array(conflicts),
            "alternatives": .object(alternativeObject),
        ]
    }

    func audit(_ entry: AuditEntry) -> JSONValue {
        .object([
            "id": .int(entry.id), "at": .string(TimeInput.format(entry.at, in: .utc)),
            "actor": .object(["token": .string(entry.actorToken), "organisation": .string(entry.actorOrganisation)]),
            "action": .string(entry.action), "booking": entry.bookingID.map(JSONValue.int) ?? .null,
            "occurrence": entry.occurrenceID.map(JSONValue.int) ?? .null, "space": .optional(entry.space),
            "organisation": .optional(entry.organisation), "reason": .optional(entry.reason),
            "details": .object(entry.details.mapValues(JSONValue.string)),
        ])
    }
}

extension Int {
    fileprivate var padded2: String { self < 10 ? "0\(self)" : "\(self)" }
}
