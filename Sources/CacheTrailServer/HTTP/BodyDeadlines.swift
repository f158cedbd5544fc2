import Foundation
import Synchronization

/// Deadlines of the request bodies being read, ended by ``sweep()`` — the server's
/// once-a-second ``PeriodicService``, and each move of a manual clock — instead of a timer or a
/// task per request. A body is read in its request's own task: a watch whose deadline passes
/// runs its `expire` action (the responder closes the connection's input, which ends the read
/// with an error) and is marked, so the reader can tell a timeout from a client that went away.
/// Deadlines are on the server's clock, so a test moves them with the rest of its time.
final class BodyDeadlines: Sendable {
    /// One body being watched, from ``watch(expire:)`` to ``end(_:)``.
    struct Watch: Sendable {
        fileprivate let id: Int
    }

    private struct Watched {
        var deadline: Date
        var expire: @Sendable () -> Void
    }

    private struct State {
        var next = 0
        var watched: [Int: Watched] = [:]
        /// Watches whose deadline passed, until their reader ends them.
        var expired: Set<Int> = []
    }

    private let state = Mutex(State())
    private let timeout: TimeInterval
    private let clock: any ServerClock

    init(timeout: TimeInterval, clock: any ServerClock) {
        self.timeout = timeout
        self.clock = clock
    }

    /// Bodies whose deadline is being watched.
    var watched: Int { state.withLock { $0.watched.count } }

    /// Starts watching a body; `expire` runs once (outside the lock) if the deadline passes first.
    func watch(expire: @escaping @Sendable () -> Void) -> Watch {
        let deadline = clock.now().addingTimeInterval(timeout)
        return state.withLock { state in
            state.next += 1
            state.watched[state.next] = Watched(deadline: deadline, expire: expire)
            return Watch(id: state.next)
        }
    }

    /// Stops watching; false when the deadline had passed first.
    func end(_ watch: Watch) -> Bool {
        state.withLock { state in
            state.watched[watch.id] = nil
            return state.expired.remove(watch.id) == nil
        }
    }

    /// Expires the watches whose deadline has passed by the clock's now; true while others are
    /// still watched.
    @discardableResult
    func sweep() -> Bool {
        let now = clock.now()
        let (expired, more) = state.withLock { state in
            let due = state.watched.filter { $0.value.deadline <= now }
            for id in due.keys {
                state.watched[id] = nil
                state.expired.insert(id)
            }
            return (due.values.map(\.expire), !state.watched.isEmpty)
        }
        for expire in expired { expire() }
        return more
    }
}
