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
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    @Test func bulkWorkRunsOnANicedNamedThreadAndLeavesTheCallerAlone() async {
        let before = Self.niceness()
        let seen = await OwnThreads.bulk { (nice: Self.niceness(), name: Self.threadName(), thread: pthread_self()) }
        #expect(seen.nice == min(before + OwnThreads.bulkNiceness, 19))
        #expect(seen.name == OwnThreads.bulkName)
        #expect(pthread_equal(seen.thread, pthread_self()) == 0)
        #expect(Self.niceness() == before)
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
