import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// CreateCacheCluster, DescribeCacheClusters, ModifyCacheCluster, DeleteCacheCluster,
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
    var lifecycle: ClusterLifecycle {
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

    /// Stores `cluster`, keeping the account's cluster and node counts in step. `create`, which
    /// has just found no cluster of that id and read the usage, passes the usage it read.
    func save(_ cluster: CacheClusterRecord, new usage: Usage? = nil) throws {
        let previous =
            usage == nil ? try tx.get(CacheClusterRecord.self, kind: Self.kind, scope: scope, id: cluster.id) : nil
        if previous?.numCacheNodes != cluster.numCacheNodes {
            var current = try usage ?? self.usage()
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

    func create() throws -> ShapeValue {
        let id = try ClusterValidation.clusterId(try call.required(.cacheClusterId))
        if call.string(.replicationGroupId) != nil {
            throw AWSError.invalidParameterValue(
                "Adding a cluster to a replication group with CreateCacheCluster is not served; use IncreaseReplicaCount."
            )
        }
        // A restore takes the snapshot's engine, version and node type unless the call names them.
        let source = try SnapshotOperations(context: context).restoreSource()
        let engine = try ClusterValidation.engine(try source?.engine ?? requiredForCreate(.engine))
        let version = try ClusterValidation.engineVersion(
            engine: engine,
            call.string(.engineVersion) ?? source?.engineVersion ?? EngineCatalog.defaultVersion[engine] ?? "")
        let nodeType = try ClusterValidation.nodeType(try source?.nodeType ?? requiredForCreate(.cacheNodeType))
        let count = call.int(.numCacheNodes) ?? 1
        if engine != "memcached" && count != 1 {
            throw AWSError.invalidParameterValue(
                "Cannot create a \(engine == "redis" ? "Redis" : "Valkey") cluster with a NumCacheNodes parameter greater than 1."
            )
        }
        guard count >= 1 else { throw AWSError.invalidParameterValue("NumCacheNodes must be at least 1.") }
        guard count <= settings.nodesPerMemcachedCluster else {
            throw call.error(
                .nodeQuotaForClusterExceededFault,
                "Cluster node quota exceeded: at most \(settings.nodesPerMemcachedCluster) nodes per cluster.")
        }
        let azMode = call.string(.azMode) ?? "single-az"
        if azMode == "cross-az" && engine != "memcached" {
            throw call.error(
                .invalidParameterCombinationException, "AZMode cross-az is only supported for Memcached clusters.")
        }
        if azMode == "cross-az" && count < 2 {
            throw call.error(
                .invalidParameterCombinationException, "AZMode cross-az requires NumCacheNodes of at least 2.")
        }
        if call.string(.authToken) != nil && engine == "memcached" {
            throw call.error(.invalidParameterCombinationException, "AuthToken is not supported for Memcached.")
        }
        let transit = try TransitEncryption.created(call, userGroups: false)
        // A standalone cluster has in-transit encryption on Memcached only; Redis OSS and Valkey
        // have it in replication groups (AWS's message, quoted in terraform-provider-aws#49066
        // and aws-cdk#27379).
        if transit.enabled && engine != "memcached" {
            throw call.error(
                .invalidParameterCombinationException,
                "Encryption feature is not supported for engine \(engine.uppercased()).")
        }
        if try tx.get(CacheClusterRecord.self, kind: Self.kind, scope: scope, id: id) != nil {
            throw call.error(.cacheClusterAlreadyExistsFault, "Cache cluster \(id) already exists.")
        }
        let current = try usage()
        guard current.clusters < settings.clustersPerAccount else {
            throw call.error(.clusterQuotaForCustomerExceededFault, "Cluster quota exceeded for customer.")
        }
        guard current.nodes + count <= settings.nodesPerAccount else {
            throw call.error(.nodeQuotaForCustomerExceededFault, "Node quota exceeded for customer.")
        }
        let window = try call.string(.preferredMaintenanceWindow).map(ClusterValidation.maintenanceWindow)
        if let name = call.string(.cacheParameterGroupName) { try checkParameterGroup(name, family: version.family) }
        if let name = call.string(.cacheSubnetGroupName) {
            _ = try SubnetGroupOperations(context: context).group(name)
        }
        for name in context.strings(.cacheSecurityGroupNames) ?? [] {
            _ = try SecurityGroupOperations(context: context).group(name)
        }
        let tags = try TagOperations.tags(call[.tags])
        // Named into neither a subnet group nor VPC security groups, a cluster lands in the
        // region's default VPC (its `default` subnet group), unless it names cache security
        // groups or its node type is one that ran in EC2-Classic (the seed's cache.m1.small).
        let namedInVPC = call.string(.cacheSubnetGroupName) != nil || context.strings(.securityGroupIds) != nil
        let defaultVPC =
            !namedInVPC && context.strings(.cacheSecurityGroupNames) == nil
            && !Self.classicFamilies.contains(String(nodeType.split(separator: ".").prefix(2).joined(separator: ".")))
        let inVPC = namedInVPC || defaultVPC
        var cluster = CacheClusterRecord(
            id: id, arn: context.arn("cluster", id), engine: engine,
            engineVersion: version.version, nodeType: nodeType, status: .creating, readyAt: nil, numCacheNodes: count,
            nodes: (1...count).map {
                CacheNodeRecord(id: CacheNodeRecord.id(number: $0), createTime: call.now, status: "creating")
            },
            azMode: azMode,
            preferredAvailabilityZone: azMode == "cross-az"
                ? "Multiple" : call.string(.preferredAvailabilityZone) ?? "\(call.region)a",
            parameterGroup: call.string(.cacheParameterGroupName) ?? "default.\(version.family)",
            maintenanceWindow: window ?? "sun:05:00-sun:06:00",
            port: call.int(.port) ?? EngineCatalog.defaultPort[engine] ?? 6379,
            createTime: nil, pending: nil,
            // A cluster in a VPC has no EC2-Classic cache security groups; an EC2-Classic one
            // answers as the seed's record does, with the `default` cache security group.
            cacheSecurityGroupNames: context.strings(.cacheSecurityGroupNames) ?? (inVPC ? [] : ["default"]),
            securityGroupIds: context.strings(.securityGroupIds) ?? [],
            subnetGroup: call.string(.cacheSubnetGroupName) ?? (defaultVPC ? "default" : nil),
            autoMinorVersionUpgrade: call[.autoMinorVersionUpgrade]?.boolValue ?? true,
            snapshotRetentionLimit: call.int(.snapshotRetentionLimit) ?? 0,
            snapshotWindow: call.string(.snapshotWindow),
            authTokenEnabled: call.string(.authToken) != nil,
            transitEncryptionEnabled: transit.enabled,
            notificationTopicArn: call.string(.notificationTopicArn), replicationGroupId: nil, tags: tags)
        cluster.authTokens = call.string(.authToken).map { [SealedSecret($0)] }
        cluster.logDelivery = try LogDelivery.apply(call, engine: engine, to: nil)
        cluster.restoreFrom = source?.dataKey
        lifecycle.begin(.creating, &cluster, now: call.now)
        try save(cluster, new: current)
        return .object(["CacheCluster": render(cluster)])
    }

    /// Engine and CacheNodeType have no default on AWS: a new cluster needs them.
    private func requiredForCreate(_ member: MemberName) throws -> String {
        guard let value = call.string(member), !value.isEmpty else {
            throw AWSError.invalidParameterValue("The parameter \(member) must be provided and must not be blank.")
        }
        return value
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
        let answer = ShapeValue.object([
            "CacheClusters": .list(page),
            "Marker": more ? lastID.map { .string(Marker.encode($0)) } : nil,
        ])
        if let generation, settledForGood {
            settings.renderCache.keep(answer, for: key, generation: generation, endpoints: settings.endpoints)
        }
        return answer
    }
}
