import Foundation

/// The timestamp formats AWS protocols use on the wire.
public enum Timestamps {
    /// The Gregorian calendar in UTC, for every date computation the server does.
    public static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? .current
        return calendar
    }()

    /// `2014-12-01T22:00:35Z`, or with milliseconds: the Query and XML default.
    public static func iso8601(_ date: Date, fractional: Bool = false) -> String {
        let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        var text = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0,
            c.minute ?? 0, c.second ?? 0)
        if fractional { text += String(format: ".%03d", (c.nanosecond ?? 0) / 1_000_000) }
        return text + "Z"
    }

    /// Parses the forms the SDKs send: ISO 8601 (with or without fraction or offset) and epoch
    /// seconds.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        if let date = try? Date(trimmed, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        if let date = try? Date(trimmed, strategy: Date.ISO8601FormatStyle()) { return date }
        return nil
    }

    /// Parses `Fri, 24 May 2013 00:00:00 GMT`.
    public static func parseHTTPDate(_ text: String) -> Date? {
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
    public static func httpDate(_ date: Date) -> String {
        let c = utc.dateComponents([.weekday, .year, .month, .day, .hour, .minute, .second], from: date)
        let day = String(format: "%02d", c.day ?? 0)
        let clock = String(format: "%04d %02d:%02d:%02d", c.year ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        return "\(weekdays[((c.weekday ?? 1) - 1) % 7]), \(day) \(months[((c.month ?? 1) - 1) % 12]) \(clock) GMT"
    }
}
