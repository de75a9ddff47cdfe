import HapesiraCore
import HapesiraICal

/// Which bookings a feed shows, and how it is named.
enum FeedScope: Hashable, Sendable {
    case all
    case city(String)
    case venue(String)
    case space(String)
    /// An organisation's own bookings, in full (a private feed).
    case organisation(String)

    /// The spaces whose bookings the feed shows (nil: every space).
    func spaces(in catalogue: Catalogue) -> [String]? {
        switch self {
        case .all, .organisation: nil
        case .city(let id):
            catalogue.spaces.filter { catalogue.venue($0.venue)?.city == id }.map(\.id)
        case .venue(let id): catalogue.spaces.filter { $0.venue == id }.map(\.id)
        case .space(let id): [id]
        }
    }

    var organisation: String? {
        if case .organisation(let id) = self { id } else { nil }
    }

    /// Whether private bookings show in full (only in the organisation's own feed).
    var showsPrivateDetails: Bool { organisation != nil }

    /// `NAME` in every language of the places it covers, main language first.
    func names(in catalogue: Catalogue) -> [LocalizedText] {
        let allLanguages = ["sq", "sr", "en"]
        let subject: String?
        let languages: [String]
        switch self {
        case .all:
            subject = nil
            languages = allLanguages
        case .city(let id):
            subject = catalogue.city(id)?.name ?? id
            let used = Set(catalogue.venues.filter { $0.city == id }.flatMap(\.languages))
            languages = allLanguages.filter(used.contains)
        case .venue(let id):
            let venue = catalogue.venue(id)
            subject = venue?.name ?? id
            languages = venue?.languages ?? allLanguages
        case .space(let id):
            let space = catalogue.space(id)
            let venue = space.flatMap { catalogue.venue($0.venue) }
            subject = [space?.name ?? id, venue?.name].compactMap { $0 }.joined(separator: ", ")
            languages = venue?.languages ?? allLanguages
        case .organisation(let id):
            subject = catalogue.organisation(id)?.name ?? id
            languages = allLanguages
        }
        return (languages.isEmpty ? allLanguages : languages).map { language in
            LocalizedText(language: language, text: FeedNames.title(subject: subject, language: language))
        }
    }
}

/// Calendar names in the network's languages.
enum FeedNames {
    static func title(subject: String?, language: String) -> String {
        switch (language, subject) {
        case ("sq", nil): "Hapësira — të gjitha rezervimet"
        case ("sq", let subject?): "\(subject) — rezervimet"
        case ("sr", nil): "Hapësira — sve rezervacije"
        case ("sr", let subject?): "\(subject) — rezervacije"
        case (_, nil): "Hapësira — all bookings"
        case (_, let subject?): "\(subject) — bookings"
        }
    }

    /// The summary of a private booking seen from outside its organisation.
    static let busy = "Busy"
}
