import Foundation
import Logging
import Persistence

/// The background side of delivery: each pass, every trail delivers what is due on the
/// injected clock. The server runs a pass on every tick and right after the manual clock
/// moves, so tests see the files a window produced without waiting.
public struct Deliverer: Sendable {
    let store: any StateStore
    let delivery: TrailDelivery
    let now: @Sendable () -> Date
    let logger: Logger

    public init(
        store: any StateStore, delivery: TrailDelivery, now: @escaping @Sendable () -> Date,
        logger: Logger
    ) {
        self.store = store
        self.delivery = delivery
        self.now = now
        self.logger = logger
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
