import Dispatch

/// Long CPU work on a request's body (hashing, encrypting tens of MiB) runs on a dispatch
/// queue, not on Swift's cooperative pool: that pool has one thread per core, and a few large
/// uploads hashing on it would leave every other call waiting for a thread.
enum Offload {
    /// Bodies smaller than this are worked on where they are: a hop costs more than the work.
    static let threshold = 1 << 20

    static func run<T: Sendable>(bytes: Int, _ work: @escaping @Sendable () -> T) async -> T {
        guard bytes >= threshold else { return work() }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}
