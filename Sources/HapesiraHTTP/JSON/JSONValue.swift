import Foundation
import HapesiraCore
import Hummingbird

/// A JSON document built in code; written with sorted keys so equal data gives equal bytes.
enum JSONValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    static func optional(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }

    /// The RFC 8259 text of this value: object keys sorted, `/` not escaped, non-finite numbers as `null`.
    /// (Foundation's `JSONEncoder` took about a third of a request's CPU time for the same output.)
    func write(into buffer: inout ByteBuffer) {
        switch self {
        case .string(let value): JSONText.writeQuoted(value, into: &buffer)
        case .int(let value): buffer.writeString(String(value))
        case .double(let value): buffer.writeString(value.isFinite ? String(value) : "null")
        case .bool(let value): buffer.writeStaticString(value ? "true" : "false")
        case .null: buffer.writeStaticString("null")
        case .array(let values):
            buffer.writeInteger(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                value.write(into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .object(let members):
            buffer.writeInteger(UInt8(ascii: "{"))
            // Sorted by their UTF-8 bytes (code point order): String's `<` compares by canonical equivalence, more
            // work for the same order, since no key here differs from another only by its normalisation.
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                JSONText.writeQuoted(member.key, into: &buffer)
                buffer.writeInteger(UInt8(ascii: ":"))
                member.value.write(into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    /// The JSON text as bytes.
    var bytes: ByteBuffer {
        // Sized for a booking with a few occurrences: growing from empty reallocated several times.
        var buffer = ByteBufferAllocator().buffer(capacity: 1024)
        write(into: &buffer)
        return buffer
    }
}

extension ByteBuffer: JSONTextOutput {
    public mutating func writeJSONByte(_ byte: UInt8) { writeInteger(byte) }
    public mutating func writeJSONASCII(_ text: StaticString) { writeStaticString(text) }
    public mutating func writeJSONVerbatim(_ text: String) { writeString(text) }
}

/// JSON responses.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: value.bytes))
    }

    /// A list: every list endpoint answers `{"items": [...]}`.
    static func items(_ values: [JSONValue]) -> Response { make(.object(["items": .array(values)])) }
}
