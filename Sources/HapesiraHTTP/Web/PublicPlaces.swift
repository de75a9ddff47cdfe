import Foundation
import HapesiraCore
import Hummingbird

/// The places a public page is about: a city (its venues), a venue, or one space. Each has a week
/// view `/week/<kind>/<id>` and a public feed `/ical/<kind>/<id>.ics`.
enum PublicPlace: Sendable {
    case city(City)
    case venue(Venue)
    case space(Space)

    /// The path segment of the kind: `cities`, `venues`, `spaces`.
    enum Kind: String, Sendable, CaseIterable {
        case cities, venues, spaces
    }

    init?(_ kind: Kind, id: String, in catalogue: Catalogue) {
        switch kind {
        case .cities:
            guard let city = catalogue.city(id) else { return nil }
            self = .city(city)
        case .venues:
            guard let venue = catalogue.venue(id) else { return nil }
            self = .venue(venue)
        case .spaces:
            guard let space = catalogue.space(id) else { return nil }
            self = .space(space)
        }
    }

    var kind: Kind {
        switch self {
        case .city: .cities
        case .venue: .venues
        case .space: .spaces
        }
    }

    var id: String {
        switch self {
        case .city(let city): city.id
        case .venue(let venue): venue.id
        case .space(let space): space.id
        }
    }

    var name: String {
        switch self {
        case .city(let city): city.name
        case .venue(let venue): venue.name
        case .space(let space): space.name
        }
    }

    /// The week view, at the week of `date` (this week without one).
    func weekPath(_ date: LocalDate? = nil) -> String {
        "/week/\(kind.rawValue)/\(Self.escaped(id))" + (date.map { "?date=\($0)" } ?? "")
    }

    /// The public iCalendar feed.
    var feedPath: String { "/ical/\(kind.rawValue)/\(Self.escaped(id)).ics" }

    /// The venues the place covers, each with the spaces shown (one for a space).
    func venues(in catalogue: Catalogue) -> [(venue: Venue, spaces: [Space])] {
        switch self {
        case .city(let city):
            catalogue.venues.filter { $0.city == city.id }.map { ($0, catalogue.spaces(inVenue: $0.id)) }
        case .venue(let venue): [(venue, catalogue.spaces(inVenue: venue.id))]
        case .space(let space): catalogue.venue(of: space).map { [($0, [space])] } ?? []
        }
    }

    /// The places above it, outermost first: a space's city and venue, a venue's city.
    func parents(in catalogue: Catalogue) -> [PublicPlace] {
        switch self {
        case .city: []
        case .venue(let venue): catalogue.city(venue.city).map { [.city($0)] } ?? []
        case .space(let space):
            catalogue.venue(of: space).map { PublicPlace.venue($0).parents(in: catalogue) + [.venue($0)] } ?? []
        }
    }

    /// An identifier as one path segment (configured identifiers are plain, but nothing relies on it).
    private static func escaped(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: unreserved) ?? id
    }

    /// RFC 3986's unreserved characters: everything else is percent-encoded.
    static let unreserved = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}

/// The subscribe links of a public feed, absolute on the host the browser asked for: `webcal://`
/// (calendar apps subscribe), Google Calendar's add-by-URL link (a link only: the page loads nothing
/// from Google), and the plain URL to copy.
struct FeedLinks: Sendable {
    /// `host[:port]` as the request named it.
    let authority: String
    /// The scheme of the plain URL.
    let scheme: String

    /// The request's authority, when it is a plain `host[:port]` (else `localhost`: nothing the
    /// client sent is written into a link unchecked). The scheme is `https`, as a public deployment
    /// serves it behind its TLS proxy, or `http` when the browser addressed this machine's loopback
    /// (`make run`), where no TLS can be.
    init(_ request: Request) {
        let given = request.head.authority ?? ""
        let allowed = PublicPlace.unreserved.union(CharacterSet(charactersIn: ":[]"))
        let plain = !given.isEmpty && given.unicodeScalars.allSatisfy(allowed.contains)
        self.init(authority: plain ? given : "localhost")
    }

    init(authority: String) {
        self.authority = authority
        let host =
            authority.hasPrefix("[")
            ? String(authority.prefix { $0 != "]" }) + "]"
            : String(authority.prefix { $0 != ":" })
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "[::1]"
        scheme = loopback ? "http" : "https"
    }

    /// The configured `server.public_url` (`scheme://host[:port]`, checked by the configuration).
    init(publicURL: String) {
        let parts = publicURL.split(separator: "://", maxSplits: 1)
        scheme = String(parts[0])
        authority = parts.count > 1 ? String(parts[1]) : "localhost"
    }

    /// `name`, `url` (to copy), `webcal` and `google` for the `subscribe` partial.
    func values(_ place: PublicPlace) -> [String: Any] { values(name: place.name, path: place.feedPath) }

    /// The subscribe links of the feed at `path` (an organisation's private feed, too).
    func values(name: String, path: String) -> [String: Any] {
        let webcal = "webcal://\(authority)\(path)"
        let cid = webcal.addingPercentEncoding(withAllowedCharacters: PublicPlace.unreserved) ?? webcal
        return [
            "name": name, "url": "\(scheme)://\(authority)\(path)", "webcal": webcal,
            "google": "https://calendar.google.com/calendar/r?cid=\(cid)",
        ]
    }
}
