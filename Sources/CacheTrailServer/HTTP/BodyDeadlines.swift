import Synchronization

/// Deadlines of the request bodies being read, ended by ``sweep(now:)`` — the server's
/// once-a-second ``PeriodicService`` — instead of a timer per request: each `Task.sleep` armed
/// a dispatch timer, which woke libdispatch's manager thread twice per call (arming and
/// cancelling), about two of a call's four context switches under load. A body deadline is
/// minutes long, so a second late is nothing.
final class BodyDeadlines: Sendable {
    /// The body was not read within the timeout.
    struct Expired: Error {}

    private struct Waiting {
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var next = 0
        var waiting: [Int: Waiting] = [:]
    }

    private let state = Mutex(State())
    private let timeout: Duration

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Bodies whose deadline is being watched.
    var watched: Int { state.withLock { $0.waiting.count } }

    /// Returns when the calling task is cancelled (the body was read); throws ``Expired`` once
    /// `timeout` has passed first.
    func wait() async throws {
        let id = state.withLock { state in
            state.next += 1
            return state.next
        }
        let deadline = ContinuousClock.now + timeout
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Under the lock: a cancellation either came before (the flag is set) or will find the entry.
                let cancelled = state.withLock { state in
                    if Task.isCancelled { return true }
                    state.waiting[id] = Waiting(deadline: deadline, continuation: continuation)
                    return false
                }
                if cancelled { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    /// Ends the waits whose deadline has passed by `now`; true while others are still watched.
    @discardableResult
    func sweep(now: ContinuousClock.Instant) -> Bool {
        let (expired, more) = state.withLock { state in
            let due = state.waiting.filter { $0.value.deadline <= now }
            for id in due.keys { state.waiting[id] = nil }
            return (due.values.map(\.continuation), !state.waiting.isEmpty)
        }
        for continuation in expired { continuation.resume(throwing: Expired()) }
        return more
    }
}
