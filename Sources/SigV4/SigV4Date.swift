import Foundation

/// The date forms SigV4 reads: `X-Amz-Date` (`20130524T000000Z`) and the HTTP `Date` header.
enum Timestamps {
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? .current
        return calendar
    }()

    static func amzDate(_ date: Date) -> String {
        let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0,
            c.minute ?? 0, c.second ?? 0)
    }

    static func parseAmzDate(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count == 16, chars[8] == UInt8(ascii: "T"), chars[15] == UInt8(ascii: "Z") else { return nil }
        guard let year = digits(chars[0..<4]), let month = digits(chars[4..<6]), let day = digits(chars[6..<8]),
            let hour = digits(chars[9..<11]), let minute = digits(chars[11..<13]), let second = digits(chars[13..<15])
        else { return nil }
        return date(year, month, day, hour, minute, second)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `Fri, 24 May 2013 00:00:00 GMT`.
    static func parseHTTPDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, let day = digits(Array(parts[1].utf8)[...]),
            let month = months.firstIndex(of: parts[2].lowercased()), let year = digits(Array(parts[3].utf8)[...])
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { digits(Array($0.utf8)[...]) }
        guard clock.count == 3 else { return nil }
        return date(year, month + 1, day, clock[0], clock[1], clock[2])
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    /// The moment of a UTC date and time in the proleptic Gregorian calendar, counted
    /// (H. Hinnant's days_from_civil) rather than asked of a `Calendar`: every signed request
    /// parses its date twice, and the calendar cost ~3,300 instructions a parse. Like the
    /// calendar, a day past its month's end (or second 60) runs on into the next.
    private static func date(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> Date?
    {
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
    }
}

extension SigV4 {
    /// `20130524T000000Z` for `date`.
    package static func amzDate(_ date: Date) -> String { Timestamps.amzDate(date) }
}
