import AWSModels
import AWSWire
import Foundation
import Persistence

/// A Redis OSS or Valkey replication group. Its members are cache clusters (one node each)
/// stored as ``CacheClusterRecord``s with `replicationGroupId` set.
package struct ReplicationGroupRecord: Sendable, Codable, Equatable, LifecycleResource, TaggableResource {
    /// `creating` → `available` (the creation time set); `modifying` → `available`; `deleting`
    /// → gone. Each transition writes its service event.
    package typealias Status = CacheStatus

    static let kind = "elasticache.replicationgroup"
    static let arnType = "replicationgroup"
    static let notFoundFault = ErrorShape.replicationGroupNotFoundFault
    static func notFoundMessage(_ id: String) -> String { "ReplicationGroup not found: \(id)" }
    static let eventSourceType = "replication-group"

    mutating func settled(from old: Status, at time: Date) {
        if old == .creating { createTime = time }
    }

    /// Creating and modifying end only once every member's nodes answer (and, in cluster mode,
    /// form the cluster the group describes).
    func nodesReady(in context: ElastiCacheCall) throws -> Bool {
        guard status == .creating || status == .modifying, let ready = context.settings.nodesReady else { return true }
        for id in memberIds {
            guard
                let member = try context.tx.get(
                    CacheClusterRecord.self, kind: CacheClusterOperations.kind, scope: context.scope, id: id)
            else { continue }
            if member.status != .deleting && !ready(member) { return false }
        }
        return true
    }

    func event(from old: Status, to next: Settlement<Status>) -> String? {
        switch (old, next) {
        case (_, .removed): "Replication group \(id) deleted"
        case (.creating, _):
            "Replication group \(id) created"
        default: "Replication group \(id) modified"
        }
    }

    package struct Member: Sendable, Codable, Equatable {
        package var clusterId: String
        /// `primary` or `replica`.
        package var role: String
    }

    package struct NodeGroup: Sendable, Codable, Equatable {
        package var id: String
        package var slots: String
        package var members: [Member]
    }

    package var id: String
    package var description: String
    package var arn: String
    package var engine: String
    package var engineVersion: String
    package var nodeType: String
    package var status: Status
    package var readyAt: Date?
    package var clusterMode: Bool
    package var automaticFailover: Bool
    package var multiAZ: Bool
    package var nodeGroups: [NodeGroup]
    package var parameterGroup: String
    package var port: Int
    package var maintenanceWindow: String
    package var snapshotRetentionLimit: Int
    package var snapshotWindow: String?
    package var authTokenEnabled: Bool
    package var transitEncryptionEnabled: Bool
    /// `preferred` or `required` (nil: `required`) while transit encryption is on.
    package var transitEncryptionMode: String? = nil
    package var atRestEncryptionEnabled: Bool
    package var autoMinorVersionUpgrade: Bool
    package var createTime: Date?
    package var tags: [TagRecord]
    /// Role-based access control: the user groups attached (Redis OSS 6+, Valkey).
    package var userGroupIds: [String]? = nil
    /// The global datastore this group belongs to, and its role there (primary, secondary).
    package var globalReplicationGroupId: String? = nil
    package var globalRole: String? = nil
    /// Where the member clusters live: the subnet group and VPC security groups the create named.
    package var subnetGroup: String? = nil
    /// The member whose node daily snapshots are taken from (cluster mode disabled); nil: the
    /// first replica, else the primary.
    package var snapshottingClusterId: String? = nil
    package var securityGroupIds: [String]? = nil
    /// Durability as asked (`default`, `sync`, `async`, `disabled`) and as in effect.
    package var durability: String? = nil
    package var effectiveDurability: String? = nil
    package var kmsKeyId: String? = nil
    /// Cluster mode restored from a snapshot of another shape: the snapshot data the formed
    /// cluster imports (its shards' RDBs, or the one RDB of a snapshot without cluster mode).
    package var importFrom: [String]? = nil
    /// Slow/engine log configurations as asked (see LogDelivery).
    package var logDelivery: [LogDelivery.Configuration]? = nil
    /// A modification that leaves the node groups as they are (StartMigration): they stay
    /// `available` while the group is `modifying`.
    package var nodeGroupsUnchanged: Bool? = nil
    /// The SNS topic CreateReplicationGroup named: its member clusters notify it.
    package var notificationTopicArn: String? = nil

    /// `none`, `sse-elasticache` or `sse-kms`: how data at rest is encrypted.
    var storageEncryptionType: String {
        atRestEncryptionEnabled ? (kmsKeyId == nil ? "sse-elasticache" : "sse-kms") : "none"
    }

    var region: String { ElastiCacheARN(arn)?.region ?? "" }

    var memberIds: [String] { nodeGroups.flatMap { $0.members.map(\.clusterId) } }

    /// The daily window when the caller names none (automatic snapshots use it too).
    static let defaultSnapshotWindow = "05:00-06:00"

    /// The member snapshots are taken from: the one named, else the first replica, else the primary.
    var snapshottingMember: String? {
        let members = nodeGroups.first?.members ?? []
        return snapshottingClusterId ?? members.first(where: { $0.role == "replica" })?.clusterId
            ?? members.first?.clusterId
    }

    /// Member cluster ids as AWS names them: `<group>-001` without cluster mode,
    /// `<group>-0001-001` with it.
    func memberId(nodeGroup: String, index: Int) -> String {
        let number = String(format: "%03d", index)
        return clusterMode ? "\(id)-\(nodeGroup)-\(number)" : "\(id)-\(number)"
    }

    /// The next free member index in a node group (or across the group without cluster mode).
    func nextMemberIndex(nodeGroup: String) -> Int {
        let ids = clusterMode ? (nodeGroups.first { $0.id == nodeGroup }?.members.map(\.clusterId) ?? []) : memberIds
        return (ids.compactMap { Int($0.split(separator: "-").last ?? "") }.max() ?? 0) + 1
    }

    /// 16384 hash slots split evenly over `count` node groups.
    static func slots(_ index: Int, of count: Int) -> String {
        let size = 16384 / count
        let start = index * size
        let end = index == count - 1 ? 16383 : start + size - 1
        return "\(start)-\(end)"
    }

    func shapeValue(endpoints: any NodeEndpoints, members: [String: CacheClusterRecord]) -> ShapeValue {
        func endpoint(_ value: (address: String, port: Int)) -> ShapeValue {
            .object(["Address": .string(value.address), "Port": .integer(Int64(value.port))])
        }
        let ready = status != .creating
        let groups = nodeGroups.map { group -> ShapeValue in
            .object([
                "NodeGroupId": .string(group.id),
                "Status": .string(status == .modifying && nodeGroupsUnchanged == true ? "available" : status.rawValue),
                "PrimaryEndpoint": !clusterMode && ready
                    ? endpoint(endpoints.replicationGroup(self, nodeGroup: group.id, reader: false)) : nil,
                "ReaderEndpoint": !clusterMode && ready
                    ? endpoint(endpoints.replicationGroup(self, nodeGroup: group.id, reader: true)) : nil,
                "Slots": clusterMode ? .string(group.slots) : nil,
                "NodeGroupMembers": .list(
                    group.members.map { member in
                        let cluster = members[member.clusterId]
                        return .object([
                            "CacheClusterId": .string(member.clusterId), "CacheNodeId": .string("0001"),
                            "ReadEndpoint": !clusterMode && ready
                                ? cluster.map { endpoint(endpoints.node($0, nodeId: "0001", region: region)) } : nil,
                            "PreferredAvailabilityZone": cluster.map { .string($0.preferredAvailabilityZone) },
                            "CurrentRole": clusterMode ? nil : .string(member.role),
                        ])
                    }),
            ])
        }
        return .object([
            "ReplicationGroupId": .string(id), "Description": .string(description), "Status": .string(status.rawValue),
            "PendingModifiedValues": .object([:]), "MemberClusters": .list(memberIds.map(ShapeValue.string)),
            "NodeGroups": .list(groups),
            // While a group without cluster mode is created, failover is being enabled (as
            // CreateReplicationGroup answers); cluster mode has it from the start.
            "AutomaticFailover": .string(
                automaticFailover ? (status == .creating && !clusterMode ? "enabling" : "enabled") : "disabled"),
            "SnapshottingClusterId": clusterMode ? nil : snapshottingMember.map(ShapeValue.string),
            "MultiAZ": .string(multiAZ ? "enabled" : "disabled"),
            "ConfigurationEndpoint": clusterMode && ready
                ? endpoint(endpoints.replicationGroup(self, nodeGroup: nil, reader: false)) : nil,
            "SnapshotRetentionLimit": .integer(Int64(snapshotRetentionLimit)),
            "SnapshotWindow": .string(snapshotWindow ?? Self.defaultSnapshotWindow),
            "ClusterEnabled": .boolean(clusterMode),
            "CacheNodeType": .string(nodeType), "AuthTokenEnabled": .boolean(authTokenEnabled),
            "TransitEncryptionEnabled": .boolean(transitEncryptionEnabled),
            "TransitEncryptionMode": transit.mode.map(ShapeValue.string),
            "AtRestEncryptionEnabled": .boolean(atRestEncryptionEnabled), "ARN": .string(arn),
            "KmsKeyId": kmsKeyId.map(ShapeValue.string), "StorageEncryptionType": .string(storageEncryptionType),
            "Durability": durability.map(ShapeValue.string),
            "EffectiveDurability": .string(effectiveDurability ?? "disabled"),
            "ReplicationGroupCreateTime": createTime.map(ShapeValue.timestamp),
            "DataTiering": .string("disabled"), "AutoMinorVersionUpgrade": .boolean(autoMinorVersionUpgrade),
            "NetworkType": .string("ipv4"), "IpDiscovery": .string("ipv4"),
            "ClusterMode": .string(clusterMode ? "enabled" : "disabled"), "Engine": .string(engine),
            "UserGroupIds": userGroupIds.map { .list($0.map(ShapeValue.string)) },
            // AWS answers an empty GlobalReplicationGroupInfo for a group in no global datastore.
            "GlobalReplicationGroupInfo": .object([
                "GlobalReplicationGroupId": globalReplicationGroupId.map(ShapeValue.string),
                "GlobalReplicationGroupMemberRole": globalReplicationGroupId == nil
                    ? nil : globalRole.map(ShapeValue.string),
            ]),
            "LogDeliveryConfigurations": LogDelivery.render(logDelivery),
        ])
    }
}
