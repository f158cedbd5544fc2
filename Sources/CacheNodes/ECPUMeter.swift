import Foundation
import NIOCore
import Synchronization

/// A serverless cache's ElastiCache Processing Units per second (CacheUsageLimits
/// ECPUPerSecond Maximum), shared by every connection to its endpoint: a bucket that holds at
/// most one second's ECPUs, refills at the maximum by the server's clock, and is charged for
/// what passes. Connections stop reading while it is empty: requests beyond the maximum are
/// throttled (slowed, not refused), as AWS's documentation says.
final class ECPUBucket: Sendable {
    private struct State {
        var limit: Int?
        var level = 0.0
        var at: Date?
    }

    private let state = Mutex(State())
    private let now: @Sendable () -> Date

    init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    /// A new maximum (nil: unlimited). A bucket that was unlimited starts full.
    func setLimit(_ limit: Int?) {
        state.withLock { state in
            guard state.limit != limit else { return }
            if state.limit == nil { state.level = Double(limit ?? 0) }
            state.limit = limit
            state.level = min(state.level, Double(limit ?? 0))
            state.at = now()
        }
    }

    var limited: Bool { state.withLock { $0.limit != nil } }

    func charge(_ ecpus: Double) {
        state.withLock { state in
            guard state.limit != nil else { return }
            refill(&state)
            state.level -= ecpus
        }
    }

    /// Nil when a connection may read now, else the seconds until the bucket has ECPUs again.
    func wait() -> TimeInterval? {
        state.withLock { state in
            guard let limit = state.limit, limit > 0 else { return nil }
            refill(&state)
            return state.level > 0 ? nil : (1 - state.level) / Double(limit)
        }
    }

    private func refill(_ state: inout State) {
        guard let limit = state.limit else { return }
        let time = now()
        let elapsed = max(0, time.timeIntervalSince(state.at ?? time))
        state.level = min(Double(limit), state.level + elapsed * Double(limit))
        state.at = time
    }
}

/// Charges a connection's traffic to its cache's ``ECPUBucket``: each request 1 ECPU per
/// kilobyte it carries, at least 1 per command (AWS: a simple command costs 1 ECPU per KB
/// transferred), and each KB answered 1 ECPU; and holds the connection's reads while the bucket
/// is empty. Commands are counted with the engine's framing (``RESPFramer``, ``MemcachedFramer``).
/// Requests that arrive while the bucket is empty (an idle connection already waits for data,
/// so its first read is not asked for again, and one read may bring many requests) are kept
/// until it has ECPUs again.
final class ECPUMeter: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How often a held connection looks at the bucket again (the server's clock may be moved
    /// by hand, so the time until it refills is not a wall-clock time).
    static let recheck: TimeInterval = 0.1

    private let bucket: ECPUBucket
    private var framer: any CommandFraming
    /// Bytes of a command header split across reads, framed with the next read.
    private var carry: [UInt8] = []
    private var held = false
    /// Requests read while the bucket was empty, in order.
    private var waiting: [ByteBuffer] = []

    init(bucket: ECPUBucket, framer: any CommandFraming) {
        self.bucket = bucket
        self.framer = framer
    }

    /// The ECPUs of `bytes` bytes that start `commands` commands.
    static func cost(commands: Int, bytes: Int) -> Double {
        max(Double(commands), Double(bytes) / 1024)
    }

    /// The bucket is looked at again after each slice of this many request bytes: a read may
    /// bring many requests at once (a TLS handler hands on all it decrypted), and those beyond
    /// the maximum wait.
    static let slice = 1024

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard bucket.limited || !waiting.isEmpty else { return context.fireChannelRead(data) }
        var requests = unwrapInboundIn(data)
        while requests.readableBytes > 0,
            let slice = requests.readSlice(length: min(Self.slice, requests.readableBytes))
        {
            if waiting.isEmpty, bucket.wait() == nil {
                pass(slice, context: context)
            } else {
                waiting.append(slice)
            }
        }
        if !waiting.isEmpty { holdUntilRefilled(context: context) }
    }

    private func pass(_ request: ByteBuffer, context: ChannelHandlerContext) {
        if bucket.limited { bucket.charge(Self.cost(commands: count(request), bytes: request.readableBytes)) }
        context.fireChannelRead(wrapInboundOut(request))
    }

    /// Looks at the bucket again until it has ECPUs (after the time it needs to refill, at most
    /// ``recheck``: the server's clock may be moved by hand), then passes the waiting requests
    /// and reads on. One look is scheduled at a time.
    private func holdUntilRefilled(context: ChannelHandlerContext) {
        guard !held else { return }
        held = true
        let wait = bucket.wait() ?? 0
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(min(wait, Self.recheck) * 1000) + 1)) {
            let (meter, context) = loopBound.value
            meter.held = false
            guard context.channel.isActive else { return }
            guard meter.bucket.wait() == nil else { return meter.holdUntilRefilled(context: context) }
            if !meter.waiting.isEmpty {
                let requests = meter.waiting
                meter.waiting = []
                for request in requests { meter.pass(request, context: context) }
                context.fireChannelReadComplete()
            }
            meter.read(context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if bucket.limited { bucket.charge(Double(unwrapOutboundIn(data).readableBytes) / 1024) }
        context.write(data, promise: promise)
    }

    func read(context: ChannelHandlerContext) {
        guard waiting.isEmpty, bucket.wait() == nil else { return holdUntilRefilled(context: context) }
        context.read()
    }

    /// Commands that start in `buffer`, continuing the stream framed so far.
    private func count(_ buffer: ByteBuffer) -> Int {
        var bytes = carry
        bytes.append(contentsOf: buffer.readableBytesView)
        var commands = 0
        var offset = 0
        while offset < bytes.count {
            let unit = bytes.withUnsafeBytes { all in
                framer.next(UnsafeRawBufferPointer(rebasing: all[offset...]))
            }
            guard case .pass(let length, let started) = unit else { break }
            offset += length
            commands += started
        }
        carry = Array(bytes[offset...])
        return commands
    }
}
