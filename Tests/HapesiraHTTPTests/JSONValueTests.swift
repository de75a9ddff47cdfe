import Foundation
import NIOCore
import Testing

@testable import HapesiraHTTP

@Suite("JSON writer")
struct JSONValueTests {
    private func text(_ value: JSONValue) -> String { String(buffer: value.bytes) }

    @Test(
        "values are written as RFC 8259 text",
        arguments: [
            (JSONValue.null, "null"), (.bool(true), "true"), (.bool(false), "false"), (.int(-42), "-42"),
            (.double(1.5), "1.5"), (.double(.infinity), "null"), (.double(.nan), "null"),
            (.string("a/b"), #""a/b""#), (.string("q\"b\\s"), #""q\"b\\s""#),
            (.string("l1\nl2\r\t\u{01}\u{1F}"), #""l1\nl2\r\t\u0001\u001f""#),
            (.string("Pejë — Пећ 🎬"), "\"Pejë — Пећ 🎬\""), (.array([]), "[]"), (.object([:]), "{}"),
            (.array([.int(1), .null, .string("x")]), #"[1,null,"x"]"#),
            (
                .object(["b": .int(2), "a": .object(["z": .bool(true), "y": .null])]),
                #"{"a":{"y":null,"z":true},"b":2}"#
            ),
            // Keys in code point order: upper case first, a prefix before its extensions, non-ASCII last.
            (
                .object(["ab": .int(1), "é": .int(2), "a": .int(3), "b_": .int(4), "Z": .int(5), "a_b": .int(6)]),
                #"{"Z":5,"a":3,"a_b":6,"ab":1,"b_":4,"é":2}"#
            ),
        ])
    func writes(value: JSONValue, expected: String) {
        #expect(text(value) == expected)
    }

    @Test("every control character is escaped and the text parses back to the same string")
    func roundTrips() throws {
        let original = String((0..<0x80).map { Character(Unicode.Scalar(UInt8($0))) }) + "ë😀"
        let data = Data(text(.array([.string(original)])).utf8)
        let parsed = try JSONSerialization.jsonObject(with: data) as? [String]
        #expect(parsed == [original])
    }
}
