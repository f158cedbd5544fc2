import AWSWire
import Foundation

/// A weekly window `ddd:hh24:mi-ddd:hh24:mi` (UTC), as PreferredMaintenanceWindow gives it.
struct MaintenanceWindow: Equatable {
    static let days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Minutes from Sunday 00:00.
    let start: Int
    let end: Int

    init?(_ text: String) {
        let parts = text.lowercased().split(separator: "-")
        guard parts.count == 2, let start = Self.minutes(parts[0]), let end = Self.minutes(parts[1]) else { return nil }
        let length = (end - start + 7 * 1440) % (7 * 1440)
        guard length >= 60, length <= 24 * 60 else { return nil }
        self.start = start
        self.end = end
    }

    private static func minutes(_ text: Substring) -> Int? {
        let fields = text.split(separator: ":")
        guard fields.count == 3, let day = days.firstIndex(of: String(fields[0])), let hour = Int(fields[1]),
            let minute = Int(fields[2]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return day * 1440 + hour * 60 + minute
    }

    /// The first start of the window at or after `date`.
    func nextStart(after date: Date) -> Date {
        let c = Timestamps.utc.dateComponents([.weekday, .hour, .minute], from: date)
        let now = ((c.weekday ?? 1) - 1) * 1440 + (c.hour ?? 0) * 60 + (c.minute ?? 0)
        let wait = (start - now + 7 * 1440) % (7 * 1440)
        let minuteStart = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
        return minuteStart.addingTimeInterval(TimeInterval(wait * 60))
    }
}
