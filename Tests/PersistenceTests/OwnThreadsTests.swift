import Dispatch
import Foundation
import Persistence
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct OwnThreadsTests {
    /// The calling thread's nice value (on Linux, PRIO_PROCESS with 0 names the calling thread).
    private static func niceness() -> Int32 { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }

    /// The name the kernel holds for the calling thread.
    private static func threadName() -> String? {
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The calling thread's fair-class slice in nanoseconds, as `/proc/thread-self/sched` shows it.
    private static func slice() -> Int? {
        let text = (try? String(contentsOfFile: "/proc/thread-self/sched", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("se.slice") }
        return line?.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Whether the kernel sets a thread's slice from sched_setattr (Linux 6.12 and later).
    private static func kernelSetsSlices() -> Bool {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let numbers = release.split(separator: ".").prefix(2).compactMap { Int($0.prefix { $0.isNumber }) }
        guard numbers.count == 2 else { return false }
        return (numbers[0], numbers[1]) >= (6, 12)
    }

    @Test func bulkWorkRunsOnANamedLoweredThreadAndLeavesTheCallerAlone() async {
        let before = Self.niceness()
        let sliceBefore = Self.slice()
        let seen = await OwnThreads.bulk {
            (nice: Self.niceness(), name: Self.threadName(), thread: pthread_self(), slice: Self.slice())
        }
        #expect(OwnThreads.bulkPriority == .nicedYielding(5))
        #expect(seen.nice == 5 || (before > 5 && seen.nice == before))
        if Self.kernelSetsSlices() {
            // The longest slice: a woken call's thread (the default slice) preempts it at once.
            #expect(seen.slice == 100_000_000)
            #expect(Self.slice() == sliceBefore)
        }
        #expect(seen.name == OwnThreads.bulkName)
        #expect(pthread_equal(seen.thread, pthread_self()) == 0)
        #expect(Self.niceness() == before)
    }

    @Test func aNicedThreadIsNicedAlone() async {
        let before = Self.niceness()
        let seen = await withCheckedContinuation { continuation in
            OwnThreads.start(named: "ct-test-nice", priority: .niced(5)) {
                continuation.resume(returning: Self.niceness())
            }
        }
        // A nice value is set, not added; an unprivileged thread cannot go below its own.
        #expect(seen == 5 || (before > 5 && seen == before))
        #expect(Self.niceness() == before)
    }

    /// Bulk work that counts how many of its kind run at once.
    final class Running: Sendable {
        let counts = Mutex((now: 0, most: 0))

        func work() {
            counts.withLock { counts in
                counts.now += 1
                counts.most = max(counts.most, counts.now)
            }
            // Long enough for the others to start (no clock involved: a fixed amount of work).
            var spin: UInt64 = 0
            for step in 0..<2_000_000 { spin &+= UInt64(step) }
            counts.withLock { $0.now -= 1 }
            _ = spin
        }

        /// Bulk work that waits for two pieces of bulk work of its own, then works itself.
        func nested() {
            let done = DispatchGroup()
            for _ in 0..<2 {
                done.enter()
                OwnThreads.startBulk {
                    self.work()
                    done.leave()
                }
            }
            // It gives its slot back meanwhile, or the pieces could wait for it forever.
            OwnThreads.givingSlotBack { done.wait() }
            work()
        }
    }

    @Test func bulkWorkRunsAtMostAsManyAtOnceAsThereAreCoresAndNestedWorkDoesNotDeadlock() async {
        let running = Running()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask { await OwnThreads.bulk { running.nested() } }
            }
        }
        let seen = running.counts.withLock { $0 }
        #expect(seen.now == 0)
        #expect(seen.most >= 1 && seen.most <= ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test func whileCallsArriveBulkWorkLeavesACoreToThem() {
        #expect(OwnThreads.bulkLimit(cores: 2, callsRecently: true) == 1)
        #expect(OwnThreads.bulkLimit(cores: 2, callsRecently: false) == 2)
        #expect(OwnThreads.bulkLimit(cores: 8, callsRecently: true) == 7)
        #expect(OwnThreads.bulkLimit(cores: 1, callsRecently: true) == 1)
    }

    final class Owner: Sendable {
        let runs = Mutex(0)
    }

    @Test func aServingThreadRunsOnceForEachWake() async {
        let owner = Owner()
        let wakes = DispatchSemaphore(value: 0)
        OwnThreads.serve(owner, named: "ct-test-serve", wakes: wakes) { current in
            current.runs.withLock { $0 += 1 }
        }
        wakes.signal()
        #expect(await eventually { owner.runs.withLock { $0 } == 1 })
        wakes.signal()
        wakes.signal()
        #expect(await eventually { owner.runs.withLock { $0 } == 3 })
    }
}
