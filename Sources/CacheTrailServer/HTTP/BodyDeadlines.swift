import Synchronization

/// Deadlines of the request bodies being read, checked by one sweeper about once per `tick`
/// while any is waiting, instead of a timer per request: each `Task.sleep` armed a dispatch
/// timer, which woke libdispatch's manager thread twice per call (arming and cancelling), about
/// two of a call's four context switches under load. A body deadline is minutes long, so a tick
/// of late is nothing.
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
        var sweeping = false
    }

    private let state = Mutex(State())
    let timeout: Duration
    private let tick: Duration
    private let sweeps: Bool

    /// `sweeps: false` leaves the sweeping to ``sweep(now:)`` calls (tests, with their own time).
    init(timeout: Duration, tick: Duration = .seconds(1), sweeps: Bool = true) {
        self.timeout = timeout
        self.tick = tick
        self.sweeps = sweeps
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
                let start = state.withLock { state -> Bool? in
                    if Task.isCancelled { return nil }
                    state.waiting[id] = Waiting(deadline: deadline, continuation: continuation)
                    guard sweeps, !state.sweeping else { return false }
                    state.sweeping = true
                    return true
                }
                switch start {
                case nil: continuation.resume()
                case true?: Task { await self.sweepWhileWatching() }
                case false?: break
                }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    private func sweepWhileWatching() async {
        while true {
            try? await Task.sleep(for: tick)
            if !sweep(now: .now) { return }
        }
    }

    /// Ends the waits whose deadline has passed by `now`; false once none is left (the sweeper
    /// then stops, and the next wait starts another).
    @discardableResult
    func sweep(now: ContinuousClock.Instant) -> Bool {
        let (expired, more) = state.withLock { state in
            let due = state.waiting.filter { $0.value.deadline <= now }
            for id in due.keys { state.waiting[id] = nil }
            if state.waiting.isEmpty { state.sweeping = false }
            return (due.values.map(\.continuation), !state.waiting.isEmpty)
        }
        for continuation in expired { continuation.resume(throwing: Expired()) }
        return more
    }
}
