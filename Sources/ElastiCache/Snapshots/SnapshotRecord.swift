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

    var tags: [TagRecord] {
        get { tagList ?? [] }
        set { tagList = newValue }
    }
}
