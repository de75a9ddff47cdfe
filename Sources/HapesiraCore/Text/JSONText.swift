/// Where hand-written JSON text goes, byte by byte: a byte array here, NIO's `ByteBuffer` in the HTTP layer.
public protocol JSONTextOutput {
    mutating func writeJSONByte(_ byte: UInt8)
    mutating func writeJSONASCII(_ text: StaticString)
    /// Appends the UTF-8 bytes of `text` as they are.
    mutating func writeJSONVerbatim(_ text: String)
}

/// JSON text written by hand where Foundation's coders would cost more than the work: string literals
/// (RFC 8259 escaping) and flat objects of strings.
public enum JSONText {
    /// Writes `string` as a JSON string literal: `"` and `\` escaped, control characters as `\n`, `\r`, `\t`
    /// or `\u00XX`, everything else (`/` and non-ASCII included) as its UTF-8 bytes.
    @inlinable
    public static func writeQuoted<Output: JSONTextOutput>(_ string: String, into output: inout Output) {
        output.writeJSONByte(UInt8(ascii: "\""))
        // Most strings need no escape: one scan, then one copy.
        guard string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            output.writeJSONVerbatim(string)
            output.writeJSONByte(UInt8(ascii: "\""))
            return
        }
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.writeJSONASCII("\\\"")
            case UInt8(ascii: "\\"): output.writeJSONASCII("\\\\")
            case 0x0A: output.writeJSONASCII("\\n")
            case 0x0D: output.writeJSONASCII("\\r")
            case 0x09: output.writeJSONASCII("\\t")
            case 0x00..<0x20:
                output.writeJSONASCII("\\u00")
                output.writeJSONByte(hexDigit(byte >> 4))
                output.writeJSONByte(hexDigit(byte & 0x0F))
            default: output.writeJSONByte(byte)
            }
        }
        output.writeJSONByte(UInt8(ascii: "\""))
    }

    /// `members` as a JSON object of strings, keys sorted, so equal members give equal text.
    public static func object(_ members: [String: String]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        for (index, key) in members.keys.sorted().enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            writeQuoted(key, into: &bytes)
            bytes.append(UInt8(ascii: ":"))
            writeQuoted(members[key]!, into: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    @usableFromInline
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}

extension Array: JSONTextOutput where Element == UInt8 {
    @inlinable public mutating func writeJSONByte(_ byte: UInt8) { append(byte) }

    @inlinable public mutating func writeJSONASCII(_ text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inlinable public mutating func writeJSONVerbatim(_ text: String) { append(contentsOf: text.utf8) }
}
