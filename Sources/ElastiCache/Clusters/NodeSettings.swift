import Foundation
import Persistence

/// What a node process starts with, from its cluster's node type and parameter group: the
/// memory it may use and the engine settings the group sets.
package struct NodeSettings: Sendable, Equatable {
    /// Redis/Valkey `maxmemory`, memcached `-m` (in bytes): the node type's memory less
    /// `reserved-memory-percent` (Redis OSS, Valkey).
    package var memoryBytes: Int64?
    /// Engine settings the node honours, by their engine name (`maxmemory-policy`, `timeout`…).
    package var parameters: [String: String]
    /// Of those, the ones a running node takes only at its next start.
    package var staticNames: Set<String>
    /// The RBAC users of the replication group's user groups (nil: no user groups; the default
    /// user then takes the AUTH tokens).
    package var users: [NodeUser]? = nil
    /// A serverless cache's CacheUsageLimits ECPUPerSecond Maximum: its endpoint throttles
    /// requests beyond it (nil: unlimited).
    package var ecpuPerSecond: Int? = nil

    package init(memoryBytes: Int64?, parameters: [String: String], staticNames: Set<String>) {
        self.memoryBytes = memoryBytes
        self.parameters = parameters
        self.staticNames = staticNames
    }

    /// Redis/Valkey settings applied to the processes; the rest of a group (ElastiCache's own
    /// such as reserved-memory-percent, cluster settings) is not an engine directive here.
    /// Memcached settings a node starts with (as command-line flags).
    static let memcachedFlags: Set<String> = [
        "backlog_queue_limit", "binding_protocol", "cas_disabled", "chunk_size", "chunk_size_growth_factor",
        "error_on_memory_exhausted", "max_item_size", "max_simultaneous_connections", "requests_per_event",
        "idle_timeout", "hash_algorithm", "lru_crawler", "lru_maintainer", "slab_automove",
        "expirezero_does_not_evict",
    ]

    static let redisDirectives: Set<String> = [
        "maxmemory-policy", "maxmemory-samples", "timeout", "tcp-keepalive", "notify-keyspace-events",
        "databases", "slowlog-log-slower-than", "slowlog-max-len", "lua-time-limit", "hash-max-listpack-entries",
        "hash-max-listpack-value", "list-max-listpack-size", "set-max-intset-entries", "zset-max-listpack-entries",
        "zset-max-listpack-value", "activerehashing", "lazyfree-lazy-eviction", "lazyfree-lazy-expire",
        "latency-tracking", "acllog-max-len", "active-expire-effort", "tracking-table-max-keys",
    ]
}

/// An RBAC user as a node's ACL knows it: its name and its rule (`reset`, the access string's
/// tokens, then `>password`s or `nopass`).
package struct NodeUser: Sendable, Equatable {
    package var name: String
    package var rule: [String]
    /// An IAM-authenticated user: it signs in with an IAM auth token, which the group's
    /// endpoints exchange for a password only cachetrail knows.
    package var iam: Bool

    package init(name: String, rule: [String], iam: Bool = false) {
        self.name = name
        self.rule = rule
        self.iam = iam
    }
}

extension ElastiCacheService {
    /// The users of the user groups attached to `cluster`'s replication group, by user name
    /// (nil when it has none). An IAM-authenticated user's password is set by the node
    /// supervisor (see `NodeUser.iam`).
    static func nodeUsers(_ cluster: CacheClusterRecord, scope: String, in tx: any StateReader) throws -> [NodeUser]? {
        guard let groupId = cluster.replicationGroupId,
            let group = try tx.get(
                ReplicationGroupRecord.self, kind: ReplicationGroupRecord.kind, scope: scope, id: groupId)
        else { return nil }
        return try nodeUsers(userGroupIds: group.userGroupIds ?? [], scope: scope, in: tx)
    }

    /// The users of `userGroupIds` by user name; nil when there are none.
    static func nodeUsers(userGroupIds: [String], scope: String, in tx: any StateReader) throws -> [NodeUser]? {
        guard !userGroupIds.isEmpty else { return nil }
        let parts = scope.split(separator: "/").map(String.init)
        var users: [String: NodeUser] = [:]
        for userGroupId in userGroupIds {
            guard
                let userGroup = try tx.get(
                    UserGroupRecord.self, kind: UserGroupRecord.kind, scope: scope, id: userGroupId)
            else { continue }
            for userId in userGroup.userIds {
                let user =
                    userId == "default" && parts.count == 2
                    ? UserRecord.builtInDefault(account: parts[0], region: parts[1])
                    : try tx.get(UserRecord.self, kind: UserRecord.kind, scope: scope, id: userId)
                guard let user else { continue }
                let secrets =
                    user.authenticationType == "no-password"
                    ? ["nopass"] : (user.passwords ?? []).map { ">" + $0.value }
                users[user.name] = NodeUser(
                    name: user.name,
                    rule: ["reset"] + user.accessString.split(separator: " ").map(String.init) + secrets,
                    iam: user.authenticationType == "iam")
            }
        }
        return users.values.sorted { $0.name < $1.name }
    }

    /// The settings of `cluster`'s nodes: stored group overrides over the family's defaults.
    package static func nodeSettings(_ cluster: CacheClusterRecord, in tx: any StateReader) throws -> NodeSettings {
        let parts = cluster.arn.split(separator: ":", omittingEmptySubsequences: false)
        let scope = parts.count > 4 ? "\(parts[4])/\(parts[3])" : ""
        let name = cluster.parameterGroup
        var family = ParameterCatalog.families.first { name == "default.\($0)" }
        var overrides: [String: String] = [:]
        if family == nil,
            let stored = try tx.get(
                ParameterGroupRecord.self, kind: ParameterGroupRecord.kind, scope: scope, id: name.lowercased())
        {
            family = stored.family
            overrides = stored.overrides
        }
        let specs = family.flatMap(ParameterCatalog.parameters(family:)) ?? []
        var values: [String: String] = [:]
        for spec in specs { values[spec.name] = overrides[spec.name] ?? spec.defaultValue }
        let gib = NodeTypeModifications.memory[cluster.nodeType]
        guard cluster.engine != "memcached" else {
            // Every memcached setting is a command-line flag: all of them wait for a restart.
            let flags = values.filter { NodeSettings.memcachedFlags.contains($0.key) && !$0.value.isEmpty }
            return NodeSettings(
                memoryBytes: gib.map { Int64($0 * 1_073_741_824) }, parameters: flags, staticNames: Set(flags.keys))
        }
        let reserved = Double(values["reserved-memory-percent"] ?? "25") ?? 25
        let directives = values.filter { NodeSettings.redisDirectives.contains($0.key) && !$0.value.isEmpty }
        let staticNames = Set(specs.filter { $0.changeType == "requires-reboot" }.map(\.name))
        var settings = NodeSettings(
            memoryBytes: gib.map { Int64($0 * 1_073_741_824 * (100 - reserved) / 100) }, parameters: directives,
            staticNames: staticNames.intersection(directives.keys))
        settings.users = try nodeUsers(cluster, scope: scope, in: tx)
        return settings
    }
}
