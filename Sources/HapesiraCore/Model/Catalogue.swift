/// Everything the configuration declares: places, organisations, categories and quotas.
public struct Catalogue: Sendable {
    public let cities: [City]
    public let venues: [Venue]
    public let spaces: [Space]
    public let organisations: [Organisation]
    public let categories: [String]
    public let quotas: [Quota]
    /// Whether `pending` bookings block their slot (the default) or only confirmed ones do.
    public let pendingBlocks: Bool

    private let cityByID: [String: City]
    private let venueByID: [String: Venue]
    private let spaceByID: [String: Space]
    private let organisationByID: [String: Organisation]
    private let groupBySpace: [String: [String]]

    /// The longest widened occurrence any space allows: a lower bound for overlap queries.
    public let longestBlock: Int64

    public init(
        cities: [City], venues: [Venue], spaces: [Space], organisations: [Organisation], categories: [String],
        quotas: [Quota] = [], pendingBlocks: Bool = true
    ) {
        self.cities = cities
        self.venues = venues
        self.spaces = spaces
        self.organisations = organisations
        self.categories = categories
        self.quotas = quotas
        self.pendingBlocks = pendingBlocks
        cityByID = Dictionary(cities.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        venueByID = Dictionary(venues.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        spaceByID = Dictionary(spaces.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        organisationByID = Dictionary(organisations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var groups: [String: Set<String>] = Dictionary(spaces.map { ($0.id, [$0.id]) }, uniquingKeysWith: { a, _ in a })
        for space in spaces {
            for link in space.linked {
                groups[space.id, default: []].insert(link)
                groups[link, default: []].insert(space.id)
            }
        }
        groupBySpace = groups.mapValues { $0.sorted() }
        longestBlock =
            spaces.map { $0.rules.maxDuration + $0.rules.setupBuffer + $0.rules.teardownBuffer }.max() ?? 86_400
    }

    public func city(_ id: String) -> City? { cityByID[id] }
    public func venue(_ id: String) -> Venue? { venueByID[id] }
    public func space(_ id: String) -> Space? { spaceByID[id] }
    public func organisation(_ id: String) -> Organisation? { organisationByID[id] }

    public func venue(of space: Space) -> Venue? { venueByID[space.venue] }

    /// The space itself and every space linked to it, in either direction (sorted).
    public func blockingGroup(of space: Space) -> [String] {
        groupBySpace[space.id] ?? [space.id]
    }

    public func spaces(inVenue venue: String) -> [Space] { spaces.filter { $0.venue == venue } }

    public func spaces(inCity city: String) -> [Space] {
        let venueIDs = Set(venues.filter { $0.city == city }.map(\.id))
        return spaces.filter { venueIDs.contains($0.venue) }
    }
}
