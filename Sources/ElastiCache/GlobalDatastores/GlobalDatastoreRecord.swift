import AWSModels
import AWSWire
import Foundation
import Persistence

/// A global datastore: one primary replication group and up to two secondaries in other
/// regions of the same account (kind `elasticache.global`, scope the account).
struct GlobalDatastoreRecord: Sendable, Codable, Equatable, LifecycleResource, TaggableResource {
    /// `creating` and `modifying` settle into `primary-only` (one member) or `available`
    /// (secondaries too); a delete removes the row at once (`deleting` is what it answers).
    enum Status: String, ResourceStatus {
        case creating, modifying, available, deleting
        case primaryOnly = "primary-only"

        var settlement: Settlement<Status>? {
            switch self {
            case .creating, .modifying: .becomes(.available)
            case .deleting: .removed
            case .available, .primaryOnly: nil
            }
        }

        /// Whether calls that change the datastore may start.
        var isSettled: Bool { self == .available || self == .primaryOnly }
    }

    struct Member: Sendable, Codable, Equatable {
        var replicationGroupId: String
        var region: String
        /// `primary` or `secondary`.
        var role: String
    }

    var id: String
    var description: String
    var status: Status
    var readyAt: Date?
    var nodeType: String
    var engine: String
    var engineVersion: String
    var clusterEnabled: Bool
    var nodeGroupCount: Int
    var automaticFailover: Bool
    var authTokenEnabled: Bool
    var transitEncryptionEnabled: Bool
    var atRestEncryptionEnabled: Bool
    var members: [Member]
    var arn: String
    /// CreateGlobalReplicationGroup's Tags and later tag calls (records stored before tags have none).
    var tagList: [TagRecord]? = nil

    static let arnType = "globalreplicationgroup"
    var tags: [TagRecord] {
        get { tagList ?? [] }
        set { tagList = newValue }
    }

    static let kind = "elasticache.global"
    static let notFoundFault = ErrorShape.globalReplicationGroupNotFoundFault
    static func notFoundMessage(_ id: String) -> String { "Global replication group \(id) not found." }
    /// Global datastores belong to the account, not to a region.
    static func scope(account: String, region: String) -> String { account }

    /// A datastore with no secondaries settles into `primary-only`.
    func settlement() -> Settlement<Status>? {
        guard case .becomes = status.settlement else { return status.settlement }
        return .becomes(members.count > 1 ? .available : .primaryOnly)
    }
    /// AWS allows a primary and at most two secondary regions.
    static let maxMembers = 3

    /// The prefix AWS puts before the caller's suffix: five letters naming the account's
    /// global datastore namespace (derived here from the account, stable across calls).
    static func prefix(account: String) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var value = account.utf8.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 }
        var text = ""
        for _ in 0..<5 {
            text.append(letters[Int(value % 26)])
            value /= 26
        }
        return text
    }

    func shapeValue(showMembers: Bool) -> ShapeValue {
        let groups = (0..<nodeGroupCount).map { index in
            ShapeValue.object([
                "GlobalNodeGroupId": .string("\(id)-\(String(format: "%04d", index + 1))"),
                "Slots": .string(ReplicationGroupRecord.slots(index, of: nodeGroupCount)),
            ])
        }
        return .object([
            "GlobalReplicationGroupId": .string(id), "GlobalReplicationGroupDescription": .string(description),
            "Status": .string(status.rawValue), "CacheNodeType": .string(nodeType), "Engine": .string(engine),
            "EngineVersion": .string(engineVersion),
            "Members": showMembers
                ? .list(
                    members.map {
                        .object([
                            "ReplicationGroupId": .string($0.replicationGroupId),
                            "ReplicationGroupRegion": .string($0.region), "Role": .string($0.role),
                            "AutomaticFailover": .string(automaticFailover ? "enabled" : "disabled"),
                            // A member joins while the datastore is created or changed.
                            "Status": .string(status == .creating ? "associating" : "associated"),
                        ])
                    }) : nil,
            "ClusterEnabled": .boolean(clusterEnabled), "GlobalNodeGroups": clusterEnabled ? .list(groups) : nil,
            "AuthTokenEnabled": .boolean(authTokenEnabled),
            "TransitEncryptionEnabled": .boolean(transitEncryptionEnabled),
            "AtRestEncryptionEnabled": .boolean(atRestEncryptionEnabled), "ARN": .string(arn),
        ])
    }
}

/// A global datastore as node processes see it: the ARN of its primary region's replication
/// group and those of its secondaries (whose primaries replicate from that group's primary).
package struct GlobalReplication: Sendable, Equatable {
    package var primary: String
    package var secondaries: [String]
}

extension ElastiCacheService {
    /// Every account's global datastores, by their members' replication group ARNs.
    package static func globalReplications(in tx: any StateReader) throws -> [GlobalReplication] {
        try tx.listAll(GlobalDatastoreRecord.self, kind: GlobalDatastoreRecord.kind).compactMap { global in
            // arn:PARTITION:elasticache::ACCOUNT:globalreplicationgroup:ID (no region)
            guard let parsed = ElastiCacheARN(global.arn), global.status != .deleting else { return nil }
            func arn(_ member: GlobalDatastoreRecord.Member) -> String {
                parsed.sibling("replicationgroup", member.replicationGroupId, region: member.region)
            }
            guard let primary = global.members.first(where: { $0.role == "primary" }) else { return nil }
            return GlobalReplication(
                primary: arn(primary), secondaries: global.members.filter { $0.role != "primary" }.map(arn))
        }
    }
}
