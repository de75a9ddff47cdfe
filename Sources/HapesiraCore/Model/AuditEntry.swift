/// A record of one state change: who, when, what, why.
public struct AuditEntry: Sendable, Hashable {
    public var id: Int64
    public var at: Int64
    /// The token that acted (`system` for automatic changes such as promotions).
    public var actorToken: String
    public var actorOrganisation: String
    /// `created`, `queued`, `changed`, `cancelled`, `occurrence-cancelled`, `approved`, `declined`, `promoted`.
    public var action: String
    public var bookingID: Int64?
    public var occurrenceID: Int64?
    public var space: String?
    /// The organisation whose booking it is.
    public var organisation: String?
    public var reason: String?
    public var details: [String: String]

    public init(
        id: Int64 = 0, at: Int64, actorToken: String, actorOrganisation: String, action: String,
        bookingID: Int64? = nil, occurrenceID: Int64? = nil, space: String? = nil, organisation: String? = nil,
        reason: String? = nil, details: [String: String] = [:]
    ) {
        self.id = id
        self.at = at
        self.actorToken = actorToken
        self.actorOrganisation = actorOrganisation
        self.action = action
        self.bookingID = bookingID
        self.occurrenceID = occurrenceID
        self.space = space
        self.organisation = organisation
        self.reason = reason
        self.details = details
    }
}
