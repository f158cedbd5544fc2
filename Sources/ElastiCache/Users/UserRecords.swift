import AWSModels
import AWSWire
import Foundation
import Persistence

/// A role-based access control user (Redis OSS 6+ and Valkey). Passwords are stored sealed
/// (the nodes' ACL needs them) and never returned: only how many there are.
struct UserRecord: Sendable, Codable, Equatable, LifecycleResource, TaggableResource {
    /// `creating` → `active`; `modifying` → `active`; `deleting` → removed.
    enum Status: String, ResourceStatus {
        case creating, active, modifying, deleting

        var settlement: Settlement<Status>? {
            switch self {
            case .creating, .modifying: .becomes(.active)
            case .deleting: .removed
            case .active: nil
            }
        }
    }

    var id: String
    var name: String
    var engine: String
    var accessString: String
    /// `password`, `no-password` or `iam`.
    var authenticationType: String
    var passwordCount: Int
    /// The passwords themselves, sealed at rest: the nodes' ACL needs them. Never rendered.
    var passwords: [SealedSecret]? = nil
    var arn: String
    var status: Status
    var readyAt: Date?
    var tags: [TagRecord]

    static let kind = "elasticache.user"
    static let arnType = "user"
    static let notFoundFault = ErrorShape.userNotFoundFault
    static func notFoundMessage(_ id: String) -> String { "User \(id) not found." }

    /// The `default` user every region has; it cannot be deleted.
    static func builtInDefault(account: String, region: String) -> UserRecord {
        UserRecord(
            id: "default", name: "default", engine: "redis", accessString: "on ~* +@all",
            authenticationType: "no-password", passwordCount: 0,
            arn: Partition(region: region).arn("elasticache", region: region, account: account, "user:default"),
            status: .active, readyAt: nil, tags: [])
    }

    func shapeValue(groups: [String]) -> ShapeValue {
        .object([
            "UserId": .string(id), "UserName": .string(name), "Status": .string(status.rawValue),
            "Engine": .string(engine),
            "MinimumEngineVersion": .string("6.0"), "AccessString": .string(accessString),
            "UserGroupIds": .list(groups.map(ShapeValue.string)),
            "Authentication": .object([
                "Type": .string(authenticationType),
                "PasswordCount": authenticationType == "password" ? .integer(Int64(passwordCount)) : nil,
            ]),
            "ARN": .string(arn),
        ])
    }
}

/// A user group: the users a replication group or serverless cache lets in.
struct UserGroupRecord: Sendable, Codable, Equatable, LifecycleResource, TaggableResource {
    typealias Status = UserRecord.Status

    var id: String
    var engine: String
    var userIds: [String]
    var arn: String
    var status: Status
    var readyAt: Date?
    var replicationGroups: [String]
    var serverlessCaches: [String]
    var tags: [TagRecord]
    /// What a ModifyUserGroup in progress changes (PendingChanges), cleared when it settles.
    var pendingAdd: [String]? = nil
    var pendingRemove: [String]? = nil

    mutating func settled(from old: Status, at time: Date) {
        pendingAdd = nil
        pendingRemove = nil
    }

    static let kind = "elasticache.usergroup"
    static let arnType = "usergroup"
    static let notFoundFault = ErrorShape.userGroupNotFoundFault
    static func notFoundMessage(_ id: String) -> String { "User group \(id) not found." }

    var shapeValue: ShapeValue {
        .object([
            "UserGroupId": .string(id), "Status": .string(status.rawValue), "Engine": .string(engine),
            "UserIds": .list(userIds.map(ShapeValue.string)), "MinimumEngineVersion": .string("6.0"),
            "ReplicationGroups": .list(replicationGroups.map(ShapeValue.string)),
            "ServerlessCaches": .list(serverlessCaches.map(ShapeValue.string)), "ARN": .string(arn),
            "PendingChanges": status == .modifying && (pendingAdd != nil || pendingRemove != nil)
                ? .object([
                    "UserIdsToAdd": .list((pendingAdd ?? []).map(ShapeValue.string)),
                    "UserIdsToRemove": .list((pendingRemove ?? []).map(ShapeValue.string)),
                ]) : nil,
        ])
    }
}

/// Redis ACL access strings as ElastiCache accepts them: `on`/`off`, key and channel patterns
/// (`~`, `%R~`, `%W~`, `%RW~`, `&`), command rules (`+`, `-`, with `@category` or `|sub`),
/// and the keywords `allkeys`, `allchannels`, `allcommands`, `nocommands`, `resetkeys`,
/// `resetchannels`, `nopass`. Passwords (`>`, `<`, `#`) belong in Passwords, not here.
enum AccessString {
    static let keywords: Set<String> = [
        "on", "off", "allkeys", "allchannels", "allcommands", "nocommands", "resetkeys", "resetchannels", "nopass",
    ]

    static func isValid(_ text: String) -> Bool {
        let tokens = text.split(separator: " ")
        guard !tokens.isEmpty else { return false }
        return tokens.allSatisfy { token in
            if keywords.contains(String(token)) { return true }
            for prefix in ["~", "%R~", "%W~", "%RW~", "&"] where token.hasPrefix(prefix) {
                return token.count > prefix.count
            }
            guard let first = token.first, first == "+" || first == "-" else { return false }
            let rule = token.dropFirst()
            let body = rule.hasPrefix("@") ? rule.dropFirst() : rule
            return !body.isEmpty
                && body.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "|" || $0 == "_" }
        }
    }
}
