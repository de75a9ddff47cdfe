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
    }

    public func city(_ id: String) -> City? { cityByID[id] }
    public func venue(_ id: String) -> Venue? { venueByID[id] }
    public func space(_ id: String) -> Space? { spaceByID[id] }
    public func organisation(_ id: String) -> Organisation? { organisationByID[id] }

    public func venue(of space: Space) -> Venue? { venueByID[space.venue] }

    /// The space itself and every space linked to it, in either direction.
    public func blockingGroup(of space: Space) -> [String] {
        var group = Set([space.id])
        group.formUnion(space.linked)
        for other in spaces where other.linked.contains(space.id) { group.insert(other.id) }
        return group.sorted()
    }

    /// The longest widened occurrence any space allows: a lower bound for overlap queries.
    public var longestBlock: Int64 {
        spaces.map { $0.rules.maxDuration + $0.rules.setupBuffer + $0.rules.teardownBuffer }.max() ?? 86_400
    }

    public func spaces(inVenue venue: String) -> [Space] { spaces.filter { $0.venue == venue } }

    public func spaces(inCity city: String) -> [Space] {
        let venueIDs = Set(venues.filter { $0.city == city }.map(\.id))
        return spaces.filter { venueIDs.contains($0.venue) }
    }
}
