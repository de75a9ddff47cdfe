/// Text for HTML content and attribute values, escaped as the templates escape `{{value}}`.
enum HTMLText {
    static func escaped(_ text: String) -> String {
        // Most names and titles need nothing: check the bytes before building a new string.
        guard text.utf8.contains(where: { [38, 60, 62, 34, 39].contains($0) }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
