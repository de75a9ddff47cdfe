import Foundation
import HapesiraHTTP
import Hummingbird
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    /// `path -> methods` from the document's `paths:` section (indentation-based, no YAML library needed).
    static func documentedRoutes() -> Set<String> {
        var routes = Set<String>()
        var inPaths = false
        var currentPath: String?
        for line in OpenAPIDocument.text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if !line.hasPrefix(" ") && !line.isEmpty && !line.hasPrefix("#") { break }
            if line.hasPrefix("  /") && line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast()).trimmingCharacters(
                    in: CharacterSet(charactersIn: "'\""))
            } else if let currentPath, line.hasPrefix("    "), !line.hasPrefix("     "),
                let method = ["get", "post", "patch", "put", "delete", "head"].first(where: { line == "    \($0):" })
            {
                routes.insert("\(method.uppercased()) \(currentPath)")
            }
        }
        return routes
    }

    @Test("every route the router serves is in the OpenAPI document, and nothing else")
    func everyRouteIsDocumented() throws {
        let server = try TestServer()
        let served = Set(
            buildRouter(server.dependencies).routes.map { route -> String in
                let path = route.path.description.hasPrefix("/") ? route.path.description : "/\(route.path.description)"
                return "\(route.method.rawValue) \(path)"
            })
        let documented = Self.documentedRoutes()
        #expect(!served.isEmpty)
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
    }
}
