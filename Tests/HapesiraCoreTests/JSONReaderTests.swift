import Foundation
import Testing

@testable import HapesiraCore

@Suite("JSON reader for sensor payloads")
struct JSONReaderTests {
    @Test(
        "valid documents",
        arguments: [
            (
                #"{"battery":97,"contact":true,"linkquality":120}"#,
                JSONValue.object(["battery": .number(97), "contact": .bool(true), "linkquality": .number(120)])
            ),
            (
                #" [1, -2.5, 3e2, 0, -0.125E-1, 1.7976931348623157e308] "#,
                .array([
                    .number(1), .number(-2.5), .number(300), .number(0), .number(-0.0125),
                    .number(1.7976931348623157e308),
                ])
            ),
            (
                #"{"a":{"b":[null,false,{}],"c":[]}}"#,
                .object(["a": .object(["b": .array([.null, .bool(false), .object([:])]), "c": .array([])])])
            ),
            (#""ON""#, .string("ON")),
            ("true", .bool(true)),
            ("1764000000123", .number(1_764_000_000_123)),
            ("12345678901234567890", .number(1.2345678901234567890e19)),
            (#""tab\there \"quoted\" \\ \/ \u00e9 \ud83d\ude00 é""#, .string("tab\there \"quoted\" \\ / é 😀 é")),
            (#"{"k":1,"k":2}"#, .object(["k": .number(2)])),
        ] as [(String, JSONValue)])
    func valid(text: String, expected: JSONValue) {
        #expect(JSONReader.parse(Array(text.utf8)) == expected)
    }

    @Test(
        "anything else is refused",
        arguments: [
            "", "   ", "{", "}", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, "{a:1}", "[1 2]", "01", "-", "1.", ".5", "1e",
            "+1", "1e400", "NaN", "tru", "nul", #""open"#, "\"a\u{01}b\"", #""\x""#, #""\u12""#, #""\ud83d""#,
            #""\ude00""#, "[1] x", "{} {}", "// c\n{}",
            String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
        ])
    func invalid(text: String) {
        #expect(JSONReader.parse(Array(text.utf8)) == nil)
    }

    @Test("invalid UTF-8 in a string is refused; nesting up to the limit is read")
    func bytes() {
        #expect(JSONReader.parse([0x22, 0xC3, 0x28, 0x22]) == nil)
        #expect(JSONReader.parse([0x22, 0xC3, 0xA9, 0x22]) == .string("é"))
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(JSONReader.parse(Array(deep.utf8)) != nil)
    }

    @Test("agrees with Foundation on the JSON payloads of the shared sensor fixtures (when the folder is there)")
    func agreesWithFoundation() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folders = [
            root.deletingLastPathComponent().appendingPathComponent("shared/fixtures/sensors").path,
            "/work/shared/fixtures/sensors",
        ]
        guard let folder = folders.first(where: { FileManager.default.fileExists(atPath: $0) }) else { return }
        var checked = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".txt") {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let payload = line.split(separator: "\t", maxSplits: 2).dropFirst(2).first,
                    let foundation = try? JSONSerialization.jsonObject(
                        with: Data(payload.utf8), options: .fragmentsAllowed)
                else { continue }
                let ours = try #require(JSONReader.parse(Array(payload.utf8)), "\(file): \(line)")
                #expect(Self.same(ours, foundation), "\(file): \(line)")
                checked += 1
            }
        }
        #expect(checked > 10)
    }

    static func same(_ value: JSONValue, _ other: Any) -> Bool {
        switch value {
        case .null: return other is NSNull
        case .bool(let flag): return (other as? Bool) == flag
        case .number(let number): return (other as? NSNumber)?.doubleValue == number
        case .string(let text): return (other as? String) == text
        case .array(let items):
            guard let others = other as? [Any], others.count == items.count else { return false }
            return zip(items, others).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let others = other as? [String: Any], others.count == members.count else { return false }
            return members.allSatisfy { key, value in others[key].map { same(value, $0) } ?? false }
        }
    }
}
