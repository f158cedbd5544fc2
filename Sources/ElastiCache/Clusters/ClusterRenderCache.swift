import AWSWire
import Synchronization

/// Described clusters kept as they were last answered, so an unchanged cluster's XML is
/// copied, not built and written again (DescribeCacheClusters' largest cost). An entry holds
/// while the stored record is equal to the one it was made from; only address-only
/// endpoints (a function of the record) are cached — real nodes' endpoints can move.
/// Whole answered pages are kept too (``page(_:generation:)``), for as long as the store's
/// documents are unchanged.
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

    /// What a listing's answer depends on besides the stored clusters.
    struct PageKey: Hashable {
        var scope: String
        var region: String
        var after: String?
        var maxRecords: Int
        var showNodes: Bool
        var standaloneOnly: Bool
    }

    /// Answered pages, with the document generation their snapshot was read at.
    private let pages = Mutex<[PageKey: (generation: Int, value: ShapeValue)]>([:])
    /// Pages kept at most (a full set starts over): the listings being polled.
    private static let pageCapacity = 64

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

    /// The answer kept for `key` from a snapshot at `generation`: a page changes only through a
    /// document put or deleted (which moves the generation) or a lifecycle transition coming
    /// due (the caller keeps only pages of clusters with none ahead).
    func page(_ key: PageKey, generation: Int, endpoints: any NodeEndpoints) -> ShapeValue? {
        guard endpoints is SyntheticEndpoints, let kept = pages.withLock({ $0[key] }), kept.generation == generation
        else { return nil }
        return kept.value
    }

    /// The answer of `page` (and `marker`), kept as `key`'s at `generation` (address-only
    /// endpoints only). A kept page's list is one ``EncodedValue``: polled again, its XML is
    /// copied whole (with its wrapper element) instead of cluster by cluster.
    func keep(
        _ page: [ShapeValue], marker: ShapeValue?, for key: PageKey, generation: Int, endpoints: any NodeEndpoints
    ) -> ShapeValue {
        guard endpoints is SyntheticEndpoints else { return Self.answer(.list(page), marker: marker) }
        let answer = Self.answer(.encoded(EncodedValue(.list(page))), marker: marker)
        pages.withLock { pages in
            if pages.count >= Self.pageCapacity { pages.removeAll(keepingCapacity: true) }
            pages[key] = (generation, answer)
        }
        return answer
    }

    /// A DescribeCacheClusters answer of `clusters` (a list) and `marker`.
    static func answer(_ clusters: ShapeValue, marker: ShapeValue?) -> ShapeValue {
        .object(["CacheClusters": clusters, "Marker": marker])
    }
}
