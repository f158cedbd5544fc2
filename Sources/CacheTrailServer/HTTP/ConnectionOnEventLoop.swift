import HummingbirdCore
import Logging
import NIOCore

/// Serves each HTTP connection on its channel's own event loop thread: the connection's task
/// (reading requests, the call, writing the answer) prefers that loop as its executor, so a
/// request does not hop from the loop to the cooperative pool and its answer back again (two
/// thread wake-ups per call). Heavy work still leaves the loop: bodies of 1 MiB and more are
/// hashed and staged on dispatch queues (``Offload``), and waits (group commit, timers) suspend.
struct ConnectionOnEventLoop<Inner: ServerChildChannel>: ServerChildChannel {
    let inner: Inner
    /// Completes the channel's pipeline once `inner` has set it up.
    let addHandlers: @Sendable (any Channel) throws -> Void

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try addHandlers(channel)
            return value
        }
    }

    func handle(value: Inner.Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

/// A task executor that runs jobs on one NIO event loop, in order of arrival.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with every connection served on its event loop (``ConnectionOnEventLoop``) and
    /// `Expect: 100-continue` answered (``ContinueOnExpect``).
    static func http1OnEventLoop(configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        .init { responder in
            ConnectionOnEventLoop(
                inner: HTTP1Channel(responder: responder, configuration: configuration),
                addHandlers: ContinueOnExpect.add(to:))
        }
    }
}
