import Foundation

/// The timestamp formats AWS protocols use on the wire.
package enum Timestamps {
    /// The Gregorian calendar in UTC, for every date computation the server does.
    package static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? .current
        return calendar
    }()

    /// `2014-12-01T22:00:35Z`, or with milliseconds: the Query and XML default.
    package static func iso8601(_ date: Date, fractional: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        appendISO8601(date, fractional: fractional, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends ``iso8601(_:fractional:)``'s text to `out`: a record's eventTime is written in
    /// place, without a `String` of its own.
    package static func appendISO8601(_ date: Date, fractional: Bool = false, to out: inout [UInt8]) {
        let t = UTCFields(date)
        // Composed on the stack and appended once (a byte append each, with its own checks, cost
        // ~1,400 instructions an eventTime, callgrind). A year of four digits (every date a call
        // carries) is composed there too; any other (a sign, or more digits) is appended first.
        let yearDigits = (0...9999).contains(t.year) ? 4 : 0
        if yearDigits == 0 { append(t.year, width: 4, to: &out) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { text in
            var count = 0
            @inline(__always) func put(_ value: Int, _ width: Int) {
                var rest = value
                for at in stride(from: count + width - 1, through: count, by: -1) {
                    text[at] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
                count += width
            }
            func put(_ character: Unicode.Scalar) {
                text[count] = UInt8(ascii: character)
                count += 1
            }
            put(t.year, yearDigits)
            put("-")
            put(t.month, 2)
            put("-")
            put(t.day, 2)
            put("T")
            put(t.hour, 2)
            put(":")
            put(t.minute, 2)
            put(":")
            put(t.second, 2)
            if fractional {
                put(".")
                put(t.millisecond, 3)
            }
            put("Z")
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<count]))
        }
    }

    /// `HH:mm:ss`.
    static func appendClock(_ t: UTCFields, to out: inout [UInt8]) {
        append(t.hour, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        append(t.minute, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        append(t.second, width: 2, to: &out)
    }

    /// `value` in decimal, zero-padded to at least `width` digits: `padded(7, width: 2)` is `07`.
    package static func padded(_ value: Int, width: Int) -> String {
        var out: [UInt8] = []
        append(value, width: width, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` in decimal, zero-padded to at least `width` digits.
    static func append(_ value: Int, width: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor <= abs(value) / 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(abs(value) / divisor % 10))
            divisor /= 10
        }
    }

    /// Parses the forms the SDKs send: ISO 8601 (with or without fraction or offset) and epoch
    /// seconds.
    package static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        if let date = try? Date(trimmed, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        if let date = try? Date(trimmed, strategy: Date.ISO8601FormatStyle()) { return date }
        return nil
    }

    /// Parses `Fri, 24 May 2013 00:00:00 GMT`.
    package static func parseHTTPDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        return utc.date(
            from: DateComponents(
                year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2]))
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Fri, 24 May 2013 00:00:00 GMT` (RFC 7231), as S3 and HTTP headers use it.
    package static func httpDate(_ date: Date) -> String {
        let t = UTCFields(date)
        var out = Array("\(weekdays[t.weekday]), ".utf8)
        append(t.day, width: 2, to: &out)
        out += Array(" \(months[t.month - 1]) ".utf8)
        append(t.year, width: 4, to: &out)
        out.append(UInt8(ascii: " "))
        appendClock(t, to: &out)
        out += Array(" GMT".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// `Jan`…`Dec`.
    package static func monthAbbreviation(_ month: Int) -> String { months[(month - 1) % 12] }
}

/// A moment's fields in UTC, computed from the epoch seconds in the proleptic Gregorian
/// calendar (as ISO 8601 counts; Foundation's calendar turns Julian before 1582). Every response
/// and every event record carries timestamps, and a `Calendar` with `String(format:)` cost
/// more than the rest of a small record.
package struct UTCFields: Sendable, Equatable {
    package var year: Int
    package var month: Int
    package var day: Int
    package var hour: Int
    package var minute: Int
    package var second: Int
    package var millisecond: Int
    /// 0 is Sunday.
    package var weekday: Int

    package init(_ date: Date) {
        // Clamped to ±3 million years, far past any date a request can carry, so Int cannot trap.
        let seconds = min(max(date.timeIntervalSince1970, -1e14), 1e14)
        let whole = seconds.rounded(.down)
        let (days, secondOfDay) = Int(whole).quotientAndRemainder(dividingBy: 86_400)
        let (day, dayOffset) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        // H. Hinnant's civil_from_days.
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        self.day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        hour = dayOffset / 3600
        minute = dayOffset / 60 % 60
        second = dayOffset % 60
        // To 10 µs first: 0.123 is 0.12299… as a Double, and must show 123.
        millisecond = min(999, Int(((seconds - whole) * 100_000).rounded()) / 100)
        // 1970-01-01 was a Thursday.
        weekday = ((day + 4) % 7 + 7) % 7
    }
}
