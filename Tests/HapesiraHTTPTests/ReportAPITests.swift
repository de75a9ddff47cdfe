import Foundation
import HapesiraCore
import HapesiraHTTP
import HapesiraStore
import Hummingbird
import HummingbirdTesting
import Testing

/// February 2027 in the Peja cinema: two confirmed screenings in the main hall (sensors: used on the
/// 10th, nobody on the 11th), an assembly in the workshop room (no sensors), a private workshop.
private func february(_ server: TestServer, _ client: any TestClientProtocol) async throws {
    let journal = SensorJournal(database: server.store.database)
    func motion(_ detected: Bool, at time: Int64) throws {
        try journal.record(
            SensorObservation(sensor: "kino-hall-motion", value: .motion(detected: detected)), verdict: .event,
            space: "kino-main-hall", topic: "zigbee2mqtt/anibar/main-hall/motion", receivedAt: time)
    }
    // 2027-02-10 16:50 UTC the sensor wakes (clear); detections at 17:10 and 18:50 UTC (18:10, 19:50 local).
    let day: Int64 = LocalDateTime(year: 2027, month: 2, day: 10).localSeconds
    try motion(false, at: day + 16 * 3600 + 50 * 60)
    try motion(true, at: day + 17 * 3600 + 10 * 60)
    try motion(true, at: day + 18 * 3600 + 50 * 60)
    for date in ["10", "11"] {
        _ = try await client.book(
            server, as: "manager",
            body: bookingBody(
                space: "kino-main-hall", title: "Screening, \"Kino\"", category: "screening",
                start: "2027-02-\(date)T18:00:00+01:00", end: "2027-02-\(date)T20:00:00+01:00"))
    }
    _ = try await client.book(
        server, as: "manager",
        body: bookingBody(
            category: "assembly", start: "2027-02-12T10:00:00+01:00", end: "2027-02-12T12:00:00+01:00",
            extra: ["organisation": "anibar"]))
    _ = try await client.book(
        server, as: "lumbardhi",
        body: bookingBody(
            title: "Secret", start: "2027-02-15T10:00:00+01:00", end: "2027-02-15T11:00:00+01:00",
            extra: ["visibility": "private"]))
    server.clock.set(LocalDateTime(year: 2027, month: 3, day: 2).localSeconds)
}

private let februaryQuery = "from=2027-02-01&to=2027-03-01&period=month&by=space&venue=kino-jusuf-gervalla"

@Suite("Reports API")
struct ReportAPITests {
    @Test("utilisation per space: booked and used hours, no-shows, as JSON and as RFC 4180 CSV")
    func utilisation() async throws {
        let server = try TestServer()
        try await server.run { client in
            try await february(server, client)
            let body = try json(
                try await client.get("/api/v1/reports/utilisation?\(februaryQuery)", server, as: "viewer"))
            #expect(body["period"] as? String == "month")
            let rows = try #require(body["items"] as? [[String: Any]])
            let hall = try #require(rows.first { $0["group"] as? String == "kino-main-hall" })
            #expect(hall["period"] as? String == "2027-02")
            #expect(hall["booked_hours"] as? Double == 4)  // two screenings of 2 h
            #expect(hall["used_hours"] as? Double == 0.05)  // two detections held 90 s each: 180 s
            #expect(hall["occurrences"] as? Int == 2)
            #expect(hall["covered_occurrences"] as? Int == 2)
            #expect(hall["no_shows"] as? Int == 1)
            #expect(hall["no_show_rate"] as? Double == 0.5)
            let room = try #require(rows.first { $0["group"] as? String == "kino-workshop-room" })
            #expect(room["booked_hours"] as? Double == 3)  // the assembly (2 h) and the private workshop (1 h)
            #expect(room["no_show_rate"] is NSNull, "no sensors: no outcome, no rate")

            // A viewer sees the private workshop counted, not described.
            let shares = try #require(body["shares_by_organisation"] as? [[String: Any]])
            #expect(shares.contains { $0["organisation"] as? String == "(private)" })
            #expect(!shares.contains { $0["organisation"] as? String == "lumbardhi" })

            let csv = try await client.get(
                "/api/v1/reports/utilisation?\(februaryQuery)&format=csv", server, as: "viewer")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv; charset=utf-8") == true)
            let lines = String(buffer: csv.body).components(separatedBy: "\r\n")
            #expect(lines[0].hasPrefix("group,period,from,to,complete,available_hours,booked_hours,used_hours"))
            #expect(lines.contains { $0.hasPrefix("kino-main-hall,2027-02,2027-02-01,2027-03-01,true,") })
            #expect(lines.last == "", "every line ends with CRLF")
        }
    }

    @Test("bad requests name the field; no token is 401")
    func badRequests() async throws {
        let server = try TestServer()
        try await server.run { client in
            for (query, field) in [
                ("to=2027-03-01", "from"), ("from=2027-02-30&to=2027-03-01", "from"),
                ("from=2027-03-01&to=2027-02-01", "to"), ("from=2027-02-01&to=2027-03-01&period=fortnight", "period"),
                ("from=2027-02-01&to=2027-03-01&by=colour", "by"),
                ("from=2027-02-01&to=2027-03-01&format=xml", "format"),
                ("from=2027-02-01&to=2027-03-01&space=atlantis", "space"),
                ("from=2027-02-01&to=2027-03-01&format=csv&table=secrets", "table"),
            ] {
                let response = try await client.get("/api/v1/reports/utilisation?\(query)", server, as: "viewer")
                #expect(response.status == .unprocessableContent, "\(query)")
                #expect(try json(response)["field"] as? String == field, "\(query)")
            }
            let anonymous = try await client.get("/api/v1/reports/utilisation?\(februaryQuery)", server, as: nil)
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test("indicators count what took place: verified where sensors saw it, unverified without sensors")
    func indicators() async throws {
        let server = try TestServer()
        try await server.run { client in
            try await february(server, client)
            let items = try #require(
                try json(try await client.get("/api/v1/reports/indicators?\(februaryQuery)", server, as: "viewer"))[
                    "items"] as? [[String: Any]])
            let assemblies = try #require(
                items.first { $0["indicator"] as? String == "Network assemblies" && $0["group"] as? String == "peja" })
            #expect(assemblies["target"] as? Double == 2)
            #expect(assemblies["actual"] as? Double == 1)
            #expect(assemblies["unverified"] as? Double == 1)  // the workshop room has no sensors
            #expect(assemblies["complete"] as? Bool == false, "February is part of the year")
            // Programme hours of the main hall: the attended screening counts (verified), the no-show does not.
            let hours = try #require(
                items.first {
                    $0["indicator"] as? String == "Programme hours" && $0["group"] as? String == "kino-main-hall"
                })
            #expect(hours["verified"] as? Double == 2)
            #expect(hours["unverified"] as? Double == 0)
        }
    }

    @Test("open data: per space and month, stable columns, no organisation, no title")
    func openData() async throws {
        let server = try TestServer()
        try await server.run { client in
            try await february(server, client)
            let csv = String(
                buffer: try await client.get(
                    "/api/v1/reports/open-data?\(februaryQuery)&format=csv", server, as: "viewer"
                ).body)
            let lines = csv.components(separatedBy: "\r\n")
            #expect(
                lines[0]
                    == "space,space_name,venue,city,month,complete,available_hours,booked_hours,used_hours,unknown_hours,"
                    + "unbooked_use_hours,utilisation,occupancy_of_booked_time,occurrences,covered_occurrences,no_show_rate,"
                    + "peak_attendance,attendance_total")
            #expect(lines.contains { $0.hasPrefix("kino-main-hall,Main hall,kino-jusuf-gervalla,peja,2027-02,true,") })
            for secret in ["lumbardhi", "anibar", "Secret", "Screening"] { #expect(!csv.contains(secret)) }
        }
    }

    @Test("the /reports page shows the API's numbers, in the chosen language, with its SVG charts and CSV links")
    func page() async throws {
        let server = try TestServer()
        try await server.run { client in
            try await february(server, client)
            // Without a session: to the sign-in page, and back after it.
            let anonymous = try await client.page("/reports?\(februaryQuery)")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location]?.hasPrefix("/login?next=/reports") == true)

            let cookie = try #require(
                sessionCookie(try await client.form("/login", ["token": server.tokens["viewer"]!])))
            let page = try await client.page("/reports?\(februaryQuery)&lang=en", cookie: cookie)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("<h1>Utilisation and indicators</h1>"))
            #expect(html.components(separatedBy: "<svg role=\"img\"").count == 4, "bars, heat map and shares")
            #expect(html.contains("<rect"))

            // Every figure of every row equals the API's, formatted the same way.
            let api = try json(
                try await client.get("/api/v1/reports/utilisation?\(februaryQuery)", server, as: "viewer"))
            let rows = try #require(api["items"] as? [[String: Any]])
            #expect(rows.count == 3)
            for row in rows {
                let key = "\(row["group"] as! String)|\(row["period"] as! String)"
                let start = try #require(html.range(of: "data-row=\"\(key)\""), "row \(key)")
                let cells = html[start.upperBound...].components(separatedBy: "</tr>")[0]
                for column in ["booked_hours", "used_hours", "available_hours", "unknown_hours"] {
                    let expected = (row[column] as? Double).map { String(format: "%.2f", $0) } ?? ""
                    #expect(cells.contains("data-column=\"\(column)\">\(expected)</td>"), "\(key) \(column)")
                }
                let covered = (row["covered_occurrences"] as? NSNumber)?.intValue ?? -1
                #expect(cells.contains("data-column=\"covered_occurrences\">\(covered)</td>"), "\(key)")
                for column in ["utilisation", "no_show_rate"] {
                    let expected = (row[column] as? Double).map { String(format: "%.2f %%", $0 * 100) } ?? ""
                    #expect(cells.contains("data-column=\"\(column)\">\(expected)</td>"), "\(key) \(column)")
                }
            }

            // The CSV link of the table answers the same table as the API's CSV.
            let link = try #require(
                html.firstMatch(of: /href="(\/reports\/utilisation\.csv\?[^"]+table=utilisation)"/)?.output.1)
            let viaPage = try await client.page(
                String(link).replacingOccurrences(of: "&amp;", with: "&"), cookie: cookie)
            let viaAPI = try await client.get(
                "/api/v1/reports/utilisation?\(februaryQuery)&format=csv", server, as: "viewer")
            #expect(String(buffer: viaPage.body) == String(buffer: viaAPI.body))

            let bad = try await client.page("/reports?from=2027-02-01&to=2026-01-01", cookie: cookie)
            #expect(bad.status == .unprocessableContent)
            #expect(String(buffer: bad.body).contains("role=\"alert\""))
        }
    }
}
