import AWSWire
import Foundation
import Persistence

/// A serverless cache as node processes see it: one node under the cluster id
/// `serverless--<name>` (two hyphens in a row: no cache cluster can have it). For Redis OSS and
/// Valkey it is a one-shard Redis Cluster holding every slot (serverless endpoints speak cluster
/// mode), described by a replication group of the same id, so the supervisor forms it and serves
/// its endpoint like any cluster-mode group's; for Memcached it is one memcached.
/// What a serverless cache's node cluster and group ids start with.
package let serverlessNodeIdPrefix = "serverless--"

extension ServerlessCacheRecord {
    var nodeId: String { serverlessNodeIdPrefix + name }

    /// `arn:aws:elasticache:REGION:ACCOUNT:<type>:<id>` for the node's cluster or group.
    func nodeARN(_ type: String) -> String {
        ElastiCacheARN(arn)?.sibling(type, nodeId) ?? arn
    }

    var nodeStatus: ClusterStatus {
        switch status {
        case .creating: .creating
        case .deleting: .deleting
        default: .available
        }
    }

    var nodeCluster: CacheClusterRecord {
        var cluster = CacheClusterRecord(
            id: nodeId, arn: nodeARN("cluster"), engine: engine, engineVersion: Self.versions[engine]?.full ?? "",
            nodeType: "", status: nodeStatus, readyAt: nil, numCacheNodes: 1,
            nodes: [CacheNodeRecord(id: "0001", createTime: createTime, status: "available")], azMode: "single-az",
            preferredAvailabilityZone: "", parameterGroup: "", maintenanceWindow: "", port: 0, createTime: createTime,
            pending: nil, cacheSecurityGroupNames: [], securityGroupIds: [], subnetGroup: nil,
            autoMinorVersionUpgrade: true, snapshotRetentionLimit: 0, snapshotWindow: nil, authTokenEnabled: false,
            transitEncryptionEnabled: true, notificationTopicArn: nil,
            replicationGroupId: engine == "memcached" ? nil : nodeId, tags: [])
        cluster.groupClusterMode = engine == "memcached" ? nil : true
        return cluster
    }

    var nodeGroup: ReplicationGroupRecord? {
        guard engine != "memcached" else { return nil }
        return ReplicationGroupRecord(
            id: nodeId, description: description, arn: nodeARN("replicationgroup"), engine: engine,
            engineVersion: Self.versions[engine]?.full ?? "", nodeType: "",
            status: status == .deleting ? .deleting : .available, readyAt: nil,
            clusterMode: true, automaticFailover: false, multiAZ: false,
            nodeGroups: [.init(id: "0001", slots: "0-16383", members: [.init(clusterId: nodeId, role: "primary")])],
            parameterGroup: "", port: 0, maintenanceWindow: "", snapshotRetentionLimit: 0, snapshotWindow: nil,
            authTokenEnabled: false, transitEncryptionEnabled: true, atRestEncryptionEnabled: true,
            autoMinorVersionUpgrade: true, createTime: createTime, tags: [], importFrom: restoreFrom)
    }

    /// Where the cache answers: the cluster's endpoint, for Memcached the node cluster's
    /// configuration endpoint (cachetrail's proxies to the node, or their synthetic names).
    func endpoint(_ endpoints: any NodeEndpoints, region: String) -> (address: String, port: Int) {
        if let nodeGroup { return endpoints.replicationGroup(nodeGroup, nodeGroup: nil, reader: false) }
        return endpoints.configuration(nodeCluster, region: region)
    }

    /// Creating ends only once the node answers (as part of its formed cluster).
    func nodesReady(in context: ElastiCacheCall) throws -> Bool {
        guard status == .creating, let ready = context.settings.nodesReady else { return true }
        return ready(nodeCluster)
    }
}

extension ElastiCacheService {
    /// Every account's serverless caches as the clusters and groups their nodes run as, with
    /// their nodes' settings: the user group's users (RBAC), and the usage limit's maximum data
    /// storage as the node's memory.
    package static func serverlessNodes(in tx: any StateReader) throws -> (
        clusters: [CacheClusterRecord], groups: [ReplicationGroupRecord], settings: [String: NodeSettings]
    ) {
        let caches = try tx.listAll(ServerlessCacheRecord.self, kind: ServerlessCacheRecord.kind)
        var settings: [String: NodeSettings] = [:]
        for cache in caches {
            guard let arn = ElastiCacheARN(cache.arn) else { continue }
            var node = NodeSettings(memoryBytes: cache.maximumDataStorageBytes, parameters: [:], staticNames: [])
            node.ecpuPerSecond = cache.usageLimits?[member: "ECPUPerSecond"]?[member: "Maximum"]?.intValue.map(Int.init)
            if cache.engine != "memcached" {
                node.users = try nodeUsers(
                    userGroupIds: cache.userGroupId.map { [$0] } ?? [], scope: arn.scope, in: tx)
            }
            settings[cache.nodeCluster.arn] = node
        }
        return (caches.map(\.nodeCluster), caches.compactMap(\.nodeGroup), settings)
    }
}

extension ServerlessCacheRecord {
    /// CacheUsageLimits' DataStorage Maximum (in GB), in bytes.
    var maximumDataStorageBytes: Int64? {
        guard let maximum = usageLimits?[member: "DataStorage"]?[member: "Maximum"]?.intValue else { return nil }
        return maximum * 1_073_741_824
    }
}
