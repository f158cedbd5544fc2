import Persistence

/// Long CPU work on a request's body (hashing, encrypting tens of MiB) runs on a bulk thread
/// of its own (``OwnThreads/bulk(_:)``: lowered, and in a slot that leaves calls a core), not
/// where the call runs (its connection's event loop, ``ConnectionOnEventLoop``): there is one
/// loop per core, and a large upload hashing on one would hold up every other connection it
/// serves.
enum Offload {
    /// Bodies smaller than this are worked on where they are: a hop costs more than the work.
    static let threshold = 1 << 20

    static func run<T: Sendable>(bytes: Int, _ work: @escaping @Sendable () -> T) async -> T {
        guard bytes >= threshold else { return work() }
        return await OwnThreads.bulk(work)
    }
}
