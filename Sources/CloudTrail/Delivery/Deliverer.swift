import Foundation
import Logging
import Persistence
import ServiceLifecycle

/// The background side of delivery: on every tick, each trail delivers what is due on the
/// injected clock. Joins the server's ServiceGroup; `runOnce` also runs right after the manual
/// clock moves, so tests see the files a window produced without waiting.
public struct Deliverer: Service {
    let store: any StateStore
    let delivery: TrailDelivery
    let now: @Sendable () -> Date
    let tick: Duration
    let logger: Logger

    public init(
        store: any StateStore, delivery: TrailDelivery, now: @escaping @Sendable () -> Date,
        tick: Duration = .seconds(1),
        logger: Logger
    ) {
        self.store = store
        self.delivery = delivery
        self.now = now
        self.tick = tick
        self.logger = logger
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await runOnce()
                try? await Task.sleep(for: tick)
            }
        } onGracefulShutdown: {
        }
    }

    /// One delivery pass over every trail; returns the keys written.
    @discardableResult
    public func runOnce() async -> [String] {
        let delivery = self.delivery
        let now = self.now()
        do {
            return try await store.write { tx in
                var written: [String] = []
                for var trail in try tx.list(TrailRecord.self, kind: TrailRecord.kind, scope: TrailRecord.scope) {
                    let before = trail
                    written += try delivery.deliver(&trail, now: now, flush: false, in: tx)
                    if trail != before {
                        try tx.put(trail, kind: TrailRecord.kind, scope: TrailRecord.scope, id: trail.id)
                    }
                }
                return written
            }
        } catch {
            logger.error("delivery pass failed", metadata: ["error": .string(String(describing: error))])
            return []
        }
    }
}
