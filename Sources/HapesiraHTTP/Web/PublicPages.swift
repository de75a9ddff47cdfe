import Foundation
import HapesiraCore
import HapesiraStore
import Hummingbird

/// The public pages, no sign-in needed: `/` (every city, venue and space, with its week view and
/// subscribe links) and the week views `/week/{cities|venues|spaces}/{id}?date=YYYY-MM-DD`. An
/// anonymous visitor sees public bookings in full and private ones as busy time; a signed-in caller
/// sees what the API shows it (``Caller/seesDetails(of:organisation:venue:)``).
struct PublicPages: Sendable {
    let pages: WebPages
    let store: BookingStore
    let now: @Sendable () -> Int64

    var catalogue: Catalogue { pages.catalogue }

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("/") { request, context in home(request, context) }
        for kind in PublicPlace.Kind.allCases {
            router.get("week/\(kind.rawValue)/{id}") { request, context in
                try await week(kind, request, context)
            }
        }
    }

    private func home(_ request: Request, _ context: AppRequestContext) -> Response {
        let links = pages.feedLinks(request)
        func item(_ place: PublicPlace, _ extra: [String: Any] = [:]) -> [String: Any] {
            var values: [String: Any] = [
                "id": place.id, "name": place.name, "week": place.weekPath(), "feed": links.values(place),
            ]
            values.merge(extra) { _, new in new }
            return values
        }
        let cities = catalogue.cities.map { city in
            item(
                .city(city),
                [
                    "venues": PublicPlace.city(city).venues(in: catalogue).map { venue, spaces in
                        item(
                            .venue(venue),
                            [
                                "spaces": spaces.map {
                                    item(.space($0), ["kind": $0.kind, "capacity": $0.capacity])
                                }
                            ])
                    }
                ])
        }
        return pages.render("home", ["cities": cities], request, context)
    }

    private func week(
        _ kind: PublicPlace.Kind, _ request: Request, _ context: AppRequestContext
    ) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let place = PublicPlace(kind, id: id, in: catalogue) else {
            return pages.problem(
                request, context, status: .notFound, heading: "not_found_title", message: "not_found_\(kind.rawValue)",
                detail: id)
        }
        let venues = place.venues(in: catalogue)
        let date: LocalDate
        if let text = request.uri.queryParameters.get("date") {
            do { date = try ReportQuery.date(text, field: "date") } catch {
                return pages.problem(
                    request, context, status: .unprocessableContent, heading: "invalid_title",
                    message: "invalid_parameter", detail: "date=\(text)", hint: "invalid_date")
            }
        } else {
            date = (venues.first?.venue.zone ?? .utc).local(now()).date
        }
        let week = CalendarWeek(containing: date)

        let clock = ContinuousClock()
        let started = clock.now
        let spans = venues.map { week.interval(in: $0.venue.zone) }
        var bookings: [Booking] = []
        if let first = spans.map(\.start).min(), let last = spans.map(\.end).max() {
            bookings = try await store.activeBookings(
                spaces: venues.flatMap { $0.spaces.map(\.id) }, overlapping: Interval(start: first, end: last))
        }
        let loaded = clock.now
        let texts = pages.renderer.texts(Language.of(request))
        let schedules = venues.map { venue, spaces in
            VenueWeek(
                venue: venue, spaces: spaces, week: week, bookings: bookings, caller: context.caller,
                catalogue: catalogue)
        }
        var values = weekValues(place, week, schedules, texts: texts)
        values["feed"] = pages.feedLinks(request).values(place)
        var response = pages.render("week", values, request, context)
        let rendered = clock.now
        let shown = schedules.reduce(0) { $0 + $1.count }
        response.headers[.serverTiming] =
            "db;dur=\(milliseconds(loaded - started)), "
            + "render;dur=\(milliseconds(rendered - loaded));desc=\"\(shown) occurrences\""
        return response
    }

    private func weekValues(
        _ place: PublicPlace, _ week: CalendarWeek, _ schedules: [VenueWeek], texts: [String: String]
    ) -> [String: Any] {
        let crumbs = (place.parents(in: catalogue) + [place]).map { crumb -> [String: Any] in
            ["name": crumb.name, "url": crumb.weekPath(week.monday), "current": crumb.id == place.id]
        }
        return [
            "placeName": place.name, "crumbs": crumbs, "action": place.weekPath(), "thisWeek": place.weekPath(),
            "previous": place.weekPath(week.previous.monday), "next": place.weekPath(week.next.monday),
            "monday": week.monday.description, "sunday": week.sunday.description, "range": WeekText.range(week),
            "venues": schedules.map { venueValues($0, showHeading: schedules.count > 1, texts: texts) },
        ]
    }

    private func venueValues(_ schedule: VenueWeek, showHeading: Bool, texts: [String: String]) -> [String: Any] {
        let zone = schedule.venue.zone
        let monday = schedule.week.monday
        return [
            "id": schedule.venue.id, "name": schedule.venue.name, "zone": zone.identifier, "heading": showHeading,
            "url": PublicPlace.venue(schedule.venue).weekPath(monday),
            "spaces": schedule.spaces.map { ["name": $0.name, "url": PublicPlace.space($0).weekPath(monday)] },
            "days": schedule.week.days.enumerated().map { index, day -> [String: Any] in
                [
                    "date": day.description,
                    "label": "\(texts["weekday_name_\(day.weekday)"] ?? "") \(WeekText.day(day))",
                    "cells": schedule.spaces.enumerated().map { column, space -> [String: Any] in
                        let entries = schedule.entries[column][index]
                        return [
                            "space": space.id, "spaceName": space.name, "any": !entries.isEmpty,
                            "items": entries.map { $0.listItem(on: day, zone: zone, texts: texts) }.joined(
                                separator: "\n"),
                        ]
                    },
                ]
            },
        ]
    }

    private func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
}
