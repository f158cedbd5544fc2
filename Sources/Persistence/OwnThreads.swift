import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Threads of cachetrail's own, not a pool's: on Linux a nice value belongs to one thread, so
/// work that must yield the cores to calls runs on a thread started for it, which it can nice
/// without lowering a pooled thread that later serves a call (an unprivileged process cannot
/// raise a thread's priority back).
package enum OwnThreads {
    /// The nice value of bulk work (hashing and encrypting large bodies, compressing log files):
    /// a runnable call's thread preempts it, so a 64 MiB upload does not hold calls up on a
    /// machine of two cores; alone it runs at full speed.
    package static let bulkNiceness: Int32 = 10
    /// The name bulk threads carry (within Linux's 15 bytes, as /proc/PID/task/*/comm shows).
    package static let bulkName = "cachetrail-bulk"

    /// Starts a thread named `name` at `niceness` that runs `body` and ends.
    package static func start(named name: String, niceness: Int32 = 0, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            // Foundation names a thread on Linux only when the thread names itself.
            Thread.current.name = name
            if niceness != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) }
            body()
        }
        thread.start()
    }

    /// Runs `work` on a bulk thread of its own; its value.
    package static func bulk<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            start(named: bulkName, niceness: bulkNiceness) { continuation.resume(returning: work()) }
        }
    }

    /// A thread that runs `run` each time `wakes` is signalled, for as long as `owner` lives
    /// (it holds `owner` weakly and ends within a second of it going).
    package static func serve<Owner: AnyObject & Sendable>(
        _ owner: Owner, named name: String, niceness: Int32 = 0, wakes: DispatchSemaphore,
        _ run: @escaping @Sendable (Owner) -> Void
    ) {
        start(named: name, niceness: niceness) { [weak owner] in
            while true {
                guard wakes.wait(timeout: .now() + 1) == .success else {
                    if owner == nil { return }
                    continue
                }
                guard let current = owner else { return }
                run(current)
            }
        }
    }
}
