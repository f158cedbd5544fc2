import AWSWire
import Synchronization

/// Described clusters kept as they were last answered, so an unchanged cluster's XML is
/// copied, not built and written again (DescribeCacheClusters' largest cost). An entry holds
/// while the stored record is equal to the one it was made from; only address-only
/// endpoints (a function of the record) are cached — real nodes' endpoints can move.
package final class ClusterRenderCache: Sendable {
    /// A class, so a lookup retains one reference instead of copying the record's fields.
    private final class Entry: Sendable {
        let record: CacheClusterRecord
        let region: String
        let showNodes: Bool
        let value: ShapeValue

        init(record: CacheClusterRecord, region: String, showNodes: Bool, value: ShapeValue) {
            self.record = record
            self.region = region
            self.showNodes = showNodes
            self.value = value
        }
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    /// At most `capacity` clusters are kept (a few KiB each: the value and its XML); a full
    /// cache starts over.
    package init(capacity: Int = 1_024) {
        self.capacity = capacity
    }

    /// `cluster` as described in `region`, from the cache when it has not changed.
    func value(
        _ cluster: CacheClusterRecord, region: String, showNodes: Bool, endpoints: any NodeEndpoints
    ) -> ShapeValue {
        guard endpoints is SyntheticEndpoints else {
            return cluster.shapeValue(region: region, showNodes: showNodes, endpoints: endpoints)
        }
        if let hit = entries.withLock({ $0[cluster.arn] }), hit.showNodes == showNodes, hit.region == region,
            hit.record == cluster
        {
            return hit.value
        }
        let value = ShapeValue.encoded(
            EncodedValue(cluster.shapeValue(region: region, showNodes: showNodes, endpoints: endpoints)))
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[cluster.arn] = Entry(record: cluster, region: region, showNodes: showNodes, value: value)
        }
        return value
    }
}
