import Dispatch

/// Long CPU work split across threads that are not Swift's cooperative pool.
///
/// `DispatchQueue.concurrentPerform` is not used for this: on Linux its helper iterations run
/// on the default-QoS global pool, which is also the pool Swift's cooperative executor runs on,
/// so an upload's checksums or a delivery pass's gzip held the threads every call needs.
package enum SideBySide {
    /// Runs `body` for each index in `0..<count` at the same time and returns when all are done:
    /// index 0 on the calling thread, each other on a serial queue of its own (a thread of
    /// dispatch's overcommit pool, so none waits for a free one). Callers are dispatch threads.
    package static func perform(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        let group = DispatchGroup()
        for index in 1..<count {
            DispatchQueue(label: "cachetrail.side-by-side", qos: .userInitiated).async(group: group) { body(index) }
        }
        body(0)
        group.wait()
    }
}
