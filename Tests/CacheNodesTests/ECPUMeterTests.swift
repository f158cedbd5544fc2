import Foundation
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import CacheNodes

/// A serverless cache's ECPU bucket on a clock the test moves.
struct ECPUMeterTests {
    private final class TestClock: Sendable {
        let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
        func now() -> Date { time.withLock { $0 } }
    }

    @Test func aBucketHoldsOneSecondAndRefillsAtItsMaximum() {
        let clock = TestClock()
        let bucket = ECPUBucket(now: { clock.now() })
        #expect(!bucket.limited)
        bucket.charge(1_000_000)
        #expect(bucket.wait() == nil, "unlimited: nothing is held")

        bucket.setLimit(1000)
        #expect(bucket.limited && bucket.wait() == nil)
        bucket.charge(1500)
        // 500 ECPUs owed: half a second (and one ECPU) before the next read.
        #expect(abs((bucket.wait() ?? 0) - 0.501) < 0.0001)
        clock.advance(0.25)
        #expect(bucket.wait() != nil)
        clock.advance(0.3)
        #expect(bucket.wait() == nil)
        // An idle minute refills one second's worth, no more.
        clock.advance(60)
        bucket.charge(999)
        #expect(bucket.wait() == nil)
        bucket.charge(1)
        #expect(bucket.wait() != nil)
    }

    @Test func aLowerMaximumAppliesAtOnceAndNoneLiftsIt() {
        let clock = TestClock()
        let bucket = ECPUBucket(now: { clock.now() })
        bucket.setLimit(10_000)
        bucket.setLimit(1000)
        bucket.charge(1000)
        #expect(bucket.wait() != nil, "the bucket holds at most the new second's worth")
        bucket.setLimit(nil)
        #expect(bucket.wait() == nil)
    }

    /// An idle connection already waits for data, so its first request comes without a read
    /// being asked for: while the bucket is empty it waits in the meter, in order with what
    /// follows, until the clock refills the bucket.
    @Test func requestsArrivingWhileTheBucketIsEmptyWaitForIt() throws {
        let clock = TestClock()
        let bucket = ECPUBucket(now: { clock.now() })
        bucket.setLimit(1000)
        bucket.charge(1000)
        let channel = EmbeddedChannel(handler: ECPUMeter(bucket: bucket, framer: MemcachedFramer()))
        defer { _ = try? channel.finish() }
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 11211)).wait()
        try channel.writeInbound(ByteBuffer(string: "get a\r\n"))
        try channel.writeInbound(ByteBuffer(string: "get b\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(500))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil, "the server's clock has not moved")
        clock.advance(0.01)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(101))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "get a\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "get b\r\n"))
        // Both were charged: 10 ECPUs came back, 2 went.
        bucket.charge(7)
        #expect(bucket.wait() == nil)
        bucket.charge(1)
        #expect(bucket.wait() != nil)
    }

    @Test func aCommandCostsAtLeastOneECPUAndOnePerKilobyte() {
        #expect(ECPUMeter.cost(commands: 100, bytes: 3000) == 100)
        #expect(ECPUMeter.cost(commands: 1, bytes: 3277) == 3277.0 / 1024)
        #expect(ECPUMeter.cost(commands: 0, bytes: 512) == 0.5)
    }
}
