import Dispatch
import Persistence

/// Long CPU work split across threads that are neither Swift's cooperative pool nor the event
/// loops, as bulk work (``OwnThreads/bulkPriority``, ``OwnThreads/inSlot(_:)``): calls come first.
///
/// `DispatchQueue.concurrentPerform` is not used for this: on Linux its helper iterations run
/// on the default-QoS global pool, which is also the pool Swift's cooperative executor runs on,
/// so an upload's checksums or a delivery pass's gzip held the threads every call needs.
package enum SideBySide {
    /// Runs `body` for each index in `0..<count` — two or more each on a bulk thread of its own
    /// holding a bulk slot (as many at once as there are slots) — and returns when all are done. Callers are
    /// threads that may block; a caller's own slot is given back while it waits.
    package static func perform(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 1 else {
            // One piece runs where it is asked for, in the caller's slot when it holds one.
            if count == 1 { OwnThreads.inSlot { body(0) } }
            return
        }
        let done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            OwnThreads.startBulk {
                body(index)
                done.leave()
            }
        }
        OwnThreads.givingSlotBack { done.wait() }
    }
}
