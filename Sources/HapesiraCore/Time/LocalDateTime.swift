/// A wall-clock date and time without a zone (what a venue's clock shows).
public struct LocalDateTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The wall-clock time read as if it were UTC: seconds since 1970-01-01T00:00:00 local.
    public var localSeconds: Int64 {
        LocalDate(year: year, month: month, day: day).daysSinceEpoch * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
    }

    public init(localSeconds: Int64) {
        let days = localSeconds.floorDivided(by: 86_400)
        let date = LocalDate(daysSinceEpoch: days)
        let secondOfDay = Int(localSeconds - days * 86_400)
        self.init(
            year: date.year, month: date.month, day: date.day,
            hour: secondOfDay / 3600, minute: secondOfDay % 3600 / 60, second: secondOfDay % 60)
    }

    public var date: LocalDate { LocalDate(year: year, month: month, day: day) }

    /// Whether the fields name a real calendar date and time of day.
    public var isValid: Bool {
        date.isValid && (0..<24).contains(hour) && (0..<60).contains(minute) && (0..<60).contains(second)
    }

    public var description: String {
        var text: [UInt8] = []
        write(into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS`: every response formats its times, and string interpolation of padded
    /// numbers cost five temporary strings each.
    func write(into text: inout [UInt8]) {
        text.reserveCapacity(text.count + 25)
        date.write(into: &text)
        text.append(UInt8(ascii: "T"))
        hour.writePadded(2, into: &text)
        text.append(UInt8(ascii: ":"))
        minute.writePadded(2, into: &text)
        text.append(UInt8(ascii: ":"))
        second.writePadded(2, into: &text)
    }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        lhs.localSeconds < rhs.localSeconds
    }
}

/// A calendar date (proleptic Gregorian).
public struct LocalDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; nil when the text is not an existing date in that form.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
        guard isValid else { return nil }
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    public var daysSinceEpoch: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01 (`civil_from_days`).
    public init(daysSinceEpoch days: Int64) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), month: Int(month), day: Int(day))
    }

    public var isValid: Bool {
        (1...12).contains(month) && day >= 1 && day <= LocalDate.daysIn(month: month, year: year)
    }

    /// ISO weekday: Monday = 1 … Sunday = 7.
    public var weekday: Int {
        Int((daysSinceEpoch + 3).floorModulo(7)) + 1
    }

    public func adding(days: Int) -> LocalDate {
        LocalDate(daysSinceEpoch: daysSinceEpoch + Int64(days))
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public var description: String {
        var text: [UInt8] = []
        write(into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DD`.
    func write(into text: inout [UInt8]) {
        year.writePadded(4, into: &text)
        text.append(UInt8(ascii: "-"))
        month.writePadded(2, into: &text)
        text.append(UInt8(ascii: "-"))
        day.writePadded(2, into: &text)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

extension Int64 {
    public func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    func floorModulo(_ divisor: Int64) -> Int64 {
        self - floorDivided(by: divisor) * divisor
    }
}

extension Int {
    func padded(_ width: Int) -> String {
        var text: [UInt8] = []
        writePadded(width, into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the decimal digits, zero-padded to `width`, after a minus sign when negative.
    func writePadded(_ width: Int, into text: inout [UInt8]) {
        if self < 0 { text.append(UInt8(ascii: "-")) }
        var magnitude = self.magnitude
        let start = text.count
        repeat {
            text.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        while text.count - start < width { text.append(UInt8(ascii: "0")) }
        text[start...].reverse()
    }
}
