import Foundation
import Hummingbird

/// The languages of the web pages: Albanian (the default), Serbian (Latin script) and English.
public enum Language: String, Sendable, CaseIterable {
    case sq, sr, en

    /// The cookie that remembers a choice made with `?lang=`.
    static let cookie = "hapesira_lang"

    /// The page's language: `?lang=` first, then the remembered choice, then the browser's
    /// `Accept-Language` (highest q first; `sr-Latn`, `sr-RS` and `sq-XK` count as their language),
    /// else Albanian.
    static func of(_ request: Request) -> Language {
        if let chosen = request.uri.queryParameters.get("lang").flatMap(Language.init(rawValue:)) { return chosen }
        if let remembered = request.cookies[cookie].flatMap({ Language(rawValue: $0.value) }) { return remembered }
        return negotiate(request.headers[.acceptLanguage])
    }

    static func negotiate(_ header: String?) -> Language {
        guard let header else { return .sq }
        var best: (language: Language, quality: Double)?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased(),
                let language = Language(rawValue: String(tag.prefix { $0 != "-" }))
            else { continue }
            let quality =
                parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if quality > 0, quality > (best?.quality ?? 0) { best = (language, quality) }
        }
        return best?.language ?? .sq
    }
}
