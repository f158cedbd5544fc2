import Dispatch
import Persistence

/// Long CPU work split across threads that are neither Swift's cooperative pool nor the event
/// loops, at bulk priority (``OwnThreads/bulkNiceness``): a call's thread preempts it.
///
/// `DispatchQueue.concurrentPerform` is not used for this: on Linux its helper iterations run
/// on the default-QoS global pool, which is also the pool Swift's cooperative executor runs on,
/// so an upload's checksums or a delivery pass's gzip held the threads every call needs.
package enum SideBySide {
    /// Runs `body` for each index in `0..<count` at the same time, each on a bulk thread of its
    /// own, and returns when all are done. Callers are threads that may block.
    package static func perform(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            OwnThreads.start(named: OwnThreads.bulkName, niceness: OwnThreads.bulkNiceness) {
                body(index)
                done.leave()
            }
        }
        done.wait()
    }
}
