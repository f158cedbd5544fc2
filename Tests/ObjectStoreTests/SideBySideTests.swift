import Dispatch
import ServiceContract
import Synchronization
import Testing

/// Staging an upload's MD5 beside its checksums and file uses `SideBySide`.
struct SideBySideTests {
    /// Each index runs once, at the same time as the others: index 0 waits for index 1 to
    /// have started, which would time out if the indexes ran one after another.
    @Test func indexesRunOnceAndSideBySide() {
        let runs = Mutex([Int](repeating: 0, count: 4))
        let started = DispatchSemaphore(value: 0)
        let waited = Mutex(DispatchTimeoutResult.timedOut)
        SideBySide.perform(4) { index in
            runs.withLock { $0[index] += 1 }
            if index == 1 { started.signal() }
            if index == 0 {
                let result = started.wait(timeout: .now() + 10)
                waited.withLock { $0 = result }
            }
        }
        #expect(runs.withLock { $0 } == [1, 1, 1, 1])
        #expect(waited.withLock { $0 } == .success)
    }

    @Test func noIndexesAndOneIndex() {
        let runs = Mutex(0)
        SideBySide.perform(0) { _ in runs.withLock { $0 += 1 } }
        SideBySide.perform(1) { _ in runs.withLock { $0 += 1 } }
        #expect(runs.withLock { $0 } == 1)
    }
}
