/// What a token may do.
public enum Role: Sendable, Hashable {
    /// Everything, everywhere.
    case admin
    /// Approves, declines and books in the listed venues.
    case manager(venues: [String])
    /// Books, changes and cancels for its own organisation.
    case member
    /// Reads only.
    case viewer

    public var name: String {
        switch self {
        case .admin: "admin"
        case .manager: "manager"
        case .member: "member"
        case .viewer: "viewer"
        }
    }
}

/// Who is making a request: a token of an organisation with a role.
public struct Caller: Sendable, Hashable {
    public var tokenID: String
    public var organisation: String
    public var role: Role

    public init(tokenID: String, organisation: String, role: Role) {
        self.tokenID = tokenID
        self.organisation = organisation
        self.role = role
    }

    /// Manages the venue: approves, declines, and books there for any organisation.
    public func manages(venue: String) -> Bool {
        switch role {
        case .admin: true
        case .manager(let venues): venues.contains(venue)
        case .member, .viewer: false
        }
    }

    /// Manages at least one venue (an admin or a venue manager): runs a manager's desk and may act
    /// for other organisations there.
    public var managesVenues: Bool {
        switch role {
        case .admin, .manager: true
        case .member, .viewer: false
        }
    }

    /// May create a booking in the venue on behalf of the organisation.
    public func mayBook(for organisation: String, inVenue venue: String) -> Bool {
        switch role {
        case .admin: true
        case .manager(let venues): venues.contains(venue)
        case .member: organisation == self.organisation
        case .viewer: false
        }
    }

    /// May change or cancel a booking of that organisation in that venue.
    public func mayModify(bookingOf organisation: String, inVenue venue: String) -> Bool {
        mayBook(for: organisation, inVenue: venue)
    }

    /// Sees the title, description and organisation of a booking (private ones are "Busy" otherwise).
    public func seesDetails(of visibility: Visibility, organisation: String, venue: String) -> Bool {
        visibility == .public || organisation == self.organisation || manages(venue: venue)
    }

    /// Reads the audit trail of a booking.
    public func mayReadAudit(organisation: String, venue: String) -> Bool {
        switch role {
        case .admin, .manager, .viewer: true
        case .member: organisation == self.organisation
        }
    }
}
