import Foundation
import Hummingbird
import Mustache

/// Renders the web pages: Mustache templates (`Web/Templates/*.mustache`, shipped as resources)
/// filled with the page's values and the texts of its language (`Web/Texts/<language>.json`).
/// Every page extends `layout` and is rendered on the server; there is no script and no external asset.
public struct WebRenderer: Sendable {
    let library: MustacheLibrary
    let texts: [Language: [String: String]]

    /// The templates and texts shipped with the daemon.
    public static let bundled: Result<WebRenderer, WebResourceError> = {
        do throws(WebResourceError) { return .success(try load()) } catch { return .failure(error) }
    }()

    static func load() throws(WebResourceError) -> WebRenderer {
        guard let templates = Bundle.module.url(forResource: "Templates", withExtension: nil),
            let textFolder = Bundle.module.url(forResource: "Texts", withExtension: nil)
        else { throw .missing(Bundle.module.bundlePath) }
        var texts: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let url = textFolder.appendingPathComponent("\(language.rawValue).json")
            guard let data = try? Data(contentsOf: url),
                let table = (try? JSONSerialization.jsonObject(with: data)) as? [String: String]
            else { throw .invalid(url.path, "expected a JSON object of strings") }
            texts[language] = table
        }
        var library = MustacheLibrary()
        let files = (try? FileManager.default.contentsOfDirectory(atPath: templates.path)) ?? []
        for file in files.sorted() where file.hasSuffix(".mustache") {
            let url = templates.appendingPathComponent(file)
            let text: String
            do {
                text = try String(contentsOf: url, encoding: .utf8)
                try library.register(text, named: String(file.dropLast(9)))
            } catch {
                throw .invalid(url.path, "\(error)")
            }
            // Every text a template uses exists in every language.
            for match in text.matches(of: /\{\{t\.([a-z0-9_]+)\}\}/) {
                let key = String(match.output.1)
                if let language = Language.allCases.first(where: { texts[$0]?[key]?.isEmpty ?? true }) {
                    throw .invalid(url.path, "text '\(key)' is missing in \(language.rawValue).json")
                }
            }
        }
        return WebRenderer(library: library, texts: texts)
    }

    /// The texts of a language.
    public func texts(_ language: Language) -> [String: String] { texts[language] ?? [:] }

    /// The page `template` in `language`, as an HTML response. `values` are the page's own; the
    /// renderer adds `t` (the texts), `lang` and the language switch: `languages`, and `languageLink`
    /// (+ a code), which keeps the page's `path` and other query parameters (`query`, as requested).
    func page(
        _ template: String, _ values: [String: Any], language: Language, path: String, query: String? = nil,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var context = values
        context["t"] = texts(language)
        context["lang"] = language.rawValue
        let kept = (query ?? "").split(separator: "&").filter { !$0.isEmpty && !$0.hasPrefix("lang=") }
        context["languageLink"] = path + "?" + (kept + ["lang="]).joined(separator: "&")
        context["languages"] = Language.allCases.map { other in
            [
                "code": other.rawValue, "name": texts(other)["language_name"] ?? other.rawValue,
                "current": other == language,
            ]
        }
        let html = library.render(context, withTemplate: template) ?? "template \(template) missing"
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        // A choice made with ?lang= is remembered for the next pages.
        headers[.setCookie] =
            Cookie(name: Language.cookie, value: language.rawValue, path: "/", sameSite: .lax)
            .description
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

/// The web templates or texts could not be read (an incomplete installation).
public enum WebResourceError: Error, Sendable, CustomStringConvertible {
    case missing(String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .missing(let bundle):
            "web templates not found (expected in \(bundle)); install the resource bundle with the binary"
        case .invalid(let file, let problem): "\(file): \(problem)"
        }
    }
}
