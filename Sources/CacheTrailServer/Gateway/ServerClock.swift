import Foundation
import Persistence
import Synchronization

/// The server's notion of now. Everything time-dependent reads it, so tests can move time.
package protocol ServerClock: Sendable {
    func now() -> Date
}

/// Wall-clock time that never runs backwards: if the system clock steps back (NTP, a VM
/// restore), now stays at the latest time it gave until the wall clock passes it, so nothing
/// that is due (a log file, an expiry) becomes undue again.
package final class SystemClock: ServerClock {
    private let latest = Mutex(Date.distantPast)

    package init() {}

    package func now() -> Date {
        latest.withLock { latest in
            latest = max(latest, Date())
            return latest
        }
    }
}

/// Time that moves only when told (`serve --clock manual`, `POST /_cachetrail/clock`).
package final class ManualClock: ServerClock {
    private let current: Mutex<Date>

    package init(start: Date) {
        current = Mutex(start)
    }

    package func now() -> Date {
        current.withLock { $0 }
    }

    /// The largest single move: event history's retention (a larger jump would skip past
    /// everything the server keeps in one step).
    package static let maxAdvance: TimeInterval = 90 * 86_400

    /// Moves time forward by `seconds` (never backward) and returns the new now.
    @discardableResult
    package func advance(by seconds: TimeInterval) -> Date {
        current.withLock { date in
            date = date.addingTimeInterval(max(0, seconds))
            return date
        }
    }
}

/// The manual clock's time as last moved, stored in the state store so that injected time
/// never runs backwards across a restart (expired sessions stay expired, due files stay due).
struct ManualClockRecord: Codable, Sendable {
    static let kind = "cachetrail.clock"
    static let scope = "-"
    static let id = "manual"

    var now: Date
}

extension ManualClock {
    /// A manual clock that resumes where the last run left it, or at the wall clock if that is later.
    static func resumed(from store: any StateStore) async throws -> ManualClock {
        let saved = try await store.read { tx in
            try tx.get(
                ManualClockRecord.self, kind: ManualClockRecord.kind, scope: ManualClockRecord.scope,
                id: ManualClockRecord.id)
        }
        return ManualClock(start: max(saved?.now ?? .distantPast, Date()))
    }

    /// Stores the current time (after every move, before anything runs at the new time).
    func save(to store: any StateStore) async throws {
        let record = ManualClockRecord(now: now())
        try await store.write { tx in
            try tx.put(record, kind: ManualClockRecord.kind, scope: ManualClockRecord.scope, id: ManualClockRecord.id)
        }
    }
}
