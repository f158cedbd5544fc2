import ElastiCache

/// Where the nodes of cluster-mode-disabled replication groups stand: each group's primary and
/// replicas (node keys, as ``NodeSupervisor/key(_:nodeId:)`` spells them) and which primary
/// each replica follows. Pure: computed from the stored groups on every pass.
struct ReplicationLayout: Equatable {
    struct Group: Equatable {
        var arn: String
        var primary: String?
        var replicas: [String]
        var automaticFailover: Bool
    }

    var groups: [Group] = []
    /// Replica node key → its primary's node key.
    var replicaOf: [String: String] = [:]

    init(_ records: [ReplicationGroupRecord]) {
        for record in records {
            // Cluster mode disabled: one node group.
            guard let nodeGroup = record.nodeGroups.first else { continue }
            let primary = nodeGroup.members.first { $0.role == "primary" }.map { Self.nodeKey(record, $0.clusterId) }
            let replicas = nodeGroup.members.filter { $0.role != "primary" }.map { Self.nodeKey(record, $0.clusterId) }
            if let primary { for replica in replicas { replicaOf[replica] = primary } }
            groups.append(
                Group(
                    arn: record.arn, primary: primary, replicas: replicas, automaticFailover: record.automaticFailover))
        }
    }

    /// The node key of member cluster `id`: its ARN (the group's, with `cluster:<id>` for
    /// `replicationgroup:<group>`) and node 0001, the one node a member has.
    static func nodeKey(_ group: ReplicationGroupRecord, _ id: String) -> String {
        var parts = group.arn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7 else { return "\(group.arn)/\(id)/0001" }
        parts[5] = "cluster"
        parts[6] = id
        return parts.joined(separator: ":") + "/0001"
    }

    /// Primaries whose death fails over to a replica (automatic failover, a replica to promote).
    var failoverPrimaries: Set<String> {
        Set(groups.filter { $0.automaticFailover && !$0.replicas.isEmpty }.compactMap(\.primary))
    }
}
