import CSched
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Threads of cachetrail's own, not a pool's: on Linux a scheduling policy and a nice value
/// belong to one thread, so work that must yield the cores to calls runs on a thread started
/// for it, which it can lower without lowering a pooled thread that later serves a call (an
/// unprivileged process cannot raise a thread's priority back).
package enum OwnThreads {
    /// How a thread of ours competes for a core.
    package enum Priority: Sendable, Equatable {
        /// As every other thread of the server.
        case normal
        /// Nice `value`: a smaller share of a busy core (a waking call's thread may still wait
        /// for the end of its slice: milliseconds, traced).
        case niced(Int32)
        /// Nice `value`, and the kernel's longest slice (100 ms; Linux 6.12 and later): a waking
        /// thread of the default slice takes the core from it at once (EEVDF's `PREEMPT_SHORT`),
        /// where a niced thread alone kept the core for the rest of its slice (a woken call
        /// waited up to ~3 ms); it still gets its nice value's share of a busy core. On an older
        /// kernel, the nice value alone.
        case nicedYielding(Int32)
    }

    /// The priority of bulk work (hashing and encrypting large bodies, compressing log files):
    /// below calls, above the journal indexer (nice 10) so a delivery catch-up beside the
    /// indexer's keeps most of the cores it may use (``bulkLimit(cores:callsRecently:)``), and
    /// preempted by a woken call (`bench/headofline.py`, a Describe loop's p99 beside 64 MiB PUTs
    /// and a delivery pass: median 2.53× idle in five runs with the nice value alone, 1.74× in
    /// three with the slice). `SCHED_IDLE` measured 1.45–1.51×, but left a 64 MiB PUT beside a
    /// saturating load waiting for the load to end (27–30 s against 6–7 s): calls of every kind
    /// must still move.
    package static let bulkPriority = Priority.nicedYielding(5)
    /// The name bulk threads carry (within Linux's 15 bytes, as /proc/PID/task/*/comm shows).
    package static let bulkName = "cachetrail-bulk"

    /// Starts a thread named `name` at `priority` that runs `body` and ends.
    package static func start(
        named name: String, priority: Priority = .normal, _ body: @escaping @Sendable () -> Void
    ) {
        let thread = Thread {
            setKernelName(name)
            lower(to: priority)
            body()
        }
        thread.start()
    }

    /// Starts a bulk thread (named ``bulkName`` at ``bulkPriority``) that runs `body` holding a
    /// bulk slot (``inSlot(_:)``) and ends.
    package static func startBulk(_ body: @escaping @Sendable () -> Void) {
        start(named: bulkName, priority: bulkPriority) { inSlot(body) }
    }

    /// Runs `work` on a bulk thread of its own, once it holds a bulk slot; its value.
    package static func bulk<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            startBulk { continuation.resume(returning: work()) }
        }
    }

    // MARK: - Slots: bulk work running at once

    /// How much bulk work runs at once on `cores`: while calls arrive, one core fewer (at least
    /// one), so a call always finds a core no bulk work holds — lowering a thread alone does not
    /// do that (a call's thread woken on a core running bulk work waited up to 11 ms, traced);
    /// with no call for ``callsRecentlyNanoseconds``, every core (a delivery catch-up compresses
    /// on all of them).
    package static func bulkLimit(cores: Int, callsRecently: Bool) -> Int {
        max(1, callsRecently ? cores - 1 : cores)
    }

    /// How long after a call began bulk work still leaves a core to calls.
    package static let callsRecentlyNanoseconds: UInt64 = 50_000_000

    /// Marks that an API call began (one relaxed store; the gateway calls it per request).
    package static func callBegan() { lastCall.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed) }

    private static let cores = ProcessInfo.processInfo.activeProcessorCount
    /// When an API call last began, in `DispatchTime` nanoseconds (0: none yet).
    private static let lastCall = Atomic<UInt64>(0)
    /// Bulk work holding a slot, and threads waiting for one.
    private static let slots = Mutex((running: 0, waiting: 0))
    /// Signalled when bulk work gives its slot back while a thread waits; waiters also look
    /// again every 5 ms, as the limit rises when calls stop.
    private static let released = DispatchSemaphore(value: 0)
    private static let holdsSlot = "cachetrail.bulk-slot"

    /// Runs `body` holding a bulk slot: the calling thread's, or one it waits for.
    package static func inSlot<T>(_ body: () throws -> T) rethrows -> T {
        guard Thread.current.threadDictionary[holdsSlot] == nil else { return try body() }
        takeSlot()
        defer { giveSlot() }
        return try body()
    }

    /// Runs `wait` with the calling thread's bulk slot (if it holds one) given back meanwhile:
    /// for bulk work that waits for bulk work of its own (``inSlot(_:)`` on other threads).
    package static func givingSlotBack(_ wait: () -> Void) {
        guard Thread.current.threadDictionary[holdsSlot] != nil else { return wait() }
        giveSlot()
        wait()
        takeSlot()
    }

    /// Waits for a slot and marks the calling thread as holding it.
    private static func takeSlot() {
        defer { Thread.current.threadDictionary[holdsSlot] = true }
        var waited = false
        while true {
            let taken = slots.withLock { slots in
                let now = DispatchTime.now().uptimeNanoseconds
                let recently = now &- lastCall.load(ordering: .relaxed) < callsRecentlyNanoseconds
                if waited { slots.waiting -= 1 }
                guard slots.running < bulkLimit(cores: cores, callsRecently: recently) else {
                    slots.waiting += 1
                    return false
                }
                slots.running += 1
                return true
            }
            if taken { return }
            waited = true
            _ = released.wait(timeout: .now() + .milliseconds(5))
        }
    }

    /// Gives the calling thread's slot back.
    private static func giveSlot() {
        Thread.current.threadDictionary[holdsSlot] = nil
        // Signalled only for a waiter: a count left on the semaphore would let a later waiter
        // spin through it.
        if slots.withLock({ slots in
            slots.running -= 1
            return slots.waiting > 0
        }) {
            released.signal()
        }
    }

    /// A thread that runs `run` each time `wakes` is signalled, for as long as `owner` lives
    /// (it holds `owner` weakly and ends within a second of it going).
    package static func serve<Owner: AnyObject & Sendable>(
        _ owner: Owner, named name: String, priority: Priority = .normal, wakes: DispatchSemaphore,
        _ run: @escaping @Sendable (Owner) -> Void
    ) {
        start(named: name, priority: priority) { [weak owner] in
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

    /// Names the calling thread for the kernel (`/proc/PID/task/*/comm`, at most 15 bytes).
    /// Foundation's `Thread.current.name` left a thread started from a Dispatch worker with the
    /// worker's name in about half of the runs under load.
    private static func setKernelName(_ name: String) {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// The longest slice Linux gives a thread of the fair class.
    private static let longestSliceNanoseconds: UInt64 = 100_000_000

    /// Lowers the calling thread (on Linux, `setpriority` with 0 applies to the calling thread alone).
    private static func lower(to priority: Priority) {
        switch priority {
        case .normal:
            break
        case .niced(let value):
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, value)
        case .nicedYielding(let value):
            if cachetrail_set_fair_slice(value, longestSliceNanoseconds) != 0 { lower(to: .niced(value)) }
        }
    }
}
