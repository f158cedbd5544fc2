import Foundation
import Synchronization

/// The server's notion of now. Everything time-dependent reads it, so tests can move time.
public protocol ServerClock: Sendable {
    func now() -> Date
}

/// Wall-clock time.
public struct SystemClock: ServerClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// Time that moves only when told (`serve --clock manual`, `POST /_cachetrail/clock`).
public final class ManualClock: ServerClock {
    private let current: Mutex<Date>

    public init(start: Date) {
        current = Mutex(start)
    }

    public func now() -> Date {
        current.withLock { $0 }
    }

    /// Moves time forward by `seconds` (never backward) and returns the new now.
    @discardableResult
    public func advance(by seconds: TimeInterval) -> Date {
        current.withLock { date in
            date = date.addingTimeInterval(max(0, seconds))
            return date
        }
    }
}
