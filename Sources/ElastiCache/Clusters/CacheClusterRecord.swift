import Foundation
import Persistence

/// A cache node of a cluster.
package struct CacheNodeRecord: Sendable, Codable, Equatable {
    package var id: String
    package var createTime: Date
    package var status: String

    /// A node's id: its number in four digits (`0001`), as AWS names a cluster's nodes.
    /// (Not `String(format:)`, which went through Foundation's formatter: ~1 % of a create.)
    static func id(number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

package struct TagRecord: Sendable, Codable, Equatable {
    package var key: String
    package var value: String
}

/// A cache cluster as the state store keeps it.
package struct CacheClusterRecord: CachedDocument, Equatable {
    package var id: String
    package var arn: String
    package var engine: String
    package var engineVersion: String
    package var nodeType: String
    package var status: ClusterStatus
    /// When the current transient status ends.
    package var readyAt: Date?
    package var numCacheNodes: Int
    package var nodes: [CacheNodeRecord]
    package var azMode: String
    package var preferredAvailabilityZone: String
    package var parameterGroup: String
    package var maintenanceWindow: String
    package var port: Int
    /// Set when creation completes, as AWS reports it.
    package var createTime: Date?
    package var pending: PendingChanges?
    package var cacheSecurityGroupNames: [String]
    package var securityGroupIds: [String]
    package var subnetGroup: String?
    package var autoMinorVersionUpgrade: Bool
    package var snapshotRetentionLimit: Int
    package var snapshotWindow: String?
    package var authTokenEnabled: Bool
    /// The AUTH tokens the nodes accept (two while a rotation is under way), sealed at rest;
    /// the node processes get them through their 0600 configuration files.
    package var authTokens: [SealedSecret]? = nil
    /// `pending-reboot` after its parameter group changed a static parameter, until a reboot;
    /// nil is `in-sync`.
    package var parameterApplyStatus: String? = nil
    package var transitEncryptionEnabled: Bool
    /// `preferred` or `required` (nil: `required`) while transit encryption is on.
    package var transitEncryptionMode: String? = nil
    package var notificationTopicArn: String?
    /// Slow/engine log configurations as asked (see LogDelivery).
    package var logDelivery: [LogDelivery.Configuration]? = nil
    package var replicationGroupId: String?
    package var tags: [TagRecord]
    /// For a member of a replication group: whether the group has cluster mode on (nil for a
    /// standalone cluster, and for members stored before this was kept).
    package var groupClusterMode: Bool? = nil
    /// The snapshot data (its key) the nodes start with: a restore.
    package var restoreFrom: String? = nil

    /// AuthTokenUpdateStrategy applied: ROTATE keeps the current token beside the new one;
    /// SET replaces both; DELETE leaves the nodes without AUTH.
    mutating func updateAuthTokens(strategy: String, token: String?) {
        authTokenEnabled = strategy != "DELETE"
        let current = authTokens ?? []
        let new = token.map { [SealedSecret($0)] } ?? []
        switch strategy {
        case "ROTATE": authTokens = Array((current + new).suffix(2))
        case "DELETE": authTokens = nil
        default: authTokens = new.isEmpty ? current : new
        }
    }
}
