import Foundation
import Logging
import Metrics
import Persistence

/// The background side of delivery: each pass, every trail delivers what is due on the
/// injected clock. The server runs a pass on every tick and right after the manual clock
/// moves, so tests see the files a window produced without waiting.
package struct Deliverer: Sendable {
    let store: any StateStore
    let delivery: TrailDelivery
    let now: @Sendable () -> Date
    let logger: Logger
    /// One pass at a time (the tick's and the manual clock's): a pass prepared on a snapshot
    /// while another commits would find its trails changed and run again inside the writer.
    private let serial = SerialPasses()

    package init(
        store: any StateStore, delivery: TrailDelivery, now: @escaping @Sendable () -> Date,
        logger: Logger
    ) {
        self.store = store
        self.delivery = delivery
        self.now = now
        self.logger = logger
    }

    /// Journal positions a trail has still to pass over (undelivered events, an upper bound):
    /// `cachetrail_trail_backlog_positions{trail}`; it stays high while a bucket is unreachable.
    static func reportBacklog(_ trail: TrailRecord, latest: Int64) {
        let end = trail.logging ? latest : (trail.stopPosition ?? trail.startPosition)
        // Files cut for an external bucket but not stored yet still count as undelivered.
        var cursors = trail.cursors
        for file in trail.outbox ?? [] { cursors[file.region] = min(cursors[file.region] ?? file.after, file.after) }
        let cursor = cursors.values.min().map { max($0, trail.startPosition) } ?? trail.startPosition
        Gauge(label: "cachetrail_trail_backlog_positions", dimensions: [("trail", trail.arn)])
            .record(max(0, end - cursor))
    }

    /// One delivery pass over every trail; returns the keys written.
    @discardableResult
    package func runOnce() async -> [String] {
        await serial.run { await pass() }
    }

    private func pass() async -> [String] {
        let delivery = self.delivery
        let now = self.now()
        do {
            // Read-only calls' events answered so far are delivered in this pass too.
            try await store.flushReadEvents()
            // Prepared on a snapshot: reading the journal, compressing and storing the files run
            // beside other calls; the writer only commits the cursors and objects, unless a
            // trail changed meanwhile (then the pass runs again inside the write).
            let written = try await store.writePrepared { tx in
                var written: [String] = []
                let latest = try tx.latestPosition()
                for var trail in try tx.list(TrailRecord.self, kind: TrailRecord.kind, scope: TrailRecord.scope) {
                    let before = trail
                    written += try delivery.deliver(&trail, now: now, flush: false, in: tx)
                    try delivery.digests.deliverDue(
                        &trail, now: now, external: try delivery.deliversExternally(trail, in: tx), in: tx)
                    if trail != before {
                        try tx.put(trail, kind: TrailRecord.kind, scope: TrailRecord.scope, id: trail.id)
                    }
                    Self.reportBacklog(trail, latest: latest)
                }
                return written
            }
            return written + (await uploadPending(now: now))
        } catch {
            logger.error("delivery pass failed", metadata: ["error": .string(String(describing: error))])
            return []
        }
    }
}
