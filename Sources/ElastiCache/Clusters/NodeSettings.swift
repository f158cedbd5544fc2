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

    package init(memoryBytes: Int64?, parameters: [String: String], staticNames: Set<String>) {
        self.memoryBytes = memoryBytes
        self.parameters = parameters
        self.staticNames = staticNames
    }

    /// Redis/Valkey settings applied to the processes; the rest of a group (ElastiCache's own
    /// such as reserved-memory-percent, cluster settings) is not an engine directive here.
    static let redisDirectives: Set<String> = [
        "maxmemory-policy", "maxmemory-samples", "timeout", "tcp-keepalive", "notify-keyspace-events",
        "databases", "slowlog-log-slower-than", "slowlog-max-len", "lua-time-limit", "hash-max-listpack-entries",
        "hash-max-listpack-value", "list-max-listpack-size", "set-max-intset-entries", "zset-max-listpack-entries",
        "zset-max-listpack-value", "activerehashing", "lazyfree-lazy-eviction", "lazyfree-lazy-expire",
    ]
}

extension ElastiCacheService {
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
            return NodeSettings(
                memoryBytes: gib.map { Int64($0 * 1_073_741_824) }, parameters: [:], staticNames: [])
        }
        let reserved = Double(values["reserved-memory-percent"] ?? "25") ?? 25
        let directives = values.filter { NodeSettings.redisDirectives.contains($0.key) && !$0.value.isEmpty }
        let staticNames = Set(specs.filter { $0.changeType == "requires-reboot" }.map(\.name))
        return NodeSettings(
            memoryBytes: gib.map { Int64($0 * 1_073_741_824 * (100 - reserved) / 100) }, parameters: directives,
            staticNames: staticNames.intersection(directives.keys))
    }
}
