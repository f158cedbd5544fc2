import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// CreateCacheCluster (`+Create`), DescribeCacheClusters, ModifyCacheCluster, DeleteCacheCluster,
/// RebootCacheCluster.
struct CacheClusterOperations {
    static let kind = "elasticache.cluster"
    /// Node type families that ran in EC2-Classic; every later one is VPC-only.
    static let classicFamilies: Set<String> = [
        "cache.t1", "cache.m1", "cache.m2", "cache.c1", "cache.m3", "cache.r3",
    ]

    let context: ElastiCacheCall
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }
    var settings: ElastiCacheSettings { context.settings }
    var scope: String { context.scope }
    var lifecycle: ClusterLifecycle { Self.lifecycle(settings) }

    /// Clusters' transitions as `settings` time them.
    static func lifecycle(_ settings: ElastiCacheSettings) -> ClusterLifecycle {
        ClusterLifecycle(duration: settings.lifecycleSeconds, nodesReady: settings.nodesReady ?? { _ in true })
    }

    func notFound(_ id: String) -> AWSError {
        call.error(.cacheClusterNotFoundFault, "CacheCluster not found: \(id)")
    }

    func render(_ cluster: CacheClusterRecord, showNodes: Bool = false) -> ShapeValue {
        cluster.shapeValue(region: call.region, showNodes: showNodes, endpoints: settings.endpoints)
    }

    /// Every cluster of the caller's account and region, with due transitions applied and saved.
    func allClusters() throws -> [CacheClusterRecord] {
        try tx.list(CacheClusterRecord.self, kind: Self.kind, scope: scope).compactMap { try settled($0) }
    }

    /// The cluster `id`, settled; throws CacheClusterNotFound.
    func cluster(_ id: String) throws -> CacheClusterRecord {
        guard let stored = try tx.get(CacheClusterRecord.self, kind: Self.kind, scope: scope, id: id.lowercased()),
            let cluster = try settled(stored)
        else { throw notFound(id) }
        return cluster
    }

    private func settled(_ stored: CacheClusterRecord) throws -> CacheClusterRecord? {
        var cluster = stored
        return try settle(&cluster) ? cluster : nil
    }

    /// Advances `cluster` through what is due and saves the change; false when that deleted it.
    private func settle(_ cluster: inout CacheClusterRecord) throws -> Bool {
        let nodes = cluster.numCacheNodes
        var events: [ClusterLifecycle.Event] = []
        let outcome = lifecycle.settle(&cluster, now: call.now, events: &events)
        for event in events {
            try ServiceEvents.append(
                ServiceEventRecord(
                    sourceIdentifier: cluster.id, sourceType: "cache-cluster", message: event.message, date: event.date),
                tx: tx, scope: scope)
        }
        switch outcome {
        case .unchanged: return true
        case .changed:
            try save(cluster)
            return true
        case .deleted:
            try tx.delete(kind: Self.kind, scope: scope, id: cluster.id)
            var current = try usage()
            current.clusters -= 1
            current.nodes -= nodes
            try tx.put(current, kind: Usage.kind, scope: scope, id: Usage.id)
            return false
        }
    }

    /// Stores `cluster`, keeping the account's cluster and node counts in step (`create`
    /// stores a new one itself).
    func save(_ cluster: CacheClusterRecord) throws {
        let previous = try tx.get(CacheClusterRecord.self, kind: Self.kind, scope: scope, id: cluster.id)
        if previous?.numCacheNodes != cluster.numCacheNodes {
            var current = try usage()
            if previous == nil { current.clusters += 1 }
            current.nodes += cluster.numCacheNodes - (previous?.numCacheNodes ?? 0)
            try tx.put(current, kind: Usage.kind, scope: scope, id: Usage.id)
        }
        try tx.put(cluster, kind: Self.kind, scope: scope, id: cluster.id)
    }

    /// Clusters and nodes the account has in this region, for quotas without a scan.
    struct Usage: ExactDocument {
        static let kind = "elasticache.usage"
        static let id = "usage"
        var clusters: Int
        var nodes: Int
    }

    /// The account's usage; counted once from the clusters when it was never stored.
    func usage() throws -> Usage {
        if let stored = try tx.get(Usage.self, kind: Usage.kind, scope: scope, id: Usage.id) { return stored }
        let clusters = try tx.list(CacheClusterRecord.self, kind: Self.kind, scope: scope)
        let counted = Usage(clusters: clusters.count, nodes: clusters.reduce(0) { $0 + $1.numCacheNodes })
        try tx.put(counted, kind: Usage.kind, scope: scope, id: Usage.id)
        return counted
    }

    /// The parameter group must exist and belong to the engine version's family.
    func checkParameterGroup(_ name: String, family: String) throws {
        let group = try ParameterGroupOperations(context: context).group(name)
        guard group.family == family else {
            throw call.error(
                .invalidParameterCombinationException,
                "The parameter group \(group.name) is of family \(group.family), not \(family) as the engine version requires."
            )
        }
    }

    func describe() throws -> ShapeValue {
        let maxRecords = try Marker.maxRecords(call.int(.maxRecords))
        let showNodes = call[.showCacheNodeInfo]?.boolValue ?? false
        func render(_ cluster: CacheClusterRecord, showNodes: Bool) -> ShapeValue {
            settings.renderCache.value(
                cluster, region: call.region, showNodes: showNodes, endpoints: settings.endpoints)
        }
        if let id = call.string(.cacheClusterId) {
            return .object(["CacheClusters": .list([render(try cluster(id), showNodes: showNodes)])])
        }
        let standaloneOnly = call[.showCacheClustersNotInReplicationGroups]?.boolValue == true
        // Read one page (and one more) in id order from the store, not the whole account.
        var after = try call.string(.marker).map(Marker.decode)
        // A page polled again from unchanged documents is answered as it was.
        let key = ClusterRenderCache.PageKey(
            scope: scope, region: call.region, after: after, maxRecords: maxRecords, showNodes: showNodes,
            standaloneOnly: standaloneOnly)
        let generation = tx.snapshotGeneration
        if let generation,
            let kept = settings.renderCache.page(key, generation: generation, endpoints: settings.endpoints)
        {
            return kept
        }
        var page: [ShapeValue] = []
        var lastID: String?
        var more = false
        /// Whether no cluster read has a transition ahead (the answer depends on the documents alone).
        var settledForGood = true
        let lifecycle = self.lifecycle
        /// Puts `cluster` on the page; false once the page is full (there is more).
        func take(_ cluster: CacheClusterRecord) -> Bool {
            if !lifecycle.isSettledForGood(cluster) { settledForGood = false }
            if standaloneOnly && cluster.replicationGroupId != nil { return true }
            guard page.count < maxRecords else {
                more = true
                return false
            }
            page.append(render(cluster, showNodes: showNodes))
            lastID = cluster.id
            return true
        }
        while !more {
            // The store's cached page itself: a record is copied only when a transition is due.
            let batch = try tx.list(
                CacheClusterRecord.self, kind: Self.kind, scope: scope, after: after, limit: maxRecords + 1)
            for index in batch.indices {
                if lifecycle.isDue(batch[index], now: call.now) {
                    settledForGood = false
                    var cluster = batch[index]
                    guard try settle(&cluster) else { continue }
                    guard take(cluster) else { break }
                } else {
                    guard take(batch[index]) else { break }
                }
            }
            guard let last = batch.last, batch.count == maxRecords + 1 else { break }
            after = last.id
        }
        let marker = more ? lastID.map { ShapeValue.string(Marker.encode($0)) } : nil
        guard let generation, settledForGood else { return ClusterRenderCache.answer(.list(page), marker: marker) }
        return settings.renderCache.keep(
            page, marker: marker, for: key, generation: generation, endpoints: settings.endpoints)
    }
}
