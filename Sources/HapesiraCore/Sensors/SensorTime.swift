/// How a payload writes the time of a reading.
public enum TimestampFormat: Sendable, Hashable {
    /// Unix seconds (a number or numeric text; fractions are dropped).
    case unix
    /// Unix milliseconds.
    case unixMilliseconds
    /// ISO 8601 / RFC 3339 with `Z` or an offset; fractional seconds are dropped.
    case iso8601
    /// Wall-clock time in `zone` written as `pattern`, with the fields `yyyy`, `MM`, `dd`, `HH`, `mm`,
    /// `ss`; other characters must appear as they are (`dd.MM.yyyy HH:mm:ss`). A time the clocks
    /// show twice is read as the first one, a skipped time with the offset before the change.
    case local(pattern: String, zone: Zone)

    /// Reads the configuration names `unix`, `unix-ms`, `iso8601`, or a local pattern with its zone.
    public init(_ name: String, zone: Zone) throws(SensorConfigError) {
        switch name {
        case "unix": self = .unix
        case "unix-ms": self = .unixMilliseconds
        case "iso8601": self = .iso8601
        default:
            for field in ["yyyy", "MM", "dd", "HH", "mm"] where !name.contains(field) {
                throw .invalidTimeFormat(name, "a local pattern needs \(field)")
            }
            self = .local(pattern: name, zone: zone)
        }
    }

    /// The instant a value stands for, or `nil` when it does not fit the format.
    func instant(_ value: JSONValue) -> Int64? {
        switch self {
        case .unix: return Self.number(value).map { Int64($0.rounded(.down)) }
        case .unixMilliseconds: return Self.number(value).map { Int64(($0 / 1000).rounded(.down)) }
        case .iso8601:
            guard case .string(let text) = value else { return nil }
            return SensorTime.iso8601(text, zone: nil)
        case .local(let pattern, let zone):
            guard case .string(let text) = value else { return nil }
            return SensorTime.local(text, pattern: pattern, zone: zone)
        }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): number
        case .string(let text): Double(text)
        default: nil
        }
    }
}

/// Time texts in sensor payloads.
enum SensorTime {
    /// `YYYY-MM-DD[T ]hh:mm[:ss[.fraction]]` followed by `Z`, `±hh:mm` or `±hhmm`; without an offset the
    /// text is read in `zone` (and is unreadable when `zone` is nil).
    static func iso8601(_ text: String, zone: Zone?) -> Int64? {
        let chars = Array(text.utf8)
        var reader = DigitReader(chars: chars)
        guard let year = reader.digits(4), reader.skip("-"), let month = reader.digits(2), reader.skip("-"),
            let day = reader.digits(2), reader.skip("T") || reader.skip(" ") || reader.skip("t"),
            let hour = reader.digits(2), reader.skip(":"), let minute = reader.digits(2)
        else { return nil }
        var second = 0
        if reader.skip(":") {
            guard let s = reader.digits(2) else { return nil }
            second = s
            if reader.skip(".") || reader.skip(",") {
                guard reader.skipDigits() > 0 else { return nil }
            }
        }
        let local = LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard local.isValid else { return nil }
        if reader.atEnd {
            guard let zone else { return nil }
            return zone.resolvedInstant(for: local)
        }
        if reader.skip("Z") || reader.skip("z") { return reader.atEnd ? local.localSeconds : nil }
        let negative = reader.peek == UInt8(ascii: "-")
        guard reader.skip("+") || reader.skip("-"), let hours = reader.digits(2) else { return nil }
        _ = reader.skip(":")
        guard let minutes = reader.digits(2), reader.atEnd, hours < 24, minutes < 60 else { return nil }
        let offset = Int64(hours * 3600 + minutes * 60)
        return local.localSeconds - (negative ? -offset : offset)
    }

    /// Reads `text` by a pattern of `yyyy`, `MM`, `dd`, `HH`, `mm`, `ss` and literal characters.
    static func local(_ text: String, pattern: String, zone: Zone) -> Int64? {
        let chars = Array(text.utf8)
        let format = Array(pattern.utf8)
        var reader = DigitReader(chars: chars)
        var fields: [String: Int] = [:]
        var index = 0
        while index < format.count {
            let rest = format[index...]
            if let field = ["yyyy", "MM", "dd", "HH", "mm", "ss"].first(where: { rest.starts(with: $0.utf8) }) {
                guard let value = reader.digits(field.utf8.count) else { return nil }
                fields[field] = value
                index += field.utf8.count
            } else {
                guard reader.skip(format[index]) else { return nil }
                index += 1
            }
        }
        guard reader.atEnd, let year = fields["yyyy"], let month = fields["MM"], let day = fields["dd"],
            let hour = fields["HH"], let minute = fields["mm"]
        else { return nil }
        let local = LocalDateTime(
            year: year, month: month, day: day, hour: hour, minute: minute, second: fields["ss"] ?? 0)
        return local.isValid ? zone.resolvedInstant(for: local) : nil
    }
}

private struct DigitReader {
    let chars: [UInt8]
    var index = 0

    var atEnd: Bool { index == chars.count }
    var peek: UInt8? { index < chars.count ? chars[index] : nil }

    mutating func digits(_ count: Int) -> Int? {
        guard index + count <= chars.count else { return nil }
        var value = 0
        for c in chars[index..<index + count] {
            guard (48...57).contains(c) else { return nil }
            value = value * 10 + Int(c - 48)
        }
        index += count
        return value
    }

    mutating func skip(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return skip(ascii)
    }

    mutating func skip(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    mutating func skipDigits() -> Int {
        let start = index
        while let c = peek, (48...57).contains(c) { index += 1 }
        return index - start
    }
}
