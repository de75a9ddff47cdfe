/// Why a date-time text from a client was not accepted.
public enum TimeInputError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case missingOffset(String)
    case unknownZone(String)
    case nonexistentLocalTime(LocalDateTime, zone: String)
    case ambiguousLocalTime(LocalDateTime, zone: String)
    case offsetDisagreesWithZone(String)

    public var description: String {
        switch self {
        case .malformed(let text):
            "'\(text)' is not an RFC 3339 date-time (expected e.g. 2026-05-14T18:00:00+02:00)"
        case .missingOffset(let text):
            "'\(text)' has no UTC offset or time zone; add one, e.g. +02:00, Z or [Europe/Belgrade]"
        case .unknownZone(let zone):
            "'\(zone)' is not a known IANA time zone"
        case .nonexistentLocalTime(let local, let zone):
            "\(local) does not exist in \(zone): the clocks skip it on a daylight-saving change"
        case .ambiguousLocalTime(let local, let zone):
            "\(local) happens twice in \(zone) (clocks go back); add the UTC offset to choose one"
        case .offsetDisagreesWithZone(let text):
            "'\(text)': the UTC offset does not match the time zone at that time"
        }
    }
}

/// Parses client date-times: RFC 3339 with an offset (`2026-05-14T18:00:00+02:00`, `…Z`), or a
/// local time with an IANA zone in brackets as in RFC 9557 (`2026-05-14T18:00[Europe/Belgrade]`),
/// optionally with both. Seconds may be omitted; fractional seconds must be zero.
public enum TimeInput {
    public static func parse(_ text: String) throws(TimeInputError) -> Int64 {
        var rest = Substring(text)
        var zoneName: String?
        if rest.hasSuffix("]"), let open = rest.lastIndex(of: "[") {
            zoneName = String(rest[rest.index(after: open)..<rest.index(before: rest.endIndex)])
            rest = rest[..<open]
        }
        guard let (local, afterTime) = parseLocal(rest, original: text) else { throw .malformed(text) }
        let offset = try parseOffset(afterTime, original: text)

        if let zoneName {
            guard let zone = Zone(zoneName) else { throw .unknownZone(zoneName) }
            let candidates = zone.instants(for: local)
            if let offset {
                let instant = local.localSeconds - offset
                guard candidates.contains(instant) else { throw .offsetDisagreesWithZone(text) }
                return instant
            }
            switch candidates.count {
            case 0: throw .nonexistentLocalTime(local, zone: zone.identifier)
            case 1: return candidates[0]
            default: throw .ambiguousLocalTime(local, zone: zone.identifier)
            }
        }
        guard let offset else { throw .missingOffset(text) }
        return local.localSeconds - offset
    }

    /// Formats an instant as RFC 3339 in the zone's local time with its offset.
    public static func format(_ instant: Int64, in zone: Zone) -> String {
        let offset = zone.offset(at: instant)
        var text: [UInt8] = []
        LocalDateTime(localSeconds: instant + offset).write(into: &text)
        if offset == 0 && zone.identifier == "UTC" {
            text.append(UInt8(ascii: "Z"))
        } else {
            text.append(UInt8(ascii: offset < 0 ? "-" : "+"))
            let minutes = Int(abs(offset) / 60)
            (minutes / 60).writePadded(2, into: &text)
            text.append(UInt8(ascii: ":"))
            (minutes % 60).writePadded(2, into: &text)
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func parseLocal(_ text: Substring, original: String) -> (LocalDateTime, Substring)? {
        let chars = Array(text.utf8)
        func number(_ from: Int, _ length: Int) -> Int? {
            guard from + length <= chars.count else { return nil }
            var value = 0
            for c in chars[from..<from + length] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard chars.count >= 16, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
            chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: "t") || chars[10] == UInt8(ascii: " "),
            chars[13] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2)
        else { return nil }
        var index = 16
        var second = 0
        if index < chars.count && chars[index] == UInt8(ascii: ":") {
            guard let s = number(17, 2) else { return nil }
            second = s
            index = 19
            if index < chars.count && chars[index] == UInt8(ascii: ".") {
                index += 1
                let fractionStart = index
                while index < chars.count && chars[index] == UInt8(ascii: "0") { index += 1 }
                guard index > fractionStart, index == chars.count || !(48...57).contains(chars[index]) else {
                    return nil
                }
            }
        }
        let local = LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard local.isValid else { return nil }
        return (local, text.dropFirst(index))
    }

    private static func parseOffset(_ text: Substring, original: String) throws(TimeInputError) -> Int64? {
        if text.isEmpty { return nil }
        if text == "Z" || text == "z" { return 0 }
        let chars = Array(text.utf8)
        guard chars.count == 6, chars[0] == UInt8(ascii: "+") || chars[0] == UInt8(ascii: "-"),
            chars[3] == UInt8(ascii: ":"),
            // Two digits each: `Int` alone would also take "+1" or "-5".
            [chars[1], chars[2], chars[4], chars[5]].allSatisfy({ (48...57).contains($0) }),
            let hours = Int(String(decoding: chars[1...2], as: UTF8.self)),
            let minutes = Int(String(decoding: chars[4...5], as: UTF8.self)),
            hours < 24, minutes < 60
        else { throw .malformed(original) }
        let seconds = Int64(hours * 3600 + minutes * 60)
        return chars[0] == UInt8(ascii: "-") ? -seconds : seconds
    }
}
