import AWSModels
import AWSWire
import Foundation

/// A snapshot of a Redis OSS or Valkey cluster or replication group.
struct SnapshotRecord: Sendable, Codable, Equatable, LifecycleResource, TaggableResource {
    typealias Status = SnapshotStatus

    static let kind = "elasticache.snapshot"
    static let arnType = "snapshot"
    static let notFoundFault = ErrorShape.snapshotNotFoundFault
    static func notFoundMessage(_ id: String) -> String { "Snapshot \(id) not found." }

    var id: String { name }
    var name: String
    var arn: String
    var cacheClusterId: String?
    var replicationGroupId: String?
    /// `manual` (CreateSnapshot and final snapshots) or `automated`.
    var source: String
    var status: Status
    var readyAt: Date?
    var engine: String
    var engineVersion: String
    var nodeType: String
    var numCacheNodes: Int
    var parameterGroup: String
    var port: Int
    var maintenanceWindow: String
    var clusterCreateTime: Date?
    var created: Date
    /// Absent in rows stored before snapshots could be tagged.
    var tagList: [TagRecord]?
    /// What the source cluster (or group) was when the snapshot was taken, as DescribeSnapshots
    /// shows it; absent in rows stored before snapshots kept it.
    var origin: Origin?
    /// The node whose data the snapshot saves (`<cluster ARN>/0001`); nil for a copy, a
    /// cluster-mode group's snapshot (metadata only) and rows stored before snapshots saved data.
    var sourceNode: String? = nil
    /// The snapshot whose saved data this one shares (a copy shares its source's); nil: its own.
    var rdbOf: String? = nil
    /// A cluster-mode group's snapshot: each shard's primary node, in node group order; each
    /// saves its own RDB (`<data key>#<index>`).
    var shardNodes: [String]? = nil

    /// The ARN its data is kept under.
    var dataKey: String { rdbOf ?? arn }

    /// The keys its saved data is kept under: one, or one per shard.
    var dataKeys: [String] {
        guard let shardNodes else { return [dataKey] }
        return shardNodes.indices.map { Self.shardKey(dataKey, $0) }
    }

    static func shardKey(_ dataKey: String, _ index: Int) -> String { "\(dataKey)#\(index)" }

    /// A new snapshot stays `creating` until its node's data is saved.
    func nodesReady(in context: ElastiCacheCall) throws -> Bool {
        guard status == .creating, let data = context.settings.snapshotData else { return true }
        return dataKeys.allSatisfy(data.saved)
    }

    struct Origin: Sendable, Codable, Equatable {
        var preferredAvailabilityZone: String
        var subnetGroup: String?
        var autoMinorVersionUpgrade: Bool
        var snapshotRetentionLimit: Int
        var snapshotWindow: String?
        /// Replication-group snapshots only.
        var groupDescription: String?
        var automaticFailover: Bool?
        var numNodeGroups: Int?
        /// Cluster mode on: the shards the snapshot holds, one NodeSnapshot each.
        var shards: [String]?
        /// The group's effective durability when the snapshot was taken (restores keep it).
        var durability: String? = nil
        /// The cluster's SNS notification topic.
        var topicArn: String? = nil
        /// Cluster mode on: each shard's primary (the cluster its NodeSnapshot names).
        var shardClusters: [String]? = nil

        init(cluster: CacheClusterRecord, group: ReplicationGroupRecord?) {
            preferredAvailabilityZone = cluster.preferredAvailabilityZone
            subnetGroup = cluster.subnetGroup
            autoMinorVersionUpgrade = group?.autoMinorVersionUpgrade ?? cluster.autoMinorVersionUpgrade
            snapshotRetentionLimit = group?.snapshotRetentionLimit ?? cluster.snapshotRetentionLimit
            snapshotWindow = group?.snapshotWindow ?? cluster.snapshotWindow
            groupDescription = group?.description
            automaticFailover = group?.automaticFailover
            numNodeGroups = group?.nodeGroups.count
            shards = group?.clusterMode == true ? group?.nodeGroups.map(\.id) : nil
            durability = group.map { $0.effectiveDurability ?? "disabled" }
            topicArn = cluster.notificationTopicArn
            shardClusters =
                group?.clusterMode == true
                ? group?.nodeGroups.map { $0.members.first { $0.role == "primary" }?.clusterId ?? "" } : nil
        }
    }

    var tags: [TagRecord] {
        get { tagList ?? [] }
        set { tagList = newValue }
    }
}
