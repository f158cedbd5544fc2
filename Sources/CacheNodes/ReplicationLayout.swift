import ElastiCache

/// Where the nodes of replication groups stand: each group's shards with their primary and
/// replicas (node keys, as ``NodeSupervisor/key(_:nodeId:)`` spells them) and, without cluster
/// mode, which primary each replica follows. Pure: computed from the stored groups each pass.
struct ReplicationLayout: Equatable {
    struct Shard: Equatable {
        var id: String
        var primary: String?
        var replicas: [String]
        /// The hash slots the stored node group has (`0-5460`), cluster mode only.
        var slots: String
        /// Of `replicas`, the nodes of a global datastore's secondary in cluster mode: its shard
        /// of the same position runs as replicas of this one, in this group's Redis Cluster.
        var guests: [String] = []
    }

    struct Group: Equatable {
        var arn: String
        var clusterMode: Bool
        var automaticFailover: Bool
        var shards: [Shard]
        /// Snapshot data to import once the cluster is formed (ReplicationGroupRecord.importFrom).
        var importFrom: [String] = []

        /// A global datastore's secondary in cluster mode: the primary group (ARN) whose Redis
        /// Cluster its nodes joined as replicas (they are among that group's shards' replicas).
        var joinedTo: String? = nil

        var primary: String? { shards.first?.primary }
        /// A serverless cache's nodes (group `serverless--<name>`).
        var serverless: Bool { arn.contains(":replicationgroup:\(serverlessNodeIdPrefix)") }
        var replicas: [String] { shards.first?.replicas ?? [] }
        /// Every node of the group.
        var nodes: [String] { shards.flatMap { ($0.primary.map { [$0] } ?? []) + $0.replicas } }
    }

    var groups: [Group] = []
    /// Replica node key → its primary's node key (groups without cluster mode; cluster mode
    /// places replicas with CLUSTER REPLICATE).
    var replicaOf: [String: String] = [:]

    /// `globals`: global datastores; a secondary region's primary (cluster mode disabled)
    /// replicates from the primary region's primary, so the secondary is read-only, as on AWS.
    /// In cluster mode (Redis Cluster refuses REPLICAOF) a secondary's nodes join the primary's
    /// cluster as replicas of its shard of the same position.
    init(_ records: [ReplicationGroupRecord], globals: [GlobalReplication] = []) {
        for record in records {
            let shards = record.nodeGroups.map { nodeGroup in
                Shard(
                    id: nodeGroup.id,
                    primary: nodeGroup.members.first { $0.role == "primary" }.map {
                        Self.nodeKey(record, $0.clusterId)
                    },
                    replicas: nodeGroup.members.filter { $0.role != "primary" }.map {
                        Self.nodeKey(record, $0.clusterId)
                    },
                    slots: nodeGroup.slots)
            }
            let group = Group(
                arn: record.arn, clusterMode: record.clusterMode, automaticFailover: record.automaticFailover,
                shards: shards, importFrom: record.importFrom ?? [])
            if !record.clusterMode, let primary = group.primary {
                for replica in group.replicas { replicaOf[replica] = primary }
            }
            groups.append(group)
        }
        for global in globals {
            if let primary = groups.firstIndex(where: { $0.arn == global.primary && $0.clusterMode }) {
                join(global.secondaries, to: primary)
                continue
            }
            guard let source = groups.first(where: { $0.arn == global.primary && !$0.clusterMode })?.primary else {
                continue
            }
            for secondary in global.secondaries {
                guard let target = groups.first(where: { $0.arn == secondary && !$0.clusterMode })?.primary else {
                    continue
                }
                replicaOf[target] = source
            }
        }
    }

    /// Each cluster-mode secondary with as many shards as the primary group at `index`: its
    /// shards' nodes become replicas (guests) of the primary's shards, in order.
    private mutating func join(_ secondaries: [String], to index: Int) {
        for arn in secondaries {
            guard let secondary = groups.firstIndex(where: { $0.arn == arn && $0.clusterMode }),
                groups[secondary].shards.count == groups[index].shards.count
            else { continue }
            for (position, shard) in groups[secondary].shards.enumerated() {
                let nodes = (shard.primary.map { [$0] } ?? []) + shard.replicas
                groups[index].shards[position].replicas += nodes
                groups[index].shards[position].guests += nodes
            }
            groups[secondary].joinedTo = groups[index].arn
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
        var primaries = Set<String>()
        for group in groups where group.automaticFailover {
            for shard in group.shards where shard.replicas.count > shard.guests.count {
                if let primary = shard.primary { primaries.insert(primary) }
            }
        }
        return primaries
    }

    /// Node key → the ARN of the cluster-mode group whose Redis Cluster it is in.
    var clusterModeNodes: [String: String] {
        var nodes: [String: String] = [:]
        for group in groups where group.clusterMode && group.joinedTo == nil {
            for node in group.nodes { nodes[node] = group.arn }
        }
        return nodes
    }

    /// The port key of the endpoint a serverless cache's node `key` answers behind (its group
    /// `serverless--<name>`'s configuration endpoint); nil for any other node.
    func serverlessEndpoint(of key: String) -> String? {
        guard let group = groups.first(where: { $0.nodes.contains(key) }), group.serverless else { return nil }
        return "\(group.arn)/configuration"
    }
}
