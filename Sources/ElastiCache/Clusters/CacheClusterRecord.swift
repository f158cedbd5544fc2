import Foundation

/// A cache node of a cluster.
public struct CacheNodeRecord: Sendable, Codable, Equatable {
    public var id: String
    public var createTime: Date
    public var status: String
}

public struct TagRecord: Sendable, Codable, Equatable {
    public var key: String
    public var value: String
}

/// A cache cluster as the state store keeps it.
public struct CacheClusterRecord: Sendable, Codable, Equatable {
    public var id: String
    public var arn: String
    public var engine: String
    public var engineVersion: String
    public var nodeType: String
    public var status: ClusterStatus
    /// When the current transient status ends.
    public var readyAt: Date?
    public var numCacheNodes: Int
    public var nodes: [CacheNodeRecord]
    public var azMode: String
    public var preferredAvailabilityZone: String
    public var parameterGroup: String
    public var maintenanceWindow: String
    public var port: Int
    /// Set when creation completes, as AWS reports it.
    public var createTime: Date?
    public var pending: PendingChanges?
    public var cacheSecurityGroupNames: [String]
    public var securityGroupIds: [String]
    public var subnetGroup: String?
    public var autoMinorVersionUpgrade: Bool
    public var snapshotRetentionLimit: Int
    public var snapshotWindow: String?
    public var authTokenEnabled: Bool
    public var transitEncryptionEnabled: Bool
    public var notificationTopicArn: String?
    public var replicationGroupId: String?
    public var tags: [TagRecord]
}
