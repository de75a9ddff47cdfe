import Foundation
import HapesiraCore
import Testing

@Suite("Hand-written JSON text")
struct JSONTextTests {
    private func quoted(_ string: String) -> String {
        var bytes: [UInt8] = []
        JSONText.writeQuoted(string, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(
        "string literals escape quotes, backslashes and control characters, nothing else",
        arguments: [
            ("", #""""#), ("plain", #""plain""#), ("a/b", #""a/b""#), ("q\"b\\s", #""q\"b\\s""#),
            ("l1\nl2\r\t\u{01}\u{1F}", #""l1\nl2\r\t\u0001\u001f""#), ("Pejë — Пећ 🎬", "\"Pejë — Пећ 🎬\""),
        ])
    func quotes(string: String, expected: String) {
        #expect(quoted(string) == expected)
    }

    @Test("an object of strings has its keys sorted and parses back to the same members")
    func object() throws {
        let members = ["status": "confirmed", "occurrences": "3", "note": "tab\there \"quoted\" ë", "": "empty key"]
        let text = JSONText.object(members)
        #expect(text.hasPrefix(#"{"":"empty key","note":"#))
        #expect(text.hasSuffix(#""occurrences":"3","status":"confirmed"}"#))
        let parsed = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        #expect(parsed == members)
        #expect(JSONText.object([:]) == "{}")
    }
}
