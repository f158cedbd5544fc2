import Foundation
import Synchronization

/// A token bucket per client address, on the wall clock: how many unsigned requests (SNS's
/// SubscribeURL / UnsubscribeURL links) one address may send. Real receivers follow a link
/// once; a stranger hammering them is slowed down before anything is looked up or recorded.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    let rate: Double
    let burst: Double

    init(rate: Double = 10, burst: Double = 20) {
        self.rate = rate
        self.burst = burst
    }

    /// Whether `client` may send one more request now.
    func allow(_ client: String, now: ContinuousClock.Instant = .now) -> Bool {
        buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            let elapsed =
                Double((now - bucket.updated).components.seconds)
                + Double((now - bucket.updated).components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[client] = bucket
            // Forget addresses that have been quiet long enough to be full again.
            if buckets.count > 10_000 {
                buckets = buckets.filter { now - $0.value.updated < .seconds(burst / rate) }
            }
            return allowed
        }
    }
}
