import AWSModels
import AWSWire
import ServiceContract

/// Every resource an ElastiCache action names, per the Service Authorization Reference: the
/// call is allowed only when each one is (CreateCacheCluster needs its parameter group, subnet
/// group, security groups and — when restoring — the snapshot too, not just the cluster). One
/// table: action → resource types → the input members that name them.
enum ElastiCacheAccess {
    /// A resource type and the input members (scalars, or lists of names) that name it.
    struct Binding {
        var type: String
        var members: [String]
    }

    static func binding(_ type: String, _ members: String...) -> Binding { Binding(type: type, members: members) }

    static let table: [String: [Binding]] = [
        "CreateCacheCluster": [
            binding("cluster", "CacheClusterId"), binding("parametergroup", "CacheParameterGroupName"),
            binding("subnetgroup", "CacheSubnetGroupName"), binding("securitygroup", "CacheSecurityGroupNames"),
            binding("snapshot", "SnapshotName"), binding("replicationgroup", "ReplicationGroupId"),
        ],
        "ModifyCacheCluster": [
            binding("cluster", "CacheClusterId"), binding("parametergroup", "CacheParameterGroupName"),
            binding("securitygroup", "CacheSecurityGroupNames"),
        ],
        "DeleteCacheCluster": [binding("cluster", "CacheClusterId"), binding("snapshot", "FinalSnapshotIdentifier")],
        "CreateReplicationGroup": [
            binding("replicationgroup", "ReplicationGroupId"), binding("parametergroup", "CacheParameterGroupName"),
            binding("subnetgroup", "CacheSubnetGroupName"), binding("securitygroup", "CacheSecurityGroupNames"),
            binding("snapshot", "SnapshotName"), binding("usergroup", "UserGroupIds"),
            binding("cluster", "PrimaryClusterId"), binding("globalreplicationgroup", "GlobalReplicationGroupId"),
        ],
        "ModifyReplicationGroup": [
            binding("replicationgroup", "ReplicationGroupId"), binding("parametergroup", "CacheParameterGroupName"),
            binding("securitygroup", "CacheSecurityGroupNames"),
            binding("usergroup", "UserGroupIdsToAdd", "UserGroupIdsToRemove"),
        ],
        "DeleteReplicationGroup": [
            binding("replicationgroup", "ReplicationGroupId"), binding("snapshot", "FinalSnapshotIdentifier"),
        ],
        "CreateSnapshot": [
            binding("snapshot", "SnapshotName"), binding("cluster", "CacheClusterId"),
            binding("replicationgroup", "ReplicationGroupId"),
        ],
        "CopySnapshot": [binding("snapshot", "SourceSnapshotName", "TargetSnapshotName")],
        "CreateUserGroup": [binding("usergroup", "UserGroupId"), binding("user", "UserIds")],
        "ModifyUserGroup": [binding("usergroup", "UserGroupId"), binding("user", "UserIdsToAdd", "UserIdsToRemove")],
        "CreateServerlessCache": [
            binding("serverlesscache", "ServerlessCacheName"), binding("usergroup", "UserGroupId"),
        ],
        "CreateServerlessCacheSnapshot": [
            binding("serverlesscachesnapshot", "ServerlessCacheSnapshotName"),
            binding("serverlesscache", "ServerlessCacheName"),
        ],
        "CreateGlobalReplicationGroup": [
            binding("globalreplicationgroup", "GlobalReplicationGroupIdSuffix"),
            binding("replicationgroup", "PrimaryReplicationGroupId"),
        ],
    ]

    /// The ARN of a resource of `type` named `name` in the caller's account and region
    /// (global datastores have no region in their ARN).
    static func arn(_ type: String, _ name: String, call: OperationCall) -> String {
        let region = type == "globalreplicationgroup" ? "" : call.region
        let caseKept: Set<String> = ["user", "usergroup"]
        let id = caseKept.contains(type) ? name : name.lowercased()
        return call.partition.arn("elasticache", region: region, account: call.account, "\(type):\(id)")
    }

    /// Every resource ARN `call` names beyond its primary one, in table order.
    static func resources(for call: OperationCall) -> [String] {
        var arns: [String] = []
        for binding in table[call.operation.name] ?? [] {
            for member in binding.members {
                switch call.input[member: member] {
                case .string(let name)? where !name.isEmpty: arns.append(arn(binding.type, name, call: call))
                case .list(let names)?:
                    arns += names.compactMap(\.stringValue).map { arn(binding.type, $0, call: call) }
                default: continue
                }
            }
        }
        return arns
    }

    /// ElastiCache's condition keys and the request's tags, from the input.
    static func conditionKeys(for call: OperationCall) -> [String: [String]] {
        var keys: [String: [String]] = [:]
        func text(_ value: ShapeValue) -> String? {
            switch value {
            case .string(let text): text
            case .integer(let number): String(number)
            case .boolean(let flag): flag ? "true" : "false"
            default: nil
            }
        }
        let members: [String: String] = [
            "CacheNodeType": "elasticache:CacheNodeType", "Engine": "elasticache:EngineType",
            "EngineVersion": "elasticache:EngineVersion",
            "CacheParameterGroupName": "elasticache:CacheParameterGroupName",
            "NumNodeGroups": "elasticache:NumNodeGroups", "ReplicasPerNodeGroup": "elasticache:ReplicasPerNodeGroup",
            "TransitEncryptionEnabled": "elasticache:TransitEncryptionEnabled",
            "AtRestEncryptionEnabled": "elasticache:AtRestEncryptionEnabled",
            "AutomaticFailoverEnabled": "elasticache:AutomaticFailoverEnabled",
            "MultiAZEnabled": "elasticache:MultiAZEnabled",
            "SnapshotRetentionLimit": "elasticache:SnapshotRetentionLimit",
            "KmsKeyId": "elasticache:KmsKeyId", "DataTieringEnabled": "elasticache:DataTieringEnabled",
            "PrimaryEndpoint": "elasticache:PrimaryEndpoint",
        ]
        for (member, key) in members {
            if let value = call.input[member: member].flatMap(text) { keys[key] = [value] }
        }
        // Keys read from nested members (serverless usage limits, a user's authentication).
        let nested: [(path: [String], key: String)] = [
            (["CacheUsageLimits", "DataStorage", "Maximum"], "elasticache:MaximumDataStorage"),
            (["CacheUsageLimits", "DataStorage", "Minimum"], "elasticache:MinimumDataStorage"),
            (["CacheUsageLimits", "DataStorage", "Unit"], "elasticache:DataStorageUnit"),
            (["CacheUsageLimits", "ECPUPerSecond", "Maximum"], "elasticache:MaximumECPUPerSecond"),
            (["CacheUsageLimits", "ECPUPerSecond", "Minimum"], "elasticache:MinimumECPUPerSecond"),
            (["AuthenticationMode", "Type"], "elasticache:UserAuthenticationMode"),
            (["NewReplicaCount"], "elasticache:NumReplicas"),
        ]
        for (path, key) in nested {
            let value = path.reduce(Optional(call.input)) { value, member in value?[member: member] }
            if let value = value.flatMap(text) { keys[key] = [value] }
        }
        if call.operation.name == "CreateReplicationGroup" {
            // Cluster mode: asked for, or implied by more than one shard.
            let shards = call[.numNodeGroups]?.intValue ?? Int64(call[.nodeGroupConfiguration]?.listValue?.count ?? 1)
            let enabled = call.string(.clusterMode) == "enabled" || shards > 1
            keys["elasticache:ClusterModeEnabled"] = [enabled ? "true" : "false"]
        }
        if call[.authToken] != nil { keys["elasticache:AuthTokenEnabled"] = ["true"] }
        if let tags = call[.tags]?.listValue, !tags.isEmpty {
            var tagKeys: [String] = []
            for tag in tags {
                guard let key = tag[member: "Key"]?.stringValue else { continue }
                tagKeys.append(key)
                keys["aws:RequestTag/\(key)"] = [tag[member: "Value"]?.stringValue ?? ""]
            }
            keys["aws:TagKeys"] = tagKeys
        }
        return keys
    }
}
